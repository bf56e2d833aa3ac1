/**
 * The HTTP API's Lambda request authorizer: verifies the bearer token's signature against the issuer's JWKS, its
 * issuer, audience, expiry (`exp` required), `iat` (not in the future beyond a small clock skew) and
 * `token_use: id`, and hands the caller to the routes as context.
 */
import { createTokenVerifier } from '#lib/auth/verify-token';
import { authorizerRoute } from '#lib/handlers/authorizer';
import { authorizerConfig, loadConfig } from '#lib/runtime/config';

const config = loadConfig(authorizerConfig());

export const handler = authorizerRoute(
  createTokenVerifier({
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
    jwksUri: config.JWT_JWKS_URI,
    adminGroup: config.ADMIN_GROUP,
    requestersGroup: config.REQUESTERS_GROUP,
  }),
);
