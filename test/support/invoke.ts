/**
 * Invokes a handler the way `serverless invoke local --path events/<file>.json` does: the JSON event as
 * written, and a Lambda context with the usual fields. Every HTTP answer is checked against the OpenAPI
 * document (openapi/openapi.yaml) for the event's route, so the document cannot drift from the code.
 */
import { appendFileSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Context } from 'aws-lambda';
import { lambdaContext as localLambdaContext } from '../../local/lambda-context';
import { validateRouteResponse, validationTally } from './openapi';

export function loadEvent<T = Record<string, unknown>>(file: string): T {
  return JSON.parse(readFileSync(resolve(__dirname, '../../events', file), 'utf8')) as T;
}

/** A context of the local stage with 10 s left. */
export function lambdaContext(functionName: string): Context {
  return localLambdaContext(functionName, { stage: 'local', timeoutMs: 10_000 });
}

type Handler = (event: never, context: Context) => Promise<unknown>;

export interface HttpResult {
  statusCode: number;
  headers: Record<string, string>;
  body: Record<string, unknown>;
}

/**
 * Invokes an HTTP route handler with an events/ file, optionally changed, checks the answer against the OpenAPI
 * document for the event's `routeKey` (a test may change the path; the route stays), and parses its JSON body.
 */
export async function invokeHttp(
  handler: Handler,
  functionName: string,
  eventFile: string,
  change: (event: Record<string, unknown>) => void = () => undefined,
): Promise<HttpResult> {
  const event = loadEvent(eventFile);
  change(event);
  const result = (await handler(event as never, lambdaContext(functionName))) as {
    statusCode: number;
    headers?: Record<string, string>;
    body?: string;
  };
  const body: unknown = result.body ? JSON.parse(result.body) : undefined;
  if (typeof event.routeKey !== 'string') throw new Error(`events/${eventFile} has no routeKey: not an HTTP event`);
  validateRouteResponse(event.routeKey, result.statusCode, body, result.headers ?? {});
  return {
    statusCode: result.statusCode,
    headers: result.headers ?? {},
    body: (body ?? {}) as Record<string, unknown>,
  };
}

// OPENAPI_VALIDATION_LOG=<file>: each test file appends how many answers it validated, by operation and status.
const validationLog = process.env.OPENAPI_VALIDATION_LOG;
if (validationLog && typeof afterAll === 'function') {
  afterAll(() => {
    const tally = validationTally();
    if (Object.keys(tally).length === 0) return;
    appendFileSync(validationLog, `${JSON.stringify({ file: expect.getState().testPath, tally })}\n`);
  });
}
