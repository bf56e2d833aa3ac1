/**
 * Every error of a route becomes an answer in the API's one error shape: a request that does not parse is a 400
 * listing its violations (or a 401 when the authorizer's context is what is missing); anything else goes through
 * the one mapper of lib/http/errors.ts. Refusals are logged as info, failures as errors.
 */
import { ParseError } from '@aws-lambda-powertools/parser';
import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { z } from 'zod';
import { ValidationFailed, type Violation } from '../../domain/errors';
import { logger } from '../../runtime/observability';
import { errorResponse, mapErrorToResponse } from '../errors';

/** Where a parse problem sits in the event decides who is at fault: the caller's token or the request. */
const REQUEST_PARTS: Record<string, string> = { queryStringParameters: 'query', pathParameters: 'path', body: 'body' };

/**
 * zod's issues as violations. Their paths can hold keys the client chose and their messages can quote values
 * (an invalid enum or literal, a refinement's text), so both are masked as every `ValidationFailed` is.
 */
function violationsFrom(error: ParseError): { violations: Violation[]; authProblem: boolean } {
  const cause = (error as { cause?: unknown }).cause;
  const issues: z.core.$ZodIssue[] = cause instanceof z.ZodError ? cause.issues : Array.isArray(cause) ? cause : [];
  let authProblem = issues.length === 0;
  const violations = issues.map((issue) => {
    const [part, ...rest] = issue.path.map(String);
    if (part === 'requestContext') authProblem = true;
    const field = rest.length > 0 ? rest.join('.') : (REQUEST_PARTS[part ?? ''] ?? part ?? 'request');
    return { path: field, code: issue.code, message: issue.message };
  });
  return { violations: ValidationFailed.masked(violations), authProblem };
}

export function errorMapper(): MiddlewareObj<unknown, APIGatewayProxyStructuredResultV2> {
  return {
    onError: async (request) => {
      const { error } = request;
      if (error instanceof ParseError) {
        const { violations, authProblem } = violationsFrom(error);
        if (authProblem) {
          logger.warn('request reached the function without a valid authorizer context');
          request.response = errorResponse(401, 'Unauthorized', 'Authentication is required');
        } else {
          request.response = errorResponse(400, 'ValidationFailed', 'The request is invalid', violations);
        }
        return;
      }
      const { response, expected } = mapErrorToResponse(error);
      if (expected) logger.info('request refused', { statusCode: response.statusCode, code: error?.name });
      else logger.error('request failed', { error: error instanceof Error ? error : String(error) });
      request.response = response;
    },
  };
}
