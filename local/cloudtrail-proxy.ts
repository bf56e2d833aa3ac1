/**
 * The local CloudTrail for Cognito: an HTTP proxy in front of cognito-local that forwards the requests and
 * returns the responses unchanged, and records the calls CloudTrail would log for the user pool's group and
 * user changes as "AWS API Call via CloudTrail" events, shaped like the events/cognito-*.json files: the user
 * named only by sub (`additionalEventData.sub`, looked up before the call is forwarded, so a deleted user has
 * one too), the caller by the access key of its signature. A call Cognito refused is recorded as CloudTrail
 * records it, with `errorCode` and `errorMessage`; a call that never reached Cognito is not recorded.
 * Whoever subscribes (the local event bus) receives each event; without a subscriber nothing is looked up.
 *
 * Where the product depends on it, the proxy also behaves as Cognito does and cognito-local does not:
 * - Request-rate quotas (local/cognito-quotas.ts, AWS's published rates, on by default; LOCAL_QUOTA_SCALE or
 *   `quotaScale` scales them, 0 lifts them): a call over quota is answered with Cognito's own
 *   TooManyRequestsException and not forwarded. CloudTrail records throttled calls too (AWS's knowledge center
 *   finds throttled calls by CloudTrail's `errorCode`), so a throttled change is recorded with
 *   `errorCode: TooManyRequestsException`, without the sub (the call never reached the user).
 * - Paging of ListUsers and ListUsersInGroup (cognito-local ignores Limit and answers every user at once): at
 *   most 60 users a page (Limit 0..60; without one, 60 for ListUsers and 25 for ListUsersInGroup), users in
 *   Username order, and a token that resumes after the last user returned, so a user added between pages shows
 *   once or not at all and nothing repeats.
 * Control routes (never POST /, which is Cognito's): GET /_quotas (scale, the quotas, admitted and throttled
 * calls by quota), PUT /_quotas {"scale": n}, DELETE /_quotas/counts.
 */

import { createHash, randomUUID } from 'node:crypto';
import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { AdminGetUserCommand, CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { type CallerIdentity, callScope } from './caller-identity';
import { type CloudTrailEvent as ApiCallEvent, apiCallEvent } from './cloudtrail-event';
import { COGNITO_QUOTAS, cognitoQuotaKeys } from './cognito-quotas';
import { listenOnLoopback, readBody } from './http-server';
import { createRequestQuotas, quotaScaleFromEnv, type RequestQuotas } from './request-quota';

/** Group changes: named by pool and group. */
const GROUP_CALLS = new Set(['CreateGroup', 'DeleteGroup']);
/** Membership changes: pool, group and (hidden) user. */
const MEMBERSHIP_CALLS = new Set(['AdminAddUserToGroup', 'AdminRemoveUserFromGroup']);
/** User changes by an administrator (IAM credentials): pool and (hidden) user. */
const USER_CALLS = new Set([
  'AdminDisableUser',
  'AdminEnableUser',
  'AdminDeleteUser',
  'AdminUpdateUserAttributes',
  'AdminDeleteUserAttributes',
]);
/** A signed-in user's changes to their own account, authorized by their access token (no pool in the request). */
const SELF_SERVICE_CALLS = new Set(['UpdateUserAttributes', 'DeleteUserAttributes', 'DeleteUser']);
export const RECORDED_CALLS = [...GROUP_CALLS, ...MEMBERSHIP_CALLS, ...USER_CALLS, ...SELF_SERVICE_CALLS];

/** The listing operations the proxy pages itself, and the name of each one's pagination token. */
const PAGED_CALLS: ReadonlyMap<string, { tokenField: string; defaultLimit: number }> = new Map([
  // ListUsers answers 60 users without a Limit; ListUsersInGroup 25 (AWS re:Post, "listusersingroupasync returns
  // a set of 25 users max when there is no limit specified"). The model allows Limit 0..60 for both.
  ['ListUsers', { tokenField: 'PaginationToken', defaultLimit: 60 }],
  ['ListUsersInGroup', { tokenField: 'NextToken', defaultLimit: 25 }],
]);
const MAX_PAGE = 60;

const HIDDEN = 'HIDDEN_DUE_TO_SECURITY_REASONS';
const JSON_1_1 = 'application/x-amz-json-1.1';

export type CloudTrailEvent = ApiCallEvent<'aws.cognito-idp'>;

export interface CloudTrailProxyOptions {
  /** 0 picks a free port. */
  port: number;
  /** Access keys the local cloud names as roles (the functions'); any other key is an IAM user. */
  identities?: Readonly<Record<string, CallerIdentity>>;
  /** cognito-local's URL. */
  upstream: string;
  region: string;
  accountId: string;
  /** Scale of Cognito's request-rate quotas: 1 is AWS's rates, 0 lifts them. Default: LOCAL_QUOTA_SCALE, else 1. */
  quotaScale?: number;
}

export interface CloudTrailProxy {
  url: string;
  /** Receives every recorded call; returns the unsubscribe function. */
  subscribe(listener: (event: CloudTrailEvent) => void): () => void;
  /** The request-rate quotas the proxy applies (also GET/PUT /_quotas, DELETE /_quotas/counts). */
  quotas: RequestQuotas;
  close(): Promise<void>;
}

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export async function startCloudTrailProxy(options: CloudTrailProxyOptions): Promise<CloudTrailProxy> {
  const upstream = new URL(options.upstream);
  const listeners = new Set<(event: CloudTrailEvent) => void>();
  const quotas = createRequestQuotas(COGNITO_QUOTAS, { scale: options.quotaScale ?? quotaScaleFromEnv() });
  const cognito = new CognitoIdentityProviderClient({
    region: options.region,
    endpoint: options.upstream,
    credentials: { accessKeyId: 'local-cloudtrail', secretAccessKey: 'local' },
    maxAttempts: 1,
  });

  const subOf = async (params: Record<string, unknown>): Promise<string | undefined> => {
    if (typeof params.UserPoolId !== 'string' || typeof params.Username !== 'string') return undefined;
    try {
      const user = await cognito.send(
        new AdminGetUserCommand({ UserPoolId: params.UserPoolId, Username: params.Username }),
      );
      return user.UserAttributes?.find((attribute) => attribute.Name === 'sub')?.Value;
    } catch {
      return undefined; // no such user: the call will fail, and CloudTrail records it without a sub
    }
  };

  const emit = (event: CloudTrailEvent) => {
    for (const listener of listeners) {
      try {
        listener(event);
      } catch {
        // a subscriber's failure is its own: the call was answered already
      }
    }
  };

  /** Streams cognito-local's answer to the client as it comes, and resolves with it once complete. */
  const forward = (req: IncomingMessage, body: Buffer, res: ServerResponse) =>
    new Promise<{ status: number; body: Buffer }>((resolve, reject) => {
      const outgoing = httpRequest(
        { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
        (incoming) => {
          const status = incoming.statusCode ?? 502;
          res.writeHead(status, incoming.statusMessage, incoming.rawHeaders);
          const chunks: Buffer[] = [];
          incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
          incoming.on('error', reject);
          incoming.on('end', () => resolve({ status, body: Buffer.concat(chunks) }));
          incoming.pipe(res);
        },
      );
      outgoing.on('error', reject);
      outgoing.end(body);
    });

  /** Asks cognito-local with another body (the same headers otherwise) and keeps the whole answer. */
  const ask = (req: IncomingMessage, body: Buffer) =>
    new Promise<Answer>((resolve, reject) => {
      const headers = { ...req.headers, 'content-length': String(body.length) };
      delete headers['transfer-encoding'];
      const outgoing = httpRequest(
        { host: upstream.hostname, port: upstream.port, method: 'POST', path: req.url, headers },
        (incoming) => {
          const chunks: Buffer[] = [];
          incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
          incoming.on('error', reject);
          incoming.on('end', () =>
            resolve({ status: incoming.statusCode ?? 502, headers: incoming.headers, body: Buffer.concat(chunks) }),
          );
        },
      );
      outgoing.on('error', reject);
      outgoing.end(body);
    });

  const unavailable = (res: ServerResponse, error: unknown) => {
    if (!res.headersSent) {
      sendJson(res, 502, { __type: 'ServiceUnavailable', message: `cognito-local: ${(error as Error).message}` });
    } else res.destroy();
  };

  /** ListUsers and ListUsersInGroup, a page at a time, from cognito-local's whole answer. */
  const page = async (
    req: IncomingMessage,
    res: ServerResponse,
    operation: string,
    params: Record<string, unknown>,
  ): Promise<void> => {
    const paging = PAGED_CALLS.get(operation);
    if (!paging) throw new Error(`${operation} is not paged here`);
    const limit = params.Limit;
    if (limit !== undefined && limit !== null) {
      const refusal = limitRefusal(limit);
      if (refusal) return sendJson(res, 400, { __type: 'InvalidParameterException', message: refusal });
    }
    const size = typeof limit === 'number' && limit > 0 ? limit : paging.defaultLimit;
    const query = queryOf(operation, params);
    const token = params[paging.tokenField];
    let after: string | undefined;
    if (token !== undefined && token !== null) {
      after = typeof token === 'string' ? resumeAfter(token, query) : undefined;
      if (after === undefined) {
        return sendJson(res, 400, { __type: 'InvalidParameterException', message: 'Invalid pagination token.' });
      }
    }
    const { Limit: _limit, [paging.tokenField]: _token, ...rest } = params;
    let answer: Answer;
    try {
      answer = await ask(req, Buffer.from(JSON.stringify(rest)));
    } catch (error) {
      return unavailable(res, error);
    }
    if (answer.status !== 200) {
      res.writeHead(answer.status, answer.headers);
      res.end(answer.body);
      return;
    }
    const { Users = [], ...others } = JSON.parse(answer.body.toString('utf8')) as { Users?: { Username: string }[] };
    const remaining = Users.filter((user) => after === undefined || user.Username > after).sort((a, b) =>
      a.Username < b.Username ? -1 : a.Username > b.Username ? 1 : 0,
    );
    const users = remaining.slice(0, size);
    const last = users.at(-1);
    const next =
      remaining.length > users.length && last ? { [paging.tokenField]: tokenAfter(last.Username, query) } : {};
    sendJson(res, 200, { ...others, Users: users, ...next });
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const body = await readBody(req);
    const path = new URL(req.url ?? '/', 'http://proxy').pathname;
    if (path === '/_quotas' || path.startsWith('/_quotas/')) return control(req, path, body, res, quotas);

    const target = req.method === 'POST' ? req.headers['x-amz-target'] : undefined;
    const operation = typeof target === 'string' ? target.split('.')[1] : undefined;
    let params: Record<string, unknown> | undefined;
    if (operation) {
      try {
        const parsed: unknown = JSON.parse(body.toString('utf8'));
        params = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : undefined;
      } catch {
        params = undefined; // not JSON: cognito-local refuses it, and there is nothing to count or record
      }
    }
    const recorded = operation !== undefined && RECORDED_CALLS.includes(operation) && listeners.size > 0;
    const token = params && typeof params.AccessToken === 'string' ? claimsOf(params.AccessToken) : undefined;

    // Cognito's quotas are per account and region: a target's calls never use up the hub's. The hub's own region
    // keeps the buckets' plain names (as the local SNS does); every other account and region has buckets of its own.
    const { account, region } = callScope(req.headers.authorization, {
      account: options.accountId,
      region: options.region,
    });
    const own = account === options.accountId && region === options.region;
    const perScope = (operation && params ? cognitoQuotaKeys(operation, params, token?.sub) : []).map(
      ([quota, resource]): [string, string?] =>
        own ? [quota, resource] : [quota, `${account}/${region}${resource === undefined ? '' : `/${resource}`}`],
    );
    if (operation && params && !quotas.take(perScope)) {
      sendJson(res, 400, { __type: 'TooManyRequestsException', message: 'Rate exceeded' });
      if (recorded) {
        emit(
          cloudTrailEvent(options, {
            req,
            operation,
            params,
            errorCode: 'TooManyRequestsException',
            errorMessage: 'Rate exceeded',
          }),
        );
      }
      return;
    }
    if (operation && params && PAGED_CALLS.has(operation)) return page(req, res, operation, params);

    if (!recorded || !params || !operation) {
      await forward(req, body, res).catch((error: unknown) => unavailable(res, error));
      return;
    }
    let sub: string | undefined;
    let userPoolId: string | undefined;
    if (SELF_SERVICE_CALLS.has(operation)) {
      // The token names its user (sub) and, by its issuer, the pool.
      sub = token?.sub;
      userPoolId = token?.userPoolId;
    } else if (!GROUP_CALLS.has(operation)) sub = await subOf(params);

    let answer: { status: number; body: Buffer };
    try {
      answer = await forward(req, body, res);
    } catch (error) {
      return unavailable(res, error);
    }
    emit(cloudTrailEvent(options, { req, operation, params, sub, userPoolId, ...failureOf(answer) }));
  };

  const { server, port } = await listenOnLoopback(options.port, handle);

  return {
    url: `http://127.0.0.1:${port}`,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    quotas,
    async close() {
      listeners.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      cognito.destroy();
    },
  };
}

/** An awsJson1_1 answer as Cognito sends it. */
function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': JSON_1_1,
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': randomUUID(),
  });
  res.end(text);
}

/** GET /_quotas, PUT /_quotas {"scale": n}, DELETE /_quotas/counts. */
function control(req: IncomingMessage, path: string, body: Buffer, res: ServerResponse, quotas: RequestQuotas): void {
  const state = () => ({
    ...quotas.state(),
    quotas: Object.fromEntries(Object.entries(COGNITO_QUOTAS).map(([name, { perSecond }]) => [name, perSecond])),
  });
  if (path === '/_quotas' && req.method === 'GET') {
    sendJson(res, 200, state());
  } else if (path === '/_quotas' && req.method === 'PUT') {
    let scale: unknown;
    try {
      scale = (JSON.parse(body.toString('utf8')) as { scale?: unknown }).scale;
    } catch {
      scale = undefined;
    }
    if (typeof scale !== 'number' || !Number.isFinite(scale) || scale < 0) {
      sendJson(res, 400, { message: 'the body must be {"scale": n} with a number n >= 0 (0 lifts the quotas)' });
    } else {
      quotas.setScale(scale);
      sendJson(res, 200, state());
    }
  } else if (path === '/_quotas/counts' && req.method === 'DELETE') {
    quotas.resetCounts();
    res.writeHead(204);
    res.end();
  } else {
    sendJson(res, 404, { message: 'GET /_quotas, PUT /_quotas {"scale": n}, DELETE /_quotas/counts' });
  }
}

/** Cognito's answer to a Limit outside 0..60 (InvalidParameterException, as the service words it). */
function limitRefusal(limit: unknown): string | undefined {
  if (typeof limit !== 'number' || !Number.isInteger(limit)) {
    return `1 validation error detected: Value '${String(limit)}' at 'limit' failed to satisfy constraint: Member must be an integer`;
  }
  if (limit > MAX_PAGE) {
    return `1 validation error detected: Value '${limit}' at 'limit' failed to satisfy constraint: Member must have value less than or equal to ${MAX_PAGE}`;
  }
  if (limit < 0) {
    return `1 validation error detected: Value '${limit}' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 0`;
  }
  return undefined;
}

/** What a page token belongs to: the operation, pool, group and filter (a token resumes only its own listing). */
function queryOf(operation: string, params: Record<string, unknown>): string {
  const parts = [operation, params.UserPoolId, params.GroupName, params.Filter, params.AttributesToGet];
  return createHash('sha256').update(JSON.stringify(parts)).digest('base64url').slice(0, 16);
}

function tokenAfter(username: string, query: string): string {
  return Buffer.from(JSON.stringify({ q: query, a: username })).toString('base64url');
}

/** The Username a token resumes after; undefined for a token this listing did not issue. */
function resumeAfter(token: string, query: string): string | undefined {
  try {
    const { q, a } = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { q?: unknown; a?: unknown };
    return q === query && typeof a === 'string' ? a : undefined;
  } catch {
    return undefined;
  }
}

/** The user (sub) and pool (the last segment of the issuer) of an access token; its signature is Cognito's business. */
function claimsOf(token: string): { sub?: string; userPoolId?: string } | undefined {
  try {
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as {
      sub?: unknown;
      iss?: unknown;
    };
    return {
      sub: typeof payload.sub === 'string' ? payload.sub : undefined,
      userPoolId: typeof payload.iss === 'string' ? payload.iss.split('/').pop() : undefined,
    };
  } catch {
    return undefined;
  }
}

/** CloudTrail's errorCode and errorMessage of a refused call (awsJson1_1: `__type` and `message`). */
function failureOf(answer: { status: number; body: Buffer }): { errorCode?: string; errorMessage?: string } {
  if (answer.status >= 200 && answer.status < 300) return {};
  let parsed: { __type?: unknown; message?: unknown; Message?: unknown } = {};
  try {
    parsed = JSON.parse(answer.body.toString('utf8')) as typeof parsed;
  } catch {
    // not JSON: named by the status below
  }
  const type = typeof parsed.__type === 'string' ? parsed.__type : '';
  const errorCode = type.split('#').pop()?.split(':')[0] || (answer.status >= 500 ? 'InternalErrorException' : 'HTTP');
  const message = parsed.message ?? parsed.Message;
  return { errorCode, errorMessage: typeof message === 'string' ? message : `status ${answer.status}` };
}

/**
 * What CloudTrail shows of the request: what the model marks sensitive (user names, attribute values, tokens) as
 * HIDDEN_DUE_TO_SECURITY_REASONS, the rest as sent (attribute names are not sensitive in the model).
 */
function requestParameters(operation: string, params: Record<string, unknown>): Record<string, unknown> {
  if (SELF_SERVICE_CALLS.has(operation)) {
    const parameters: Record<string, unknown> = { accessToken: HIDDEN };
    if (operation === 'UpdateUserAttributes') {
      parameters.userAttributes = HIDDEN;
      if (params.ClientMetadata !== undefined) parameters.clientMetadata = params.ClientMetadata;
    }
    if (operation === 'DeleteUserAttributes') parameters.userAttributeNames = params.UserAttributeNames;
    return parameters;
  }
  const parameters: Record<string, unknown> = { userPoolId: params.UserPoolId };
  if (!GROUP_CALLS.has(operation)) parameters.username = HIDDEN;
  if (GROUP_CALLS.has(operation) || MEMBERSHIP_CALLS.has(operation)) parameters.groupName = params.GroupName;
  if (operation === 'CreateGroup') {
    for (const [from, to] of [
      ['Description', 'description'],
      ['Precedence', 'precedence'],
      ['RoleArn', 'roleArn'],
    ] as const) {
      if (params[from] !== undefined) parameters[to] = params[from];
    }
  }
  if (operation === 'AdminUpdateUserAttributes') parameters.userAttributes = HIDDEN;
  if (operation === 'AdminDeleteUserAttributes') parameters.userAttributeNames = params.UserAttributeNames;
  return parameters;
}

/**
 * The record of one call. A self-service call (access token, no IAM signature) is recorded, as we infer from the
 * sources: the caller as CloudTrail names an unsigned Cognito caller (`type: Unknown`, `principalId: Anonymous`);
 * the request without a pool (it names none), so the pool goes to `additionalEventData.userPoolId` as in the
 * documented records of requests that name no pool (hosted UI and token endpoint: "Example Amazon Cognito
 * events"), beside the `sub` that every user-specific record carries ("Amazon Cognito records UserSub but not
 * UserName").
 */
function cloudTrailEvent(
  options: CloudTrailProxyOptions,
  call: {
    req: IncomingMessage;
    operation: string;
    params: Record<string, unknown>;
    sub?: string;
    userPoolId?: string;
    errorCode?: string;
    errorMessage?: string;
  },
): CloudTrailEvent {
  const additionalEventData = {
    ...(call.sub ? { sub: call.sub } : {}),
    ...(call.userPoolId ? { userPoolId: call.userPoolId } : {}),
  };
  const event = apiCallEvent(
    { region: options.region, accountId: options.accountId, identities: options.identities ?? {} },
    {
      source: 'aws.cognito-idp',
      eventSource: 'cognito-idp.amazonaws.com',
      req: call.req,
      eventName: call.operation,
      failure: call.errorCode ? { errorCode: call.errorCode, errorMessage: call.errorMessage } : undefined,
      requestParameters: requestParameters(call.operation, call.params),
      responseElements: null,
      additionalEventData: Object.keys(additionalEventData).length > 0 ? additionalEventData : undefined,
      requestId: randomUUID(),
    },
  );
  if (SELF_SERVICE_CALLS.has(call.operation)) {
    event.detail.userIdentity = { type: 'Unknown', principalId: 'Anonymous' };
  }
  return event;
}
