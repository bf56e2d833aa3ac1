/**
 * Scheduled every few minutes: reconciles teams left Pending (throttling, an outage, a crash mid-apply) once
 * their backoff is due, a few at a time, in every target (the hub first), each with that target's deps. EventBridge
 * may deliver twice; reconcile is idempotent. Teams whose retries ran out turn Failed (counted, and told on the
 * operations topic) instead of being retried forever; teams not started before the time budget runs out are left
 * for the next run, never cut off mid-write, and so are the due teams of a target whose role cannot be assumed
 * (logged, in `unreachable`). Each run reports how long the longest-waiting Pending change of any target has waited
 * (`OldestPendingAgeSeconds`, alarmed).
 */
import { mustReach, targetsOf } from '#lib/composition/targets';
import { teamDepsByTarget } from '#lib/composition/teams';
import { scheduleRoute } from '#lib/handlers/schedule';
import { loadConfig, retryPendingConfig } from '#lib/runtime/config';
import { publishRetryMetrics } from '#lib/runtime/metrics';
import { logger } from '#lib/runtime/observability';
import { retryPendingInTargets } from '#lib/use-cases/retry-pending';

const config = loadConfig(retryPendingConfig());
const { all } = targetsOf(config);
const depsOf = teamDepsByTarget(config);

export const handler = scheduleRoute(async () => {
  const summary = await retryPendingInTargets(
    all.map((target) => ({ target, hub: target.hub, deps: depsOf(target), reach: () => mustReach(target, config) })),
  );
  publishRetryMetrics(summary);
  const problems = summary.failed.length + summary.errored.length + summary.unreachable.length;
  if (problems > 0) logger.error('pending teams retried, some failed', { ...summary });
  else logger.info('pending teams retried', { ...summary });
  return summary;
});
