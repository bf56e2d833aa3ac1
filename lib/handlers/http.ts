/**
 * Every HTTP function gets the same middleware chain, in the same order: tracer, logger context, metrics,
 * error mapper, parser. Route handlers receive the parsed event (query, path, the authorizer's caller) and
 * return a response; they never see raw `pathParameters!`.
 */

import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { ParseError } from '@aws-lambda-powertools/parser';
import { parser } from '@aws-lambda-powertools/parser/middleware';
import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { z } from 'zod';
import { actorOf, type Caller, CallerSchema } from '../auth/caller';
import type { Actor } from '../domain/actor';
import { redactEmailAddresses, ValidationFailed } from '../domain/errors';
import type { Violation } from '../domain/validation';
import { errorResponse, mapErrorToResponse } from '../http/errors';
import { withinBudget } from '../runtime/invocation';
import { logger, metrics } from '../runtime/observability';
import { powertoolsChain } from './chain';

/** Where a parse problem sits in the event decides who is at fault: the caller's token or the request. */
const REQUEST_PARTS: Record<string, string> = { queryStringParameters: 'query', pathParameters: 'path', body: 'body' };

/**
 * zod's issues as violations. Their paths can hold keys the client chose and their messages can quote values
 * (an invalid enum or literal, a refinement's text), so both are masked as every `ValidationFailed` is.
 */
function violationsFrom(error: ParseError): { violations: Violation[]; authProblem: boolean } {
  const cause = (error as { cause?: unknown }).cause;
  const issues: z.core.$ZodIssue[] = cause instanceof z.ZodError ? cause.issues : Array.isArray(cause) ? cause : [];
  let authProblem = issues.length === 0;
  const violations = issues.map((issue) => {
    const [part, ...rest] = issue.path.map(String);
    if (part === 'requestContext') authProblem = true;
    const field = rest.length > 0 ? rest.join('.') : (REQUEST_PARTS[part ?? ''] ?? part ?? 'request');
    return { path: field, code: issue.code, message: issue.message };
  });
  return { violations: ValidationFailed.masked(violations), authProblem };
}

/** Counts responses by status class, so 4xx and 5xx rates can be alarmed on. */
function responseMetrics(): MiddlewareObj<unknown, APIGatewayProxyStructuredResultV2> {
  const count = (response: APIGatewayProxyStructuredResultV2 | null | undefined) => {
    const statusClass = Math.floor((response?.statusCode ?? 500) / 100);
    metrics.addMetric(`Http${statusClass}xx`, MetricUnit.Count, 1);
  };
  return {
    after: async (request) => count(request.response),
    onError: async (request) => count(request.response),
  };
}

/**
 * An unexpected error as the logs may hold it: upstream messages can quote what they were given (an SNS
 * endpoint, for one), so e-mail addresses are masked in the message and the stack.
 */
function describeForLog(error: unknown): { name: string; message: string; stack?: string } {
  if (!(error instanceof Error)) return { name: 'NonError', message: redactEmailAddresses(String(error)) };
  return {
    name: error.name,
    message: redactEmailAddresses(error.message),
    ...(error.stack ? { stack: redactEmailAddresses(error.stack) } : {}),
  };
}

function errorMapper(): MiddlewareObj<unknown, APIGatewayProxyStructuredResultV2> {
  return {
    onError: async (request) => {
      const { error } = request;
      if (error instanceof ParseError) {
        const { violations, authProblem } = violationsFrom(error);
        if (authProblem) {
          logger.warn('request reached the function without a valid authorizer context');
          request.response = errorResponse(401, 'Unauthorized', 'Authentication is required');
        } else {
          request.response = errorResponse(400, 'ValidationFailed', 'The request is invalid', violations);
        }
        return;
      }
      const { response, expected } = mapErrorToResponse(error);
      if (expected) logger.info('request refused', { statusCode: response.statusCode, code: error?.name });
      else logger.error('request failed', { error: describeForLog(error) });
      request.response = response;
    },
  };
}

/**
 * The API Gateway v2 event as our routes see it: only the parts they read are parsed (serverless-offline's
 * events differ from API Gateway's in fields we never use, such as `requestContext.http.sourceIp`). The
 * caller comes from the Lambda authorizer's context.
 */
export function routeEventSchema<Q extends z.ZodType, P extends z.ZodType>(query: Q, path: P) {
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

interface ParsedRouteEvent<Q, P> {
  routeKey: string;
  rawPath?: string | null;
  headers?: Record<string, string> | null;
  body?: string | null;
  isBase64Encoded?: boolean | null;
  queryStringParameters: Q;
  pathParameters: P;
  requestContext: { requestId: string; authorizer: { lambda: Caller } };
}

export interface RouteRequest<Q, P> {
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

function parseJsonBody(body: string | null | undefined, isBase64Encoded: boolean | null | undefined): unknown {
  if (body === undefined || body === null || body === '') return undefined;
  const text = isBase64Encoded ? Buffer.from(body, 'base64').toString('utf8') : body;
  try {
    return JSON.parse(text);
  } catch {
    throw new ValidationFailed([{ path: 'body', code: 'Json', message: 'The request body is not valid JSON' }]);
  }
}

/**
 * A path with a `.` or `..` segment (also percent-encoded, once or twice) names another resource than the route
 * it reached: `DELETE /teams/T/members/..` is `DELETE /teams/T` to anyone who normalises it. Refused outright.
 */
function checkNoDotSegments(rawPath: string | null | undefined): void {
  if (!rawPath) return;
  let path = rawPath;
  for (let round = 0; round < 3; round++) {
    if (path.split('/').some((segment) => segment === '.' || segment === '..')) {
      throw new ValidationFailed([
        { path: 'path', code: 'Pattern', message: "The request path must not hold '.' or '..' segments" },
      ]);
    }
    try {
      const decoded = decodeURIComponent(path);
      if (decoded === path) return;
      path = decoded;
    } catch {
      return;
    }
  }
}

export interface RouteOptions {
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
  return chain.handler(async (parsedEvent, context) => {
    // TypeScript cannot resolve the extended schema's output while Q and P are still generic; the parser
    // middleware has already checked the event against exactly this shape.
    const event = parsedEvent as unknown as ParsedRouteEvent<z.infer<Q>, z.infer<P>>;
    const caller = event.requestContext.authorizer.lambda;
    logger.appendKeys({ caller: caller.sub, routeKey: event.routeKey });
    checkNoDotSegments(event.rawPath);
    // The route's AWS calls stop in time to record a change as Pending and answer, before Lambda stops us.
    const remainingMs =
      typeof context?.getRemainingTimeInMillis === 'function' ? context.getRemainingTimeInMillis() : 0;
    const run = () =>
      route({
        query: event.queryStringParameters,
        path: event.pathParameters,
        body: parseJsonBody(event.body, event.isBase64Encoded),
        headers: Object.fromEntries(
          Object.entries(event.headers ?? {}).map(([key, value]) => [key.toLowerCase(), value]),
        ),
        actor: actorOf(caller),
        requestId: event.requestContext.requestId,
      });
    return remainingMs > 0 ? withinBudget(remainingMs, run) : run();
  });
}
