/**
 * Verifies bearer tokens (RS256 JWTs from the workforce's Cognito user pool, or cognito-local) against the
 * issuer's JWKS: signature, issuer, audience and expiry; and that the token is a Cognito ID token (the API's
 * audience is the app client, which only ID tokens carry as `aud`) that has an expiry and was not issued in
 * the future. The same code runs behind API Gateway and under serverless-offline, whose built-in JWT
 * authorizer cannot check signatures.
 */
import { JwtRsaVerifier } from 'aws-jwt-verify';
import { validateCognitoJwtFields } from 'aws-jwt-verify/cognito-verifier';
import { JwtInvalidClaimError } from 'aws-jwt-verify/error';
import { SimpleJwksCache } from 'aws-jwt-verify/jwk';
import type { JwtPayload } from 'aws-jwt-verify/jwt-model';
import { redactEmailAddresses } from '../domain/privacy';
import type { Caller } from './caller';

interface TokenVerifierConfig {
  issuer: string;
  audience: string;
  jwksUri?: string;
  adminGroup: string;
  /** Members of this group may request teams (admins may too: the rule is the use case's). */
  requestersGroup: string;
  /** How far a token's `iat` may lie ahead of this clock; DEFAULT_CLOCK_SKEW_SECONDS when not given. */
  clockSkewSeconds?: number;
}

/** The issuer's clock may run a little ahead of ours: an `iat` up to this far in the future is still accepted. */
export const DEFAULT_CLOCK_SKEW_SECONDS = 60;

type VerifyResult = { ok: true; caller: Caller } | { ok: false; reason: string };

export interface TokenVerifier {
  verify(authorizationHeader: string | undefined): Promise<VerifyResult>;
}

/** aws-jwt-verify's own fetcher speaks HTTPS only; the platform fetch also reaches cognito-local over HTTP. */
const platformFetcher = {
  async fetch(uri: string): Promise<ArrayBuffer> {
    const response = await fetch(uri, { signal: AbortSignal.timeout(3000) });
    if (response.status !== 200) throw new Error(`JWKS answered ${response.status}`);
    return response.arrayBuffer();
  },
};

/** A claim that aws-jwt-verify leaves optional, but that every token this API accepts must carry, and sanely. */
class TokenClaimError extends JwtInvalidClaimError {}

/**
 * Checks run after the signature, issuer, audience and expiry checks have passed. aws-jwt-verify checks `exp`
 * only when present and never looks at `iat` or `token_use`; Cognito ID tokens always carry all three.
 */
function checkCognitoIdTokenClaims(payload: JwtPayload, clockSkewSeconds: number): void {
  if (typeof payload.exp !== 'number' || !Number.isFinite(payload.exp)) {
    throw new TokenClaimError('Missing exp claim: tokens without expiry are not accepted', payload.exp);
  }
  if (typeof payload.iat !== 'number' || !Number.isFinite(payload.iat)) {
    throw new TokenClaimError('Missing or non-numeric iat claim', payload.iat);
  }
  if (payload.iat - clockSkewSeconds > Date.now() / 1000) {
    throw new TokenClaimError(
      `Token issued in the future at ${new Date(payload.iat * 1000).toISOString()}`,
      payload.iat,
    );
  }
  // The library's own Cognito check: token_use must be present and be "id" (an access token is refused).
  validateCognitoJwtFields(payload, { tokenUse: 'id', clientId: null, groups: null });
}

export function createTokenVerifier(config: TokenVerifierConfig): TokenVerifier {
  const clockSkewSeconds = config.clockSkewSeconds ?? DEFAULT_CLOCK_SKEW_SECONDS;
  const verifier = JwtRsaVerifier.create(
    {
      issuer: config.issuer,
      audience: config.audience,
      jwksUri: config.jwksUri ?? `${config.issuer}/.well-known/jwks.json`,
      customJwtCheck: ({ payload }) => checkCognitoIdTokenClaims(payload, clockSkewSeconds),
    },
    { jwksCache: new SimpleJwksCache({ fetcher: platformFetcher }) },
  );

  return {
    async verify(authorizationHeader) {
      const match = /^Bearer\s+(\S+)$/i.exec(authorizationHeader?.trim() ?? '');
      if (!match?.[1]) return { ok: false, reason: 'no bearer token' };
      try {
        const payload = await verifier.verify(match[1]);
        const groups = Array.isArray(payload['cognito:groups']) ? payload['cognito:groups'].map(String) : [];
        const username = payload['cognito:username'] ?? payload.username ?? payload.sub;
        return {
          ok: true,
          caller: {
            sub: String(payload.sub),
            username: String(username),
            groups: groups.join(','),
            isAdmin: groups.includes(config.adminGroup),
            isRequester: groups.includes(config.requestersGroup),
          },
        };
      } catch (error) {
        // The reason (expired, bad signature, wrong audience, not an ID token) is logged; the token itself never is.
        const reason = error instanceof Error ? `${error.name}: ${error.message}` : 'unverifiable token';
        // Claims quoted in the reason come from an unverified token and may hold anything, e-mail addresses too.
        return { ok: false, reason: redactEmailAddresses(reason) };
      }
    },
  };
}
