/**
 * Scheduled every few minutes: reconciles teams left Pending (throttling, an outage, a crash mid-apply) once
 * their backoff is due, a few at a time. EventBridge may deliver twice; reconcile is idempotent. Teams whose
 * retries ran out turn Failed (counted, and told on the operations topic) instead of being retried forever;
 * teams not started before the time budget runs out are left for the next run, never cut off mid-write.
 * Each run reports how long the longest-waiting Pending change has waited (`OldestPendingAgeSeconds`, alarmed).
 */
import { buildTeamDeps } from '#lib/composition/teams';
import { scheduleRoute } from '#lib/handlers/schedule';
import { loadConfig, retryPendingConfig } from '#lib/runtime/config';
import { publishRetryMetrics } from '#lib/runtime/metrics';
import { logger } from '#lib/runtime/observability';
import { retryPendingTeams } from '#lib/use-cases/retry-pending';

const deps = buildTeamDeps(loadConfig(retryPendingConfig()));

export const handler = scheduleRoute(async () => {
  const summary = await retryPendingTeams(deps);
  publishRetryMetrics(summary);
  const problems = summary.failed.length + summary.errored.length;
  if (problems > 0) logger.error('pending teams retried, some failed', { ...summary });
  else logger.info('pending teams retried', { ...summary });
  return summary;
});
