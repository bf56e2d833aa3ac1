/**
 * How long changes have waited to reach SageMaker: the metric `OldestPendingAgeSeconds` and its alarm.
 *
 * A Pending record waits since the oldest change of it that was never applied was recorded: the first history
 * entry past `appliedVersion`, or, for a record never applied, its creation (a name's earlier team keeps its
 * entries in the record, and they are not this team's). Retries move neither: `updatedAt` and the due time
 * (`retry.nextAttemptAt`, what the pending index is ordered by) change with every attempt, so neither tells an
 * age. A record pending at a version already applied (the Cognito sync applying a team's members again) has no
 * entry of its own: it counts from its last attempt (`updatedAt`), a lower bound; such a team turns Failed once
 * its retries run out, which the `TeamsFailed` alarm sees.
 */
import type { TeamRecord } from './team';

export function pendingSince(record: TeamRecord): Date {
  const applied = record.appliedVersion;
  if (applied === undefined) return new Date(record.createdAt);
  const unapplied = record.history.filter((entry) => entry.version > applied).map((entry) => Date.parse(entry.at));
  const valid = unapplied.filter((time) => Number.isFinite(time));
  return new Date(valid.length > 0 ? Math.min(...valid) : Date.parse(record.updatedAt));
}

/** The age in whole seconds of the longest-waiting Pending record; 0 when none is Pending. */
export function oldestPendingAgeSeconds(records: readonly TeamRecord[], now: Date): number {
  const ages = records
    .filter((record) => record.applyState === 'Pending')
    .map((record) => Math.floor((now.getTime() - pendingSince(record).getTime()) / 1000))
    .filter((age) => Number.isFinite(age));
  return Math.max(0, ...ages);
}
