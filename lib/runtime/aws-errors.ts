/**
 * How the AWS SDK's errors are read, once, for the whole project: a transient one is worth retrying later
 * (what the SDK's own retries did not get past), a rejection says the request itself will never be accepted.
 */

/** Errors that say "try again later": throttling and server faults the SDK's own retries did not get past. */
const TRANSIENT_ERRORS = new Set([
  'ThrottlingException',
  'ThrottledException',
  'TooManyRequestsException',
  'Throttling',
  'ServiceUnavailable',
  'InternalFailure',
  'InternalServerError',
  'RequestTimeout',
  'TimeoutError',
  // A call cut short because the invocation's time budget ran out (lib/runtime/invocation.ts): try again later.
  'AbortError',
]);
/**
 * Errors that say "SageMaker will never accept this": the change itself is at fault. `ResourceInUse` is not
 * one: on a create of a team the registry owns it means that another attempt created it first.
 */
const REJECTION_ERRORS = new Set(['ValidationException', 'ResourceLimitExceeded']);

export function isResourceInUse(error: unknown): boolean {
  return error instanceof Error && error.name === 'ResourceInUse';
}

/** SNS: the topic (or subscription) is gone, e.g. deleted by a concurrent retirement of the team. */
export function isSnsNotFound(error: unknown): boolean {
  return error instanceof Error && (error.name === 'NotFoundException' || error.name === 'NotFound');
}

export function isTransient(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const meta = error as { $fault?: string; $retryable?: unknown; code?: string };
  return (
    TRANSIENT_ERRORS.has(error.name) ||
    meta.$fault === 'server' ||
    meta.$retryable !== undefined ||
    ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE'].includes(meta.code ?? '')
  );
}

export function isRejection(error: unknown): error is Error {
  return error instanceof Error && REJECTION_ERRORS.has(error.name);
}

/** The names people know the services by, from the SDK clients' service ids. */
const SERVICE_NAMES: Record<string, string> = {
  SageMaker: 'SageMaker',
  SNS: 'SNS',
  'Cognito Identity Provider': 'Cognito',
  DynamoDB: 'DynamoDB',
  EventBridge: 'EventBridge',
};

/** The property the clients' middleware (lib/runtime/clients/common.ts) puts on every error with the client's service id. */
export const SERVICE_ID = '$service';

/** Which service an SDK error came from (`SageMaker`, `SNS`, `Cognito`, ...), when a client of ours raised it. */
export function serviceOf(error: unknown): string | undefined {
  const id = error instanceof Error ? (error as unknown as Record<string, unknown>)[SERVICE_ID] : undefined;
  return typeof id === 'string' ? (SERVICE_NAMES[id] ?? id) : undefined;
}
