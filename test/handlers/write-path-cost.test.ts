/**
 * What each write costs in SageMaker calls, from the emulator's counter, and which of them run side by side,
 * shown by holding them in the emulator until all are waiting at once (a round trip they share). The goals: a
 * create makes at most 4 calls in 3 round trips (the workforce and the team listing together, then the create,
 * then the read of what SageMaker made); a PATCH at most 3 in 2 (the update beside its tag change); a member
 * change at most 3 in 2; GET /teams/{name} at most 2. A change that keeps members and notifications makes no SNS
 * or Cognito call, one that keeps the topic does not ensure it again, and the reconcile of a change starts from
 * the record the change wrote instead of reading it again (counted on the functions' own clients).
 * Wall times are `npm run bench`'s business, not a test's.
 */
import { cognitoClient } from '#lib/runtime/clients/cognito';
import { dynamoClient } from '#lib/runtime/clients/dynamodb';
import { snsClient } from '#lib/runtime/clients/sns';
import { handler as addTeamMembers } from '../../functions/add-team-members';
import { handler as createTeam } from '../../functions/create-team';
import { handler as getTeam } from '../../functions/get-team';
import { handler as removeTeamMember } from '../../functions/remove-team-member';
import { handler as updateTeam } from '../../functions/update-team';
import { clear, countCommands } from '../support/in-flight';
import { confirmSubscriptions } from '../support/mailbox';
import {
  emulatorCalls,
  holdEmulatorCalls,
  releaseEmulatorCall,
  resetEmulatorCalls,
  untilWaiting,
} from '../support/sagemaker-emulator-control';
import { createdTeams, givenTeam, retireCreatedTeams } from '../support/steps';
import { hubTarget } from '../support/targets';
import { call, teamBody, uniqueTeamName } from '../support/teams';

afterEach(retireCreatedTeams);

const config = { AWS_REGION: process.env.AWS_REGION ?? 'us-east-1', AWS_MAX_ATTEMPTS: 3 };
let snsCalls: Record<string, number>;
let cognitoCalls: Record<string, number>;
let dynamoCalls: Record<string, number>;

beforeAll(() => {
  dynamoCalls = countCommands(dynamoClient(config), 'dynamodb');
  snsCalls = countCommands(snsClient(config, hubTarget()), 'sns');
  cognitoCalls = countCommands(cognitoClient(config, hubTarget()), 'cognito');
});

/** The emulator's counter and the in-process ones start again from nothing. */
async function resetCounts(): Promise<void> {
  await resetEmulatorCalls();
  clear(snsCalls);
  clear(cognitoCalls);
  clear(dynamoCalls);
}

const total = (calls: Record<string, number>) => Object.values(calls).reduce((sum, count) => sum + count, 0);

describe('SageMaker calls per write', () => {
  it('creates a team with 4 calls: the workforce and the listing side by side, the create, one read after it', async () => {
    // Prepare: the two listings held, to see them waiting together
    const name = uniqueTeamName('cost');
    await resetEmulatorCalls();
    await holdEmulatorCalls('ListWorkforces');
    await holdEmulatorCalls('ListWorkteams');

    // Act
    const answer = call(createTeam, 'createTeam', 'create-team.json', { body: teamBody(name) });
    await untilWaiting('ListWorkforces');
    await untilWaiting('ListWorkteams');
    await releaseEmulatorCall('ListWorkforces');
    await releaseEmulatorCall('ListWorkteams');
    const created = await answer;
    createdTeams.push(name);
    const calls = await emulatorCalls();

    // Assess: no read of the team before it is created (the listing said it is not there)
    expect(created.statusCode).toBe(201);
    expect(calls).toEqual({ ListWorkforces: 1, ListWorkteams: 1, CreateWorkteam: 1, DescribeWorkteam: 1 });
  });

  it('changes a team (PATCH) with 3 calls, one read then the update beside the tag change, and no SNS or Cognito call', async () => {
    // Prepare
    const { name } = await givenTeam(uniqueTeamName('cost'));
    await resetCounts();
    await holdEmulatorCalls('UpdateWorkteam');
    await holdEmulatorCalls('AddTags');

    // Act
    const answer = call(updateTeam, 'updateTeam', 'update-team.json', {
      path: { name },
      body: { description: 'Cheaper', tags: { 'cost-center': 'finance-ops' } },
    });
    await untilWaiting('UpdateWorkteam');
    await untilWaiting('AddTags');
    await releaseEmulatorCall('UpdateWorkteam');
    await releaseEmulatorCall('AddTags');
    const patched = await answer;
    const calls = await emulatorCalls();

    // Assess: members and notifications as they were, so neither the topic nor the workers are looked at
    expect(patched.statusCode).toBe(200);
    expect(calls).toEqual({ DescribeWorkteam: 1, UpdateWorkteam: 1, AddTags: 1 });
    expect(snsCalls).toEqual({});
    expect(cognitoCalls).toEqual({});
    // The registry read once: the reconcile starts from the record the change has just written; the team's lease
    // taken (a conditional PutItem) and given up (a DeleteItem) around the reconcile
    expect(dynamoCalls).toEqual({ GetItem: 1, PutItem: 3, DeleteItem: 1 });
  });

  it('adds and removes a member group with 2 calls each, a read then the update, and syncs only the subscriptions', async () => {
    // Prepare
    const { name } = await givenTeam(uniqueTeamName('cost'));
    await resetCounts();

    // Act: reviewers' chloe joins; she confirms her subscription (SNS cannot remove a pending one); she leaves
    const added = await call(addTeamMembers, 'addTeamMembers', 'add-team-members.json', {
      path: { name },
      body: { cognitoGroups: ['reviewers'] },
    });
    const afterAdd = await emulatorCalls();
    const snsAfterAdd = { ...snsCalls };
    const cognitoAfterAdd = { ...cognitoCalls };
    await confirmSubscriptions(String(added.body.notificationTopicArn), ['chloe@example.com']);
    await resetCounts();
    const removed = await call(removeTeamMember, 'removeTeamMember', 'remove-team-member.json', {
      path: { name, group: 'reviewers' },
    });
    const afterRemove = await emulatorCalls();

    // Assess
    expect([added.statusCode, removed.statusCode]).toEqual([200, 200]);
    expect(afterAdd).toEqual({ DescribeWorkteam: 1, UpdateWorkteam: 1 });
    expect(afterRemove).toEqual({ DescribeWorkteam: 1, UpdateWorkteam: 1 });
    // The topic stays as it was: only the subscriptions are synced (reviewers' chloe in, then out again)
    expect(snsAfterAdd).toEqual({ ListSubscriptionsByTopic: 1, Subscribe: 1 });
    // The groups are read for a member change (and the counter of Cognito calls counts the functions' calls)
    expect(cognitoAfterAdd.ListUsersInGroup).toBeGreaterThan(0);
    expect(snsCalls).toEqual({ ListSubscriptionsByTopic: 1, Unsubscribe: 1 });
  });

  it('reads a team (GET /teams/{name}) with at most 2 calls', async () => {
    // Prepare
    const { name } = await givenTeam(uniqueTeamName('cost'));
    await resetEmulatorCalls();

    // Act
    const read = await call(getTeam, 'getTeam', 'get-team.json', { path: { name } });
    const calls = await emulatorCalls();

    // Assess
    expect(read.statusCode).toBe(200);
    expect(total(calls)).toBeLessThanOrEqual(2);
  });
});
