/**
 * When a change that could not be applied is tried again, and when trying stops. Attempts wait longer and longer
 * (1, 2, 4, ... minutes, at most an hour); what ends them is time, not their number: a change is given up (the
 * team `Failed`, the operations topic told) once it has waited longer than the budget since its first failed
 * attempt. So a burst of events that each meet a throttle cannot use a team's retries up in seconds; only a
 * refusal, or a change that cannot get through for the whole budget, fails a team.
 */
import type { TeamRecord } from './team';

/** How long a change is retried before the team is `Failed`, unless configured: three hours. */
export const DEFAULT_RETRY_BUDGET_MS = 3 * 60 * 60_000;

/** Backoff for pending retries: 1, 2, 4, ... minutes, at most an hour. */
export function nextAttemptAt(now: Date, attempts: number): string {
  const minutes = Math.min(60, 2 ** Math.max(0, attempts - 1));
  return new Date(now.getTime() + minutes * 60_000).toISOString();
}

type AfterFailedAttempt =
  | { giveUp: false; retry: NonNullable<TeamRecord['retry']> }
  | { giveUp: true; retry: NonNullable<TeamRecord['retry']>; triedFor: string };

/** What one more failed attempt of `record` means at `now`: another retry, or the end of the budget. */
export function afterFailedAttempt(record: TeamRecord, now: Date, budgetMs: number): AfterFailedAttempt {
  const attempts = (record.retry?.attempts ?? 0) + 1;
  const since = record.retry?.since ?? now.toISOString();
  const waited = now.getTime() - Date.parse(since);
  if (Number.isFinite(waited) && waited >= budgetMs) {
    return { giveUp: true, retry: { attempts, nextAttemptAt: now.toISOString(), since }, triedFor: duration(waited) };
  }
  return { giveUp: false, retry: { attempts, nextAttemptAt: nextAttemptAt(now, attempts), since } };
}

/** `2 h 5 min`, `45 min`, `30 s`: for reasons people read. */
function duration(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 1) return `${Math.max(0, Math.round(ms / 1000))} s`;
  const hours = Math.floor(minutes / 60);
  if (hours === 0) return `${minutes} min`;
  return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`;
}
