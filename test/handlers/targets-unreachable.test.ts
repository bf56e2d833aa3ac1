/**
 * The Cognito sync, the nightly resync and the scheduled retry with a target that cannot be reached (its STS
 * refuses every connection: test/support/unreachable-target.ts): that target's work waits, logged, and the hub's is
 * done all the same. And an event of an account no target is, or of a pool no target's workforce has, is ignored.
 */
// First: the functions read their configuration when they are imported.
import '../support/unreachable-target';

import { randomUUID } from 'node:crypto';
import { AdminAddUserToGroupCommand } from '@aws-sdk/client-cognito-identity-provider';
import { ListSubscriptionsByTopicCommand } from '@aws-sdk/client-sns';
import { actorOf } from '#lib/auth/caller';
import { targetsOf } from '#lib/composition/targets';
import { buildTeamDeps } from '#lib/composition/teams';
import type { TeamRecord } from '#lib/domain/team';
import { parseCreateTeamRequest } from '#lib/http/requests';
import { loadConfig, teamsConfigSchema } from '#lib/runtime/config';
import { logger } from '#lib/runtime/observability';
import type { ConfiguredTarget } from '#lib/runtime/targets';
import type { TargetsResyncSummary } from '#lib/use-cases/cognito-sync/targets';
import { createTeam, deleteTeam } from '#lib/use-cases/manage-teams';
import type { retryPendingInTargets } from '#lib/use-cases/retry-pending';
import { handler as resync } from '../../functions/resync';
import { handler as retryPending } from '../../functions/retry-pending';
import { cognito, givenGroup, givenUser, pool } from '../support/cognito';
import { deliverToCognitoSync } from '../support/cognito-sync';
import { lambdaContext, loadEvent } from '../support/invoke';
import { captureLogOutput, type LogCapture } from '../support/logs';
import { emulatorCalls, resetEmulatorCalls } from '../support/sagemaker-emulator-control';
import { givenTeam, retireCreatedTeams, topicArnOf } from '../support/steps';
import { ADMIN, OWNER, sns, teamBody, uniqueTeamName } from '../support/teams';
import { UNREACHABLE, UNREACHABLE_KEY } from '../support/unreachable-target';

const topics = sns();
let logs: LogCapture;

beforeEach(() => {
  logs = captureLogOutput(logger);
});
afterEach(async () => {
  logs.restore();
  await retireCreatedTeams();
});

async function subscribed(team: string): Promise<string[]> {
  const { Subscriptions } = await topics.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArnOf(team) }));
  return (Subscriptions ?? []).filter((s) => s.Protocol === 'email').map((s) => s.Endpoint ?? '');
}

/** The log lines (JSON) whose message is the one given. */
function logLines(message: string): Record<string, unknown>[] {
  return logs
    .text()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((line) => line.message === message);
}

/** A CloudTrail event of a user added to a group, in the account and region and of the pool given. */
function groupEvent(place: { account: string; region: string; userPoolId: string; groupName: string }) {
  const event = loadEvent<{
    account: string;
    region: string;
    detail: { eventID: string; requestParameters: Record<string, string> };
  }>('cognito-add-user-to-group.json');
  event.account = place.account;
  event.region = place.region;
  event.detail.eventID = randomUUID();
  event.detail.requestParameters.userPoolId = place.userPoolId;
  event.detail.requestParameters.groupName = place.groupName;
  return event;
}

function unreachableTarget(): ConfiguredTarget {
  const target = targetsOf(loadConfig(teamsConfigSchema())).find(UNREACHABLE);
  if (!target) throw new Error('the unreachable target is not configured');
  return target;
}

describe('with a target that cannot be reached', () => {
  it("cognitoSync: that target's events come again, an unknown account's are ignored, and the hub's are synced", async () => {
    // Prepare: a hub team of a group, a user added to it
    const group = await givenGroup('targets');
    const team = await givenTeam(uniqueTeamName('targets'), { members: { cognitoGroups: [group] } });
    const user = await givenUser();
    await cognito.send(
      new AdminAddUserToGroupCommand({ UserPoolId: pool(), Username: user.username, GroupName: group }),
    );
    const hub = { account: process.env.HUB_ACCOUNT_ID as string, region: process.env.AWS_REGION as string };

    // Act
    const failures = await deliverToCognitoSync([
      groupEvent({ ...hub, userPoolId: pool(), groupName: group }),
      groupEvent({ ...UNREACHABLE, userPoolId: 'eu-central-1_Vendor1', groupName: group }),
      groupEvent({ account: '999999999999', region: 'us-east-1', userPoolId: 'us-east-1_Other1', groupName: group }),
      groupEvent({ ...hub, userPoolId: 'us-east-1_Other1', groupName: group }),
    ]);

    // Assess: only the unreachable target's event comes again; the hub's team has its new member
    expect(failures).toEqual(['message-1']);
    expect(await subscribed(team.name)).toContain(user.email);
    expect(logLines('cognito event of no target ignored')).toEqual([
      expect.objectContaining({
        account: '999999999999',
        reason: 'no configured target',
        userPool: 'us-east-1_Other1',
      }),
      expect.objectContaining({ ...hub, reason: 'not the workforce pool of its target', userPool: 'us-east-1_Other1' }),
    ]);
    expect(logLines('a target of a Cognito event cannot be reached')).toEqual([
      expect.objectContaining({ target: UNREACHABLE_KEY, message: expect.any(String) }),
    ]);
  });

  it('cognitoSync: an event of an account no target is touches nothing, and is not delivered again', async () => {
    // Prepare
    await resetEmulatorCalls();

    // Act
    const failures = await deliverToCognitoSync([
      groupEvent({ account: '999999999999', region: 'eu-west-1', userPoolId: pool(), groupName: 'labelers-en' }),
    ]);

    // Assess: the hub's pool named from another account is still the hub's pool (its id is the hub's own)
    expect(failures).toEqual([]);
    expect(await emulatorCalls()).toEqual({});
  });

  it("resync: the hub's teams are resynced, the unreachable target is logged and listed", async () => {
    // Prepare: a hub team whose group gained a member no event reported
    const group = await givenGroup('targets');
    const team = await givenTeam(uniqueTeamName('targets'), { members: { cognitoGroups: [group] } });
    const joiner = await givenUser([group]);

    // Act
    const summary = (await resync(loadEvent('resync.json') as never, lambdaContext('resync'))) as TargetsResyncSummary;

    // Assess
    expect(await subscribed(team.name)).toEqual([joiner.email]);
    expect(summary.teams.find((entry) => entry.name === team.name)).toMatchObject({ subscribed: 1 });
    expect(summary.targets).toEqual([
      { target: `${process.env.HUB_ACCOUNT_ID}/${process.env.AWS_REGION}`, status: 'resynced' },
      { target: UNREACHABLE_KEY, status: 'unreachable', reason: expect.stringMatching(/ECONNREFUSED/) },
    ]);
    expect(logLines('a target cannot be reached: not resynced')).toHaveLength(1);
  });

  it("retryPending: the hub's due team is applied; the target's due team waits, counted in the oldest age", async () => {
    // Prepare: a due Pending change in the hub and one in the target (its registry record, two hours old)
    const hubDeps = buildTeamDeps();
    const targetDeps = buildTeamDeps(loadConfig(teamsConfigSchema()), unreachableTarget());
    const name = uniqueTeamName('due');
    await createTeam(hubDeps, actorOf(OWNER), parseCreateTeamRequest(teamBody(name)));
    const record = (await hubDeps.registry.get(name)) as TeamRecord;
    const due = { attempts: 1, nextAttemptAt: new Date(Date.now() - 60_000).toISOString() };
    await hubDeps.registry.put({ ...record, applyState: 'Pending', retry: due }, record.version);
    const twoHoursAgo = new Date(Date.now() - 2 * 3_600_000).toISOString();
    const waiting: TeamRecord = {
      ...record,
      version: 1,
      applyState: 'Pending',
      retry: due,
      // Never applied: it waits since it was created.
      appliedVersion: undefined,
      createdAt: twoHoursAgo,
    };
    await targetDeps.registry.put(waiting, undefined);

    try {
      // Act
      const summary = (await retryPending(
        loadEvent('retry-pending.json') as never,
        lambdaContext('retryPending'),
      )) as Awaited<ReturnType<typeof retryPendingInTargets>>;

      // Assess
      expect(summary.applied).toContain(name);
      expect(summary.skipped).toContain(`${UNREACHABLE_KEY}/${name}`);
      expect(summary.unreachable).toEqual([
        { target: UNREACHABLE_KEY, reason: expect.stringMatching(/^TargetUnreachable: .*its role cannot be assumed/) },
      ]);
      expect(summary.oldestPendingAgeSeconds).toBeGreaterThanOrEqual(2 * 3600);
      expect(logLines('a target cannot be reached: its pending teams wait')).toHaveLength(1);
      expect((await targetDeps.registry.get(name))?.applyState).toBe('Pending');
    } finally {
      const left = (await targetDeps.registry.get(name)) as TeamRecord;
      await targetDeps.registry.put(
        { ...left, lifecycle: 'deleted', applyState: 'Applied', retry: undefined },
        left.version,
      );
      await deleteTeam(hubDeps, actorOf(ADMIN), name, 'any');
    }
  });
});
