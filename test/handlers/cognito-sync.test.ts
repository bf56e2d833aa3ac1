/**
 * The Cognito sync, invoked as Lambda's SQS event source mapping invokes it: CloudTrail events (the events/
 * files) as the bodies of a batch of messages from the cognito-changes queue. Each test makes the real change in
 * cognito-local first, then feeds the matching events, and reads the outcome from SNS and SageMaker; what a
 * batch did to each team comes from the use case itself where a test needs it.
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
import { buildTeamDeps } from '#lib/composition/teams';
import type { CognitoChange } from '#lib/domain/cognito-changes';
import { cognitoClient } from '#lib/runtime/clients/cognito';
import { snsClient } from '#lib/runtime/clients/sns';
import { loadConfig, teamsConfigSchema } from '#lib/runtime/config';
import { syncCognitoChanges } from '#lib/use-cases/cognito-sync/batch';
import { handler as addTeamMembers } from '../../functions/add-team-members';
import { handler as getTeam } from '../../functions/get-team';
import { cognito, givenGroup, givenUser, pool, subOf } from '../support/cognito';
import { deliverToCognitoSync } from '../support/cognito-sync';
import { clear, countCommands } from '../support/in-flight';
import { loadEvent } from '../support/invoke';
import { advanceSnsClock, confirmationMails, confirmSubscriptions, unsubscribeByLink } from '../support/mailbox';
import { emulatorCalls, resetEmulatorCalls } from '../support/sagemaker-emulator-control';
import {
  createdTeams,
  givenTeam,
  liveTeam,
  operationsInbox,
  registryRecord,
  retireCreatedTeams,
  topicArnOf,
} from '../support/steps';
import { hubTarget } from '../support/targets';
import { call, OWNER, sns, uniqueTeamName } from '../support/teams';

const topics = sns();

afterEach(retireCreatedTeams);

async function subscribed(team: string): Promise<string[]> {
  const { Subscriptions } = await topics.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArnOf(team) }));
  return (Subscriptions ?? []).filter((s) => s.Protocol === 'email').map((s) => s.Endpoint ?? '');
}

type CloudTrailEvent = {
  detail: {
    eventID: string;
    eventName: string;
    errorCode?: string;
    requestParameters: Record<string, string>;
    additionalEventData?: { sub: string };
  };
};

/** The events/ file of that kind, for this stack's user pool, with its own eventID unless one is given. */
function cloudTrailEvent(
  file: string,
  changes: { groupName?: string; eventId?: string; userPoolId?: string; sub?: string } = {},
) {
  const event = loadEvent<CloudTrailEvent>(file);
  if (changes.sub) event.detail.additionalEventData = { sub: changes.sub };
  event.detail.eventID = changes.eventId ?? randomUUID();
  event.detail.requestParameters.userPoolId = changes.userPoolId ?? pool();
  if (changes.groupName) event.detail.requestParameters.groupName = changes.groupName;
  return event;
}

/** Delivers the events as one batch; answers the messages the function wants delivered again. */
const sync = (...events: unknown[]) => deliverToCognitoSync(events);

/** The change an event stands for, as the function reads it. */
function changeOf(event: CloudTrailEvent): CognitoChange {
  const { eventID: eventId, eventName, requestParameters, additionalEventData } = event.detail;
  if (requestParameters.groupName)
    return { eventId, eventName, groupName: requestParameters.groupName } as CognitoChange;
  return { eventId, eventName, sub: additionalEventData?.sub } as CognitoChange;
}

/** What the batch did to each team, from the use case the function runs. */
const outcomes = (...events: CloudTrailEvent[]) => syncCognitoChanges(buildTeamDeps(), pool(), events.map(changeOf));

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
    const failures = await sync(cloudTrailEvent('cognito-add-user-to-group.json', { groupName: group }));

    // Assess
    expect(failures).toEqual([]);
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
    await confirmSubscriptions(topicArnOf(onlyLeft.name), [user.email]);
    await confirmSubscriptions(topicArnOf(both.name), [user.email]);
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
    await confirmSubscriptions(topicArnOf(team.name), [user.email]);
    await cognito.send(new AdminDisableUserCommand({ UserPoolId: pool(), Username: user.username }));

    // Act: the user resolved from the sub; only the teams of the user's groups concern it
    const result = await outcomes(cloudTrailEvent('cognito-disable-user.json', { sub: await subOf(user.username) }));

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
    await confirmSubscriptions(topicArnOf(team.name), [user.email]);
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
    await confirmSubscriptions(topicArnOf(team.name), [user.email]);
    await cognito.send(new AdminDeleteUserCommand({ UserPoolId: pool(), Username: user.username }));

    // Act
    const result = await outcomes(cloudTrailEvent('cognito-delete-user.json', { sub }));

    // Assess
    expect(before).toContain(user.email);
    expect(await subscribed(team.name)).not.toContain(user.email);
    expect(result.teams.map((entry) => entry.name)).toEqual(expect.arrayContaining([team.name, other.name]));
  });

  it('resolves a user event without a sub, or with one that is no UUID, to nobody (never to every team)', async () => {
    // Prepare
    await givenTeam(uniqueTeamName('sync'));
    const noSub = cloudTrailEvent('cognito-delete-user.json');
    delete noSub.detail.additionalEventData;
    const notUuid = cloudTrailEvent('cognito-delete-user.json', { sub: '*' });
    await resetEmulatorCalls();

    // Act
    const result = await outcomes(noSub, notUuid);
    const failures = await sync(noSub, notUuid);

    // Assess
    expect(result.teams).toEqual([]);
    expect(result.ignored.map((entry) => entry.reason)).toEqual(['the event names no user', 'the event names no user']);
    expect(failures).toEqual([]);
    expect(await emulatorCalls()).toEqual({});
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

  it('coalesces a burst: a batch lists each group once and reconciles each team once, however many events', async () => {
    // Prepare: 30 users added to a group two teams share, each add its own event, and the same events again
    const config = loadConfig(teamsConfigSchema());
    const cognitoCalls = countCommands(cognitoClient(config, hubTarget()), 'cognito-burst');
    const snsCalls = countCommands(snsClient(config, hubTarget()), 'sns-burst');
    const group = await givenGroup('burst');
    const teams = [
      await givenTeam(uniqueTeamName('burst'), { members: { cognitoGroups: [group] } }),
      await givenTeam(uniqueTeamName('burst'), { members: { cognitoGroups: [group] } }),
    ];
    const users = [];
    for (let index = 0; index < 30; index++) users.push(await givenUser([group]));
    const events = users.map(() => cloudTrailEvent('cognito-add-user-to-group.json', { groupName: group }));
    clear(cognitoCalls);
    clear(snsCalls);
    await resetEmulatorCalls();

    // Act: one batch, every event twice (EventBridge and SQS deliver at least once)
    const failures = await sync(...events, ...events);

    // Assess: one listing of the group, one subscription per worker and team, no topic made again
    expect(failures).toEqual([]);
    expect(cognitoCalls).toEqual({ ListUsersInGroup: 1 });
    expect(snsCalls.Subscribe).toBe(60);
    expect(snsCalls.CreateTopic).toBeUndefined();
    for (const team of teams) {
      expect((await subscribed(team.name)).sort()).toEqual(users.map((user) => user.email).sort());
    }
  });

  it('asks a worker to confirm once: not again while pending, nor once SNS dropped the unanswered mail, until the window has passed', async () => {
    // Prepare: a team of a group; a worker joins it
    const group = await givenGroup('mail');
    const team = await givenTeam(uniqueTeamName('mail'), { members: { cognitoGroups: [group] } });
    const worker = await givenUser();
    await cognito.send(
      new AdminAddUserToGroupCommand({ UserPoolId: pool(), Username: worker.username, GroupName: group }),
    );
    const added = cloudTrailEvent('cognito-add-user-to-group.json', { groupName: group });
    const mails = async () =>
      (await confirmationMails(topicArnOf(team.name))).filter((m) => m.address === worker.email);

    // Act: the event, again (pending), after SNS dropped the unanswered subscription, and 8 days later
    await sync(added);
    const first = (await mails()).length;
    await sync(cloudTrailEvent('cognito-add-user-to-group.json', { groupName: group }));
    const whilePending = (await mails()).length;
    await advanceSnsClock(49 * 3_600_000);
    await sync(cloudTrailEvent('cognito-add-user-to-group.json', { groupName: group }));
    const afterDrop = (await mails()).length;
    const droppedAndNotAsked = await subscribed(team.name);
    const later = { ...buildTeamDeps(), now: () => new Date(Date.now() + 8 * 24 * 3_600_000) };
    await syncCognitoChanges(later, pool(), [
      changeOf(cloudTrailEvent('cognito-add-user-to-group.json', { groupName: group })),
    ]);

    // Assess
    expect([first, whilePending, afterDrop]).toEqual([1, 1, 1]);
    expect(droppedAndNotAsked).not.toContain(worker.email);
    expect((await mails()).length).toBe(2);
    expect(await subscribed(team.name)).toContain(worker.email);
  });

  it("never asks again a worker who unsubscribed from the mail's link, until they leave the team's groups and rejoin", async () => {
    // Prepare: a confirmed worker who then clicks "unsubscribe"
    const group = await givenGroup('optout');
    const worker = await givenUser([group]);
    const team = await givenTeam(uniqueTeamName('optout'), { members: { cognitoGroups: [group] } });
    const topic = topicArnOf(team.name);
    await confirmSubscriptions(topic, [worker.email]);
    await sync(cloudTrailEvent('cognito-add-user-to-group.json', { groupName: group }));
    await unsubscribeByLink(topic, worker.email);
    const mails = async () => (await confirmationMails(topic)).filter((m) => m.address === worker.email).length;

    // Act: another change of the group; then the worker leaves and rejoins
    await sync(cloudTrailEvent('cognito-add-user-to-group.json', { groupName: group }));
    const afterOptOut = { mails: await mails(), subscribed: await subscribed(team.name) };
    await cognito.send(
      new AdminRemoveUserFromGroupCommand({ UserPoolId: pool(), Username: worker.username, GroupName: group }),
    );
    await sync(cloudTrailEvent('cognito-remove-user-from-group.json', { groupName: group }));
    await cognito.send(
      new AdminAddUserToGroupCommand({ UserPoolId: pool(), Username: worker.username, GroupName: group }),
    );
    await sync(cloudTrailEvent('cognito-add-user-to-group.json', { groupName: group }));

    // Assess
    expect(afterOptOut).toEqual({ mails: 1, subscribed: [] });
    expect(await mails()).toBe(2);
    expect(await subscribed(team.name)).toEqual([worker.email]);
  });

  it('takes a deleted group out of every team that has it, as the system, and SageMaker follows', async () => {
    // Prepare
    const group = await givenGroup('sync');
    const team = await givenTeam(uniqueTeamName('sync'), { members: { cognitoGroups: ['labelers-en', group] } });
    await cognito.send(new DeleteGroupCommand({ UserPoolId: pool(), GroupName: group }));

    // Act
    const result = await outcomes(cloudTrailEvent('cognito-delete-group.json', { groupName: group }));

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
    await confirmSubscriptions(topicArnOf(team.name), [worker.email]);
    await cognito.send(new DeleteGroupCommand({ UserPoolId: pool(), GroupName: group }));

    // Act: the event, and the same deletion delivered again under another eventID
    const result = await outcomes(cloudTrailEvent('cognito-delete-group.json', { groupName: group }));
    const after = await subscribed(team.name);
    const again = await outcomes(cloudTrailEvent('cognito-delete-group.json', { groupName: group }));
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
    const result = await outcomes(cloudTrailEvent('cognito-create-group.json', { groupName: group }));
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
    const failures = await sync(cloudTrailEvent('cognito-create-group.json', { groupName: group }));

    // Assess
    expect(failures).toEqual([]);
    expect((await registryRecord(team.name))?.spec.members).toEqual({ cognitoGroups: ['labelers-en', group] });
  });

  it('leaves alone new groups of other forms, and teams of that name it does not manage', async () => {
    // Prepare: image-labelers is a seeded team nobody here manages
    await cognito.send(new CreateGroupCommand({ UserPoolId: pool(), GroupName: 'labelers-image-labelers' }));

    // Act
    const other = await outcomes(cloudTrailEvent('cognito-create-group.json', { groupName: await givenGroup('sync') }));
    const unmanaged = await outcomes(
      cloudTrailEvent('cognito-create-group.json', { groupName: 'labelers-image-labelers' }),
    );

    // Assess
    expect(other.ignored.map((entry) => entry.reason)).toEqual(['not a group the policy provisions a team for']);
    expect(unmanaged.ignored.map((entry) => entry.reason)).toEqual([
      'a team of that name exists and is not managed here',
    ]);
    expect(await registryRecord('image-labelers')).toBeUndefined();
  });

  it('ignores a group event the pool no longer agrees with (a late DeleteGroup after the group came back)', async () => {
    // Prepare: the group was deleted and created again; the deletion's event arrives last
    const group = await givenGroup('sync');
    const team = await givenTeam(uniqueTeamName('sync'), { members: { cognitoGroups: ['labelers-en', group] } });

    // Act
    const late = await outcomes(cloudTrailEvent('cognito-delete-group.json', { groupName: group }));

    // Assess
    expect(late).toMatchObject({ teams: [], ignored: [{ reason: 'the pool no longer agrees' }], failed: [] });
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
    const change: CognitoChange = { eventId: randomUUID(), eventName: 'DeleteGroup', groupName: group };

    // Act: the first delivery fails on the alert; SQS delivers it again
    const first = await syncCognitoChanges(flaky, pool(), [change]);
    const second = await syncCognitoChanges(flaky, pool(), [change]);

    // Assess
    expect(first.failed).toEqual([change.eventId]);
    expect(second.failed).toEqual([]);
    expect(await inbox.alertsAbout(team.name)).toHaveLength(1);
    expect(await registryRecord(team.name)).toMatchObject({ orphaned: { group, ownerTold: true } });
  });

  it('reports only the events of the team that failed: the others of the batch are done', async () => {
    // Prepare: two groups, a team each; the directory cannot list the first group
    const [broken, fine] = [await givenGroup('sync'), await givenGroup('sync')];
    await givenTeam(uniqueTeamName('sync'), { members: { cognitoGroups: [broken] } });
    const ok = await givenTeam(uniqueTeamName('sync'), { members: { cognitoGroups: [fine] } });
    const user = await givenUser([fine]);
    const deps = buildTeamDeps();
    const failing = {
      ...deps,
      directory: {
        ...deps.directory,
        emailsOfGroups: async (userPool: string, groups: string[]) => {
          if (groups.includes(broken)) throw Object.assign(new Error('boom'), { name: 'AccessDeniedException' });
          return deps.directory.emailsOfGroups(userPool, groups);
        },
      },
    };
    const events = [broken, fine].map((groupName) =>
      changeOf(cloudTrailEvent('cognito-add-user-to-group.json', { groupName })),
    );

    // Act
    const result = await syncCognitoChanges(failing, pool(), events);

    // Assess
    expect(result.failed).toEqual([events[0]?.eventId]);
    expect(result.teams).toEqual([{ name: ok.name, outcome: 'applied' }]);
    expect(await subscribed(ok.name)).toContain(user.email);
  });

  it('ignores events of another user pool, failed calls, and groups no managed team includes', async () => {
    // Prepare: a refused call's record may lack what a successful one has (here: the group)
    const failedCall = cloudTrailEvent('cognito-add-user-to-group.json');
    failedCall.detail.errorCode = 'UserNotFoundException';
    delete failedCall.detail.requestParameters.groupName;
    await resetEmulatorCalls();

    // Act
    const failures = await sync(
      cloudTrailEvent('cognito-add-user-to-group.json', { userPoolId: 'us-east-1_Other1' }),
      failedCall,
    );
    const noTeam = await outcomes(
      cloudTrailEvent('cognito-add-user-to-group.json', { groupName: await givenGroup('sync') }),
    );

    // Assess
    expect(failures).toEqual([]);
    expect(noTeam).toMatchObject({ teams: [], ignored: [{ reason: 'no managed team is concerned' }], failed: [] });
    expect(await emulatorCalls()).toEqual({});
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
  ])('reads events/%s as it is (another pool than the local one): taken, and nothing done', async (file) => {
    // Prepare
    await resetEmulatorCalls();

    // Act
    const failures = await sync(loadEvent(file));

    // Assess
    expect(failures).toEqual([]);
    expect(await emulatorCalls()).toEqual({});
  });

  it('refuses a malformed message (a group event without its group, another source, no JSON) alone', async () => {
    // Prepare
    const noGroup = cloudTrailEvent('cognito-add-user-to-group.json');
    delete noGroup.detail.requestParameters.groupName;
    const otherSource = { ...cloudTrailEvent('cognito-add-user-to-group.json'), source: 'aws.sagemaker' };
    const emailAsId = cloudTrailEvent('cognito-add-user-to-group.json', { eventId: 'ana@example.com' });
    const group = await givenGroup('sync');
    const team = await givenTeam(uniqueTeamName('sync'), { members: { cognitoGroups: [group] } });
    const user = await givenUser([group]);

    // Act
    const failures = await sync(
      noGroup,
      otherSource,
      'not json',
      emailAsId,
      cloudTrailEvent('cognito-add-user-to-group.json', { groupName: group }),
    );

    // Assess: the four refused come again (and end in the dead-letter queue); the good one is done
    expect(failures).toEqual(['message-0', 'message-1', 'message-2', 'message-3']);
    expect(await subscribed(team.name)).toContain(user.email);
  });
});
