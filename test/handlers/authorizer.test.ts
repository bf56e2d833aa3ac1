/**
 * The Lambda request authorizer against real tokens from the local cloud's cognito-local pool and its JWKS.
 */
import { createPrivateKey, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { handler } from '../../functions/authorizer';
import { DEFAULT_CLOCK_SKEW_SECONDS } from '../../lib/auth/verify-token';
import { logger } from '../../lib/runtime/observability';
import { lambdaContext, loadEvent } from '../support/invoke';

interface Jwt {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
}

function decode(token: string): Jwt {
  const [header, payload] = token.split('.');
  return {
    header: JSON.parse(Buffer.from(header ?? '', 'base64url').toString('utf8')),
    payload: JSON.parse(Buffer.from(payload ?? '', 'base64url').toString('utf8')),
  };
}

function signJwt({ header, payload }: Jwt, key: KeyObject): string {
  const encode = (part: object) => Buffer.from(JSON.stringify(part)).toString('base64url');
  const signingInput = `${encode(header)}.${encode(payload)}`;
  return `${signingInput}.${sign('RSA-SHA256', Buffer.from(signingInput), key).toString('base64url')}`;
}

/** cognito-local signs with a key it ships; re-signing with it makes tokens the JWKS still accepts. */
function cognitoLocalKey(): KeyObject {
  const file = require.resolve('cognito-local/lib/keys/cognitoLocal.private.json');
  const { jwk } = JSON.parse(readFileSync(file, 'utf8')) as { jwk: Record<string, string> };
  return createPrivateKey({ key: jwk, format: 'jwk' });
}

/** The admin token's claims with some changed, removed where the change is undefined, re-signed so the JWKS accepts it. */
function adminTokenWith(changes: Record<string, unknown>): string {
  const jwt = decode(env('LOCAL_ADMIN_TOKEN'));
  const payload = { ...jwt.payload, ...changes };
  for (const [claim, value] of Object.entries(changes)) {
    if (value === undefined) delete payload[claim];
  }
  return signJwt({ ...jwt, payload }, cognitoLocalKey());
}

/** The reason the authorizer logged with its last refusal: tells a refusal for the intended cause from any other. */
function lastRefusalReason(warn: jest.SpyInstance): string {
  const refusals = warn.mock.calls.filter(([message]) => message === 'token refused');
  return String((refusals.at(-1)?.[1] as { reason?: unknown } | undefined)?.reason);
}

const nowInSeconds = () => Math.floor(Date.now() / 1000);

async function authorize(authorization: string | undefined) {
  const event = loadEvent('authorizer.json');
  event.headers = authorization === undefined ? {} : { authorization };
  event.identitySource = authorization === undefined ? [] : [authorization];
  return handler(event as never, lambdaContext('authorizer'));
}

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: the test run's global setup starts the local cloud`);
  return value;
}

describe('authorizer', () => {
  afterEach(() => {
    jest.restoreAllMocks();
  });

  it('authorises an admin token and passes the caller with its groups', async () => {
    // Act
    const result = await authorize(`Bearer ${env('LOCAL_ADMIN_TOKEN')}`);

    // Assess
    expect(result).toEqual({
      isAuthorized: true,
      context: {
        sub: expect.any(String),
        username: 'platform-admin',
        groups: 'workteam-admins',
        isAdmin: true,
        isRequester: false,
      },
    });
  });

  it('authorises a member of the requesters group as a requester without admin rights', async () => {
    // Act
    const result = await authorize(`Bearer ${env('LOCAL_USER_TOKEN')}`);

    // Assess
    expect(result).toEqual({
      isAuthorized: true,
      context: {
        sub: expect.any(String),
        username: 'requester',
        groups: 'workteam-requesters',
        isAdmin: false,
        isRequester: true,
      },
    });
  });

  it('authorises a labeler of the workforce as neither requester nor admin', async () => {
    // Act
    const result = await authorize(`Bearer ${env('LOCAL_WORKER_TOKEN')}`);

    // Assess
    expect(result).toEqual({
      isAuthorized: true,
      context: { sub: expect.any(String), username: 'ana', groups: 'labelers-en', isAdmin: false, isRequester: false },
    });
  });

  it('maps only the exact group names: a group whose name holds a comma and a role group is neither', async () => {
    // Prepare: Cognito group names may contain commas, and `groups` joins the names with commas
    const token = adminTokenWith({
      'cognito:groups': ['labelers-en,workteam-requesters', 'workteam-admins-old', 'Workteam-Requesters'],
    });

    // Act
    const result = await authorize(`Bearer ${token}`);

    // Assess
    expect(result).toMatchObject({ isAuthorized: true, context: { isAdmin: false, isRequester: false } });
  });

  it('refuses a token with the right issuer and audience but a signature from another key', async () => {
    // Prepare: same header (kid) and claims, signed by a key the JWKS does not hold
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const forged = signJwt(decode(env('LOCAL_ADMIN_TOKEN')), privateKey);

    // Act
    const result = await authorize(`Bearer ${forged}`);

    // Assess
    expect(result).toEqual({ isAuthorized: false });
  });

  it('refuses a token whose payload was changed after signing', async () => {
    // Prepare
    const [header, , signature] = env('LOCAL_USER_TOKEN').split('.');
    const payload = { ...decode(env('LOCAL_USER_TOKEN')).payload, 'cognito:groups': ['workteam-admins'] };
    const tampered = `${header}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${signature}`;

    // Act
    const result = await authorize(`Bearer ${tampered}`);

    // Assess
    expect(result).toEqual({ isAuthorized: false });
  });

  it('refuses an expired token even when its signature is good', async () => {
    // Prepare
    const jwt = decode(env('LOCAL_ADMIN_TOKEN'));
    const now = Math.floor(Date.now() / 1000);
    const expired = signJwt(
      { ...jwt, payload: { ...jwt.payload, iat: now - 7200, exp: now - 3600 } },
      cognitoLocalKey(),
    );

    // Act
    const result = await authorize(`Bearer ${expired}`);

    // Assess
    expect(result).toEqual({ isAuthorized: false });
  });

  it('refuses a well-signed token issued for another audience', async () => {
    // Prepare
    const jwt = decode(env('LOCAL_ADMIN_TOKEN'));
    const otherAudience = signJwt({ ...jwt, payload: { ...jwt.payload, aud: 'some-other-client' } }, cognitoLocalKey());

    // Act
    const result = await authorize(`Bearer ${otherAudience}`);

    // Assess
    expect(result).toEqual({ isAuthorized: false });
  });

  it('accepts the same re-signed token when nothing else changed (the re-signing is sound)', async () => {
    // Prepare
    const resigned = signJwt(decode(env('LOCAL_ADMIN_TOKEN')), cognitoLocalKey());

    // Act
    const result = await authorize(`Bearer ${resigned}`);

    // Assess
    expect(result).toMatchObject({ isAuthorized: true });
  });

  it('refuses a well-signed token without exp', async () => {
    // Prepare
    const warn = jest.spyOn(logger, 'warn');
    const withoutExp = adminTokenWith({ exp: undefined });

    // Act
    const result = await authorize(`Bearer ${withoutExp}`);

    // Assess
    expect(result).toEqual({ isAuthorized: false });
    expect(lastRefusalReason(warn)).toMatch(/exp claim/);
  });

  it('refuses a well-signed token issued a day in the future', async () => {
    // Prepare
    const warn = jest.spyOn(logger, 'warn');
    const iat = nowInSeconds() + 24 * 3600;
    const fromTheFuture = adminTokenWith({ iat, auth_time: iat, exp: iat + 3600 });

    // Act
    const result = await authorize(`Bearer ${fromTheFuture}`);

    // Assess
    expect(result).toEqual({ isAuthorized: false });
    expect(lastRefusalReason(warn)).toMatch(/issued in the future/);
  });

  it('accepts a token issued 30 s in the future, within the allowed clock skew', async () => {
    // Prepare: the issuer's clock may run a little ahead of ours
    expect(DEFAULT_CLOCK_SKEW_SECONDS).toBeGreaterThan(30);
    const iat = nowInSeconds() + 30;
    const slightlyAhead = adminTokenWith({ iat, auth_time: iat, exp: iat + 3600 });

    // Act
    const result = await authorize(`Bearer ${slightlyAhead}`);

    // Assess
    expect(result).toMatchObject({ isAuthorized: true, context: { username: 'platform-admin' } });
  });

  it('refuses a well-signed token without iat', async () => {
    // Prepare
    const warn = jest.spyOn(logger, 'warn');
    const withoutIat = adminTokenWith({ iat: undefined });

    // Act
    const result = await authorize(`Bearer ${withoutIat}`);

    // Assess
    expect(result).toEqual({ isAuthorized: false });
    expect(lastRefusalReason(warn)).toMatch(/iat claim/);
  });

  it('refuses a well-signed token whose iat is not a number', async () => {
    // Prepare
    const warn = jest.spyOn(logger, 'warn');
    const textualIat = adminTokenWith({ iat: String(nowInSeconds()) });

    // Act
    const result = await authorize(`Bearer ${textualIat}`);

    // Assess
    expect(result).toEqual({ isAuthorized: false });
    expect(lastRefusalReason(warn)).toMatch(/iat claim/);
  });

  it('refuses a well-signed access token (token_use access): the API takes ID tokens only', async () => {
    // Prepare
    const warn = jest.spyOn(logger, 'warn');
    const accessToken = adminTokenWith({ token_use: 'access' });

    // Act
    const result = await authorize(`Bearer ${accessToken}`);

    // Assess
    expect(result).toEqual({ isAuthorized: false });
    expect(lastRefusalReason(warn)).toMatch(/Token use not allowed: access/);
  });

  it('refuses a well-signed token without token_use', async () => {
    // Prepare
    const warn = jest.spyOn(logger, 'warn');
    const withoutTokenUse = adminTokenWith({ token_use: undefined });

    // Act
    const result = await authorize(`Bearer ${withoutTokenUse}`);

    // Assess
    expect(result).toEqual({ isAuthorized: false });
    expect(lastRefusalReason(warn)).toMatch(/Missing Token use/);
  });

  it.each([
    ['no Authorization header', undefined],
    ['a header that is not a bearer token', 'Basic dXNlcjpwYXNz'],
    ['a bearer value that is not a JWT', 'Bearer not-a-jwt'],
  ])('refuses %s', async (_case, header) => {
    // Act
    const result = await authorize(header);

    // Assess
    expect(result).toEqual({ isAuthorized: false });
  });
});
