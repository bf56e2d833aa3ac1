/**
 * The Cognito sync, invoked as EventBridge (and `serverless invoke local`) invokes it with the events/ files:
 * each test makes the real change in cognito-local first, then feeds the matching CloudTrail event, and reads
 * the outcome from SNS (fauxqs) and SageMaker.
 */
import { randomUUID } from 'node:crypto';
import {
  AdminAddUserToGroupCommand,
  AdminDeleteUserCommand,
  AdminDisableUserCommand,
  AdminEnableUserCommand,
  AdminRemoveUserFromGroupCommand,
  AdminUpdateUserAttributesCommand,
  CreateGroupCommand,
  DeleteGroupCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { ListSubscriptionsByTopicCommand } from '@aws-sdk/client-sns';
import { buildTeamDeps } from '#lib/deps';
import { syncCognitoChange } from '#lib/use-cases/sync-cognito';
import { handler as addTeamMembers } from '../../functions/add-team-members';
import { handler as cognitoSync } from '../../functions/cognito-sync';
import { handler as getTeam } from '../../functions/get-team';
import { cognito, givenGroup, givenUser, pool, subOf } from '../support/cognito';
import { lambdaContext, loadEvent } from '../support/invoke';
import {
  createdTeams,
  givenTeam,
  liveTeam,
  operationsInbox,
  registryRecord,
  retireCreatedTeams,
  topicArnOf,
} from '../support/steps';
import { call, emulatorCalls, OWNER, resetEmulatorCalls, sns, uniqueTeamName } from '../support/teams';

const topics = sns();

afterEach(retireCreatedTeams);

async function subscribed(team: string): Promise<string[]> {
  const { Subscriptions } = await topics.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArnOf(team) }));
  return (Subscriptions ?? []).filter((s) => s.Protocol === 'email').map((s) => s.Endpoint ?? '');
}

/** The events/ file of that kind, for this stack's user pool, with its own eventID unless one is given. */
function cloudTrailEvent(
  file: string,
  changes: { groupName?: string; eventId?: string; userPoolId?: string; sub?: string } = {},
) {
  const event = loadEvent<{
    detail: { eventID: string; requestParameters: Record<string, string>; additionalEventData?: { sub: string } };
  }>(file);
  if (changes.sub) event.detail.additionalEventData = { sub: changes.sub };
  event.detail.eventID = changes.eventId ?? randomUUID();
  event.detail.requestParameters.userPoolId = changes.userPoolId ?? pool();
  if (changes.groupName) event.detail.requestParameters.groupName = changes.groupName;
  return event;
}

const sync = (event: unknown) =>
  cognitoSync(event as never, lambdaContext('cognitoSync')) as Promise<{ ignored?: string; teams: unknown[] }>;

describe('cognitoSync', () => {
  it('subscribes a user added to a group to the topic of every managed team with that group', async () => {
    // Prepare: two teams with the group, and the user added to it in Cognito
    const group = await givenGroup('sync');
    const first = await givenTeam(uniqueTeamName('sync'), { members: { cognitoGroups: [group] } });
    const second = await givenTeam(uniqueTeamName('sync'), { members: { cognitoGroups: ['labelers-en', group] } });
    const user = await givenUser();
    await cognito.send(
      new AdminAddUserToGroupCommand({ UserPoolId: pool(), Username: user.username, GroupName: group }),
    );

    // Act
    const result = await sync(cloudTrailEvent('cognito-add-user-to-group.json', { groupName: group }));

    // Assess
    expect(result.teams).toHaveLength(2);
    expect(await subscribed(first.name)).toContain(user.email);
    expect(await subscribed(second.name)).toContain(user.email);
  });

  it('unsubscribes a user removed from a group, unless another group of the same team still holds them', async () => {
    // Prepare: the user in two groups; team A has one of them, team B both
    const [left, kept] = [await givenGroup('sync'), await givenGroup('sync')];
    const onlyLeft = await givenTeam(uniqueTeamName('sync'), { members: { cognitoGroups: [left] } });
    const both = await givenTeam(uniqueTeamName('sync'), { members: { cognitoGroups: [left, kept] } });
    const user = await givenUser();
    for (const group of [left, kept]) {
      await cognito.send(
        new AdminAddUserToGroupCommand({ UserPoolId: pool(), Username: user.username, GroupName: group }),
      );
    }
    await sync(cloudTrailEvent('cognito-add-user-to-group.json', { groupName: left }));
    await cognito.send(
      new AdminRemoveUserFromGroupCommand({ UserPoolId: pool(), Username: user.username, GroupName: left }),
    );

    // Act
    await sync(cloudTrailEvent('cognito-remove-user-from-group.json', { groupName: left }));

    // Assess
    expect(await subscribed(onlyLeft.name)).not.toContain(user.email);
    expect(await subscribed(both.name)).toContain(user.email);
  });

  it('unsubscribes a disabled user from every team (CloudTrail names the user only by sub)', async () => {
    // Prepare
    const group = await givenGroup('sync');
    const user = await givenUser();
    await cognito.send(
      new AdminAddUserToGroupCommand({ UserPoolId: pool(), Username: user.username, GroupName: group }),
    );
    const team = await givenTeam(uniqueTeamName('sync'), { members: { cognitoGroups: [group] } });
    const elsewhere = await givenTeam(uniqueTeamName('sync'), {
      members: { cognitoGroups: [await givenGroup('sync')] },
    });
    const before = await subscribed(team.name);
    await cognito.send(new AdminDisableUserCommand({ UserPoolId: pool(), Username: user.username }));

    // Act: the user resolved from the sub; only the teams of the user's groups concern it
    const result = await sync(cloudTrailEvent('cognito-disable-user.json', { sub: await subOf(user.username) }));

    // Assess
    expect(before).toContain(user.email);
    expect(await subscribed(team.name)).not.toContain(user.email);
    expect(result.teams).toEqual([{ name: team.name, outcome: 'applied' }]);
    expect(result.teams).not.toContainEqual(expect.objectContaining({ name: elsewhere.name }));
  });

  it('subscribes a user enabled again', async () => {
    // Prepare: a disabled member of the team's group, unsubscribed
    const group = await givenGroup('sync');
    const user = await givenUser();
    await cognito.send(
      new AdminAddUserToGroupCommand({ UserPoolId: pool(), Username: user.username, GroupName: group }),
    );
    await cognito.send(new AdminDisableUserCommand({ UserPoolId: pool(), Username: user.username }));
    const team = await givenTeam(uniqueTeamName('sync'), { members: { cognitoGroups: [group] } });
    const before = await subscribed(team.name);
    await cognito.send(new AdminEnableUserCommand({ UserPoolId: pool(), Username: user.username }));

    // Act
    await sync(cloudTrailEvent('cognito-enable-user.json', { sub: await subOf(user.username) }));

    // Assess
    expect(before).not.toContain(user.email);
    expect(await subscribed(team.name)).toContain(user.email);
  });

  it('moves the subscription of a user whose e-mail address changed: the old one goes, the new one comes', async () => {
    // Prepare
    const group = await givenGroup('sync');
    const user = await givenUser();
    await cognito.send(
      new AdminAddUserToGroupCommand({ UserPoolId: pool(), Username: user.username, GroupName: group }),
    );
    const team = await givenTeam(uniqueTeamName('sync'), { members: { cognitoGroups: [group] } });
    const newEmail = `moved-${user.username}@example.com`;
    await cognito.send(
      new AdminUpdateUserAttributesCommand({
        UserPoolId: pool(),
        Username: user.username,
        UserAttributes: [{ Name: 'email', Value: newEmail }],
      }),
    );

    // Act
    await sync(cloudTrailEvent('cognito-update-user-attributes.json', { sub: await subOf(user.username) }));

    // Assess
    const after = await subscribed(team.name);
    expect(after).toContain(newEmail);
    expect(after).not.toContain(user.email);
  });

  it('unsubscribes a deleted user, whom the pool no longer knows, from every team with notifications', async () => {
    // Prepare
    const group = await givenGroup('sync');
    const user = await givenUser();
    await cognito.send(
      new AdminAddUserToGroupCommand({ UserPoolId: pool(), Username: user.username, GroupName: group }),
    );
    const team = await givenTeam(uniqueTeamName('sync'), { members: { cognitoGroups: [group] } });
    const other = await givenTeam(uniqueTeamName('sync'));
    const sub = await subOf(user.username);
    const before = await subscribed(team.name);
    await cognito.send(new AdminDeleteUserCommand({ UserPoolId: pool(), Username: user.username }));

    // Act
    const result = await sync(cloudTrailEvent('cognito-delete-user.json', { sub }));

    // Assess
    expect(before).toContain(user.email);
    expect(await subscribed(team.name)).not.toContain(user.email);
    expect(result.teams.map((entry) => (entry as { name: string }).name)).toEqual(
      expect.arrayContaining([team.name, other.name]),
    );
  });

  it('ends in the state the pool holds whatever the order: a remove delivered before its add changes nothing', async () => {
    // Prepare: the user was added, then removed; the events arrive the other way round
    const group = await givenGroup('sync');
    const team = await givenTeam(uniqueTeamName('sync'), { members: { cognitoGroups: [group] } });
    const user = await givenUser();
    await cognito.send(
      new AdminAddUserToGroupCommand({ UserPoolId: pool(), Username: user.username, GroupName: group }),
    );
    await cognito.send(
      new AdminRemoveUserFromGroupCommand({ UserPoolId: pool(), Username: user.username, GroupName: group }),
    );

    // Act
    await sync(cloudTrailEvent('cognito-remove-user-from-group.json', { groupName: group }));
    await sync(cloudTrailEvent('cognito-add-user-to-group.json', { groupName: group }));

    // Assess
    expect(await subscribed(team.name)).not.toContain(user.email);
  });

  it('processes the same event (CloudTrail eventID) once: a duplicate calls nothing', async () => {
    // Prepare
    const group = await givenGroup('sync');
    const team = await givenTeam(uniqueTeamName('sync'), { members: { cognitoGroups: [group] } });
    const user = await givenUser();
    await cognito.send(
      new AdminAddUserToGroupCommand({ UserPoolId: pool(), Username: user.username, GroupName: group }),
    );
    const event = cloudTrailEvent('cognito-add-user-to-group.json', { groupName: group });
    const first = await sync(event);
    await resetEmulatorCalls();

    // Act
    const again = await sync(event);

    // Assess
    expect(again).toEqual(first);
    expect(await emulatorCalls()).toEqual({});
    expect(await subscribed(team.name)).toEqual([user.email]);
  });

  it('takes a deleted group out of every team that has it, as the system, and SageMaker follows', async () => {
    // Prepare
    const group = await givenGroup('sync');
    const team = await givenTeam(uniqueTeamName('sync'), { members: { cognitoGroups: ['labelers-en', group] } });
    await cognito.send(new DeleteGroupCommand({ UserPoolId: pool(), GroupName: group }));

    // Act
    const result = await sync(cloudTrailEvent('cognito-delete-group.json', { groupName: group }));

    // Assess
    expect(result.teams).toEqual([{ name: team.name, outcome: 'applied' }]);
    const live = await liveTeam(team.name);
    expect(live?.MemberDefinitions?.map((d) => d.CognitoMemberDefinition?.UserGroup)).toEqual(['labelers-en']);
    const record = await registryRecord(team.name);
    expect(record?.spec.members).toEqual({ cognitoGroups: ['labelers-en'] });
    expect(record?.history.at(-1)).toMatchObject({ by: 'system', action: 'memberRemoved' });
    const shown = await call(getTeam, 'getTeam', 'get-team.json', { path: { name: team.name } });
    expect(shown.body).toMatchObject({ status: 'InSync', members: { cognitoGroups: ['labelers-en'] } });
  });

  it('marks a team whose last group is deleted Orphaned (neither broken nor deleted) and tells its owner once', async () => {
    // Prepare
    const inbox = await operationsInbox();
    const group = await givenGroup('sync');
    const worker = await givenUser([group]);
    const team = await givenTeam(uniqueTeamName('sync'), { members: { cognitoGroups: [group] } });
    const before = await subscribed(team.name);
    await cognito.send(new DeleteGroupCommand({ UserPoolId: pool(), GroupName: group }));

    // Act: the event, and the same deletion delivered again under another eventID
    const result = await sync(cloudTrailEvent('cognito-delete-group.json', { groupName: group }));
    const after = await subscribed(team.name);
    const again = await sync(cloudTrailEvent('cognito-delete-group.json', { groupName: group }));
    const shown = await call(getTeam, 'getTeam', 'get-team.json', { path: { name: team.name } });

    // Assess
    expect(result.teams).toEqual([{ name: team.name, outcome: 'orphaned' }]);
    expect(again.teams).toEqual([{ name: team.name, outcome: 'unchanged' }]);
    // The deleted group's workers no longer get the team's notifications
    expect(before).toEqual([worker.email]);
    expect(after).toEqual([]);
    expect(shown.statusCode).toBe(200);
    expect(shown.body).toMatchObject({
      managed: true,
      status: 'Orphaned',
      pendingReason: expect.stringContaining(group),
    });
    expect(await liveTeam(team.name)).toMatchObject({ WorkteamName: team.name });
    expect(await inbox.alertsAbout(team.name)).toEqual([
      expect.objectContaining({ event: 'TeamOrphaned', team: team.name, owner: OWNER.sub, group }),
    ]);
  });

  it('lets the owner bring an Orphaned team back by adding a group', async () => {
    // Prepare: an Orphaned team
    const group = await givenGroup('sync');
    const team = await givenTeam(uniqueTeamName('sync'), { members: { cognitoGroups: [group] } });
    await cognito.send(new DeleteGroupCommand({ UserPoolId: pool(), GroupName: group }));
    await sync(cloudTrailEvent('cognito-delete-group.json', { groupName: group }));

    // Act
    const added = await call(addTeamMembers, 'addTeamMembers', 'add-team-members.json', {
      path: { name: team.name },
      body: { cognitoGroups: ['reviewers'] },
    });

    // Assess: no longer Orphaned; SageMaker has the new group (the deleted one cannot be a member)
    expect(added.statusCode).toBe(200);
    expect(added.body.status).not.toBe('Orphaned');
    const live = await liveTeam(team.name);
    expect(live?.MemberDefinitions?.map((d) => d.CognitoMemberDefinition?.UserGroup)).toEqual(['reviewers']);
  });

  it("provisions a team for a new group of the policy's form (labelers-<team>), from the policy's defaults", async () => {
    // Prepare: the group is created in Cognito
    const team = uniqueTeamName('auto');
    const group = `labelers-${team}`;
    await cognito.send(new CreateGroupCommand({ UserPoolId: pool(), GroupName: group }));

    // Act
    const result = await sync(cloudTrailEvent('cognito-create-group.json', { groupName: group }));
    createdTeams.push(team);
    const shown = await call(getTeam, 'getTeam', 'get-team.json', { path: { name: team } });

    // Assess
    expect(result.teams).toEqual([{ name: team, outcome: 'applied' }]);
    expect(shown.body).toMatchObject({
      managed: true,
      owner: 'system',
      status: 'InSync',
      members: { cognitoGroups: [group] },
      workerAccess: { sourceIp: 'Enabled', vpcSourceIp: 'Disabled' },
      tags: { classification: 'internal', 'cost-center': 'labeling' },
    });
  });

  it('adds a new group of that form to its team when the team exists', async () => {
    // Prepare: the team exists (requested over the API), then its labelers group is created
    const team = await givenTeam(uniqueTeamName('auto'));
    const group = `labelers-${team.name}`;
    await cognito.send(new CreateGroupCommand({ UserPoolId: pool(), GroupName: group }));

    // Act
    const result = await sync(cloudTrailEvent('cognito-create-group.json', { groupName: group }));

    // Assess
    expect(result.teams).toEqual([{ name: team.name, outcome: 'applied' }]);
    expect((await registryRecord(team.name))?.spec.members).toEqual({ cognitoGroups: ['labelers-en', group] });
  });

  it('leaves alone new groups of other forms, and teams of that name it does not manage', async () => {
    // Prepare: image-labelers is a seeded team nobody here manages
    await cognito.send(new CreateGroupCommand({ UserPoolId: pool(), GroupName: 'labelers-image-labelers' }));

    // Act
    const other = await sync(cloudTrailEvent('cognito-create-group.json', { groupName: await givenGroup('sync') }));
    const unmanaged = await sync(
      cloudTrailEvent('cognito-create-group.json', { groupName: 'labelers-image-labelers' }),
    );

    // Assess
    expect(other).toEqual({ ignored: 'not a group the policy provisions a team for', teams: [] });
    expect(unmanaged).toEqual({ ignored: 'a team of that name exists and is not managed here', teams: [] });
    expect(await registryRecord('image-labelers')).toBeUndefined();
  });

  it('ignores a group event the pool no longer agrees with (a late DeleteGroup after the group came back)', async () => {
    // Prepare: the group was deleted and created again; the deletion's event arrives last
    const group = await givenGroup('sync');
    const team = await givenTeam(uniqueTeamName('sync'), { members: { cognitoGroups: ['labelers-en', group] } });

    // Act
    const late = await sync(cloudTrailEvent('cognito-delete-group.json', { groupName: group }));

    // Assess
    expect(late).toEqual({ ignored: 'the pool no longer agrees', teams: [] });
    expect((await registryRecord(team.name))?.spec.members).toEqual({ cognitoGroups: ['labelers-en', group] });
  });

  it('tells the owner of an Orphaned team when the event is delivered again after the alert failed', async () => {
    // Prepare: an alerts port whose first message fails
    const inbox = await operationsInbox();
    const group = await givenGroup('sync');
    const team = await givenTeam(uniqueTeamName('sync'), { members: { cognitoGroups: [group] } });
    await cognito.send(new DeleteGroupCommand({ UserPoolId: pool(), GroupName: group }));
    const deps = buildTeamDeps();
    let failures = 1;
    const flaky = {
      ...deps,
      alerts: {
        ...deps.alerts,
        teamOrphaned: async (orphan: Parameters<typeof deps.alerts.teamOrphaned>[0]) => {
          if (failures-- > 0) throw Object.assign(new Error('SNS down'), { name: 'InternalError' });
          await deps.alerts.teamOrphaned(orphan);
        },
      },
    };
    const change = { eventId: randomUUID(), eventName: 'DeleteGroup' as const, userPoolId: pool(), groupName: group };

    // Act: the first delivery fails on the alert; EventBridge delivers it again
    const first = syncCognitoChange(flaky, pool(), change);
    await expect(first).rejects.toThrow('SNS down');
    await syncCognitoChange(flaky, pool(), change);

    // Assess
    expect(await inbox.alertsAbout(team.name)).toHaveLength(1);
    expect(await registryRecord(team.name)).toMatchObject({ orphaned: { group, ownerTold: true } });
  });

  it('ignores events of another user pool, and groups no managed team includes', async () => {
    // Act
    const otherPool = await sync(cloudTrailEvent('cognito-add-user-to-group.json', { userPoolId: 'us-east-1_Other1' }));
    const noTeam = await sync(
      cloudTrailEvent('cognito-add-user-to-group.json', { groupName: await givenGroup('sync') }),
    );

    // Assess
    expect(otherPool).toEqual({ ignored: 'another user pool', teams: [] });
    expect(noTeam).toEqual({ ignored: 'no managed team is concerned', teams: [] });
  });

  it.each([
    'cognito-create-group.json',
    'cognito-add-user-to-group.json',
    'cognito-remove-user-from-group.json',
    'cognito-delete-group.json',
    'cognito-disable-user.json',
    'cognito-enable-user.json',
    'cognito-delete-user.json',
    'cognito-update-user-attributes.json',
  ])(
    'reads events/%s as it is (a user runs it with invoke local): another pool than the local one, ignored',
    async (file) => {
      // Act
      const result = await sync(loadEvent(file));

      // Assess
      expect(result).toEqual({ ignored: 'another user pool', teams: [] });
    },
  );

  it('refuses a malformed event (a group event without its group) and applies nothing', async () => {
    // Prepare
    const event = cloudTrailEvent('cognito-add-user-to-group.json');
    delete event.detail.requestParameters.groupName;

    // Act / Assess
    await expect(sync(event)).rejects.toMatchObject({ name: 'ParseError' });
  });
});
