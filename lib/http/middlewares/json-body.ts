/**
 * The request's body as JSON (base64 decoded first when API Gateway says so), and its header names in lower
 * case as API Gateway v2 delivers them: what a route reads. A body that is not JSON is a 400. Both are added to
 * the event beside the raw fields, which stay as API Gateway sent them: Powertools idempotency hashes the raw body
 * again once the route has answered.
 */
import type { MiddlewareObj } from '@middy/core';
import { ValidationFailed } from '../../domain/errors';

interface RequestParts {
  body?: string | null;
  isBase64Encoded?: boolean | null;
  headers?: Record<string, string> | null;
  /** The body, parsed: undefined when the request has none. */
  jsonBody?: unknown;
  /** The headers, by their names in lower case. */
  lowerCaseHeaders?: Record<string, string>;
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

export function jsonBody(): MiddlewareObj<RequestParts> {
  return {
    before: async (request) => {
      request.event.jsonBody = parseJsonBody(request.event.body, request.event.isBase64Encoded);
    },
  };
}

export function lowerCaseHeaders(): MiddlewareObj<RequestParts> {
  return {
    before: async (request) => {
      request.event.lowerCaseHeaders = Object.fromEntries(
        Object.entries(request.event.headers ?? {}).map(([key, value]) => [key.toLowerCase(), value]),
      );
    },
  };
}
