/**
 * The workforce directory through the real SDK against cognito-local, on the seeded user pool: groups
 * `labelers-en` (ana, ben), `labelers-de` (ben), `reviewers` (chloe). Groups and users a test adds carry a
 * random suffix: the local cloud is shared by every test file. The directory goes through the local Cognito as the
 * product does (its request-rate quotas included); the preparation goes around it (COGNITO_LOCAL_URL), so that
 * setting up groups and users takes nothing from the quotas the directory's calls meet.
 */
import { randomUUID } from 'node:crypto';
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminDisableUserCommand,
  AdminGetUserCommand,
  CognitoIdentityProviderClient,
  CreateGroupCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { createWorkforceDirectory } from '#lib/adapters/directory';
import type { WorkforceDirectory } from '#lib/ports/teams';
import { pacedAtCognitoQuotas } from '#lib/runtime/clients/cognito';
import { watchInFlight } from '../support/in-flight';

let cognito: CognitoIdentityProviderClient;
let setup: CognitoIdentityProviderClient;
let directory: WorkforceDirectory;
let userPoolId: string;
let suffix: string;

beforeAll(() => {
  // Configured as the functions' own client is: paced at Cognito's quotas, adaptive retries.
  cognito = pacedAtCognitoQuotas(new CognitoIdentityProviderClient({ retryMode: 'adaptive' }));
  setup = new CognitoIdentityProviderClient({ endpoint: process.env.COGNITO_LOCAL_URL });
  directory = createWorkforceDirectory(cognito);
  userPoolId = process.env.USER_POOL_ID ?? '';
});

afterAll(() => {
  cognito.destroy();
  setup.destroy();
});

beforeEach(() => {
  suffix = randomUUID().slice(0, 8);
});

async function givenGroup(group: string, users: { username: string; email: string }[]): Promise<void> {
  await setup.send(new CreateGroupCommand({ UserPoolId: userPoolId, GroupName: group }));
  for (const user of users) {
    await setup.send(
      new AdminCreateUserCommand({
        UserPoolId: userPoolId,
        Username: user.username,
        MessageAction: 'SUPPRESS',
        UserAttributes: [{ Name: 'email', Value: user.email }],
      }),
    );
    await setup.send(
      new AdminAddUserToGroupCommand({ UserPoolId: userPoolId, Username: user.username, GroupName: group }),
    );
  }
}

describe('createWorkforceDirectory().missingGroups', () => {
  it('returns the groups the pool does not have, in the order asked', async () => {
    // Act
    const missing = await directory.missingGroups(userPoolId, [
      `ghosts-${suffix}`,
      'labelers-en',
      'reviewers',
      `phantoms-${suffix}`,
    ]);

    // Assess
    expect(missing).toEqual([`ghosts-${suffix}`, `phantoms-${suffix}`]);
  });

  it('returns nothing when every group exists', async () => {
    // Act
    const missing = await directory.missingGroups(userPoolId, ['labelers-en', 'labelers-de', 'reviewers']);

    // Assess
    expect(missing).toEqual([]);
  });
});

describe('createWorkforceDirectory().groupsCreatedSince', () => {
  it('names the groups created at or after the instant, and leaves out older and missing ones', async () => {
    // Prepare: the seeded groups are older than this instant (Cognito dates have a resolution of one second)
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const since = new Date();
    const young = `young-${suffix}`;
    await givenGroup(young, []);

    // Act
    const fresh = await directory.groupsCreatedSince(userPoolId, ['labelers-en', young, `missing-${suffix}`], since);

    // Assess
    expect(fresh).toEqual([young]);
  });
});

describe('createWorkforceDirectory().emailsOfGroups', () => {
  it('lists several groups at a time, never more than five at once, and answers the same as one by one', async () => {
    // Prepare
    const groups = Array.from({ length: 8 }, (_, i) => `shift-${i}-${suffix}`);
    for (const [i, group] of groups.entries()) {
      await givenGroup(group, [{ username: `worker-${i}-${suffix}`, email: `worker-${i}-${suffix}@example.com` }]);
    }
    const watchedCognito = pacedAtCognitoQuotas(new CognitoIdentityProviderClient({ retryMode: 'adaptive' }));
    const calls = watchInFlight(watchedCognito, ['ListUsersInGroup', 'GetGroup']);
    const watched = createWorkforceDirectory(watchedCognito);
    const asked = [...groups, `ghosts-${suffix}`, 'reviewers'];

    // Act
    const listed = await watched.emailsOfGroups(userPoolId, asked);
    const listedPeak = calls.peak;
    calls.reset();
    const missing = await watched.missingGroups(userPoolId, asked);
    const checkedPeak = calls.peak;

    // Assess
    watchedCognito.destroy();
    expect(listed.emails).toEqual(
      [...groups.map((_, i) => `worker-${i}-${suffix}@example.com`), 'chloe@example.com'].sort(),
    );
    expect(listed.missingGroups).toEqual([`ghosts-${suffix}`]);
    expect(missing).toEqual([`ghosts-${suffix}`]);
    expect(listedPeak).toBeGreaterThan(1);
    expect(listedPeak).toBeLessThanOrEqual(5);
    expect(checkedPeak).toBeGreaterThan(1);
    expect(checkedPeak).toBeLessThanOrEqual(5);
  });

  it('returns the addresses of the members, a member of two groups once, sorted', async () => {
    // Act
    const { emails, missingGroups } = await directory.emailsOfGroups(userPoolId, [
      'labelers-de',
      'reviewers',
      'labelers-en',
    ]);

    // Assess
    expect(emails).toEqual(['ana@example.com', 'ben@example.com', 'chloe@example.com']);
    expect(missingGroups).toEqual([]);
  });

  it('leaves out disabled users', async () => {
    // Prepare
    const group = `night-shift-${suffix}`;
    await givenGroup(group, [
      { username: `dora-${suffix}`, email: `dora-${suffix}@example.com` },
      { username: `emil-${suffix}`, email: `emil-${suffix}@example.com` },
    ]);
    await setup.send(new AdminDisableUserCommand({ UserPoolId: userPoolId, Username: `emil-${suffix}` }));

    // Act
    const { emails } = await directory.emailsOfGroups(userPoolId, [group]);

    // Assess
    expect(emails).toEqual([`dora-${suffix}@example.com`]);
  });

  it('treats addresses that differ only in case as one, keeps the first spelling and sorts ignoring case', async () => {
    // Prepare
    const first = `early-${suffix}`;
    const second = `late-${suffix}`;
    await givenGroup(first, [
      { username: `zoe-${suffix}`, email: `Zoe-${suffix}@Example.com` },
      { username: `al-${suffix}`, email: `al-${suffix}@example.com` },
    ]);
    await givenGroup(second, [{ username: `zoe2-${suffix}`, email: `zoe-${suffix}@example.com` }]);

    // Act
    const { emails } = await directory.emailsOfGroups(userPoolId, [first, second]);

    // Assess
    expect(emails).toEqual([`al-${suffix}@example.com`, `Zoe-${suffix}@Example.com`]);
  });

  it('names the groups that do not exist (deleted since a team named them) and lists the others', async () => {
    // Act
    const result = await directory.emailsOfGroups(userPoolId, [`ghosts-${suffix}`, 'reviewers']);

    // Assess
    expect(result).toEqual({ emails: ['chloe@example.com'], missingGroups: [`ghosts-${suffix}`] });
  });
});

describe('createWorkforceDirectory().groupsOfUser', () => {
  it("finds a user by sub (CloudTrail's only name for them) and returns their groups", async () => {
    // Prepare: a user in two groups
    const username = `subbed-${suffix}`;
    await givenGroup(`first-${suffix}`, [{ username, email: `${username}@example.com` }]);
    await setup.send(new CreateGroupCommand({ UserPoolId: userPoolId, GroupName: `second-${suffix}` }));
    await setup.send(
      new AdminAddUserToGroupCommand({ UserPoolId: userPoolId, Username: username, GroupName: `second-${suffix}` }),
    );
    const { UserAttributes } = await setup.send(
      new AdminGetUserCommand({ UserPoolId: userPoolId, Username: username }),
    );
    const sub = UserAttributes?.find((attribute) => attribute.Name === 'sub')?.Value ?? '';

    // Act
    const groups = await directory.groupsOfUser(userPoolId, sub);

    // Assess
    expect(groups?.sort()).toEqual([`first-${suffix}`, `second-${suffix}`]);
  });

  it.each([
    ['a sub no user has', '00000000-0000-4000-8000-000000000000'],
    ['text that is no sub (never put into the filter)', 'x" or name = "y'],
  ])('answers undefined for %s', async (_what, sub) => {
    // Act / Assess
    expect(await directory.groupsOfUser(userPoolId, sub)).toBeUndefined();
  });
});
