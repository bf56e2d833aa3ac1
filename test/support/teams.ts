/** Given/when steps for the team lifecycle tests, against the local cloud the test run started. */
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

const emulatorUrl = () => {
  const url = process.env.SAGEMAKER_EMULATOR_URL;
  if (!url) throw new Error('SAGEMAKER_EMULATOR_URL is not set: the global setup starts the local cloud');
  return url;
};

export async function setEmulatorKnobs(knobs: { latencyMs?: number; throttleRate?: number; serverErrorRate?: number }) {
  const response = await fetch(`${emulatorUrl()}/_emulator/knobs`, { method: 'PUT', body: JSON.stringify(knobs) });
  if (response.status !== 204) throw new Error(`setting knobs failed: ${response.status}`);
}

export async function injectEmulatorFault(fault: {
  operation: string;
  errorType: string;
  message: string;
  count?: number;
}) {
  const response = await fetch(`${emulatorUrl()}/_emulator/faults`, { method: 'POST', body: JSON.stringify(fault) });
  if (response.status !== 204) throw new Error(`injecting a fault failed: ${response.status}`);
}

export async function emulatorCalls(): Promise<Record<string, number>> {
  return (await (await fetch(`${emulatorUrl()}/_emulator/calls`)).json()) as Record<string, number>;
}

export async function resetEmulatorCalls(): Promise<void> {
  await fetch(`${emulatorUrl()}/_emulator/calls`, { method: 'DELETE' });
}

/** The next `count` calls of `operation` wait in the emulator until released one by one, oldest first. */
export async function holdEmulatorCalls(operation: string, count = 1): Promise<void> {
  const response = await fetch(`${emulatorUrl()}/_emulator/holds`, {
    method: 'POST',
    body: JSON.stringify({ operation, count }),
  });
  if (response.status !== 204) throw new Error(`holding ${operation} failed: ${response.status}`);
}

/** What a test left armed in the emulator (faults not yet used, holds, calls still waiting) goes. */
export async function clearEmulatorFaultsAndHolds(): Promise<void> {
  for (const path of ['/_emulator/faults', '/_emulator/holds']) {
    const response = await fetch(`${emulatorUrl()}${path}`, { method: 'DELETE' });
    if (response.status !== 204) throw new Error(`clearing ${path} failed: ${response.status}`);
  }
}

export async function releaseEmulatorCall(operation: string): Promise<void> {
  const response = await fetch(`${emulatorUrl()}/_emulator/holds/release`, {
    method: 'POST',
    body: JSON.stringify({ operation }),
  });
  const { released } = (await response.json()) as { released: boolean };
  if (!released) throw new Error(`no call of ${operation} was waiting`);
}

/** Resolves once `count` calls of `operation` wait in the emulator (polls its control plane; fails after 10 s). */
export async function untilWaiting(operation: string, count = 1): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const waiting = (await (await fetch(`${emulatorUrl()}/_emulator/holds`)).json()) as Record<string, number>;
    if ((waiting[operation] ?? 0) >= count) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`${count} call(s) of ${operation} never arrived at the emulator`);
}

export async function emulatorInFlight(): Promise<{ current: number; max: number }> {
  return (await (await fetch(`${emulatorUrl()}/_emulator/in-flight`)).json()) as { current: number; max: number };
}

/** `If-Match: *`: a deliberate DELETE /teams/{name} of whatever version the team is at. */
export const ANY_VERSION = { 'if-match': '*' };
