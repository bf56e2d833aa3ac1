/** The HTTP builder's middlewares, one concern each, run on their own against a middy request. */
import { ParseError } from '@aws-lambda-powertools/parser';
import type { Request } from '@middy/core';
import { z } from 'zod';
import { TeamNotFound, ValidationFailed } from '#lib/domain/errors';
import { refuseDotSegments } from '#lib/http/middlewares/dot-segments';
import { errorMapper } from '#lib/http/middlewares/error-mapper';
import { jsonBody, lowerCaseHeaders } from '#lib/http/middlewares/json-body';
import { responseMetrics } from '#lib/http/middlewares/response-metrics';
import { metrics } from '#lib/runtime/observability';

function requestOf<E>(event: E): Request<E> {
  return { event, context: {} as never, response: undefined, error: null, internal: {} } as unknown as Request<E>;
}

describe('refuseDotSegments', () => {
  it.each(['/teams/T/members/..', '/teams/T/members/.', '/teams/T/members/%2E%2E', '/teams/T/members/%252e%252e'])(
    'refuses %s with a ValidationFailed on `path`',
    async (rawPath) => {
      const attempt = refuseDotSegments().before?.(requestOf({ rawPath }));
      await expect(attempt).rejects.toBeInstanceOf(ValidationFailed);
      await expect(attempt).rejects.toMatchObject({ details: [{ path: 'path', code: 'Pattern' }] });
    },
  );

  it.each(['/teams/T/members/a.b', '/teams/T..x', undefined, '/teams/%E0%A4%A'])('lets %s through', async (rawPath) => {
    await expect(refuseDotSegments().before?.(requestOf({ rawPath }))).resolves.toBeUndefined();
  });
});

describe('jsonBody', () => {
  it('adds the parsed body beside the raw one, decoding base64 first', async () => {
    const request = requestOf({ body: Buffer.from('{"a":1}').toString('base64'), isBase64Encoded: true });
    await jsonBody().before?.(request);
    expect(request.event).toMatchObject({ jsonBody: { a: 1 }, body: Buffer.from('{"a":1}').toString('base64') });
  });

  it('reads no body as undefined', async () => {
    const request = requestOf<{ body?: string; jsonBody?: unknown }>({ body: '' });
    await jsonBody().before?.(request);
    expect(request.event.jsonBody).toBeUndefined();
  });

  it('refuses a body that is not JSON with a ValidationFailed on `body`', async () => {
    await expect(jsonBody().before?.(requestOf({ body: '{nope' }))).rejects.toMatchObject({
      details: [{ path: 'body', code: 'Json' }],
    });
  });
});

describe('lowerCaseHeaders', () => {
  it('adds the headers by their lower-case names and leaves the raw ones', async () => {
    const request = requestOf({ headers: { 'If-Match': '"3"', 'content-type': 'application/json' } });
    await lowerCaseHeaders().before?.(request);
    expect(request.event).toMatchObject({
      headers: { 'If-Match': '"3"' },
      lowerCaseHeaders: { 'if-match': '"3"', 'content-type': 'application/json' },
    });
  });
});

describe('errorMapper', () => {
  it("answers a domain error in the API's error shape, with its status", async () => {
    const request = requestOf({}) as Request<unknown, unknown>;
    request.error = new TeamNotFound('t-1');
    await errorMapper().onError?.(request as never);
    expect(request.response).toMatchObject({ statusCode: 404 });
    expect(JSON.parse((request.response as { body: string }).body)).toEqual({
      error: { code: 'TeamNotFound', message: "Work team 't-1' does not exist", details: { teamName: 't-1' } },
    });
  });

  it('answers a request that does not parse with 400 and its violations, masked', async () => {
    const issues = z.object({ queryStringParameters: z.object({ limit: z.number() }) }).safeParse({
      queryStringParameters: { limit: 'ana@example.com' },
    });
    const request = requestOf({}) as Request<unknown, unknown>;
    request.error = new ParseError('bad', { cause: issues.error });
    await errorMapper().onError?.(request as never);
    expect(request.response).toMatchObject({ statusCode: 400 });
    expect((request.response as { body: string }).body).not.toContain('@example.com');
    expect(JSON.parse((request.response as { body: string }).body).error.details[0].path).toBe('limit');
  });

  it("answers 401 when what does not parse is the authorizer's context", async () => {
    const issues = z.object({ requestContext: z.object({ authorizer: z.string() }) }).safeParse({ requestContext: {} });
    const request = requestOf({}) as Request<unknown, unknown>;
    request.error = new ParseError('bad', { cause: issues.error });
    await errorMapper().onError?.(request as never);
    expect(request.response).toMatchObject({ statusCode: 401 });
  });

  it('answers anything else with a 500 that carries no internals', async () => {
    const request = requestOf({}) as Request<unknown, unknown>;
    request.error = new Error('connect ECONNREFUSED 10.0.0.1: secret detail');
    await errorMapper().onError?.(request as never);
    expect(request.response).toMatchObject({ statusCode: 500 });
    expect((request.response as { body: string }).body).not.toContain('secret');
  });
});

describe('responseMetrics', () => {
  it('counts each answer by its status class, errors included', async () => {
    const counted = jest.spyOn(metrics, 'addMetric');
    const middleware = responseMetrics();
    await middleware.after?.({ ...requestOf({}), response: { statusCode: 201 } } as never);
    await middleware.onError?.({ ...requestOf({}), response: { statusCode: 404 } } as never);
    await middleware.onError?.({ ...requestOf({}), response: undefined } as never);
    expect(counted.mock.calls.map(([name]) => name)).toEqual(['Http2xx', 'Http4xx', 'Http5xx']);
    counted.mockRestore();
  });
});
