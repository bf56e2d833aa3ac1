/**
 * The builder of every HTTP route: the Powertools chain (tracer, logger context, metrics), then small named
 * middlewares, each one concern (lib/http/middlewares/): answers counted by status class, errors mapped to the
 * API's one error shape, the event parsed against the route's query and path schemas, any extra the route asks
 * for (Powertools idempotency), `.`/`..` path segments refused, header names in lower case, the body read as JSON.
 * The route then runs within the invocation's time budget with the actor the authorizer vouched for; it never
 * sees raw `pathParameters!`.
 */

import { parser } from '@aws-lambda-powertools/parser/middleware';
import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { z } from 'zod';
import { actorOf, type Caller, CallerSchema } from '../auth/caller';
import type { Actor } from '../domain/actor';
import { refuseDotSegments } from '../http/middlewares/dot-segments';
import { errorMapper } from '../http/middlewares/error-mapper';
import { jsonBody, lowerCaseHeaders } from '../http/middlewares/json-body';
import { responseMetrics } from '../http/middlewares/response-metrics';
import { withinBudget } from '../runtime/invocation';
import { logger } from '../runtime/observability';
import { powertoolsChain } from './chain';

/**
 * The API Gateway v2 event as our routes see it: only the parts they read are parsed (serverless-offline's
 * events differ from API Gateway's in fields we never use, such as `requestContext.http.sourceIp`). The
 * caller comes from the Lambda authorizer's context.
 */
function routeEventSchema<Q extends z.ZodType, P extends z.ZodType>(query: Q, path: P) {
  return z.object({
    routeKey: z.string(),
    rawPath: z.string().nullish(),
    headers: z.record(z.string(), z.string()).nullish(),
    queryStringParameters: query,
    pathParameters: path,
    body: z.string().nullish(),
    isBase64Encoded: z.boolean().nullish(),
    requestContext: z.object({
      requestId: z.string(),
      authorizer: z.object({ lambda: CallerSchema }),
    }),
  });
}

/** The parsed event once the middlewares have run: the body read as JSON, header names in lower case. */
interface ParsedRouteEvent<Q, P> {
  routeKey: string;
  rawPath?: string | null;
  headers?: Record<string, string> | null;
  body?: string | null;
  jsonBody?: unknown;
  lowerCaseHeaders?: Record<string, string>;
  isBase64Encoded?: boolean | null;
  queryStringParameters: Q;
  pathParameters: P;
  requestContext: { requestId: string; authorizer: { lambda: Caller } };
}

interface RouteRequest<Q, P> {
  query: Q;
  path: P;
  /** The JSON body, parsed; undefined when the request has none. */
  body: unknown;
  /** Header names in lower case, as API Gateway v2 delivers them. */
  headers: Record<string, string>;
  /** The person the authorizer vouched for. */
  actor: Actor;
  requestId: string;
}

interface RouteOptions {
  /** Extra middlewares that run after parsing, e.g. Powertools idempotency for POST routes. */
  middlewares?: MiddlewareObj[];
}

export function httpRoute<Q extends z.ZodType, P extends z.ZodType>(
  schemas: { query: Q; path: P },
  route: (request: RouteRequest<z.infer<Q>, z.infer<P>>) => Promise<APIGatewayProxyStructuredResultV2>,
  options: RouteOptions = {},
) {
  const schema = routeEventSchema(schemas.query, schemas.path);
  const chain = powertoolsChain<z.infer<typeof schema>, APIGatewayProxyStructuredResultV2>()
    .use(responseMetrics())
    .use(errorMapper())
    .use(parser({ schema }));
  for (const middleware of options.middlewares ?? []) chain.use(middleware as MiddlewareObj<z.infer<typeof schema>>);
  chain.use(refuseDotSegments()).use(lowerCaseHeaders()).use(jsonBody());
  return chain.handler(async (parsedEvent, context) => {
    // TypeScript cannot resolve the extended schema's output while Q and P are still generic; the parser
    // middleware has already checked the event against exactly this shape.
    const event = parsedEvent as unknown as ParsedRouteEvent<z.infer<Q>, z.infer<P>>;
    const caller = event.requestContext.authorizer.lambda;
    logger.appendKeys({ caller: caller.sub, routeKey: event.routeKey });
    // The route's AWS calls stop in time to record a change as Pending and answer, before Lambda stops us.
    const remainingMs =
      typeof context?.getRemainingTimeInMillis === 'function' ? context.getRemainingTimeInMillis() : 0;
    const run = () =>
      route({
        query: event.queryStringParameters,
        path: event.pathParameters,
        body: event.jsonBody,
        headers: event.lowerCaseHeaders ?? {},
        actor: actorOf(caller),
        requestId: event.requestContext.requestId,
      });
    return remainingMs > 0 ? withinBudget(remainingMs, run) : run();
  });
}
