/**
 * What a pass writes of its outcome to the registry: applied, pending with a retry, or failed (the operations
 * topic told once). Every write is conditional on the version the pass applied (lib/domain/apply-state.ts holds
 * what the record becomes); a write that lost to another writer leaves the record to that writer.
 */
import { appliedRecord, failedRecord, pendingRecord, topicFacts } from '../../domain/apply-state';
import { afterFailedAttempt, DEFAULT_RETRY_BUDGET_MS } from '../../domain/retries';
import type { TeamRecord } from '../../domain/team';
import { RegistryConflict } from '../../ports/teams';
import type { ReconcileDeps, ReconcileOutcome } from './contract';
import { type ApplyAttempt, clock } from './pass-state';

export async function markApplied(
  deps: ReconcileDeps,
  record: TeamRecord,
  attempt: ApplyAttempt,
  now: Date,
  by?: string,
): Promise<TeamRecord | undefined> {
  let base = record;
  for (let round = 0; round < 3; round++) {
    // Nothing silent: an out-of-band change this pass undid is in the history, as the system's, with who asked.
    const applied = appliedRecord(
      record,
      base,
      { ...attempt, topicArn: attempt.live?.notificationTopicArn ?? attempt.topicArn },
      now,
      by,
    );
    const written = await writeIfUnchanged(deps, applied, record.version);
    if (written) return written;
    // Someone wrote since we read. Another version: the caller applies that one. The same version (another
    // attempt recorded its own outcome of this very version): this pass applied it too, so record that.
    const latest = await deps.registry.get(record.name);
    if (!latest || latest.version !== record.version) return undefined;
    if (latest.applyState === 'Applied') return latest;
    base = latest;
  }
  return undefined;
}

/**
 * Keeps the change and schedules a retry with backoff; once the change has been retried for longer than the
 * retry budget the team is `Failed` instead (out of the retry index, the operations topic told once). Returns
 * what the record now says.
 */
export async function markPending(
  deps: ReconcileDeps,
  record: TeamRecord,
  attempt: Partial<ApplyAttempt>,
  reason: string,
): Promise<Extract<ReconcileOutcome, { outcome: 'pending' | 'failed' }>> {
  const now = clock(deps)();
  const next = afterFailedAttempt(record, now, deps.retryBudgetMs ?? DEFAULT_RETRY_BUDGET_MS);
  const facts = topicFacts(record, attempt);
  if (next.giveUp) {
    const failedReason = `${reason.replace(/; it will be retried$/, '')}; gave up after ${next.retry.attempts} attempts in ${next.triedFor}`;
    return markFailed(deps, { ...record, ...facts, retry: next.retry }, failedReason);
  }
  const pending = pendingRecord(record, attempt, reason, next.retry, now);
  const written = await writeIfUnchanged(deps, pending, record.version);
  return { outcome: 'pending', record: written ?? record, reason };
}

export async function markFailed(
  deps: ReconcileDeps,
  record: TeamRecord,
  reason: string,
): Promise<Extract<ReconcileOutcome, { outcome: 'failed' }>> {
  const failed = failedRecord(record, reason, clock(deps)());
  const written = await writeIfUnchanged(deps, failed, record.version);
  // Told once: only the writer that turned the record Failed tells the operations topic.
  if (written && record.applyState !== 'Failed') {
    deps.log?.error('team failed', { team: record.name, version: record.version, reason: failed.pendingReason });
    try {
      await deps.alerts.teamFailed({
        name: record.name,
        owner: record.owner,
        version: record.version,
        reason: failed.pendingReason ?? reason,
      });
    } catch (error) {
      deps.log?.error('could not tell the operations topic', {
        team: record.name,
        error: error instanceof Error ? error.name : 'Error',
      });
    }
  }
  return { outcome: 'failed', record: written ?? record, reason: failed.pendingReason ?? reason };
}

export async function writeIfUnchanged(
  deps: ReconcileDeps,
  record: TeamRecord,
  expectedVersion: number,
): Promise<TeamRecord | undefined> {
  try {
    return await deps.registry.put(record, expectedVersion);
  } catch (error) {
    // Someone changed the desired state meanwhile: their own reconcile (or ours, on the next pass) takes over.
    if (error instanceof RegistryConflict) return undefined;
    throw error;
  }
}
