/**
 * The local CloudTrail for Cognito: an HTTP proxy in front of cognito-local that forwards every request and
 * returns every response unchanged, and records the calls CloudTrail would log for the user pool's group and
 * user changes as "AWS API Call via CloudTrail" events, shaped like the events/cognito-*.json files: the user
 * named only by sub (`additionalEventData.sub`, looked up before the call is forwarded, so a deleted user has
 * one too), the caller by the access key of its signature. A call Cognito refused is recorded as CloudTrail
 * records it, with `errorCode` and `errorMessage`; a call that never reached Cognito is not recorded.
 * Whoever subscribes (the local event bus) receives each event; without a subscriber nothing is looked up.
 */
import { randomUUID } from 'node:crypto';
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { AdminGetUserCommand, CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import type { CallerIdentity } from './caller-identity';
import { type CloudTrailEvent as ApiCallEvent, apiCallEvent } from './cloudtrail-event';

/** Group changes: named by pool and group. */
const GROUP_CALLS = new Set(['CreateGroup', 'DeleteGroup']);
/** Membership changes: pool, group and (hidden) user. */
const MEMBERSHIP_CALLS = new Set(['AdminAddUserToGroup', 'AdminRemoveUserFromGroup']);
/** User changes: pool and (hidden) user. */
const USER_CALLS = new Set(['AdminDisableUser', 'AdminEnableUser', 'AdminDeleteUser', 'AdminUpdateUserAttributes']);
export const RECORDED_CALLS = [...GROUP_CALLS, ...MEMBERSHIP_CALLS, ...USER_CALLS];

const HIDDEN = 'HIDDEN_DUE_TO_SECURITY_REASONS';

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
}

export interface CloudTrailProxy {
  url: string;
  /** Receives every recorded call; returns the unsubscribe function. */
  subscribe(listener: (event: CloudTrailEvent) => void): () => void;
  close(): Promise<void>;
}

export async function startCloudTrailProxy(options: CloudTrailProxyOptions): Promise<CloudTrailProxy> {
  const upstream = new URL(options.upstream);
  const listeners = new Set<(event: CloudTrailEvent) => void>();
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

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const body = await readBody(req);
    const target = req.method === 'POST' ? req.headers['x-amz-target'] : undefined;
    const operation = typeof target === 'string' ? target.split('.')[1] : undefined;
    let params: Record<string, unknown> | undefined;
    if (operation && RECORDED_CALLS.includes(operation) && listeners.size > 0) {
      try {
        params = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
      } catch {
        params = undefined; // not JSON: cognito-local refuses it, and there is nothing to record
      }
    }
    const sub = params && operation && !GROUP_CALLS.has(operation) ? await subOf(params) : undefined;

    let answer: { status: number; body: Buffer };
    try {
      answer = await forward(req, body, res);
    } catch (error) {
      if (!res.headersSent) {
        res.writeHead(502, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({ __type: 'ServiceUnavailable', message: `cognito-local: ${(error as Error).message}` }),
        );
      } else res.destroy();
      return;
    }
    if (!params || !operation) return;
    const event = cloudTrailEvent(options, { req, operation, params, sub, ...failureOf(answer) });
    for (const listener of listeners) {
      try {
        listener(event);
      } catch {
        // a subscriber's failure is its own: the call was answered already
      }
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;

  return {
    url: `http://127.0.0.1:${port}`,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      listeners.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      cognito.destroy();
    },
  };
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
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

function requestParameters(operation: string, params: Record<string, unknown>): Record<string, unknown> {
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
  return parameters;
}

function cloudTrailEvent(
  options: CloudTrailProxyOptions,
  call: {
    req: IncomingMessage;
    operation: string;
    params: Record<string, unknown>;
    sub?: string;
    errorCode?: string;
    errorMessage?: string;
  },
): CloudTrailEvent {
  return apiCallEvent(
    { region: options.region, accountId: options.accountId, identities: options.identities ?? {} },
    {
      source: 'aws.cognito-idp',
      eventSource: 'cognito-idp.amazonaws.com',
      req: call.req,
      eventName: call.operation,
      failure: call.errorCode ? { errorCode: call.errorCode, errorMessage: call.errorMessage } : undefined,
      requestParameters: requestParameters(call.operation, call.params),
      responseElements: null,
      additionalEventData: call.sub ? { sub: call.sub } : undefined,
      requestId: randomUUID(),
    },
  );
}
