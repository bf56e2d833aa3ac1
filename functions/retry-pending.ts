/**
 * Scheduled every few minutes: reconciles teams left Pending (throttling, an outage, a crash mid-apply) once
 * their backoff is due. EventBridge may deliver twice; reconcile is idempotent.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import { buildTeamDeps } from '#lib/deps';
import { logger, metrics, tracer } from '#lib/observability';
import { retryPendingTeams } from '#lib/use-cases/reconcile';

const deps = buildTeamDeps();

export const handler = middy()
  .use(captureLambdaHandler(tracer))
  .use(injectLambdaContext(logger, { clearState: true }))
  .use(logMetrics(metrics))
  .handler(async () => {
    const summary = await retryPendingTeams(deps);
    metrics.addMetric('PendingTeamsApplied', MetricUnit.Count, summary.applied.length);
    metrics.addMetric('PendingTeamsStillPending', MetricUnit.Count, summary.pending.length);
    metrics.addMetric('PendingTeamsFailed', MetricUnit.Count, summary.failed.length);
    logger.info('pending teams retried', summary);
    return summary;
  });
