/**
 * The Powertools chain every function starts with, whatever triggers it, in this order: tracer, logger context
 * (cleared per invocation; events are never logged whole, they may carry e-mail addresses), metrics. The
 * builder of each trigger kind (lib/handlers/http.ts for HTTP routes, lib/handlers/schedule.ts, ...) adds its
 * own parser and error handling after it.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { logger, metrics, tracer } from '../runtime/observability';

export function powertoolsChain<Event, Result>() {
  return middy<Event, Result, Error, Context>()
    .use(captureLambdaHandler(tracer))
    .use(injectLambdaContext(logger, { clearState: true, resetKeys: true, logEvent: false }))
    .use(logMetrics(metrics, { captureColdStartMetric: true }));
}
