/**
 * The builder of the HTTP API's Lambda request authorizer (simple responses, payload 2.0): the logger's context,
 * the event parsed for what an authorizer reads, and the token handed to a verifier. A verified caller is passed
 * on to the routes as the authorizer's context; anything else is denied (API Gateway answers 403; a request
 * without an Authorization header never reaches it: 401). Refusals are logged with their reason, never the token.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { parser } from '@aws-lambda-powertools/parser/middleware';
import middy from '@middy/core';
import { z } from 'zod';
import type { Caller } from '../auth/caller';
import type { TokenVerifier } from '../auth/verify-token';
import { logger } from '../runtime/observability';

/** Only what the authorizer reads; serverless-offline's events differ from API Gateway's elsewhere. */
const AuthorizerEventSchema = z.object({
  routeKey: z.string(),
  headers: z.record(z.string(), z.string()).nullish(),
  identitySource: z.array(z.string()).nullish(),
});

type AuthorizerResponse = { isAuthorized: true; context: Caller } | { isAuthorized: false };

export function authorizerRoute(verifier: TokenVerifier) {
  return middy()
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
}
