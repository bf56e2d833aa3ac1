/**
 * What CloudTrail records of the emulator's work team writes, as EventBridge delivers it: an "AWS API Call via
 * CloudTrail" event per CreateWorkteam, UpdateWorkteam and DeleteWorkteam call answered, a refused one with
 * `errorCode` and `errorMessage`. The local cloud has no IAM, so the caller is named by the access key of the
 * request's signature: a key the emulator was told about is that identity (the functions' assumed role), any
 * other key an IAM user of that name.
 */
import type { IncomingMessage } from 'node:http';
import type { CallerIdentity } from '../caller-identity';
import { type CloudTrailEvent as ApiCallEvent, apiCallEvent } from '../cloudtrail-event';
import type { ApiError } from './errors';
import { isRecord, type Json } from './input';

export type { CallerIdentity } from '../caller-identity';

export const RECORDED_OPERATIONS: readonly string[] = ['CreateWorkteam', 'UpdateWorkteam', 'DeleteWorkteam'];

export type CloudTrailEvent = ApiCallEvent<'aws.sagemaker'>;

export interface RecordedCall {
  req: IncomingMessage;
  operation: string;
  requestId: string;
  /** The request body, when it was a JSON object. */
  params: Json | undefined;
  outcome: { result: Json } | { error: ApiError };
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
  const { req, operation, outcome } = call;
  return apiCallEvent(options, {
    source: 'aws.sagemaker',
    eventSource: 'sagemaker.amazonaws.com',
    req,
    eventName: operation,
    failure: 'error' in outcome ? { errorCode: outcome.error.type, errorMessage: outcome.error.message } : undefined,
    requestParameters: call.params ? camelCased(call.params) : null,
    responseElements: 'result' in outcome ? responseElements(operation, outcome.result) : null,
    requestId: call.requestId,
  });
}
