/**
 * The scheduled retry of teams left Pending (throttling, an outage, a crash mid-apply): the due ones, a few at a
 * time, each with one more reconcile (as a scheduled retry, in the team's history); and how long the
 * longest-waiting change has waited, for the alarm.
 */

import { oldestPendingAgeSeconds } from '../domain/pending-age';
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
  /** Due, but left for the next run: the invocation's time ran out. */
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
  options: { limit?: number; concurrency?: number } = {},
): Promise<RetrySummary> {
  const due = await deps.registry.listDuePending(clock(deps)(), options.limit ?? 100);
  const summary: RetrySummary = {
    applied: [],
    pending: [],
    failed: [],
    errored: [],
    skipped: [],
    oldestPendingAgeSeconds: 0,
  };
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
