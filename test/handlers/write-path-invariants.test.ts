import { mapErrorToResponse } from '#lib/http/errors';
/**
 * The write path's invariants, each with the interleaving under control: the emulator holds a SageMaker call
 * until the test releases it, and a second pass of the team is seen waiting for the first's lease (one writer per
 * team), so two attempts meet exactly where the test means them to.
 *
 * - A team that any request was told exists (201/200/202) is never deleted except by a DELETE of that team.
 * - Every topic with the project's prefix belongs to a managed team that wants notifications.
 * - No request deletes a team unless it is a DELETE of that team; If-Match is honoured on every write route.
 * - A missing Cognito group never turns a recorded change into a 500.
 * - Pending retries end: after RETRY_BUDGET_MINUTES of retries the team is Failed, and the operations topic is told once;
 *   throttling alone, however many attempts it fails, does not end them sooner.
 * - A write that cannot finish in the function's time answers 202 with the change kept Pending.
 */

import {
  CognitoIdentityProviderClient,
  CreateGroupCommand,
  DeleteGroupCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { actorOf } from '#lib/auth/caller';
import { buildTeamDeps } from '#lib/composition/teams';
import { parseCreateTeamRequest, parseTeamPatch } from '#lib/http/requests';
import { dynamoClient } from '#lib/runtime/clients/dynamodb';
import { loadConfig, teamsConfigSchema } from '#lib/runtime/config';
import { createTeam as createTeamUseCase, updateTeam as updateTeamUseCase } from '#lib/use-cases/manage-teams';
import { reconcileTeam } from '#lib/use-cases/reconcile';
import { retryPendingTeams } from '#lib/use-cases/retry-pending';
import { handler as addTeamMembers } from '../../functions/add-team-members';
import { handler as createTeam } from '../../functions/create-team';
import { handler as deleteTeam } from '../../functions/delete-team';
import { handler as getTeam } from '../../functions/get-team';
import { handler as removeTeamMember } from '../../functions/remove-team-member';
import { handler as updateTeam } from '../../functions/update-team';
import { lambdaContext, loadEvent } from '../support/invoke';
import { watchLeases } from '../support/leases';
import {
  clearEmulatorFaultsAndHolds,
  emulatorCalls,
  emulatorInFlight,
  holdEmulatorCalls,
  injectEmulatorFault,
  releaseEmulatorCall,
  resetEmulatorCalls,
  setEmulatorKnobs,
  untilWaiting,
} from '../support/sagemaker-emulator-control';
import {
  createdTeams,
  givenTeam,
  liveTeam,
  operationsInbox,
  registryRecord,
  retireCreatedTeams,
  topicExists,
} from '../support/steps';
import { ANY_VERSION, call, OWNER, SOMEONE_ELSE, sns, teamBody, uniqueTeamName } from '../support/teams';

const topics = sns();
const cognito = new CognitoIdentityProviderClient({});
const created = createdTeams;
const leases = watchLeases(dynamoClient(loadConfig(teamsConfigSchema())));

/** The scheduled retry, run as if `hours` had passed: every backoff (at most an hour) is due. */
const retryWhenDue = (hours = 1) =>
  retryPendingTeams({ ...buildTeamDeps(), now: () => new Date(Date.now() + hours * 3_600_000) });

/**
 * A create answered 202 after its SNS work: the create's own checks go through, the reconcile makes the topic
 * and subscribes the workers, then every CreateWorkteam attempt of the SDK (three) is throttled.
 */
async function createdWhileSageMakerThrottles(name: string) {
  await injectEmulatorFault({ operation: 'CreateWorkteam', errorType: 'ThrottlingException', message: 'x', count: 3 });
  return call(createTeam, 'createTeam', 'create-team.json', { body: teamBody(name) });
}

afterEach(retireCreatedTeams);

describe('a team any request was told exists', () => {
  it('survives two reconciles of its creation: the second waits for the first (one writer per team) and creates nothing', async () => {
    // Prepare: a recorded creation, and the first reconcile held at CreateWorkteam
    const name = uniqueTeamName('twice');
    await injectEmulatorFault({
      operation: 'CreateWorkteam',
      errorType: 'ThrottlingException',
      message: 'x',
      count: 3,
    });
    const accepted = await call(createTeam, 'createTeam', 'create-team.json', { body: teamBody(name) });
    created.push(name);
    await holdEmulatorCalls('CreateWorkteam');
    await resetEmulatorCalls();
    const deps = buildTeamDeps();

    // Act: the first reaches CreateWorkteam; the second finds the team's lease held; then the first goes on
    const first = reconcileTeam(deps, name);
    await untilWaiting('CreateWorkteam');
    const second = reconcileTeam(deps, name);
    await leases.untilRefused(name);
    await releaseEmulatorCall('CreateWorkteam');
    const outcomes = await Promise.all([first, second]);

    // Assess
    expect(accepted.statusCode).toBe(202);
    expect(outcomes.map((outcome) => outcome.outcome)).toEqual(['applied', 'applied']);
    expect(await emulatorCalls()).toMatchObject({ CreateWorkteam: 1 });
    expect(await liveTeam(name)).toMatchObject({ WorkteamName: name });
    expect(await registryRecord(name)).toMatchObject({ lifecycle: 'active', applyState: 'Applied', version: 1 });
  });

  it('survives identical creates racing each other (a double click): every answer is 2xx and the team exists', async () => {
    // Prepare
    const name = uniqueTeamName('double');
    await holdEmulatorCalls('CreateWorkteam');

    // Act: the first request's CreateWorkteam waits; the replay waits for the team's lease; then the first goes
    const first = call(createTeam, 'createTeam', 'create-team.json', { body: teamBody(name) });
    await untilWaiting('CreateWorkteam', 1);
    const replay = call(createTeam, 'createTeam', 'create-team.json', { body: teamBody(name) });
    await leases.untilRefused(name);
    await releaseEmulatorCall('CreateWorkteam');
    const answers = await Promise.all([first, replay]);
    created.push(name);

    // Assess
    expect(answers.map((answer) => answer.statusCode).sort()).toEqual([200, 201]);
    expect(await liveTeam(name)).toMatchObject({ WorkteamName: name });
    expect(await registryRecord(name)).toMatchObject({ lifecycle: 'active', applyState: 'Applied' });
  });

  it('is not deleted when a change racing its creation is refused: the rollback leaves what the create made', async () => {
    // Prepare: the create has made the team but not yet recorded it (its last DescribeWorkteam waits)
    const name = uniqueTeamName('racing');
    await holdEmulatorCalls('CreateWorkteam');
    const create = call(createTeam, 'createTeam', 'create-team.json', { body: teamBody(name) });
    created.push(name);
    await untilWaiting('CreateWorkteam');
    await holdEmulatorCalls('DescribeWorkteam');
    await releaseEmulatorCall('CreateWorkteam');
    await untilWaiting('DescribeWorkteam');
    await injectEmulatorFault({ operation: 'UpdateWorkteam', errorType: 'ValidationException', message: 'refused' });

    // Act: a PATCH right after the create waits for the create's pass (one writer per team), which finishes; then
    // SageMaker refuses the PATCH
    const patching = call(updateTeam, 'updateTeam', 'update-team.json', {
      path: { name },
      body: { description: 'Refused change' },
    });
    await leases.untilRefused(name);
    await releaseEmulatorCall('DescribeWorkteam');
    const [patch, answer] = await Promise.all([patching, create]);

    // Assess: the PATCH was refused, the creation stands, in SageMaker and in the registry
    expect(patch.statusCode).toBe(422);
    expect(answer.statusCode).toBe(201);
    expect(await liveTeam(name)).toMatchObject({ WorkteamName: name });
    expect(await registryRecord(name)).toMatchObject({ lifecycle: 'active', applyState: 'Applied' });
  });

  it('is never closed by a refusal once an answer said it was accepted (202): it is Failed, not deleted', async () => {
    // Prepare: a creation answered 202 during a storm
    const name = uniqueTeamName('accepted');
    await injectEmulatorFault({
      operation: 'CreateWorkteam',
      errorType: 'ThrottlingException',
      message: 'x',
      count: 3,
    });
    const accepted = await call(createTeam, 'createTeam', 'create-team.json', { body: teamBody(name) });
    created.push(name);
    await injectEmulatorFault({ operation: 'CreateWorkteam', errorType: 'ValidationException', message: 'refused' });

    // Act: the retry is refused
    await retryWhenDue();
    const after = await call(getTeam, 'getTeam', 'get-team.json', { path: { name } });

    // Assess
    expect(accepted.statusCode).toBe(202);
    expect(await registryRecord(name)).toMatchObject({ lifecycle: 'active', applyState: 'Failed' });
    expect(after.body).toMatchObject({
      managed: true,
      status: 'Failed',
      pendingReason: expect.stringContaining('refused'),
    });
  });
});

describe('a team accepted with 202 and then changed', () => {
  it('is not closed when SageMaker refuses the later change: the accepted creation is applied without it', async () => {
    // Prepare: a creation answered 202 (throttled), then a PATCH whose reconcile SageMaker refuses for its limit
    const name = uniqueTeamName('accepted');
    await injectEmulatorFault({
      operation: 'CreateWorkteam',
      errorType: 'ThrottlingException',
      message: 'x',
      count: 3,
    });
    const accepted = await call(createTeam, 'createTeam', 'create-team.json', { body: teamBody(name) });
    created.push(name);
    await injectEmulatorFault({ operation: 'CreateWorkteam', errorType: 'ResourceLimitExceeded', message: 'limit' });

    // Act
    const patched = await call(updateTeam, 'updateTeam', 'update-team.json', {
      path: { name },
      body: { description: 'y' },
    });
    const after = await call(getTeam, 'getTeam', 'get-team.json', { path: { name } });

    // Assess: the PATCH is refused; the creation it stepped back to stands, in the registry and in SageMaker
    expect(accepted.statusCode).toBe(202);
    expect(patched.statusCode).toBe(422);
    expect(await registryRecord(name)).toMatchObject({ lifecycle: 'active', applyState: 'Applied' });
    expect(after.body).toMatchObject({ managed: true, status: 'InSync', description: 'Labels test images' });
    expect(await liveTeam(name)).toMatchObject({ WorkteamName: name, Description: 'Labels test images' });
  });

  it('is Failed, not closed, when even the accepted creation is refused after a later change', async () => {
    // Prepare: as above, but SageMaker refuses the creation whatever it holds
    const name = uniqueTeamName('accepted');
    await injectEmulatorFault({
      operation: 'CreateWorkteam',
      errorType: 'ThrottlingException',
      message: 'x',
      count: 3,
    });
    const accepted = await call(createTeam, 'createTeam', 'create-team.json', { body: teamBody(name) });
    created.push(name);
    await injectEmulatorFault({
      operation: 'CreateWorkteam',
      errorType: 'ResourceLimitExceeded',
      message: 'limit',
      count: 2,
    });

    // Act
    const patched = await call(updateTeam, 'updateTeam', 'update-team.json', {
      path: { name },
      body: { description: 'y' },
    });
    const after = await call(getTeam, 'getTeam', 'get-team.json', { path: { name } });

    // Assess
    expect(accepted.statusCode).toBe(202);
    expect(patched.statusCode).toBe(422);
    expect(await registryRecord(name)).toMatchObject({ lifecycle: 'active', applyState: 'Failed' });
    expect(after.body).toMatchObject({ managed: true, status: 'Failed' });
  });
});

describe('a refused change', () => {
  it('steps back one version: a change accepted before it (202) is kept, and only the refused one is undone', async () => {
    // Prepare: a PATCH accepted during a storm (202), then a member addition that SageMaker refuses once
    const { name } = await givenTeam();
    await injectEmulatorFault({
      operation: 'UpdateWorkteam',
      errorType: 'ThrottlingException',
      message: 'x',
      count: 3,
    });
    const accepted = await call(updateTeam, 'updateTeam', 'update-team.json', {
      path: { name },
      body: { description: 'Accepted in a storm' },
    });
    await injectEmulatorFault({ operation: 'UpdateWorkteam', errorType: 'ValidationException', message: 'no group' });

    // Act
    const refused = await call(addTeamMembers, 'addTeamMembers', 'add-team-members.json', {
      path: { name },
      body: { cognitoGroups: ['reviewers'] },
    });
    const after = await call(getTeam, 'getTeam', 'get-team.json', { path: { name } });

    // Assess
    expect(accepted.statusCode).toBe(202);
    expect(refused.statusCode).toBe(422);
    expect(after.body).toMatchObject({
      description: 'Accepted in a storm',
      members: { cognitoGroups: ['labelers-en'] },
      status: 'InSync',
    });
    expect((await liveTeam(name))?.Description).toBe('Accepted in a storm');
    const history = (await registryRecord(name))?.history as { action: string; restoredVersion?: number }[];
    expect(history.map((entry) => entry.action)).toEqual(['created', 'updated', 'membersAdded', 'rolledBack']);
    expect(history.at(-1)?.restoredVersion).toBe(2);
  });
});

describe('notification topics', () => {
  it('leaves no topic behind when a creation that made its topic and ended Pending is deleted', async () => {
    // Prepare: SNS work done, then every SageMaker call throttled: 202 with the topic made
    const name = uniqueTeamName('orphan');
    const accepted = await createdWhileSageMakerThrottles(name);
    const madeTopic = await topicExists(name);

    // Act
    const deleted = await call(deleteTeam, 'deleteTeam', 'delete-team.json', { headers: ANY_VERSION, path: { name } });

    // Assess
    expect(accepted.statusCode).toBe(202);
    expect(madeTopic).toBe(true);
    expect(deleted.statusCode).toBe(204);
    expect(await topicExists(name)).toBe(false);
  });

  it('leaves no topic behind when such a creation is switched to notifications: false', async () => {
    // Prepare
    const name = uniqueTeamName('orphan');
    const accepted = await createdWhileSageMakerThrottles(name);
    created.push(name);

    // Act
    const patched = await call(updateTeam, 'updateTeam', 'update-team.json', {
      path: { name },
      body: { notifications: false },
    });

    // Assess
    expect(accepted.statusCode).toBe(202);
    expect(patched.statusCode).toBe(200);
    expect(patched.body).toMatchObject({ notificationTopicArn: null, status: 'InSync' });
    expect(await topicExists(name)).toBe(false);
  });

  it('deletes a topic that a stale attempt re-created after a newer version turned notifications off', async () => {
    // Prepare: attempt A reads version 1 (notifications on) and waits before its ensureTopic
    const { name } = await givenTeam();
    const deps = buildTeamDeps();
    let letGo: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      letGo = resolve;
    });
    let arrived: () => void = () => undefined;
    const atGate = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    let first = true;
    const stale = reconcileTeam(
      {
        ...deps,
        topics: {
          ...deps.topics,
          ensureTopic: async (team: string, tags: Record<string, string>) => {
            if (first) {
              first = false;
              arrived();
              await gate;
            }
            return deps.topics.ensureTopic(team, tags);
          },
        },
      },
      name,
    );
    await atGate;

    // Act: version 2 turns notifications off; its reconcile waits for A (one writer per team); A goes on, and
    // finds version 2 before it records anything
    const patching = call(updateTeam, 'updateTeam', 'update-team.json', {
      path: { name },
      body: { notifications: false },
    });
    await leases.untilRefused(name);
    letGo();
    const [patched] = await Promise.all([patching, stale]);
    const goneAfterPatch = !(await topicExists(name));

    // Assess
    expect(patched.statusCode).toBe(200);
    expect(goneAfterPatch).toBe(true);
    expect(await topicExists(name)).toBe(false);
    expect(await registryRecord(name)).toMatchObject({ version: 2, applyState: 'Applied' });
    expect((await liveTeam(name))?.NotificationConfiguration?.NotificationTopicArn ?? null).toBeNull();
  });

  it('finds and deletes a topic whose ARN never reached the registry (a fault right after CreateTopic)', async () => {
    // Prepare: a topics port whose ensureTopic creates the topic and then fails, as a crash would
    const name = uniqueTeamName('unrecorded');
    const deps = buildTeamDeps();
    const crashing = {
      ...deps,
      topics: {
        ...deps.topics,
        ensureTopic: async (team: string, tags: Record<string, string>) => {
          await deps.topics.ensureTopic(team, tags);
          throw Object.assign(new Error('connection reset'), { name: 'InternalFailure', $fault: 'server' });
        },
      },
    };
    const accepted = await createTeamUseCase(crashing, actorOf(OWNER), parseCreateTeamRequest(teamBody(name)));
    const recorded = await registryRecord(name);

    // Act
    const deleted = await call(deleteTeam, 'deleteTeam', 'delete-team.json', { headers: ANY_VERSION, path: { name } });

    // Assess
    expect(accepted.outcome).toBe('pending');
    expect(recorded).toMatchObject({ topicMayExist: true });
    expect(recorded?.topicArn).toBeUndefined();
    expect(deleted.statusCode).toBe(204);
    expect(await topicExists(name)).toBe(false);
  });
});

describe('which requests may delete or change a team', () => {
  it.each(['.', '..'])(
    'refuses to remove a member group named %j (400) and leaves the team as it was',
    async (group) => {
      // Prepare
      const { name } = await givenTeam();

      // Act
      const result = await call(removeTeamMember, 'removeTeamMember', 'remove-team-member.json', {
        path: { name, group },
      });

      // Assess
      expect(result.statusCode).toBe(400);
      expect(result.body).toMatchObject({ error: { code: 'ValidationFailed' } });
      expect(await liveTeam(name)).toMatchObject({ WorkteamName: name });
    },
  );

  it.each([
    '/teams/NAME/members/..',
    '/teams/NAME/members/%2e%2e',
    '/teams/NAME/members/%2E%2E',
    '/teams/NAME/members/%252e%252e',
    '/teams/NAME/members/.',
  ])('refuses a request whose raw path %s holds a dot segment, whatever route it reached', async (rawPath) => {
    // Prepare: the gateway handed the DELETE /teams/{name} route a path it did not normalise
    const { name } = await givenTeam();

    // Act
    const event = loadEvent('delete-team.json') as Record<string, unknown>;
    event.rawPath = rawPath.replace('NAME', name);
    event.pathParameters = { name };
    const answer = (await deleteTeam(event as never, lambdaContext('deleteTeam'))) as { statusCode: number };

    // Assess
    expect(answer.statusCode).toBe(400);
    expect(await liveTeam(name)).toMatchObject({ WorkteamName: name });
  });

  it.each([
    ['PATCH', updateTeam, 'updateTeam', 'update-team.json', { description: 'x' }],
    ['POST members', addTeamMembers, 'addTeamMembers', 'add-team-members.json', { cognitoGroups: ['reviewers'] }],
    ['DELETE member', removeTeamMember, 'removeTeamMember', 'remove-team-member.json', undefined],
    ['DELETE', deleteTeam, 'deleteTeam', 'delete-team.json', undefined],
  ] as const)(
    'answers 412 to %s with a stale If-Match, and changes nothing',
    async (_route, handler, fn, file, body) => {
      // Prepare: a team at v2 (two groups), and a client holding v1
      const { name } = await givenTeam();
      await call(addTeamMembers, 'addTeamMembers', 'add-team-members.json', {
        path: { name },
        body: { cognitoGroups: ['labelers-de'] },
      });

      // Act
      const result = await call(handler, fn, file, {
        path: { name, group: 'labelers-de' },
        body,
        headers: { 'if-match': '"v1"' },
      });

      // Assess
      expect(result.statusCode).toBe(412);
      expect(result.body).toMatchObject({ error: { code: 'PreconditionFailed' } });
      expect(await registryRecord(name)).toMatchObject({ version: 2, lifecycle: 'active' });
    },
  );

  it('refuses DELETE /teams/{name} without If-Match (428): a normalised /members/.. request carries none', async () => {
    // Prepare
    const { name } = await givenTeam();

    // Act
    const result = await call(deleteTeam, 'deleteTeam', 'delete-team.json', { path: { name } });

    // Assess
    expect(result.statusCode).toBe(428);
    expect(result.body).toMatchObject({ error: { code: 'PreconditionRequired' } });
    expect(await liveTeam(name)).toMatchObject({ WorkteamName: name });
    expect(await registryRecord(name)).toMatchObject({ lifecycle: 'active', version: 1 });
  });

  it.each(['..', 'x/../..', './x'])(
    'refuses a member group %j, which a path could not address (400)',
    async (group) => {
      // Act
      const result = await call(createTeam, 'createTeam', 'create-team.json', {
        body: teamBody(uniqueTeamName(), { members: { cognitoGroups: [group] } }),
      });

      // Assess
      expect(result.statusCode).toBe(400);
      expect(result.body).toMatchObject({
        error: { details: [{ path: 'members.cognitoGroups[0]', code: 'Reserved' }] },
      });
    },
  );

  it('deletes with a matching If-Match', async () => {
    // Prepare
    const { name, etag } = await givenTeam();
    created.pop();

    // Act
    const result = await call(deleteTeam, 'deleteTeam', 'delete-team.json', {
      path: { name },
      headers: { 'if-match': etag },
    });

    // Assess
    expect(result.statusCode).toBe(204);
    expect(await liveTeam(name)).toBeUndefined();
  });

  it.each([
    ['a group that does not exist', 'ghosts-nowhere'],
    ['a group that exists', 'reviewers'],
  ])("answers 403 to someone else adding %s to the owner's team: nothing is revealed", async (_what, group) => {
    // Prepare
    const { name } = await givenTeam();

    // Act
    const result = await call(addTeamMembers, 'addTeamMembers', 'add-team-members.json', {
      path: { name },
      body: { cognitoGroups: [group] },
      caller: SOMEONE_ELSE,
    });

    // Assess
    expect(result.statusCode).toBe(403);
    expect(JSON.stringify(result.body)).not.toContain(group);
  });
});

describe('races between retirement and change', () => {
  it('answers a change that lost the race with a DELETE 404 TeamNotFound, and the end state is clean', async () => {
    // Prepare: the PATCH waits at its DescribeWorkteam, after it has synced the topic
    const { name } = await givenTeam();
    created.pop();
    await holdEmulatorCalls('DescribeWorkteam');
    const patch = call(updateTeam, 'updateTeam', 'update-team.json', { path: { name }, body: { description: 'late' } });
    await untilWaiting('DescribeWorkteam');

    // Act: the DELETE is recorded and waits for the PATCH's pass (one writer per team); then the PATCH goes on
    const deleting = call(deleteTeam, 'deleteTeam', 'delete-team.json', { headers: ANY_VERSION, path: { name } });
    await leases.untilRefused(name);
    await releaseEmulatorCall('DescribeWorkteam');
    const [deleted, patched] = await Promise.all([deleting, patch]);

    // Assess
    expect(deleted.statusCode).toBe(204);
    expect(patched.statusCode).toBe(404);
    expect(patched.body).toMatchObject({ error: { code: 'TeamNotFound' } });
    expect(await liveTeam(name)).toBeUndefined();
    expect(await topicExists(name)).toBe(false);
    expect(await registryRecord(name)).toMatchObject({ lifecycle: 'deleted', applyState: 'Applied' });
  });

  it('answers a change to a team whose deletion is still pending 404 TeamNotFound, not 409 TeamNotManaged', async () => {
    // Prepare
    const { name } = await givenTeam();
    await injectEmulatorFault({
      operation: 'DeleteWorkteam',
      errorType: 'ThrottlingException',
      message: 'x',
      count: 3,
    });
    const deleting = await call(deleteTeam, 'deleteTeam', 'delete-team.json', { headers: ANY_VERSION, path: { name } });

    // Act
    const patched = await call(updateTeam, 'updateTeam', 'update-team.json', {
      path: { name },
      body: { description: 'x' },
    });

    // Assess
    expect(deleting.statusCode).toBe(202);
    expect(patched.statusCode).toBe(404);
    expect(patched.body).toMatchObject({ error: { code: 'TeamNotFound' } });
  });
});

describe('a retirement', () => {
  it('keeps its name until it is finished: a new team of that name is refused meanwhile (409), then accepted', async () => {
    // Prepare: a deletion left Pending (SageMaker throttled it)
    const { name } = await givenTeam();
    created.pop();
    await injectEmulatorFault({
      operation: 'DeleteWorkteam',
      errorType: 'ThrottlingException',
      message: 'x',
      count: 3,
    });
    const deleting = await call(deleteTeam, 'deleteTeam', 'delete-team.json', { path: { name }, headers: ANY_VERSION });

    // Act
    const meanwhile = await call(createTeam, 'createTeam', 'create-team.json', { body: teamBody(name) });
    await retryWhenDue();
    const afterwards = await call(createTeam, 'createTeam', 'create-team.json', { body: teamBody(name) });
    created.push(name);

    // Assess
    expect(deleting.statusCode).toBe(202);
    expect(meanwhile.statusCode).toBe(409);
    expect(meanwhile.body).toMatchObject({
      error: { code: 'TeamExists', message: expect.stringContaining('retired') },
    });
    expect(afterwards.statusCode).toBe(201);
    expect(await liveTeam(name)).toMatchObject({ WorkteamName: name });
  });

  it('that SageMaker refuses answers 422 and is Failed, not a 500 retried forever; a DELETE again finishes it', async () => {
    // Prepare
    const { name } = await givenTeam();
    created.pop();
    await injectEmulatorFault({ operation: 'DeleteWorkteam', errorType: 'ResourceLimitExceeded', message: 'busy' });

    // Act
    const refused = await call(deleteTeam, 'deleteTeam', 'delete-team.json', { path: { name }, headers: ANY_VERSION });
    const failed = await registryRecord(name);
    const again = await call(deleteTeam, 'deleteTeam', 'delete-team.json', { path: { name }, headers: ANY_VERSION });

    // Assess
    expect(refused.statusCode).toBe(422);
    expect(failed).toMatchObject({ lifecycle: 'deleted', applyState: 'Failed' });
    expect(again.statusCode).toBe(204);
    expect(await liveTeam(name)).toBeUndefined();
    expect(await topicExists(name)).toBe(false);
  });
});

describe('a Cognito group deleted under a team', () => {
  it('never turns a later change into a 500: applied without the group, shown Drifted with the reason', async () => {
    // Prepare: a team of two groups, one of which is then deleted in Cognito (no event of it processed)
    const group = `gone-${uniqueTeamName('g')}`;
    await cognito.send(new CreateGroupCommand({ UserPoolId: process.env.USER_POOL_ID, GroupName: group }));
    const { name } = await givenTeam(undefined, { members: { cognitoGroups: ['labelers-en', group] } });
    await cognito.send(new DeleteGroupCommand({ UserPoolId: process.env.USER_POOL_ID, GroupName: group }));

    // Act: a change that keeps the members (the groups are not read), then one that changes them
    const patched = await call(updateTeam, 'updateTeam', 'update-team.json', {
      path: { name },
      body: { description: 'After the group went' },
    });
    const extended = await call(addTeamMembers, 'addTeamMembers', 'add-team-members.json', {
      path: { name },
      body: { cognitoGroups: ['reviewers'] },
    });
    const retried = await retryWhenDue();

    // Assess
    expect(patched.statusCode).toBe(200);
    // The PATCH keeps the members: it reads no group, and SageMaker still holds both
    expect(patched.body).toMatchObject({ description: 'After the group went', status: 'InSync' });
    expect(extended.statusCode).toBe(200);
    expect(extended.body).toMatchObject({
      description: 'After the group went',
      status: 'Drifted',
      pendingReason: expect.stringContaining(group),
      differences: [expect.objectContaining({ field: 'members' })],
    });
    const live = await liveTeam(name);
    expect(live?.MemberDefinitions?.map((d) => d.CognitoMemberDefinition?.UserGroup)).toEqual([
      'labelers-en',
      'reviewers',
    ]);
    expect([...retried.pending, ...retried.errored, ...retried.failed]).not.toContain(name);
  });
});

describe('the "new group settling" rule', () => {
  it('does not hold a slot for a team SageMaker refuses for its limit, even while its group is brand new', async () => {
    // Prepare
    const group = `new-${uniqueTeamName('g')}`;
    await cognito.send(new CreateGroupCommand({ UserPoolId: process.env.USER_POOL_ID, GroupName: group }));
    const name = uniqueTeamName('limited');
    await injectEmulatorFault({ operation: 'CreateWorkteam', errorType: 'ResourceLimitExceeded', message: 'limit' });
    const deps = { ...buildTeamDeps(), groupSettlingMs: 120_000 };

    // Act
    const attempt = createTeamUseCase(
      deps,
      actorOf(OWNER),
      parseCreateTeamRequest(teamBody(name, { members: { cognitoGroups: [group] } })),
    );

    // Assess
    const refusal = await attempt.then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refusal).toMatchObject({ code: 'UpstreamRejected' });
    expect(mapErrorToResponse(refusal).response.statusCode).toBe(422);
    expect(await registryRecord(name)).toMatchObject({ lifecycle: 'deleted', closedBy: 'rejection' });
    expect(await deps.registry.listPendingCreations()).not.toContain(name);
  });
});

describe('pending retries', () => {
  it('end: after RETRY_BUDGET_MINUTES of retries the team is Failed, and the operations topic is told exactly once', async () => {
    // Prepare: a queue on the operations topic, and a change SageMaker keeps throttling
    const sqs = new SQSClient({});
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: uniqueTeamName('ops') }));
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
    await topics.send(
      new SubscribeCommand({
        TopicArn: process.env.OPERATIONS_TOPIC_ARN,
        Protocol: 'sqs',
        Endpoint: Attributes?.QueueArn,
        Attributes: { RawMessageDelivery: 'true' },
      }),
    );
    const { name } = await givenTeam();
    await setEmulatorKnobs({ throttleRate: 1 });

    // Act: the change (attempt 1), then retries an hour and two hours later (the budget is 2 h in tests), then one more
    const during = await call(updateTeam, 'updateTeam', 'update-team.json', {
      path: { name },
      body: { description: 'never' },
    });
    const second = await retryWhenDue(1);
    const third = await retryWhenDue(2);
    const fourth = await retryWhenDue(3);
    await setEmulatorKnobs({ throttleRate: 0 });
    const after = await call(getTeam, 'getTeam', 'get-team.json', { path: { name } });
    const messages = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
    );

    // Assess
    expect(during.statusCode).toBe(202);
    expect(second.pending).toContain(name);
    expect(third.failed).toContain(name);
    expect([...fourth.applied, ...fourth.pending, ...fourth.failed]).not.toContain(name);
    expect(after.body).toMatchObject({
      status: 'Failed',
      pendingReason: expect.stringMatching(/gave up after 3 attempts in 2 h/),
    });
    const alerts = (messages.Messages ?? []).map((message) => JSON.parse(message.Body ?? '{}'));
    expect(alerts.filter((alert) => alert.team === name)).toEqual([
      expect.objectContaining({ event: 'TeamFailed', team: name, owner: OWNER.sub, version: 2 }),
    ]);
    expect(JSON.stringify(alerts)).not.toMatch(/@example\.com/);
  });

  it('tell the operations topic once when two attempts give up one right after the other', async () => {
    // Prepare: a change retried for an hour, and two reconciles at the end of its budget, the second waiting for the first
    const inbox = await operationsInbox();
    const { name } = await givenTeam();
    await setEmulatorKnobs({ throttleRate: 1 });
    await call(updateTeam, 'updateTeam', 'update-team.json', { path: { name }, body: { description: 'never' } });
    await retryWhenDue(1);
    await setEmulatorKnobs({ throttleRate: 0 });
    await holdEmulatorCalls('DescribeWorkteam');
    const deps = { ...buildTeamDeps(), now: () => new Date(Date.now() + 2 * 3_600_000) };
    const firstAttempt = reconcileTeam(deps, name);
    await untilWaiting('DescribeWorkteam');
    const secondAttempt = reconcileTeam(deps, name);
    await leases.untilRefused(name);

    // Act: both are throttled (the second once the first is done), and both give up
    await setEmulatorKnobs({ throttleRate: 1 });
    await releaseEmulatorCall('DescribeWorkteam');
    const both = Promise.all([firstAttempt, secondAttempt]);
    const outcomes = await both;
    await setEmulatorKnobs({ throttleRate: 0 });

    // Assess
    expect(outcomes.map((outcome) => outcome.outcome)).toEqual(['failed', 'failed']);
    expect(await inbox.alertsAbout(name)).toHaveLength(1);
  });

  it('start again with the next change of a Failed team', async () => {
    // Prepare: a Failed team
    const { name } = await givenTeam();
    await setEmulatorKnobs({ throttleRate: 1 });
    await call(updateTeam, 'updateTeam', 'update-team.json', { path: { name }, body: { description: 'never' } });
    await retryWhenDue(1);
    await retryWhenDue(2);
    await setEmulatorKnobs({ throttleRate: 0 });
    const failed = await registryRecord(name);

    // Act
    const fixed = await call(updateTeam, 'updateTeam', 'update-team.json', {
      path: { name },
      body: { description: 'now' },
    });

    // Assess
    expect(failed).toMatchObject({ applyState: 'Failed' });
    expect(fixed.statusCode).toBe(200);
    expect(fixed.body).toMatchObject({ status: 'InSync', description: 'now' });
  });

  it('reconcile due teams several at a time, not one after another', async () => {
    // Prepare: four teams left Pending by a storm, and every DescribeWorkteam of the retry held
    const names: string[] = [];
    for (let index = 0; index < 4; index++) names.push((await givenTeam()).name);
    await setEmulatorKnobs({ throttleRate: 1 });
    for (const name of names) {
      await call(updateTeam, 'updateTeam', 'update-team.json', { path: { name }, body: { description: 'later' } });
    }
    await setEmulatorKnobs({ throttleRate: 0 });
    await holdEmulatorCalls('DescribeWorkteam', 3);
    await resetEmulatorCalls();

    // Act: three retries reach SageMaker before any of them is answered
    const retry = retryPendingTeams(
      { ...buildTeamDeps(), now: () => new Date(Date.now() + 3_600_000) },
      { concurrency: 3 },
    );
    await untilWaiting('DescribeWorkteam', 3);
    const whileHeld = await emulatorInFlight();
    for (let index = 0; index < 3; index++) await releaseEmulatorCall('DescribeWorkteam');
    const summary = await retry;

    // Assess
    expect(whileHeld.current).toBe(3);
    expect(summary.applied.filter((name) => names.includes(name)).sort()).toEqual([...names].sort());
  });
});

describe('a write that cannot finish in time', () => {
  it('answers 202 with the change kept Pending, never a gateway timeout, and the retry applies it', async () => {
    // Prepare: 2.5 s left in the invocation, and SageMaker holding the change's DescribeWorkteam until the test
    // lets it go, which it does only after the answer: the function must answer by itself, cutting the call short
    const { name } = await givenTeam();
    await holdEmulatorCalls('DescribeWorkteam');
    const event = loadEvent('update-team.json') as Record<string, unknown>;
    (event.requestContext as { authorizer: { lambda: unknown } }).authorizer.lambda = OWNER;
    event.pathParameters = { name };
    event.body = JSON.stringify({ description: 'Slow change' });
    delete (event.headers as Record<string, string>)['if-match'];
    const context = { ...lambdaContext('updateTeam'), getRemainingTimeInMillis: () => 2500 };

    // Act
    const answer = (await updateTeam(event as never, context)) as { statusCode: number; body: string };
    await clearEmulatorFaultsAndHolds();
    const applied = await reconcileTeam(buildTeamDeps(), name);

    // Assess
    expect(answer.statusCode).toBe(202);
    expect(JSON.parse(answer.body)).toMatchObject({
      status: 'Pending',
      pendingReason: expect.stringContaining('time'),
    });
    expect(applied.outcome).toBe('applied');
    expect((await liveTeam(name))?.Description).toBe('Slow change');
  });
});

describe('updateTeam as a use case', () => {
  it('keeps the owner check before any lookup', async () => {
    // Prepare
    const { name } = await givenTeam();

    // Act
    const attempt = updateTeamUseCase(
      buildTeamDeps(),
      actorOf(SOMEONE_ELSE),
      name,
      parseTeamPatch({ workerAccess: { vpcSourceIp: 'Enabled' } }),
    );

    // Assess
    await expect(attempt).rejects.toMatchObject({ code: 'Forbidden' });
  });
});
