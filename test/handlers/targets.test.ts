/**
 * Teams in every target, through the HTTP routes: the local cloud's accounts and regions (local/targets.ts), each
 * reached with its own assumed role. What SageMaker holds is read back with the SDK under that target's own
 * credentials and region, as a person in that account would see it.
 */
import { DescribeWorkteamCommand, ListWorkteamsCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { ListSubscriptionsByTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import type { AwsCredentialIdentityProvider } from '@aws-sdk/types';
import { handler as createTeam } from '../../functions/create-team';
import { handler as deleteTeam } from '../../functions/delete-team';
import { handler as getTeam } from '../../functions/get-team';
import { handler as listTargets } from '../../functions/list-targets';
import { handler as listTeams } from '../../functions/list-teams';
import { handler as updateTeam } from '../../functions/update-team';
import { EXTERNAL_ID, LOCAL_TARGETS, targetRoleArn } from '../../local/targets';
import { registryRecord } from '../support/steps';
import { ADMIN, ANY_VERSION, call, OWNER, sagemaker, teamBody, uniqueTeamName } from '../support/teams';

const HUB = { account: '000000000000', region: 'us-east-1' };
const VENDOR = { account: '111111111111', region: 'us-east-1' };
const VENDOR_EU = { account: '111111111111', region: 'eu-west-1' };
const REFUSING = { account: '222222222222', region: 'eu-west-1' };

const clients: { destroy(): void }[] = [];

/** A client as the target's own account has it: its role's session, in its region. */
function asTarget<C extends { destroy(): void }>(
  Client: new (config: { region: string; credentials: AwsCredentialIdentityProvider }) => C,
  target: { account: string; region: string },
): C {
  const client = new Client({
    region: target.region,
    credentials: fromTemporaryCredentials({
      params: {
        RoleArn: targetRoleArn(target.account, target.region),
        ExternalId: EXTERNAL_ID,
        RoleSessionName: 'test',
      },
      clientConfig: { region: HUB.region },
    }),
  });
  clients.push(client);
  return client;
}

const sageMakerOf = (target: { account: string; region: string }) => asTarget(SageMakerClient, target);
const snsOf = (target: { account: string; region: string }) => asTarget(SNSClient, target);

async function teamNames(client: SageMakerClient): Promise<string[]> {
  const { Workteams = [] } = await client.send(new ListWorkteamsCommand({ MaxResults: 100 }));
  return Workteams.map((team) => team.WorkteamName ?? '');
}

/** Teams a test created, by target: deleted as an admin afterwards. */
const created: { name: string; target: { account: string; region: string } }[] = [];

afterEach(async () => {
  for (const { name, target } of created.splice(0)) {
    await call(deleteTeam, 'deleteTeam', 'delete-team.json', {
      path: { name },
      query: target,
      headers: ANY_VERSION,
      caller: ADMIN,
    });
  }
});

afterAll(() => {
  for (const client of clients) client.destroy();
});

describe('GET /targets', () => {
  it('lists the hub and every target with its workforce, the one whose role refuses the hub unreachable', async () => {
    // Act
    const result = await call(listTargets, 'listTargets', 'list-targets.json', { caller: ADMIN });

    // Assess
    expect(result.statusCode).toBe(200);
    const targets = result.body.targets as Record<string, unknown>[];
    expect(targets.map(({ account, region }) => ({ account, region }))).toEqual([
      HUB,
      ...LOCAL_TARGETS.map(({ account, region }) => ({ account, region })),
    ]);
    expect(targets[0]).toEqual({ ...HUB, hub: true, workforce: { name: 'default', kind: 'cognito' }, status: 'ok' });
    expect(targets[1]).toMatchObject({ ...VENDOR, hub: false, workforce: { kind: 'cognito' }, status: 'ok' });
    expect(targets[2]).toMatchObject({ ...VENDOR_EU, hub: false, workforce: { kind: 'oidc' }, status: 'ok' });
    expect(targets[3]).toEqual({
      ...REFUSING,
      hub: false,
      workforce: null,
      status: 'unreachable',
      reason: expect.stringContaining('AccessDenied'),
    });
  });

  it('is for administrators only', async () => {
    // Act
    const result = await call(listTargets, 'listTargets', 'list-targets.json', { caller: OWNER });

    // Assess
    expect(result.statusCode).toBe(403);
  });
});

describe('a team in another account and region', () => {
  it('is created there, read, changed and retired through the API, and never touches the hub', async () => {
    // Prepare
    const name = uniqueTeamName('vendor');
    const vendor = sageMakerOf(VENDOR);

    // Act: create in the vendor's account
    const createdAnswer = await call(createTeam, 'createTeam', 'create-team.json', {
      body: { ...teamBody(name, { members: { cognitoGroups: ['vendor-annotators'] } }), ...VENDOR },
    });
    created.push({ name, target: VENDOR });

    // Assess: 201 naming the target; SageMaker has it in the vendor's account only, under the vendor's own ARN
    expect(createdAnswer.statusCode).toBe(201);
    expect(createdAnswer.body).toMatchObject({ name, ...VENDOR, managed: true, status: 'InSync' });
    const live = (await vendor.send(new DescribeWorkteamCommand({ WorkteamName: name }))).Workteam;
    expect(live?.WorkteamArn).toBe(`arn:aws:sagemaker:us-east-1:111111111111:workteam/private-crowd/${name}`);
    expect(live?.NotificationConfiguration?.NotificationTopicArn).toMatch(/^arn:aws:sns:us-east-1:111111111111:/);
    expect(await teamNames(sagemaker())).not.toContain(name);
    // The registry keeps it under the target's key, the hub's key free
    expect(await registryRecord(name)).toBeUndefined();
    expect(await registryRecord(`111111111111/us-east-1/${name}`)).toMatchObject({
      targetKey: '111111111111/us-east-1',
    });

    // Act: read it there; read the same name in the hub
    const read = await call(getTeam, 'getTeam', 'get-team.json', { path: { name }, query: VENDOR });
    const inHub = await call(getTeam, 'getTeam', 'get-team.json', { path: { name } });

    // Assess
    expect(read.statusCode).toBe(200);
    expect(read.body).toMatchObject({ name, ...VENDOR, members: { cognitoGroups: ['vendor-annotators'] } });
    expect(inHub.statusCode).toBe(404);

    // Act: change it there
    const changed = await call(updateTeam, 'updateTeam', 'update-team.json', {
      path: { name },
      query: VENDOR,
      body: { description: 'Annotates for the vendor' },
      headers: { 'if-match': read.headers.etag as string },
    });

    // Assess
    expect(changed.statusCode).toBe(200);
    expect((await vendor.send(new DescribeWorkteamCommand({ WorkteamName: name }))).Workteam?.Description).toBe(
      'Annotates for the vendor',
    );

    // Act: retire it there
    const deleted = await call(deleteTeam, 'deleteTeam', 'delete-team.json', {
      path: { name },
      query: VENDOR,
      headers: { 'if-match': changed.headers.etag as string },
    });
    created.pop();

    // Assess
    expect(deleted.statusCode).toBe(204);
    expect(await teamNames(vendor)).not.toContain(name);
  });

  it("refuses with 412 a write to the hub's team that carries the ETag of another target's team of that name", async () => {
    // Prepare: one name in the hub and in the vendor's account, both at version 1
    const name = uniqueTeamName('etag');
    const hub = await call(createTeam, 'createTeam', 'create-team.json', { body: teamBody(name) });
    created.push({ name, target: HUB });
    const vendor = await call(createTeam, 'createTeam', 'create-team.json', {
      body: { ...teamBody(name, { members: { cognitoGroups: ['vendor-annotators'] } }), ...VENDOR },
    });
    created.push({ name, target: VENDOR });

    // Act: the vendor's ETag, the account and region forgotten
    const deleted = await call(deleteTeam, 'deleteTeam', 'delete-team.json', {
      path: { name },
      headers: { 'if-match': vendor.headers.etag as string },
    });

    // Assess
    expect(hub.headers.etag).toBe('"v1"');
    expect(vendor.headers.etag).toBe('"v1@111111111111.us-east-1"');
    expect(deleted.statusCode).toBe(412);
    expect(await teamNames(sagemaker())).toContain(name);
  });

  it('lists one target at a time', async () => {
    // Act
    const vendorTeams = await call(listTeams, 'listTeams', 'list-teams.json', { query: VENDOR });
    const hubTeams = await call(listTeams, 'listTeams', 'list-teams.json', { query: {} });

    // Assess: the vendor's seeded team there, not in the hub's list
    const names = (answer: typeof vendorTeams) => (answer.body.teams as { name: string }[]).map((team) => team.name);
    expect(names(vendorTeams)).toContain('target-annotators');
    expect(vendorTeams.body.teams).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'target-annotators', ...VENDOR })]),
    );
    expect(names(hubTeams)).not.toContain('target-annotators');
  });

  it("refuses with 400 a nextToken of another target's list", async () => {
    // Prepare: the hub's first page of one team, and its token
    const first = await call(listTeams, 'listTeams', 'list-teams.json', { query: { limit: '1' } });

    // Act
    const replayed = await call(listTeams, 'listTeams', 'list-teams.json', {
      query: { ...VENDOR, limit: '1', nextToken: first.body.nextToken as string },
    });

    // Assess
    expect(first.body.nextToken).toEqual(expect.any(String));
    expect(replayed.statusCode).toBe(400);
  });

  it('keeps a name taken in three targets at once apart: each target is written with its own clients only', async () => {
    // Prepare: one name, three targets, created concurrently. A client of one target used for another would put a
    // second team in that target's account (409 TeamExists there, or a team in the wrong account).
    const name = uniqueTeamName('same');
    const bodies = [
      { target: HUB, members: { cognitoGroups: ['labelers-en'] } },
      { target: VENDOR, members: { cognitoGroups: ['vendor-annotators'] } },
      { target: VENDOR_EU, members: { oidcGroups: ['annotators'] } },
    ];

    // Act
    const answers = await Promise.all(
      bodies.map(({ target, members }) =>
        call(createTeam, 'createTeam', 'create-team.json', { body: { ...teamBody(name, { members }), ...target } }),
      ),
    );
    for (const { target } of bodies) created.push({ name, target });

    // Assess: three teams, each in its own account and region, each ARN naming them
    expect(answers.map((answer) => answer.statusCode)).toEqual([201, 201, 201]);
    const arns = await Promise.all(
      [sagemaker(), sageMakerOf(VENDOR), sageMakerOf(VENDOR_EU)].map(
        async (client) =>
          (await client.send(new DescribeWorkteamCommand({ WorkteamName: name }))).Workteam?.WorkteamArn,
      ),
    );
    expect(arns).toEqual([
      `arn:aws:sagemaker:us-east-1:000000000000:workteam/private-crowd/${name}`,
      `arn:aws:sagemaker:us-east-1:111111111111:workteam/private-crowd/${name}`,
      `arn:aws:sagemaker:eu-west-1:111111111111:workteam/private-crowd/${name}`,
    ]);
    expect(answers.map((answer) => [answer.body.account, answer.body.region])).toEqual(
      bodies.map(({ target }) => [target.account, target.region]),
    );
  });

  it('creates an OIDC team in the OIDC region with its groups, its topic there asking each named address once', async () => {
    // Prepare
    const name = uniqueTeamName('oidc');
    const addresses = [`${name}-a@example.com`, `${name}-b@example.com`];

    // Act
    const answer = await call(createTeam, 'createTeam', 'create-team.json', {
      body: {
        ...teamBody(name, { members: { oidcGroups: ['annotators', 'reviewers'] }, notifications: { addresses } }),
        ...VENDOR_EU,
      },
    });
    created.push({ name, target: VENDOR_EU });

    // Assess: the team in the OIDC target; its topic there with one pending subscription per address; the answer
    // masks the addresses
    expect(answer.statusCode).toBe(201);
    expect(JSON.stringify(answer.body)).not.toContain(`${name}-a@`);
    const live = (await sageMakerOf(VENDOR_EU).send(new DescribeWorkteamCommand({ WorkteamName: name }))).Workteam;
    expect(live?.MemberDefinitions).toEqual([{ OidcMemberDefinition: { Groups: ['annotators', 'reviewers'] } }]);
    const topicArn = live?.NotificationConfiguration?.NotificationTopicArn ?? '';
    expect(topicArn).toMatch(/^arn:aws:sns:eu-west-1:111111111111:/);
    const { Subscriptions = [] } = await snsOf(VENDOR_EU).send(
      new ListSubscriptionsByTopicCommand({ TopicArn: topicArn }),
    );
    expect(Subscriptions.map((subscription) => subscription.Endpoint).sort()).toEqual(addresses);
    expect(Subscriptions.every((subscription) => subscription.SubscriptionArn === 'PendingConfirmation')).toBe(true);
  });
});

describe('a target that cannot be used', () => {
  it('answers 404 TargetNotFound for an account or a region the system does not run, naming which', async () => {
    // Act
    const unknownAccount = await call(createTeam, 'createTeam', 'create-team.json', {
      body: { ...teamBody(uniqueTeamName()), account: '999999999999' },
    });
    const unknownRegion = await call(getTeam, 'getTeam', 'get-team.json', {
      path: { name: 'anything' },
      query: { account: '111111111111', region: 'ap-south-1' },
    });

    // Assess
    expect(unknownAccount.statusCode).toBe(404);
    expect(unknownAccount.body).toMatchObject({ error: { code: 'TargetNotFound', details: { field: 'account' } } });
    expect(unknownRegion.statusCode).toBe(404);
    expect(unknownRegion.body).toMatchObject({ error: { code: 'TargetNotFound', details: { field: 'region' } } });
  });

  it('answers 409 TargetUnreachable for a target whose role refuses the hub, and records nothing', async () => {
    // Prepare
    const name = uniqueTeamName('refused');

    // Act
    const answer = await call(createTeam, 'createTeam', 'create-team.json', {
      body: { ...teamBody(name, { members: { oidcGroups: ['annotators'] } }), ...REFUSING },
    });

    // Assess
    expect(answer.statusCode).toBe(409);
    expect(answer.body).toMatchObject({
      error: { code: 'TargetUnreachable', details: { ...REFUSING, reason: expect.stringContaining('AccessDenied') } },
    });
    expect(await registryRecord(`222222222222/eu-west-1/${name}`)).toBeUndefined();
  });

  it('answers 400 naming the field for an account or region that is not one', async () => {
    // Act
    const badAccount = await call(createTeam, 'createTeam', 'create-team.json', {
      body: { ...teamBody(uniqueTeamName()), account: '12345' },
    });
    const badRegion = await call(getTeam, 'getTeam', 'get-team.json', {
      path: { name: 'anything' },
      query: { region: 'Mars' },
    });

    // Assess
    expect(badAccount.statusCode).toBe(400);
    expect(badAccount.body).toMatchObject({ error: { code: 'ValidationFailed', details: [{ path: 'account' }] } });
    expect(badRegion.statusCode).toBe(400);
    expect(JSON.stringify(badRegion.body)).toContain('region');
  });
});
