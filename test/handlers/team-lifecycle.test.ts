/**
 * Self-service team lifecycle over HTTP: the functions invoked as `serverless invoke local` invokes them
 * (events/ files), against the running local cloud; outcomes checked with the AWS SDK in SageMaker, SNS
 * (the local SNS: e-mail subscriptions wait for their worker's confirmation, as in AWS) and the registry (dynalite).
 */

import { CognitoIdentityProviderClient, CreateGroupCommand } from '@aws-sdk/client-cognito-identity-provider';
import { DescribeWorkteamCommand, ListWorkteamsCommand, UpdateWorkteamCommand } from '@aws-sdk/client-sagemaker';
import { GetTopicAttributesCommand, ListSubscriptionsByTopicCommand } from '@aws-sdk/client-sns';
import { actorOf } from '#lib/auth/caller';
import { buildTeamDeps } from '#lib/composition/teams';
import { parseCreateTeamRequest } from '#lib/http/requests';
import { toManagedTeamView } from '#lib/http/views';
import { createTeam as createTeamUseCase } from '#lib/use-cases/manage-teams';
import { retryPendingTeams } from '#lib/use-cases/retry-pending';
import { handler as addTeamMembers } from '../../functions/add-team-members';
import { handler as createTeam } from '../../functions/create-team';
import { handler as deleteTeam } from '../../functions/delete-team';
import { handler as getTeam } from '../../functions/get-team';
import { handler as removeTeamMember } from '../../functions/remove-team-member';
import { handler as updateTeam } from '../../functions/update-team';
import { setup } from '../support/cognito';
import { invokeHttp } from '../support/invoke';
import { confirmSubscriptions } from '../support/mailbox';
import { injectEmulatorFault, setEmulatorKnobs } from '../support/sagemaker-emulator-control';
import { createdTeams, givenTeam, registryRecord, retireCreatedTeams } from '../support/steps';
import {
  ADMIN,
  ANY_VERSION,
  call,
  OWNER,
  SOMEONE_ELSE,
  sagemaker,
  sns,
  teamBody,
  uniqueTeamName,
} from '../support/teams';

const sm = sagemaker();
const topics = sns();
const cognito = new CognitoIdentityProviderClient({});

const created = createdTeams;

async function liveGroups(name: string): Promise<string[]> {
  const { Workteam } = await sm.send(new DescribeWorkteamCommand({ WorkteamName: name }));
  return (Workteam?.MemberDefinitions ?? [])
    .map((definition) => definition.CognitoMemberDefinition?.UserGroup ?? '')
    .sort();
}

async function subscribedEmails(topicArn: string): Promise<string[]> {
  const { Subscriptions } = await topics.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn }));
  return (Subscriptions ?? [])
    .filter((s) => s.Protocol === 'email')
    .map((s) => s.Endpoint ?? '')
    .sort();
}

afterEach(retireCreatedTeams);

describe('the events/ files of the write path', () => {
  it('run as they are, in order: create, patch, add a group, remove it, delete', async () => {
    // Act: each file unchanged, as `serverless invoke local --path events/<file>` hands it to the function
    createdTeams.push('invoice-extractors'); // retired after the test should it stop half-way
    const results = [];
    for (const [handler, fn, file] of [
      [createTeam, 'createTeam', 'create-team.json'],
      [updateTeam, 'updateTeam', 'update-team.json'],
      [addTeamMembers, 'addTeamMembers', 'add-team-members.json'],
      [removeTeamMember, 'removeTeamMember', 'remove-team-member.json'],
      [deleteTeam, 'deleteTeam', 'delete-team.json'],
    ] as const) {
      const result = await invokeHttp(handler, fn, file);
      results.push({ fn, statusCode: result.statusCode, body: result.body });
    }

    // Assess
    expect(results.map(({ fn, statusCode }) => [fn, statusCode])).toEqual([
      ['createTeam', 201],
      ['updateTeam', 200],
      ['addTeamMembers', 200],
      ['removeTeamMember', 200],
      ['deleteTeam', 204],
    ]);
    expect(results[1]?.body).toMatchObject({ version: 2, tags: { 'cost-center': 'finance-ops' } });
    expect(results[2]?.body).toMatchObject({ version: 3, members: { cognitoGroups: ['labelers-en', 'reviewers'] } });
    expect(results[3]?.body).toMatchObject({ version: 4, members: { cognitoGroups: ['labelers-en'] } });
  });
});

describe('POST /teams', () => {
  it('creates the team in SageMaker with the requested worker access and a wired notification topic', async () => {
    // Act
    const { name, result } = await givenTeam();

    // Assess: the answer
    expect(result.statusCode).toBe(201);
    expect(result.headers.etag).toBe('"v1"');
    expect(result.body).toMatchObject({
      name,
      owner: OWNER.sub,
      version: 1,
      status: 'InSync',
      members: { cognitoGroups: ['labelers-en'] },
      workerAccess: { sourceIp: 'Enabled', vpcSourceIp: 'Disabled' },
      differences: [],
    });
    // Assess: SageMaker
    const { Workteam } = await sm.send(new DescribeWorkteamCommand({ WorkteamName: name }));
    expect(Workteam?.WorkerAccessConfiguration).toEqual({
      S3Presign: { IamPolicyConstraints: { SourceIp: 'Enabled', VpcSourceIp: 'Disabled' } },
    });
    const topicArn = Workteam?.NotificationConfiguration?.NotificationTopicArn ?? '';
    expect(topicArn).toMatch(new RegExp(`:${process.env.TOPIC_PREFIX}${name}$`));
    // Assess: the topic exists, lets SageMaker publish, and has the group's workers subscribed
    const { Attributes } = await topics.send(new GetTopicAttributesCommand({ TopicArn: topicArn }));
    const policy = JSON.parse(Attributes?.Policy ?? '{}') as {
      Statement: { Principal: unknown; Action: unknown; Effect: string }[];
    };
    expect(policy.Statement).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Effect: 'Allow',
          Principal: { Service: 'sagemaker.amazonaws.com' },
          Action: 'sns:Publish',
        }),
      ]),
    );
    expect(await subscribedEmails(topicArn)).toEqual(['ana@example.com', 'ben@example.com']);
  });

  it('answers 200 with the same team when the identical request is repeated', async () => {
    // Prepare
    const { name, result: first } = await givenTeam();

    // Act
    const again = await call(createTeam, 'createTeam', 'create-team.json', { body: teamBody(name) });

    // Assess
    expect(again.statusCode).toBe(200);
    expect(again.body).toEqual(first.body);
  });

  it('answers a repeated Idempotency-Key with the stored response, and refuses it with another body', async () => {
    // Prepare
    const name = uniqueTeamName();
    const key = `key-${name}`;
    const first = await call(createTeam, 'createTeam', 'create-team.json', {
      body: teamBody(name),
      headers: { 'idempotency-key': key },
    });
    created.push(name);

    // Act
    const replay = await call(createTeam, 'createTeam', 'create-team.json', {
      body: teamBody(name),
      headers: { 'idempotency-key': key },
    });
    const reused = await call(createTeam, 'createTeam', 'create-team.json', {
      body: teamBody(name, { description: 'Something else' }),
      headers: { 'idempotency-key': key },
    });

    // Assess
    expect(first.statusCode).toBe(201);
    expect(replay).toEqual(first);
    expect(reused.statusCode).toBe(422);
    expect(reused.body).toMatchObject({ error: { code: 'IdempotencyKeyReused' } });
  });

  it('answers 409 TeamExists when the name is taken with a different spec', async () => {
    // Prepare
    const { name } = await givenTeam();

    // Act
    const result = await call(createTeam, 'createTeam', 'create-team.json', {
      body: teamBody(name, { description: 'Other' }),
    });

    // Assess
    expect(result.statusCode).toBe(409);
    expect(result.body).toMatchObject({ error: { code: 'TeamExists' } });
  });

  it('answers 409 TeamExists for the name of a team this system does not manage, and leaves that team alone', async () => {
    // Prepare: image-labelers is seeded straight into SageMaker
    const before = await sm.send(new DescribeWorkteamCommand({ WorkteamName: 'image-labelers' }));

    // Act
    const result = await call(createTeam, 'createTeam', 'create-team.json', { body: teamBody('image-labelers') });

    // Assess
    const after = await sm.send(new DescribeWorkteamCommand({ WorkteamName: 'image-labelers' }));
    expect(result.statusCode).toBe(409);
    expect(result.body).toMatchObject({ error: { code: 'TeamExists' } });
    expect(after.Workteam).toEqual(before.Workteam);
    expect(await registryRecord('image-labelers')).toBeUndefined();
  });

  it('refuses the 26th team with 409 TeamLimitExceeded before creating anything', async () => {
    // Prepare: fill the account up to SageMaker's 25 work teams
    const { Workteams } = await sm.send(new ListWorkteamsCommand({ MaxResults: 100 }));
    const free = 25 - (Workteams ?? []).length;
    for (let i = 0; i < free; i++) await givenTeam(uniqueTeamName('fill'));
    const name = uniqueTeamName('overflow');

    // Act
    const result = await call(createTeam, 'createTeam', 'create-team.json', { body: teamBody(name) });

    // Assess
    expect(result.statusCode).toBe(409);
    expect(result.body).toMatchObject({ error: { code: 'TeamLimitExceeded', message: expect.stringContaining('25') } });
    expect(await registryRecord(name)).toBeUndefined();
    const { Workteams: after } = await sm.send(new ListWorkteamsCommand({ MaxResults: 100 }));
    expect(after).toHaveLength(25);
  }, 60_000);

  it('counts a creation that is still Pending against the limit', async () => {
    // Prepare: 24 teams in SageMaker and one accepted but not created yet (its CreateWorkteam throttled)
    const { Workteams } = await sm.send(new ListWorkteamsCommand({ MaxResults: 100 }));
    const free = 25 - (Workteams ?? []).length;
    for (let i = 0; i < free - 1; i++) await givenTeam(uniqueTeamName('fill'));
    const pendingName = uniqueTeamName('pending');
    await injectEmulatorFault({
      operation: 'CreateWorkteam',
      errorType: 'ThrottlingException',
      message: 'Rate exceeded',
      count: 3,
    });
    const pending = await call(createTeam, 'createTeam', 'create-team.json', { body: teamBody(pendingName) });
    created.push(pendingName);

    // Act
    const overflow = await call(createTeam, 'createTeam', 'create-team.json', {
      body: teamBody(uniqueTeamName('overflow')),
    });

    // Assess
    expect(pending.statusCode).toBe(202);
    expect(overflow.statusCode).toBe(409);
    expect(overflow.body).toMatchObject({ error: { code: 'TeamLimitExceeded' } });
  }, 60_000);

  it('lists every violation with its field in one 400', async () => {
    // Act
    const result = await call(createTeam, 'createTeam', 'create-team.json', {
      body: { name: '-bad-', description: '', members: { cognitoGroups: [] }, workerAccess: { sourceIp: 'Maybe' } },
    });

    // Assess
    expect(result.statusCode).toBe(400);
    const paths = (result.body.error as { details: { path: string }[] }).details.map((violation) => violation.path);
    expect(paths).toEqual(
      expect.arrayContaining(['name', 'description', 'members.cognitoGroups', 'workerAccess.sourceIp']),
    );
  });

  it.each([
    [
      'a restricted team without the SourceIp constraint',
      { tags: { classification: 'restricted', 'cost-center': 'x' }, workerAccess: { sourceIp: 'Disabled' } },
      'workerAccess.sourceIp',
    ],
    [
      'VpcSourceIp on a workforce without a VPC',
      { workerAccess: { sourceIp: 'Enabled', vpcSourceIp: 'Enabled' } },
      'workerAccess.vpcSourceIp',
    ],
    ['a missing required tag', { tags: { classification: 'internal' } }, 'tags.cost-center'],
    [
      'a Cognito group that does not exist',
      { members: { cognitoGroups: ['labelers-en', 'no-such-group'] } },
      'members.cognitoGroups[1]',
    ],
  ])('answers 400 naming the rule for %s', async (_case, overrides, path) => {
    // Act
    const result = await call(createTeam, 'createTeam', 'create-team.json', {
      body: teamBody(uniqueTeamName(), overrides),
    });

    // Assess
    expect(result.statusCode).toBe(400);
    expect(result.body).toMatchObject({
      error: { code: 'ValidationFailed', details: expect.arrayContaining([expect.objectContaining({ path })]) },
    });
  });

  it('answers 400 for a body that is not JSON', async () => {
    // Act
    const result = await call(createTeam, 'createTeam', 'create-team.json', { body: '{"name": ' });

    // Assess
    expect(result.statusCode).toBe(400);
    expect(result.body).toMatchObject({ error: { details: [{ path: 'body' }] } });
  });
});

describe('PATCH /teams/{name}', () => {
  it('merges the patch into the team and applies it to SageMaker', async () => {
    // Prepare
    const { name } = await givenTeam();

    // Act
    const result = await call(updateTeam, 'updateTeam', 'update-team.json', {
      path: { name },
      body: { description: 'Labels test images, now in colour', tags: { 'cost-center': 'vision' } },
      headers: { 'if-match': '"v1"' },
    });

    // Assess
    const { Workteam } = await sm.send(new DescribeWorkteamCommand({ WorkteamName: name }));
    expect(result.statusCode).toBe(200);
    expect(result.body).toMatchObject({
      version: 2,
      status: 'InSync',
      tags: { classification: 'internal', 'cost-center': 'vision' },
    });
    expect(Workteam?.Description).toBe('Labels test images, now in colour');
    expect(await liveGroups(name)).toEqual(['labelers-en']);
  });

  it('answers 412 when If-Match names an older version', async () => {
    // Prepare
    const { name } = await givenTeam();
    await call(updateTeam, 'updateTeam', 'update-team.json', { path: { name }, body: { description: 'First change' } });

    // Act
    const result = await call(updateTeam, 'updateTeam', 'update-team.json', {
      path: { name },
      body: { description: 'Second change' },
      headers: { 'if-match': '"v1"' },
    });

    // Assess
    expect(result.statusCode).toBe(412);
    expect(result.body).toMatchObject({ error: { code: 'PreconditionFailed' } });
  });

  it('answers 403 to someone who neither owns the team nor is an admin, and lets an admin change it', async () => {
    // Prepare
    const { name } = await givenTeam();

    // Act
    const stranger = await call(updateTeam, 'updateTeam', 'update-team.json', {
      path: { name },
      body: { description: 'Mine now' },
      caller: SOMEONE_ELSE,
    });
    const admin = await call(updateTeam, 'updateTeam', 'update-team.json', {
      path: { name },
      body: { description: 'Admin fix' },
      caller: ADMIN,
    });

    // Assess
    expect(stranger.statusCode).toBe(403);
    expect(admin.statusCode).toBe(200);
  });

  it('turns notifications off: no NotificationConfiguration, and the topic is gone', async () => {
    // Prepare
    const { name, result } = await givenTeam();
    const topicArn = String(result.body.notificationTopicArn);

    // Act
    const patched = await call(updateTeam, 'updateTeam', 'update-team.json', {
      path: { name },
      body: { notifications: false },
    });

    // Assess
    const { Workteam } = await sm.send(new DescribeWorkteamCommand({ WorkteamName: name }));
    expect(patched.statusCode).toBe(200);
    expect(Workteam?.NotificationConfiguration).toBeUndefined();
    await expect(topics.send(new GetTopicAttributesCommand({ TopicArn: topicArn }))).rejects.toThrow();
  });

  it('answers 404 for a team nobody knows and 409 TeamNotManaged for one this system does not manage', async () => {
    // Act
    const unknown = await call(updateTeam, 'updateTeam', 'update-team.json', {
      path: { name: 'no-such-team' },
      body: {},
      caller: ADMIN,
    });
    const unmanaged = await call(updateTeam, 'updateTeam', 'update-team.json', {
      path: { name: 'image-labelers' },
      body: {},
      caller: ADMIN,
    });

    // Assess
    expect(unknown.statusCode).toBe(404);
    expect(unmanaged.statusCode).toBe(409);
    expect(unmanaged.body).toMatchObject({ error: { code: 'TeamNotManaged' } });
  });

  it('answers 400 naming the policy rule when a patch would leave a restricted team without SourceIp', async () => {
    // Prepare
    const { name } = await givenTeam();

    // Act
    const result = await call(updateTeam, 'updateTeam', 'update-team.json', {
      path: { name },
      body: { tags: { classification: 'restricted' }, workerAccess: { sourceIp: 'Disabled' } },
    });

    // Assess
    expect(result.statusCode).toBe(400);
    expect(result.body).toMatchObject({
      error: { details: [expect.objectContaining({ path: 'workerAccess.sourceIp', code: 'Policy' })] },
    });
    expect(await registryRecord(name)).toMatchObject({ version: 1 });
  });

  it('answers 400 for a field the patch may not change', async () => {
    // Prepare
    const { name } = await givenTeam();

    // Act
    const result = await call(updateTeam, 'updateTeam', 'update-team.json', {
      path: { name },
      body: { members: { cognitoGroups: ['reviewers'] } },
    });

    // Assess
    expect(result.statusCode).toBe(400);
    expect(result.body).toMatchObject({ error: { details: [expect.objectContaining({ path: 'members' })] } });
  });
});

describe('member groups', () => {
  it('adds a group and keeps the existing one', async () => {
    // Prepare
    const { name, result } = await givenTeam();

    // Act
    const added = await call(addTeamMembers, 'addTeamMembers', 'add-team-members.json', {
      path: { name },
      body: { cognitoGroups: ['reviewers'] },
    });

    // Assess
    expect(added.statusCode).toBe(200);
    expect(added.body).toMatchObject({ members: { cognitoGroups: ['labelers-en', 'reviewers'] }, status: 'InSync' });
    expect(await liveGroups(name)).toEqual(['labelers-en', 'reviewers']);
    expect(await subscribedEmails(String(result.body.notificationTopicArn))).toEqual([
      'ana@example.com',
      'ben@example.com',
      'chloe@example.com',
    ]);
  });

  it('merges nine concurrent additions to a one-group team: all ten present, an eleventh refused', async () => {
    // Prepare: nine more groups in the workforce's pool
    const { name } = await givenTeam();
    const suffix = name.split('-').pop();
    const extra = Array.from({ length: 10 }, (_, i) => `crowd-${suffix}-${i + 1}`);
    for (const group of extra) {
      await setup.send(new CreateGroupCommand({ UserPoolId: process.env.USER_POOL_ID, GroupName: group }));
    }

    // Act: nine requests at once, then one more
    const results = await Promise.all(
      extra.slice(0, 9).map((group) =>
        call(addTeamMembers, 'addTeamMembers', 'add-team-members.json', {
          path: { name },
          body: { cognitoGroups: [group] },
        }),
      ),
    );
    const eleventh = await call(addTeamMembers, 'addTeamMembers', 'add-team-members.json', {
      path: { name },
      body: { cognitoGroups: [extra[9]] },
    });

    // Assess
    expect(results.map((result) => result.statusCode)).toEqual(Array(9).fill(200));
    expect(await liveGroups(name)).toEqual(['labelers-en', ...extra.slice(0, 9)].sort());
    const record = await registryRecord(name);
    expect(record?.version).toBe(10);
    expect(eleventh.statusCode).toBe(409);
    expect(eleventh.body).toMatchObject({
      error: { code: 'MemberLimitExceeded', message: expect.stringContaining('10') },
    });
  }, 60_000);

  it('answers 404 MemberNotFound when removing a group the team does not have', async () => {
    // Prepare
    const { name } = await givenTeam();

    // Act
    const result = await call(removeTeamMember, 'removeTeamMember', 'remove-team-member.json', {
      path: { name, group: 'reviewers' },
    });

    // Assess
    expect(result.statusCode).toBe(404);
    expect(result.body).toMatchObject({ error: { code: 'MemberNotFound' } });
  });

  it('answers 400 for a Cognito group that does not exist in the pool', async () => {
    // Prepare
    const { name } = await givenTeam();

    // Act
    const result = await call(addTeamMembers, 'addTeamMembers', 'add-team-members.json', {
      path: { name },
      body: { cognitoGroups: ['ghosts'] },
    });

    // Assess
    expect(result.statusCode).toBe(400);
    expect(result.body).toMatchObject({ error: { details: [expect.objectContaining({ code: 'NotFound' })] } });
  });

  it('removes one group, and refuses to remove the last with 409 LastMemberGroup', async () => {
    // Prepare
    const { name, result } = await givenTeam(uniqueTeamName(), {
      members: { cognitoGroups: ['labelers-en', 'reviewers'] },
    });
    await confirmSubscriptions(String(result.body.notificationTopicArn), ['ana@example.com', 'ben@example.com']);

    // Act
    const removed = await call(removeTeamMember, 'removeTeamMember', 'remove-team-member.json', {
      path: { name, group: 'labelers-en' },
    });
    const last = await call(removeTeamMember, 'removeTeamMember', 'remove-team-member.json', {
      path: { name, group: 'reviewers' },
    });

    // Assess
    expect(removed.statusCode).toBe(200);
    expect(await liveGroups(name)).toEqual(['reviewers']);
    expect(await subscribedEmails(String(result.body.notificationTopicArn))).toEqual(['chloe@example.com']);
    expect(last.statusCode).toBe(409);
    expect(last.body).toMatchObject({ error: { code: 'LastMemberGroup' } });
  });
});

describe('DELETE /teams/{name}', () => {
  it('deletes the work team and its topic; the registry keeps the record with its history', async () => {
    // Prepare
    const { name, result } = await givenTeam();
    const topicArn = String(result.body.notificationTopicArn);
    created.pop();

    // Act
    const deleted = await call(deleteTeam, 'deleteTeam', 'delete-team.json', { headers: ANY_VERSION, path: { name } });

    // Assess
    expect(deleted.statusCode).toBe(204);
    await expect(sm.send(new DescribeWorkteamCommand({ WorkteamName: name }))).rejects.toThrow(/The work team/);
    await expect(topics.send(new GetTopicAttributesCommand({ TopicArn: topicArn }))).rejects.toThrow();
    const record = await registryRecord(name);
    expect(record).toMatchObject({ lifecycle: 'deleted', applyState: 'Applied' });
    expect(((record?.history ?? []) as { action: string; by: string }[]).map((entry) => entry.action)).toEqual([
      'created',
      'deleted',
    ]);
    expect((await call(getTeam, 'getTeam', 'get-team.json', { path: { name } })).statusCode).toBe(404);
  });
});

describe('DELETE /teams/{name} by someone else', () => {
  it('answers 403 to someone who neither owns the team nor is an admin, and keeps the team', async () => {
    // Prepare
    const { name } = await givenTeam();

    // Act
    const result = await call(deleteTeam, 'deleteTeam', 'delete-team.json', {
      headers: ANY_VERSION,
      path: { name },
      caller: SOMEONE_ELSE,
    });

    // Assess
    expect(result.statusCode).toBe(403);
    expect(await liveGroups(name)).toEqual(['labelers-en']);
    expect(await registryRecord(name)).toMatchObject({ lifecycle: 'active', version: 1 });
  });
});

describe('GET /teams/{name}', () => {
  it('shows owner, version, ETag and Drifted with the differences after an out-of-band change', async () => {
    // Prepare
    const { name } = await givenTeam();
    await sm.send(
      new UpdateWorkteamCommand({
        WorkteamName: name,
        WorkerAccessConfiguration: {
          S3Presign: { IamPolicyConstraints: { SourceIp: 'Disabled', VpcSourceIp: 'Disabled' } },
        },
      }),
    );

    // Act
    const result = await call(getTeam, 'getTeam', 'get-team.json', { path: { name } });

    // Assess
    expect(result.statusCode).toBe(200);
    expect(result.headers.etag).toBe('"v1"');
    expect(result.body).toMatchObject({
      owner: OWNER.sub,
      version: 1,
      status: 'Drifted',
      differences: [{ field: 'workerAccess.sourceIp', desired: 'Enabled', live: 'Disabled' }],
    });
  });
});

describe('when SageMaker throttles or refuses', () => {
  /** The scheduled retry, run as if its backoff were due (an hour later). */
  const retryWhenDue = () => retryPendingTeams({ ...buildTeamDeps(), now: () => new Date(Date.now() + 3_600_000) });

  it('keeps a change made during a throttling storm as Pending (202), and the scheduled retry makes it InSync', async () => {
    // Prepare
    const { name } = await givenTeam();
    await setEmulatorKnobs({ throttleRate: 1 });

    // Act: the change during the storm, then the retry after it
    const during = await call(updateTeam, 'updateTeam', 'update-team.json', {
      path: { name },
      body: { description: 'Changed in a storm' },
    });
    await setEmulatorKnobs({ throttleRate: 0 });
    const retried = await retryWhenDue();
    const after = await call(getTeam, 'getTeam', 'get-team.json', { path: { name } });

    // Assess
    expect(during.statusCode).toBe(202);
    expect(during.body).toMatchObject({
      status: 'Pending',
      version: 2,
      pendingReason: expect.stringContaining('ThrottlingException'),
    });
    expect(retried.applied).toContain(name);
    expect(after.body).toMatchObject({
      status: 'InSync',
      version: 2,
      description: 'Changed in a storm',
      differences: [],
    });
  });

  it('shows the live team in a 202 answer when SageMaker can still be read', async () => {
    // Prepare: only UpdateWorkteam is throttled (every SDK attempt)
    const { name } = await givenTeam();
    await injectEmulatorFault({
      operation: 'UpdateWorkteam',
      errorType: 'ThrottlingException',
      message: 'x',
      count: 3,
    });

    // Act
    const during = await call(updateTeam, 'updateTeam', 'update-team.json', {
      path: { name },
      body: { description: 'Not yet applied' },
    });

    // Assess: Pending, and what SageMaker holds now (its ARN, its dates, the description not yet changed)
    expect(during.statusCode).toBe(202);
    expect(during.body).toMatchObject({
      status: 'Pending',
      arn: expect.stringContaining(name),
      createdAt: expect.any(String),
      description: 'Labels test images',
    });
  });

  it('keeps a deletion made during a storm as Pending (202) until the scheduled retry removes the team', async () => {
    // Prepare
    const { name } = await givenTeam();
    created.pop();
    await setEmulatorKnobs({ throttleRate: 1 });

    // Act
    const during = await call(deleteTeam, 'deleteTeam', 'delete-team.json', { headers: ANY_VERSION, path: { name } });
    await setEmulatorKnobs({ throttleRate: 0 });
    const whilePending = await call(getTeam, 'getTeam', 'get-team.json', { path: { name } });
    const retried = await retryWhenDue();
    const after = await call(getTeam, 'getTeam', 'get-team.json', { path: { name } });

    // Assess
    expect(during.statusCode).toBe(202);
    expect(whilePending.body).toMatchObject({ managed: true, status: 'Pending', version: 2 });
    expect(retried.applied).toContain(name);
    expect(after.statusCode).toBe(404);
    await expect(sm.send(new DescribeWorkteamCommand({ WorkteamName: name }))).rejects.toThrow(/The work team/);
  });

  it('keeps a create whose CreateWorkteam is throttled as Pending, and the identical request again finishes it', async () => {
    // Prepare: every CreateWorkteam attempt of this request is throttled (the SDK tries three times)
    const name = uniqueTeamName('storm');
    await injectEmulatorFault({
      operation: 'CreateWorkteam',
      errorType: 'ThrottlingException',
      message: 'Rate exceeded',
      count: 3,
    });

    // Act
    const during = await call(createTeam, 'createTeam', 'create-team.json', { body: teamBody(name) });
    created.push(name);
    const again = await call(createTeam, 'createTeam', 'create-team.json', { body: teamBody(name) });

    // Assess
    expect(during.statusCode).toBe(202);
    expect(during.body).toMatchObject({ status: 'Pending', arn: null });
    expect(again.statusCode).toBe(200);
    expect(again.body).toMatchObject({ status: 'InSync', arn: expect.stringContaining(name) });
    expect(await liveGroups(name)).toEqual(['labelers-en']);
  });

  it("rolls a refused change back to the last applied version and answers 422 with SageMaker's reason", async () => {
    // Prepare
    const { name } = await givenTeam();
    await injectEmulatorFault({
      operation: 'UpdateWorkteam',
      errorType: 'ValidationException',
      message: 'Group rejected upstream',
    });

    // Act
    const refused = await call(addTeamMembers, 'addTeamMembers', 'add-team-members.json', {
      path: { name },
      body: { cognitoGroups: ['reviewers'] },
    });
    const after = await call(getTeam, 'getTeam', 'get-team.json', { path: { name } });

    // Assess
    expect(refused.statusCode).toBe(422);
    expect(refused.body).toMatchObject({
      error: { code: 'UpstreamRejected', details: { upstreamMessage: 'Group rejected upstream' } },
    });
    expect(after.body).toMatchObject({
      members: { cognitoGroups: ['labelers-en'] },
      status: 'InSync',
      differences: [],
    });
    expect(await liveGroups(name)).toEqual(['labelers-en']);
    const record = await registryRecord(name);
    expect(((record?.history ?? []) as { action: string }[]).map((entry) => entry.action)).toEqual([
      'created',
      'membersAdded',
      'rolledBack',
    ]);
    expect(await subscribedEmails(String(after.body.notificationTopicArn))).toEqual([
      'ana@example.com',
      'ben@example.com',
    ]);
  });

  it('keeps a team whose Cognito group is brand new Pending when SageMaker refuses it, and retries it later', async () => {
    // Prepare: a group created just now, and SageMaker refusing the first CreateWorkteam as it may then
    const group = `new-${uniqueTeamName('g')}`;
    await cognito.send(new CreateGroupCommand({ UserPoolId: process.env.USER_POOL_ID, GroupName: group }));
    const name = uniqueTeamName('settling');
    await injectEmulatorFault({
      operation: 'CreateWorkteam',
      errorType: 'ValidationException',
      message: 'Invalid user group',
    });
    const deps = { ...buildTeamDeps(), groupSettlingMs: 120_000 };

    // Act
    const during = await createTeamUseCase(
      deps,
      actorOf(OWNER),
      parseCreateTeamRequest(teamBody(name, { members: { cognitoGroups: [group] } })),
    );
    created.push(name);
    const retried = await retryWhenDue();

    // Assess
    expect(during.outcome).toBe('pending');
    expect(toManagedTeamView(during.record, during.live, deps.managementTag)).toMatchObject({
      status: 'Pending',
      pendingReason: expect.stringContaining(group),
    });
    expect(retried.applied).toContain(name);
    expect(await liveGroups(name)).toEqual([group]);
  });

  it('answers 500 to an unexpected failure but keeps the change Pending with backoff, and the retry applies it', async () => {
    // Prepare
    const { name } = await givenTeam();
    await injectEmulatorFault({
      operation: 'UpdateWorkteam',
      errorType: 'AccessDeniedException',
      message: 'not allowed',
    });

    // Act
    const failed = await call(updateTeam, 'updateTeam', 'update-team.json', {
      path: { name },
      body: { description: 'Kept anyway' },
    });
    const kept = await registryRecord(name);
    const retried = await retryWhenDue();

    // Assess
    expect(failed.statusCode).toBe(500);
    expect(failed.body).toEqual({ error: { code: 'InternalError', message: expect.any(String) } });
    expect(kept).toMatchObject({
      version: 2,
      applyState: 'Pending',
      spec: { description: 'Kept anyway' },
      retry: { attempts: 1 },
    });
    expect(retried.applied).toContain(name);
    expect((await sm.send(new DescribeWorkteamCommand({ WorkteamName: name }))).Workteam?.Description).toBe(
      'Kept anyway',
    );
  });

  it('closes the record of a creation SageMaker refuses and leaves no topic behind', async () => {
    // Prepare
    const name = uniqueTeamName('refused');
    await injectEmulatorFault({
      operation: 'CreateWorkteam',
      errorType: 'ValidationException',
      message: 'Refused upstream',
    });

    // Act
    const refused = await call(createTeam, 'createTeam', 'create-team.json', { body: teamBody(name) });

    // Assess
    expect(refused.statusCode).toBe(422);
    expect(await registryRecord(name)).toMatchObject({ lifecycle: 'deleted' });
    const topicArn = `arn:aws:sns:us-east-1:000000000000:${process.env.TOPIC_PREFIX}${name}`;
    await expect(topics.send(new GetTopicAttributesCommand({ TopicArn: topicArn }))).rejects.toThrow();
    expect((await call(getTeam, 'getTeam', 'get-team.json', { path: { name } })).statusCode).toBe(404);
  });
});
