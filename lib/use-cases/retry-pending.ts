/**
 * The scheduled retry of teams left Pending (throttling, an outage, a crash mid-apply): the due ones, a few at a
 * time, each with one more reconcile (as a scheduled retry, in the team's history); and how long the
 * longest-waiting change has waited, for the alarm. Every target's records are retried with that target's deps;
 * a target that cannot be reached keeps its due teams for the next run and never holds up the others.
 */

import { oldestPendingAgeSeconds } from '../domain/pending-age';
import { redactEmailAddresses } from '../domain/privacy';
import { type Target, targetKey } from '../domain/target';
import type { TeamRecord } from '../domain/team';
import { forEachBounded } from '../runtime/concurrency';
import { outOfTime } from '../runtime/invocation';
import { reconcileTeam } from './reconcile';
import type { ReconcileDeps } from './reconcile/contract';

function clock(deps: ReconcileDeps): () => Date {
  return deps.now ?? (() => new Date());
}

export interface RetrySummary {
  applied: string[];
  pending: string[];
  /** Turned `Failed` on this run (retries ran out, or a refusal that could not be rolled back). */
  failed: string[];
  /** Ended in an error this run; still recorded, retried later. */
  errored: string[];
  /** Due, but left for the next run: the invocation's time ran out, or the team's target could not be reached. */
  skipped: string[];
  /** How long the longest-waiting change still Pending after this run has waited (0 when none): see pending-age.ts. */
  oldestPendingAgeSeconds: number;
}

/**
 * The scheduled retry of teams left Pending (throttling, an outage, a crash mid-apply), due ones first, at
 * most `concurrency` at a time; teams not started before the time budget ran out wait for the next run.
 */
export async function retryPendingTeams(
  deps: ReconcileDeps,
  options: { limit?: number; concurrency?: number; reach?: () => Promise<void> } = {},
): Promise<RetrySummary & { unreachable?: string }> {
  const due = await deps.registry.listDuePending(clock(deps)(), options.limit ?? 100);
  const summary: RetrySummary & { unreachable?: string } = {
    applied: [],
    pending: [],
    failed: [],
    errored: [],
    skipped: [],
    oldestPendingAgeSeconds: 0,
  };
  // The target is asked for only when it has work: a target that cannot be reached keeps its teams due.
  if (due.length > 0 && options.reach) {
    try {
      await options.reach();
    } catch (error) {
      summary.unreachable = reasonText(error);
      summary.skipped.push(...due.map((record) => record.name));
      summary.oldestPendingAgeSeconds = oldestPendingAgeSeconds(await deps.registry.listPending(), clock(deps)());
      return summary;
    }
  }
  const outcomes = new Map<string, TeamRecord | undefined>();
  await forEachBounded(due, options.concurrency ?? 5, async (record) => {
    if (outOfTime()) {
      summary.skipped.push(record.name);
      return;
    }
    try {
      const result = await reconcileTeam(deps, record.name, {}, { by: 'a scheduled retry' });
      outcomes.set(record.name, result.outcome === 'unmanaged' ? undefined : result.record);
      if (result.outcome === 'pending') summary.pending.push(record.name);
      else if (result.outcome === 'failed') summary.failed.push(record.name);
      else summary.applied.push(record.name);
    } catch (error) {
      const failed = await deps.registry.get(record.name).catch(() => undefined);
      if (failed?.applyState === 'Failed') summary.failed.push(record.name);
      else summary.errored.push(record.name);
      deps.log?.error('retry of a pending team failed', {
        team: record.name,
        error: error instanceof Error ? error.name : 'Error',
        message: error instanceof Error ? error.message : undefined,
      });
    }
  });
  const stillPending = withOutcomes(await deps.registry.listPending(), outcomes);
  summary.oldestPendingAgeSeconds = oldestPendingAgeSeconds(stillPending, clock(deps)());
  return summary;
}

/** A target, its deps, and whether it can be reached now (its role assumed). */
export interface RetryTarget {
  target: Target;
  hub: boolean;
  deps: ReconcileDeps;
  reach(): Promise<void>;
}

/**
 * The scheduled retry in every target, one after another, the hub first: each target's due records with its deps,
 * teams named as the registry keys them (another target's as `account/region/name`). A target that cannot be
 * reached is logged and listed in `unreachable`, its due teams skipped; the oldest Pending change is the oldest of
 * every target's, an unreachable one's included (its changes wait all the same).
 */
export async function retryPendingInTargets(
  targets: readonly RetryTarget[],
  options: { limit?: number; concurrency?: number } = {},
): Promise<RetrySummary & { unreachable: { target: string; reason: string }[] }> {
  const summary = {
    applied: [] as string[],
    pending: [] as string[],
    failed: [] as string[],
    errored: [] as string[],
    skipped: [] as string[],
    oldestPendingAgeSeconds: 0,
    unreachable: [] as { target: string; reason: string }[],
  };
  for (const { target, hub, deps, reach } of targets) {
    const key = targetKey(target);
    const named = hub ? (name: string) => name : (name: string) => `${key}/${name}`;
    const ran = await retryPendingTeams(deps, { ...options, reach });
    for (const list of ['applied', 'pending', 'failed', 'errored', 'skipped'] as const) {
      summary[list].push(...ran[list].map(named));
    }
    summary.oldestPendingAgeSeconds = Math.max(summary.oldestPendingAgeSeconds, ran.oldestPendingAgeSeconds);
    if (ran.unreachable !== undefined) {
      summary.unreachable.push({ target: key, reason: ran.unreachable });
      deps.log?.error('a target cannot be reached: its pending teams wait', { target: key, reason: ran.unreachable });
    }
  }
  return summary;
}

/** Why a target could not be reached, for a summary: the refusal's name and message, addresses masked. */
export function reasonText(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return redactEmailAddresses(text).slice(0, 300);
}

/**
 * The pending records as this run left them: the index may not show the run's own writes yet (a team it just
 * applied would still count), so what a reconcile returned stands, unless the index holds a later version.
 */
function withOutcomes(listed: TeamRecord[], outcomes: Map<string, TeamRecord | undefined>): TeamRecord[] {
  const latest = new Map(listed.map((record) => [record.name, record]));
  for (const [name, outcome] of outcomes) {
    const indexed = latest.get(name);
    if (indexed && outcome && indexed.version > outcome.version) continue;
    if (outcome) latest.set(name, outcome);
    else latest.delete(name);
  }
  return [...latest.values()];
}
