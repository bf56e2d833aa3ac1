/**
 * The HTTP API's Lambda request authorizer (simple responses, payload 2.0): verifies the bearer token's
 * signature against the issuer's JWKS, its issuer, audience, expiry (`exp` required), `iat` (not in the
 * future beyond a small clock skew) and `token_use: id`, and hands the caller to the routes as context. API Gateway answers 401 itself when the Authorization header is missing, 403 when we deny.
 */

import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { parser } from '@aws-lambda-powertools/parser/middleware';
import middy from '@middy/core';
import { z } from 'zod';
import type { Caller } from '#lib/auth/caller';
import { createTokenVerifier } from '#lib/auth/verify-token';
import { FUNCTION_CONFIG, loadConfig } from '#lib/runtime/config';
import { logger } from '#lib/runtime/observability';

const config = loadConfig(FUNCTION_CONFIG.authorizer);
const verifier = createTokenVerifier({
  issuer: config.JWT_ISSUER,
  audience: config.JWT_AUDIENCE,
  jwksUri: config.JWT_JWKS_URI,
  adminGroup: config.ADMIN_GROUP,
  requestersGroup: config.REQUESTERS_GROUP,
});

/** Only what the authorizer reads; serverless-offline's events differ from API Gateway's elsewhere. */
const AuthorizerEventSchema = z.object({
  routeKey: z.string(),
  headers: z.record(z.string(), z.string()).nullish(),
  identitySource: z.array(z.string()).nullish(),
});

export type AuthorizerResponse = { isAuthorized: true; context: Caller } | { isAuthorized: false };

export const handler = middy()
  .use(injectLambdaContext(logger, { clearState: true }))
  .use(parser({ schema: AuthorizerEventSchema }))
  .handler(async (event): Promise<AuthorizerResponse> => {
    const header = event.headers?.authorization ?? event.headers?.Authorization ?? event.identitySource?.[0];
    const result = await verifier.verify(header);
    if (!result.ok) {
      logger.warn('token refused', { reason: result.reason, routeKey: event.routeKey });
      return { isAuthorized: false };
    }
    logger.info('caller authorised', {
      sub: result.caller.sub,
      isAdmin: result.caller.isAdmin,
      isRequester: result.caller.isRequester,
      routeKey: event.routeKey,
    });
    return { isAuthorized: true, context: result.caller };
  });
