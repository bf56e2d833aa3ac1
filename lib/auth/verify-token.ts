/**
 * Verifies bearer tokens (RS256 JWTs from the workforce's Cognito user pool, or cognito-local) against the
 * issuer's JWKS: signature, issuer, audience and expiry. The same code runs behind API Gateway and under
 * serverless-offline, whose built-in JWT authorizer cannot check signatures.
 */
import { JwtRsaVerifier } from 'aws-jwt-verify';
import { SimpleJwksCache } from 'aws-jwt-verify/jwk';
import { redactEmailAddresses } from '../domain/errors';
import type { Caller } from './caller';

export interface TokenVerifierConfig {
  issuer: string;
  audience: string;
  jwksUri?: string;
  adminGroup: string;
}

export type VerifyResult = { ok: true; caller: Caller } | { ok: false; reason: string };

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

export function createTokenVerifier(config: TokenVerifierConfig): TokenVerifier {
  const verifier = JwtRsaVerifier.create(
    {
      issuer: config.issuer,
      audience: config.audience,
      jwksUri: config.jwksUri ?? `${config.issuer}/.well-known/jwks.json`,
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
          },
        };
      } catch (error) {
        // The reason (expired, bad signature, wrong audience) is logged; the token itself never is.
        const reason = error instanceof Error ? `${error.name}: ${error.message}` : 'unverifiable token';
        // Claims quoted in the reason come from an unverified token and may hold anything, e-mail addresses too.
        return { ok: false, reason: redactEmailAddresses(reason) };
      }
    },
  };
}
