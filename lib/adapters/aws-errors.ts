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
]);
/** Errors that say "SageMaker will never accept this": the change itself is at fault. */
const REJECTION_ERRORS = new Set(['ValidationException', 'ResourceInUse', 'ResourceLimitExceeded']);

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
