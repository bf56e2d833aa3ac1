/**
 * The one place where errors become HTTP responses: `{ "error": { "code", "message", "details"? } }`. A domain
 * error's code decides its status (the table below); a transient AWS error is a 503 naming its service; anything
 * else is a 500 whose body never carries internals.
 */
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { type DomainError, type DomainErrorCode, isDomainError, UpstreamUnavailable } from '../domain/errors';
import type { Violation } from '../domain/validation';
import { InvalidPaginationToken } from '../ports/teams';
import { isTransient, serviceOf } from '../runtime/aws-errors';

/** The HTTP status of every domain error's code. */
const STATUS_OF_CODE: Record<DomainErrorCode, number> = {
  ValidationFailed: 400,
  Forbidden: 403,
  TeamNotFound: 404,
  MemberNotFound: 404,
  AuditRunNotFound: 404,
  TargetNotFound: 404,
  TeamExists: 409,
  TeamLimitExceeded: 409,
  MemberKindMismatch: 409,
  MemberLimitExceeded: 409,
  LastMemberGroup: 409,
  TeamNotManaged: 409,
  TeamAlreadyManaged: 409,
  TargetUnreachable: 409,
  PreconditionFailed: 412,
  UpstreamRejected: 422,
  PreconditionRequired: 428,
  UpstreamUnavailable: 503,
};

/** The HTTP status a domain error is answered with. */
export function statusOf(error: DomainError): number {
  return STATUS_OF_CODE[error.code];
}

interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

export function jsonResponse(
  statusCode: number,
  body: unknown,
  headers: Record<string, string> = {},
): APIGatewayProxyStructuredResultV2 {
  return { statusCode, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) };
}

export function errorResponse(statusCode: number, code: string, message: string, details?: unknown) {
  const body: ErrorBody = { error: details === undefined ? { code, message } : { code, message, details } };
  return jsonResponse(statusCode, body);
}

export function mapErrorToResponse(error: unknown): { response: APIGatewayProxyStructuredResultV2; expected: boolean } {
  const mapped = isTransient(error)
    ? new UpstreamUnavailable('the request', { cause: error, service: serviceOf(error) })
    : error;
  if (isDomainError(mapped)) {
    const retryAfter: Record<string, string> = mapped instanceof UpstreamUnavailable ? { 'retry-after': '5' } : {};
    const body: ErrorBody = {
      error:
        mapped.details === undefined
          ? { code: mapped.code, message: mapped.message }
          : { code: mapped.code, message: mapped.message, details: mapped.details },
    };
    const status = statusOf(mapped);
    return { response: jsonResponse(status, body, retryAfter), expected: status < 500 };
  }
  if (error instanceof Error && error.name === 'IdempotencyValidationError') {
    const message = 'This Idempotency-Key was already used with another request body';
    return { response: errorResponse(422, 'IdempotencyKeyReused', message), expected: true };
  }
  if (error instanceof Error && error.name === 'IdempotencyAlreadyInProgressError') {
    const message = 'A request with this Idempotency-Key is still in progress; retry shortly';
    return { response: errorResponse(409, 'RequestInProgress', message), expected: true };
  }
  if (error instanceof InvalidPaginationToken) {
    const details: Violation[] = [{ path: 'nextToken', code: 'InvalidToken', message: error.message }];
    return {
      response: errorResponse(400, 'ValidationFailed', 'The request is invalid: 1 rule is broken', details),
      expected: true,
    };
  }
  return {
    response: errorResponse(500, 'InternalError', 'Something went wrong on our side; it has been logged.'),
    expected: false,
  };
}
