/**
 * What CloudTrail records of the emulator's work team writes, as EventBridge delivers it: an "AWS API Call via
 * CloudTrail" event per CreateWorkteam, UpdateWorkteam and DeleteWorkteam call answered, a refused one with
 * `errorCode` and `errorMessage`. The local cloud has no IAM, so the caller is named by the access key of the
 * request's signature: a key the emulator was told about is that identity (the functions' assumed role), any
 * other key an IAM user of that name.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { ApiError } from './errors';
import { isRecord, type Json } from './input';

export const RECORDED_OPERATIONS: readonly string[] = ['CreateWorkteam', 'UpdateWorkteam', 'DeleteWorkteam'];

/** Who signs with an access key: an assumed role's session (`arn:aws:sts::<account>:assumed-role/<role>/<session>`) or a user. */
export interface CallerIdentity {
  arn: string;
  /** Without it, an `assumed-role/` ARN is an AssumedRole and anything else an IAMUser. */
  type?: 'AssumedRole' | 'IAMUser';
}

export interface CloudTrailEvent {
  version: '0';
  id: string;
  'detail-type': 'AWS API Call via CloudTrail';
  source: 'aws.sagemaker';
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, unknown>;
}

export interface RecordedCall {
  req: IncomingMessage;
  operation: string;
  requestId: string;
  /** The request body, when it was a JSON object. */
  params: Json | undefined;
  outcome: { result: Json } | { error: ApiError };
}

/** A stable made-up unique id (`AROA…` for a role, `AIDA…` for a user), as IAM gives every principal one. */
function uniqueId(prefix: 'AROA' | 'AIDA', name: string): string {
  return prefix + createHash('sha256').update(name).digest('hex').slice(0, 17).toUpperCase();
}

export function userIdentity(
  authorization: string | undefined,
  accountId: string,
  identities: Readonly<Record<string, CallerIdentity>>,
): Record<string, unknown> {
  const accessKeyId = /Credential=([^/,\s]+)\//.exec(authorization ?? '')?.[1];
  if (!accessKeyId) return { type: 'Unknown', accountId };
  const known = Object.hasOwn(identities, accessKeyId) ? identities[accessKeyId] : undefined;
  if (!known) {
    // As the Cognito recording proxy names such a caller.
    return {
      type: 'IAMUser',
      principalId: accessKeyId,
      arn: `arn:aws:iam::${accountId}:user/${accessKeyId}`,
      accountId,
      accessKeyId,
      userName: accessKeyId,
    };
  }
  const account = known.arn.split(':')[4] || accountId;
  const assumedRole = /:assumed-role\/([^/]+)\/(.+)$/.exec(known.arn);
  const type = known.type ?? (assumedRole ? 'AssumedRole' : 'IAMUser');
  if (type === 'AssumedRole' && assumedRole) {
    const [, roleName = '', sessionName = ''] = assumedRole;
    const roleId = uniqueId('AROA', `${account}/${roleName}`);
    return {
      type: 'AssumedRole',
      principalId: `${roleId}:${sessionName}`,
      arn: known.arn,
      accountId: account,
      accessKeyId,
      sessionContext: {
        sessionIssuer: {
          type: 'Role',
          principalId: roleId,
          arn: `arn:aws:iam::${account}:role/${roleName}`,
          accountId: account,
          userName: roleName,
        },
        attributes: { mfaAuthenticated: 'false' },
      },
    };
  }
  const userName = known.arn.split('/').pop() ?? accessKeyId;
  return {
    type,
    principalId: uniqueId('AIDA', `${account}/${userName}`),
    arn: known.arn,
    accountId: account,
    accessKeyId,
    userName,
  };
}

/** CloudTrail's requestParameters: the request's members with their first letter in lower case, all the way down. */
function camelCased(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(camelCased);
  if (!isRecord(value)) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, member]) => [key.charAt(0).toLowerCase() + key.slice(1), camelCased(member)]),
  );
}

function responseElements(operation: string, result: Json): Record<string, unknown> | null {
  if (operation === 'CreateWorkteam') return { workteamArn: result.WorkteamArn };
  if (operation === 'UpdateWorkteam') {
    const workteam = isRecord(result.Workteam) ? result.Workteam : {};
    return { workteamArn: workteam.WorkteamArn };
  }
  return null;
}

export function cloudTrailEvent(
  options: { region: string; accountId: string; identities: Readonly<Record<string, CallerIdentity>> },
  call: RecordedCall,
): CloudTrailEvent {
  // CloudTrail's and EventBridge's timestamps have whole seconds.
  const time = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const { req, operation, outcome } = call;
  const failure = 'error' in outcome ? { errorCode: outcome.error.type, errorMessage: outcome.error.message } : {};
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'AWS API Call via CloudTrail',
    source: 'aws.sagemaker',
    account: options.accountId,
    time,
    region: options.region,
    resources: [],
    detail: {
      eventVersion: '1.08',
      userIdentity: userIdentity(req.headers.authorization, options.accountId, options.identities),
      eventTime: time,
      eventSource: 'sagemaker.amazonaws.com',
      eventName: operation,
      awsRegion: options.region,
      sourceIPAddress: (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, ''),
      userAgent: req.headers['user-agent'] ?? '',
      ...failure,
      requestParameters: call.params ? camelCased(call.params) : null,
      responseElements: 'result' in outcome ? responseElements(operation, outcome.result) : null,
      requestID: call.requestId,
      eventID: randomUUID(),
      readOnly: false,
      eventType: 'AwsApiCall',
      managementEvent: true,
      recipientAccountId: options.accountId,
      eventCategory: 'Management',
    },
  };
}
