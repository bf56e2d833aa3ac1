/**
 * reconcileTeam: make SageMaker and SNS match the registry's desired state for one team — create, update
 * only what differs, delete, or nothing. Idempotent and safe to run twice or concurrently:
 *
 * - every pass ends in a write conditional on the version it applied; when the desired state moved meanwhile
 *   the write fails and the next pass applies the latest one, so the last writer's state wins;
 * - an error of an attempt that is already outdated is no answer: the latest desired state is applied instead;
 * - `ResourceInUse` on a create means another attempt created the team first: it is read and the pass goes on;
 * - a rollback never deletes a team in SageMaker: a refused creation closes the record only when no team
 *   exists and no answer ever said it was accepted; otherwise the team is marked `Failed` and left alone;
 * - every SNS topic is recorded before anything can forget it (`topicMayExist`, set with the change itself).
 *
 * This file holds the run: its passes under the team's lease (read, apply, record). What a pass does lives in
 * lib/use-cases/reconcile/: apply.ts (the pass's writes), sagemaker.ts, notifications.ts, retirement.ts,
 * recording.ts (the outcome written), failure.ts and rollback.ts (what a failed pass means); contract.ts holds
 * what the run takes and answers.
 */

import { isSnsNotFound } from '../runtime/aws-errors';
import { applyRecord } from './reconcile/apply';
import type { ReconcileDeps, ReconcileHints, ReconcileOutcome, RunOptions } from './reconcile/contract';
import { settleFailure } from './reconcile/failure';
import { type ApplyAttempt, clock, RaceLost, type RunState, runFacts } from './reconcile/pass-state';
import { markApplied, markPending } from './reconcile/recording';
import { TeamBusy, withTeamLeases } from './team-lease';

/** What the audit's remediation reads of a run (lib/use-cases/audit.ts imports them from here). */
export type { Log, ReconcileOutcome } from './reconcile/contract';

const MAX_PASSES = 5;

export async function reconcileTeam(
  deps: ReconcileDeps,
  name: string,
  hints: ReconcileHints = {},
  options: RunOptions = {},
): Promise<ReconcileOutcome> {
  // One writer per team: everything below reads and writes holding the team's lease. A pass that had to wait for
  // it starts from nothing it knew before (another pass may have moved the team meanwhile).
  return withTeamLeases(deps, [name], async ({ busy, waited }) => {
    if (busy.length > 0) return deferWhileBusy(deps, name);
    return reconcileHolding(deps, name, waited ? {} : hints, options);
  });
}

/** Another pass held the team for longer than this one could wait: the change is kept, and retried. */
export async function deferWhileBusy(deps: ReconcileDeps, name: string): Promise<ReconcileOutcome> {
  const record = await deps.registry.get(name);
  if (!record) return { outcome: 'unmanaged' };
  deps.log?.info('apply deferred: another pass of the team is running', { team: name, version: record.version });
  return markPending(deps, record, {}, `${new TeamBusy(name).message}; it will be retried`);
}

async function reconcileHolding(
  deps: ReconcileDeps,
  name: string,
  hints: ReconcileHints,
  options: RunOptions,
): Promise<ReconcileOutcome> {
  const run: RunState = { created: false };
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    const record = pass === 0 && hints.record?.name === name ? hints.record : await deps.registry.get(name);
    // An unmanaged team is never written to.
    if (!record) return { outcome: 'unmanaged' };
    const attempt: ApplyAttempt = { missingGroups: [] };
    try {
      await applyRecord(deps, record, attempt, run, pass === 0 ? hints : {});
      const applied = await markApplied(deps, record, attempt, clock(deps)(), options.by);
      if (applied) {
        return {
          outcome: 'applied',
          record: applied,
          live: attempt.live,
          subscriptions: attempt.subscriptions,
          ...(attempt.reverted?.length ? { reverted: attempt.reverted } : {}),
        };
      }
    } catch (error) {
      const latest = await deps.registry.get(name);
      if (!latest) return { outcome: 'unmanaged' };
      // An error of an outdated attempt (a retirement raced this change, say) is no answer: apply the latest.
      if (latest.version !== record.version) continue;
      if ((error instanceof RaceLost || isSnsNotFound(error)) && pass < MAX_PASSES - 1) continue;
      return await settleFailure(deps, latest, { ...runFacts(run), ...attempt }, error, run, options);
    }
  }
  // Still moving after every pass: the writers' own reconciles, or the scheduled retry, finish it.
  const latest = await deps.registry.get(name);
  if (!latest) return { outcome: 'unmanaged' };
  return markPending(deps, latest, runFacts(run), 'the team kept changing while it was applied; it will be retried');
}
