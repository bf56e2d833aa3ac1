/**
 * The local Cognito as clients reach it (the CloudTrail recording proxy in front of cognito-local), with the real
 * SDK over the wire: what the product depends on and cognito-local alone does not do.
 * - Pages of ListUsersInGroup and ListUsers: at most 60 users, a token that resumes after the last user returned
 *   (nothing repeats, a user added between pages shows at most once), Limit above 60 refused as Cognito refuses it.
 * - Request-rate quotas at AWS's rates (scaled by PUT /_quotas): a call over quota is answered with
 *   TooManyRequestsException and not forwarded; GetGroup has its own 5 per second per pool.
 * - CloudTrail records of AdminDeleteUserAttributes and of a signed-in user's UpdateUserAttributes,
 *   DeleteUserAttributes and DeleteUser (the user hidden, named by sub), and of a throttled change.
 * Bulk preparation goes around the proxy (COGNITO_LOCAL_URL): no quota, nothing recorded.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminDeleteUserAttributesCommand,
  AdminDisableUserCommand,
  AdminGetUserCommand,
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
  CreateGroupCommand,
  CreateUserPoolCommand,
  DeleteUserAttributesCommand,
  DeleteUserCommand,
  GetGroupCommand,
  InitiateAuthCommand,
  ListGroupsCommand,
  ListUsersCommand,
  ListUsersInGroupCommand,
  paginateListUsersInGroup,
  UpdateUserAttributesCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import type { EventBridgeEvent } from '../../local/eventbridge';
import { waitForBusEvents } from '../support/events';

const HIDDEN = 'HIDDEN_DUE_TO_SECURITY_REASONS';
const PASSWORD = 'Local-Passw0rd!';

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: the test run's global setup starts the local cloud`);
  return value;
}

const pool = () => env('USER_POOL_ID');
const proxyUrl = () => env('AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER');

/** Through the proxy, as every client of the product. */
let cognito: CognitoIdentityProviderClient;
/** Through the proxy, one attempt per call (no SDK retry hides a throttled call), under a key of its own. */
let once: CognitoIdentityProviderClient;
let onceKey: string;
/** cognito-local itself: preparation only. */
let direct: CognitoIdentityProviderClient;

beforeAll(() => {
  cognito = new CognitoIdentityProviderClient({});
  onceKey = `AKIALOCALCOGNITO${randomUUID().slice(0, 4).toUpperCase()}`;
  once = new CognitoIdentityProviderClient({
    maxAttempts: 1,
    credentials: { accessKeyId: onceKey, secretAccessKey: 'local' },
  });
  direct = new CognitoIdentityProviderClient({ endpoint: env('COGNITO_LOCAL_URL') });
});

afterAll(() => {
  cognito.destroy();
  once.destroy();
  direct.destroy();
});

interface QuotaState {
  scale: number;
  quotas: Record<string, number>;
  admitted: Record<string, number>;
  throttled: Record<string, number>;
}

async function setQuotaScale(scale: number): Promise<QuotaState> {
  const response = await fetch(`${proxyUrl()}/_quotas`, { method: 'PUT', body: JSON.stringify({ scale }) });
  if (response.status !== 200) throw new Error(`PUT /_quotas answered ${response.status}`);
  return (await response.json()) as QuotaState;
}

async function quotaState(): Promise<QuotaState> {
  const response = await fetch(`${proxyUrl()}/_quotas`);
  if (response.status !== 200) throw new Error(`GET /_quotas answered ${response.status}`);
  return (await response.json()) as QuotaState;
}

async function resetQuotaCounts(): Promise<void> {
  const response = await fetch(`${proxyUrl()}/_quotas/counts`, { method: 'DELETE' });
  if (response.status !== 204) throw new Error(`DELETE /_quotas/counts answered ${response.status}`);
}

// Every test starts and ends at AWS's rates, with full buckets (setting the scale refills them).
beforeEach(() => setQuotaScale(1));
afterEach(() => setQuotaScale(1));

/** Users made around the proxy, with an e-mail address and a given name, optionally in a group. */
async function givenUsers(usernames: string[], group?: string): Promise<void> {
  const queue = [...usernames];
  const worker = async () => {
    for (let username = queue.shift(); username !== undefined; username = queue.shift()) {
      await direct.send(
        new AdminCreateUserCommand({
          UserPoolId: pool(),
          Username: username,
          MessageAction: 'SUPPRESS',
          UserAttributes: [
            { Name: 'email', Value: `${username}@example.com` },
            { Name: 'given_name', Value: 'Local' },
          ],
        }),
      );
      if (group) {
        await direct.send(new AdminAddUserToGroupCommand({ UserPoolId: pool(), Username: username, GroupName: group }));
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
}

async function givenGroup(prefix: string): Promise<string> {
  const group = `${prefix}-${randomUUID().slice(0, 8)}`;
  await direct.send(new CreateGroupCommand({ UserPoolId: pool(), GroupName: group }));
  return group;
}

async function subOf(username: string): Promise<string> {
  const { UserAttributes } = await direct.send(new AdminGetUserCommand({ UserPoolId: pool(), Username: username }));
  const sub = UserAttributes?.find((attribute) => attribute.Name === 'sub')?.Value;
  if (!sub) throw new Error(`${username} has no sub`);
  return sub;
}

/** A user with a password, signed in: the access token a signed-in user's own calls carry. */
async function signedInUser(): Promise<{ username: string; email: string; sub: string; accessToken: string }> {
  const username = `self-${randomUUID().slice(0, 8)}`;
  await givenUsers([username]);
  await direct.send(
    new AdminSetUserPasswordCommand({ UserPoolId: pool(), Username: username, Password: PASSWORD, Permanent: true }),
  );
  const auth = await direct.send(
    new InitiateAuthCommand({
      AuthFlow: 'USER_PASSWORD_AUTH',
      ClientId: env('CLIENT_ID'),
      AuthParameters: { USERNAME: username, PASSWORD },
    }),
  );
  const accessToken = auth.AuthenticationResult?.AccessToken;
  if (!accessToken) throw new Error(`${username} got no access token`);
  return { username, email: `${username}@example.com`, sub: await subOf(username), accessToken };
}

/** Settles every call; the names of the errors, and how many calls succeeded. */
async function burst(count: number, call: () => Promise<unknown>): Promise<{ ok: number; errors: string[] }> {
  const results = await Promise.allSettled(Array.from({ length: count }, call));
  return {
    ok: results.filter((result) => result.status === 'fulfilled').length,
    errors: results.flatMap((result) => (result.status === 'rejected' ? [(result.reason as Error).name] : [])),
  };
}

/** The detail of an events/ sample: the records here must keep its shape. */
function sampleDetail(file: string): Record<string, unknown> {
  const event = JSON.parse(readFileSync(resolve(__dirname, '../../events', file), 'utf8')) as EventBridgeEvent;
  return event.detail;
}

/** The field names of a record, nested objects' too (values differ between a sample and a local record). */
function shapeOf(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return typeof value;
  return Object.fromEntries(
    Object.entries(value)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, inner]) => [key, shapeOf(inner)]),
  );
}

async function cognitoEvent(predicate: (detail: Record<string, unknown>) => boolean): Promise<EventBridgeEvent> {
  const [event] = await waitForBusEvents('aws.cognito-idp', (candidate) => predicate(candidate.detail));
  if (!event) throw new Error('no event');
  return event;
}

const kebab = (name: string) =>
  name.replace(/[A-Z]/g, (letter, at: number) => `${at ? '-' : ''}${letter.toLowerCase()}`);

describe('ListUsersInGroup through the local Cognito', () => {
  let group: string;
  let members: string[];

  beforeAll(async () => {
    const prefix = `pager-${randomUUID().slice(0, 6)}`;
    group = await givenGroup('pages');
    members = Array.from({ length: 130 }, (_, index) => `${prefix}-${String(index).padStart(3, '0')}`);
    await givenUsers(members, group);
  }, 60_000);

  it('answers 130 members in pages of at most 60, each member exactly once', async () => {
    // Act
    const pages: string[][] = [];
    let nextToken: string | undefined;
    do {
      const page = await cognito.send(
        new ListUsersInGroupCommand({ UserPoolId: pool(), GroupName: group, Limit: 60, NextToken: nextToken }),
      );
      pages.push((page.Users ?? []).map((user) => user.Username ?? ''));
      nextToken = page.NextToken;
    } while (nextToken);

    // Assess
    expect(pages.map((page) => page.length)).toEqual([60, 60, 10]);
    expect(pages.flat().sort()).toEqual([...members].sort());
  });

  it('resumes after the last member returned: members added between pages show at most once, none repeats', async () => {
    // Prepare: the first page
    const first = await cognito.send(new ListUsersInGroupCommand({ UserPoolId: pool(), GroupName: group, Limit: 60 }));
    const seen = (first.Users ?? []).map((user) => user.Username ?? '');
    // One sorts before the first page's last member, one after it.
    const early = `${members[10] ?? ''}-added`;
    const late = `${members[120] ?? ''}-added`;
    await givenUsers([early, late], group);

    // Act
    let nextToken = first.NextToken;
    while (nextToken) {
      const page = await cognito.send(
        new ListUsersInGroupCommand({ UserPoolId: pool(), GroupName: group, Limit: 60, NextToken: nextToken }),
      );
      seen.push(...(page.Users ?? []).map((user) => user.Username ?? ''));
      nextToken = page.NextToken;
    }

    // Assess
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.filter((name) => members.includes(name)).sort()).toEqual([...members].sort());
    expect(seen.filter((name) => name === early).length).toBeLessThanOrEqual(1);
    expect(seen.filter((name) => name === late).length).toBeLessThanOrEqual(1);
  });

  it('answers a page of at most 60 with a token when no Limit is given, and the SDK paginator walks every member', async () => {
    // Act
    const first = await cognito.send(new ListUsersInGroupCommand({ UserPoolId: pool(), GroupName: group }));
    const walked: string[] = [];
    for await (const page of paginateListUsersInGroup({ client: cognito }, { UserPoolId: pool(), GroupName: group })) {
      walked.push(...(page.Users ?? []).map((user) => user.Username ?? ''));
    }

    // Assess
    expect(first.Users?.length).toBeGreaterThan(0);
    expect(first.Users?.length).toBeLessThanOrEqual(60);
    expect(first.NextToken).toEqual(expect.any(String));
    expect(new Set(walked).size).toBe(walked.length);
    expect(walked).toEqual(expect.arrayContaining(members));
  });

  it('refuses Limit 61 as Cognito does (InvalidParameterException naming the maximum)', async () => {
    // Act / Assess
    await expect(
      cognito.send(new ListUsersInGroupCommand({ UserPoolId: pool(), GroupName: group, Limit: 61 })),
    ).rejects.toMatchObject({
      name: 'InvalidParameterException',
      message: expect.stringContaining('less than or equal to 60'),
      $metadata: { httpStatusCode: 400 },
    });
  });

  it("refuses another listing's token", async () => {
    // Prepare: a token of this group
    const first = await cognito.send(new ListUsersInGroupCommand({ UserPoolId: pool(), GroupName: group, Limit: 1 }));

    // Act / Assess
    await expect(
      cognito.send(
        new ListUsersInGroupCommand({ UserPoolId: pool(), GroupName: 'labelers-en', NextToken: first.NextToken }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidParameterException' });
  });
});

describe('ListUsers through the local Cognito', () => {
  it('pages a filtered listing by 60 and keeps the filter (the product finds a user by sub)', async () => {
    // Prepare
    const prefix = `lister-${randomUUID().slice(0, 6)}`;
    const users = Array.from({ length: 70 }, (_, index) => `${prefix}-${String(index).padStart(2, '0')}`);
    await givenUsers(users);
    const sub = await subOf(users[42] ?? '');

    // Act
    const pages: string[][] = [];
    let token: string | undefined;
    do {
      const page = await cognito.send(
        new ListUsersCommand({
          UserPoolId: pool(),
          Filter: `username ^= "${prefix}-"`,
          Limit: 60,
          PaginationToken: token,
        }),
      );
      pages.push((page.Users ?? []).map((user) => user.Username ?? ''));
      token = page.PaginationToken;
    } while (token);
    const bySub = await cognito.send(new ListUsersCommand({ UserPoolId: pool(), Filter: `sub = "${sub}"`, Limit: 1 }));

    // Assess
    expect(pages.map((page) => page.length)).toEqual([60, 10]);
    expect(pages.flat().sort()).toEqual(users);
    expect(bySub.Users?.map((user) => user.Username)).toEqual([users[42]]);
    expect(bySub.PaginationToken).toBeUndefined();
  });

  it('refuses Limit 61 as Cognito does', async () => {
    // Act / Assess
    await expect(cognito.send(new ListUsersCommand({ UserPoolId: pool(), Limit: 61 }))).rejects.toMatchObject({
      name: 'InvalidParameterException',
      message: expect.stringContaining("Value '61' at 'limit'"),
    });
  });
});

describe('request-rate quotas of the local Cognito', () => {
  it('answers a burst over UserList with TooManyRequestsException and counts it', async () => {
    // Prepare: a tenth of AWS's rate, 3 ListUsers a second
    await setQuotaScale(0.1);
    await resetQuotaCounts();

    // Act
    const outcome = await burst(12, () => once.send(new ListUsersCommand({ UserPoolId: pool(), Limit: 1 })));

    // Assess
    expect(outcome.ok).toBeGreaterThan(0);
    expect(outcome.errors.length).toBeGreaterThan(0);
    expect(new Set(outcome.errors)).toEqual(new Set(['TooManyRequestsException']));
    const state = await quotaState();
    expect(state.scale).toBe(0.1);
    expect(state.quotas.UserList).toBe(30);
    expect(state.throttled.UserList).toBe(outcome.errors.length);
    expect(state.admitted.UserList).toBe(outcome.ok);
  });

  it("keeps each account's and region's quotas apart: a target's calls never use up the hub's", async () => {
    // Prepare: a tenth of AWS's rate, 3 ListUsers a second; a client signing as a target account's role session
    // (a temporary key names its account) in the hub's region
    await setQuotaScale(0.1);
    const target = new CognitoIdentityProviderClient({
      endpoint: proxyUrl(),
      region: env('AWS_REGION'),
      credentials: { accessKeyId: 'ASIA111111111111TEST', secretAccessKey: 'local', sessionToken: 'local' },
      maxAttempts: 1,
    });
    const list = (client: CognitoIdentityProviderClient) => () =>
      client.send(new ListUsersCommand({ UserPoolId: pool(), Limit: 1 }));

    try {
      // Act: the hub's quota used up, then the target's calls
      const hub = await burst(12, list(once));
      const other = await burst(3, list(target));

      // Assess
      expect(hub.errors.length).toBeGreaterThan(0);
      expect(other).toEqual({ ok: 3, errors: [] });
    } finally {
      target.destroy();
    }
  });

  it('answers a throttled call on the wire as Cognito does: HTTP 400, __type and message', async () => {
    // Prepare: so small a scale that UserList admits nothing
    await setQuotaScale(0.01);

    // Act
    const response = await fetch(proxyUrl(), {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'AWSCognitoIdentityProviderService.ListUsers',
      },
      body: JSON.stringify({ UserPoolId: pool() }),
    });

    // Assess
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('application/x-amz-json-1.1');
    expect(await response.json()).toEqual({ __type: 'TooManyRequestsException', message: 'Rate exceeded' });
  });

  it('holds GetGroup to 5 a second per pool: a burst on one pool is throttled, another pool and ListGroups are not', async () => {
    // Prepare: another pool with a group, made around the proxy
    const other = await direct.send(new CreateUserPoolCommand({ PoolName: `quota-${randomUUID().slice(0, 6)}` }));
    const otherPool = other.UserPool?.Id ?? '';
    await direct.send(new CreateGroupCommand({ UserPoolId: otherPool, GroupName: 'labelers-en' }));
    await setQuotaScale(1);
    await resetQuotaCounts();

    // Act
    const outcome = await burst(12, () =>
      once.send(new GetGroupCommand({ UserPoolId: pool(), GroupName: 'labelers-en' })),
    );
    const elsewhere = await once.send(new GetGroupCommand({ UserPoolId: otherPool, GroupName: 'labelers-en' }));
    const listed = await once.send(new ListGroupsCommand({ UserPoolId: pool() }));

    // Assess
    expect(outcome.ok).toBeGreaterThan(0);
    expect(outcome.ok).toBeLessThan(12);
    expect(new Set(outcome.errors)).toEqual(new Set(['TooManyRequestsException']));
    expect(elsewhere.Group?.GroupName).toBe('labelers-en');
    expect(listed.Groups?.map((group) => group.GroupName)).toContain('labelers-en');
    const state = await quotaState();
    expect(state.quotas.GetGroup).toBe(5);
    expect(state.throttled[`UserPoolResourceRead+GetGroup:${pool()}`]).toBe(outcome.errors.length);
  });

  it('does not forward a throttled change, and CloudTrail records it refused, without the user', async () => {
    // Prepare: UserUpdate admits nothing at this scale
    const username = `throttled-${randomUUID().slice(0, 8)}`;
    await givenUsers([username]);
    await setQuotaScale(0.01);

    // Act
    const refused = once.send(new AdminDisableUserCommand({ UserPoolId: pool(), Username: username }));

    // Assess
    await expect(refused).rejects.toMatchObject({ name: 'TooManyRequestsException', message: 'Rate exceeded' });
    const user = await direct.send(new AdminGetUserCommand({ UserPoolId: pool(), Username: username }));
    expect(user.Enabled).toBe(true);
    const event = await cognitoEvent(
      (detail) =>
        detail.eventName === 'AdminDisableUser' &&
        (detail.userIdentity as { accessKeyId?: string }).accessKeyId === onceKey,
    );
    expect(event.detail).toMatchObject({
      errorCode: 'TooManyRequestsException',
      errorMessage: 'Rate exceeded',
      requestParameters: { userPoolId: pool(), username: HIDDEN },
    });
    expect(event.detail.additionalEventData).toBeUndefined();
  });

  it('lifts every quota at scale 0', async () => {
    // Prepare
    await setQuotaScale(0);

    // Act
    const outcome = await burst(20, () =>
      once.send(new GetGroupCommand({ UserPoolId: pool(), GroupName: 'labelers-en' })),
    );

    // Assess
    expect(outcome).toEqual({ ok: 20, errors: [] });
  });
});

describe('CloudTrail records of the local Cognito', () => {
  it('records AdminDeleteUserAttributes with the pool, the user hidden and named by sub', async () => {
    // Prepare
    const username = `attrs-${randomUUID().slice(0, 8)}`;
    await givenUsers([username]);
    const sub = await subOf(username);

    // Act
    await cognito.send(
      new AdminDeleteUserAttributesCommand({
        UserPoolId: pool(),
        Username: username,
        UserAttributeNames: ['given_name'],
      }),
    );

    // Assess
    const event = await cognitoEvent(
      (detail) =>
        detail.eventName === 'AdminDeleteUserAttributes' &&
        (detail.additionalEventData as { sub?: string })?.sub === sub,
    );
    expect(event.detail).toMatchObject({
      eventSource: 'cognito-idp.amazonaws.com',
      requestParameters: { userPoolId: pool(), username: HIDDEN, userAttributeNames: ['given_name'] },
      additionalEventData: { sub },
    });
    expect(event.detail.errorCode).toBeUndefined();
    expect(JSON.stringify(event)).not.toContain(username);
    const sample = sampleDetail('cognito-admin-delete-user-attributes.json');
    expect(shapeOf(event.detail.requestParameters)).toEqual(shapeOf(sample.requestParameters));
    expect(shapeOf(event.detail.additionalEventData)).toEqual(shapeOf(sample.additionalEventData));
  });

  it.each([
    [
      'UpdateUserAttributes',
      (accessToken: string) =>
        new UpdateUserAttributesCommand({
          AccessToken: accessToken,
          UserAttributes: [{ Name: 'given_name', Value: 'Changed' }],
        }),
      { accessToken: HIDDEN, userAttributes: HIDDEN },
    ],
    [
      'DeleteUserAttributes',
      (accessToken: string) =>
        new DeleteUserAttributesCommand({ AccessToken: accessToken, UserAttributeNames: ['given_name'] }),
      { accessToken: HIDDEN, userAttributeNames: ['given_name'] },
    ],
    [
      'DeleteUser',
      (accessToken: string) => new DeleteUserCommand({ AccessToken: accessToken }),
      { accessToken: HIDDEN },
    ],
  ] as const)(
    "records a signed-in user's %s: the token hidden, the user by sub, the pool from the token",
    async (eventName, command, requestParameters) => {
      // Prepare
      const user = await signedInUser();

      // Act
      await cognito.send(command(user.accessToken) as never);

      // Assess
      const event = await cognitoEvent(
        (detail) =>
          detail.eventName === eventName && (detail.additionalEventData as { sub?: string })?.sub === user.sub,
      );
      expect(event.detail).toMatchObject({
        eventSource: 'cognito-idp.amazonaws.com',
        userIdentity: { type: 'Unknown' },
        requestParameters,
        additionalEventData: { sub: user.sub, userPoolId: pool() },
      });
      expect(event.detail.errorCode).toBeUndefined();
      const recorded = JSON.stringify(event);
      expect(recorded).not.toContain(user.accessToken);
      expect(recorded).not.toContain(user.email);
      expect(recorded).not.toContain(user.username);
      const sample = sampleDetail(`cognito-self-${kebab(eventName)}.json`);
      for (const field of ['userIdentity', 'requestParameters', 'additionalEventData']) {
        expect(shapeOf(event.detail[field])).toEqual(shapeOf(sample[field]));
      }
    },
  );
});
