/**
 * Scheduled every few minutes: reconciles teams left Pending (throttling, an outage, a crash mid-apply) once
 * their backoff is due, a few at a time. EventBridge may deliver twice; reconcile is idempotent. Teams whose
 * retries ran out turn Failed (counted, and told on the operations topic) instead of being retried forever.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { buildTeamDeps } from '#lib/deps';
import { withinBudget } from '#lib/invocation';
import { logger, metrics, tracer } from '#lib/observability';
import { retryPendingTeams } from '#lib/use-cases/reconcile';

const deps = buildTeamDeps();

export const handler = middy()
  .use(captureLambdaHandler(tracer))
  .use(injectLambdaContext(logger, { clearState: true }))
  .use(logMetrics(metrics))
  .handler(async (_event: unknown, context: Context) => {
    // Teams not started before the time budget runs out are left for the next run, never cut off mid-write.
    const summary = await withinBudget(context.getRemainingTimeInMillis(), () => retryPendingTeams(deps));
    metrics.addMetric('PendingTeamsApplied', MetricUnit.Count, summary.applied.length);
    metrics.addMetric('PendingTeamsStillPending', MetricUnit.Count, summary.pending.length);
    metrics.addMetric('PendingTeamsFailed', MetricUnit.Count, summary.failed.length);
    metrics.addMetric('PendingTeamsErrored', MetricUnit.Count, summary.errored.length);
    metrics.addMetric('PendingTeamsSkipped', MetricUnit.Count, summary.skipped.length);
    const problems = summary.failed.length + summary.errored.length;
    if (problems > 0) logger.error('pending teams retried, some failed', { ...summary });
    else logger.info('pending teams retried', { ...summary });
    return summary;
  });
