/**
 * Team test steps against the local cloud the test run started: the callers (owner, someone else, admin), SDK
 * clients of its SageMaker and SNS, `call` of a route handler as one of them, fresh team names and request bodies.
 * The SageMaker emulator's knobs (faults, holds, latency, call counts) are in sagemaker-emulator-control.ts.
 */
import { randomBytes } from 'node:crypto';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { SNSClient } from '@aws-sdk/client-sns';
import type { Caller } from '#lib/auth/caller';
import { type HttpResult, invokeHttp } from './invoke';

export const OWNER: Caller = {
  sub: 'owner-0001',
  username: 'requester',
  groups: 'workteam-requesters',
  isAdmin: false,
  isRequester: true,
};
/** Another requester (who also labels): may request teams of its own, not change the owner's. */
export const SOMEONE_ELSE: Caller = {
  sub: 'other-0002',
  username: 'ben',
  groups: 'labelers-en,workteam-requesters',
  isAdmin: false,
  isRequester: true,
};
export const ADMIN: Caller = {
  sub: 'admin-0003',
  username: 'platform-admin',
  groups: 'workteam-admins',
  isAdmin: true,
};

export const sagemaker = () => new SageMakerClient({});
export const sns = () => new SNSClient({});

type Handler = Parameters<typeof invokeHttp>[0];

export interface RouteCall {
  body?: unknown;
  path?: Record<string, string>;
  /** The query string's parameters, e.g. a target's `account` and `region`. */
  query?: Record<string, string>;
  caller?: Caller;
  headers?: Record<string, string>;
}

export function call(handler: Handler, name: string, eventFile: string, options: RouteCall = {}): Promise<HttpResult> {
  return invokeHttp(handler, name, eventFile, (event) => {
    const context = event.requestContext as { authorizer: { lambda: Caller } };
    context.authorizer.lambda = options.caller ?? OWNER;
    if (options.body !== undefined)
      event.body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    if (options.path) event.pathParameters = options.path;
    if (options.query) event.queryStringParameters = options.query;
    const headers = event.headers as Record<string, string>;
    delete headers['idempotency-key'];
    delete headers['if-match'];
    Object.assign(headers, options.headers ?? {});
  });
}

/** A team name no other test uses. */
export function uniqueTeamName(prefix = 'team'): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

export function teamBody(name: string, overrides: Record<string, unknown> = {}) {
  return {
    name,
    description: 'Labels test images',
    members: { cognitoGroups: ['labelers-en'] },
    workerAccess: { sourceIp: 'Enabled', vpcSourceIp: 'Disabled' },
    tags: { classification: 'internal', 'cost-center': 'ml-platform' },
    ...overrides,
  };
}

/** `If-Match: *`: a deliberate DELETE /teams/{name} of whatever version the team is at. */
export const ANY_VERSION = { 'if-match': '*' };
