/**
 * The "AWS API Call via CloudTrail" event of one local call, as EventBridge delivers it, shared by the SageMaker
 * emulator's and the Cognito proxy's records: each gives what is its own (source, parameters, response, extra
 * data), the envelope, the caller (by the access key of the request's signature) and the ids are made here.
 * The event names the account and region the call acted in: the key's account (a target's temporary key names
 * its own; any other key is `accountId`'s) and the signature's region (else `region`).
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { type CallerIdentity, callScope, userIdentity } from './caller-identity';

export interface CloudTrailEvent<Source extends string = string> {
  version: '0';
  id: string;
  'detail-type': 'AWS API Call via CloudTrail';
  source: Source;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, unknown>;
}

export interface ApiCall<Source extends string> {
  /** The event's `source` (`aws.sagemaker`) and CloudTrail's `eventSource` (`sagemaker.amazonaws.com`). */
  source: Source;
  eventSource: string;
  req: IncomingMessage;
  eventName: string;
  /** A call the service refused: CloudTrail records it with both. */
  failure?: { errorCode: string; errorMessage?: string };
  requestParameters: unknown;
  responseElements: unknown;
  additionalEventData?: Record<string, unknown>;
  requestId: string;
}

export function apiCallEvent<Source extends string>(
  options: { region: string; accountId: string; identities: Readonly<Record<string, CallerIdentity>> },
  call: ApiCall<Source>,
): CloudTrailEvent<Source> {
  // CloudTrail's and EventBridge's timestamps have whole seconds.
  const time = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const { req } = call;
  const scope = callScope(req.headers.authorization, { account: options.accountId, region: options.region });
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'AWS API Call via CloudTrail',
    source: call.source,
    account: scope.account,
    time,
    region: scope.region,
    resources: [],
    detail: {
      eventVersion: '1.08',
      userIdentity: userIdentity(req.headers.authorization, scope.account, options.identities),
      eventTime: time,
      eventSource: call.eventSource,
      eventName: call.eventName,
      awsRegion: scope.region,
      // An IPv4 caller as CloudTrail shows it, not in its IPv6-mapped form.
      sourceIPAddress: (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, ''),
      userAgent: req.headers['user-agent'] ?? '',
      ...(call.failure ?? {}),
      requestParameters: call.requestParameters,
      responseElements: call.responseElements,
      ...(call.additionalEventData ? { additionalEventData: call.additionalEventData } : {}),
      requestID: call.requestId,
      eventID: randomUUID(),
      readOnly: false,
      eventType: 'AwsApiCall',
      managementEvent: true,
      recipientAccountId: scope.account,
      eventCategory: 'Management',
    },
  };
}
