/**
 * The Cognito sync's invariants under races, each with the interleaving under control: a pass of a team is held
 * right after it read what it will write (a gate around the real directory), and a second pass, an API write or
 * a DELETE is seen waiting for the team's lease (test/support/leases.ts) before the first goes on. Throttling comes
 * from the local Cognito's request-rate quotas, scaled down.
 *
 * - A removed worker ends unsubscribed whatever the order of the passes (no write from an outdated listing).
 * - A DELETE racing a sync pass leaves neither team nor topic behind.
 * - Throttling never fails a team: a burst of throttled batches keeps it Pending (its reason names Cognito), and
 *   the next batch after the throttling converges it.
 * - The same event delivered twice at once has one effect and is no failure.
 */
import { randomUUID } from 'node:crypto';
import { AdminRemoveUserFromGroupCommand } from '@aws-sdk/client-cognito-identity-provider';
import { ListSubscriptionsByTopicCommand } from '@aws-sdk/client-sns';
import { buildTeamDeps } from '#lib/composition/teams';
import type { CognitoChange } from '#lib/domain/cognito-changes';
import { dynamoClient } from '#lib/runtime/clients/dynamodb';
import { loadConfig, teamsConfigSchema } from '#lib/runtime/config';
import { syncCognitoChanges } from '#lib/use-cases/cognito-sync/batch';
import { handler as deleteTeam } from '../../functions/delete-team';
import { cognito, givenGroup, givenUser, pool } from '../support/cognito';
import { deliverToCognitoSync } from '../support/cognito-sync';
import { loadEvent } from '../support/invoke';
import { watchLeases } from '../support/leases';
import { confirmationMails, confirmSubscriptions, setQuotaScale } from '../support/mailbox';
import {
  createdTeams,
  givenTeam,
  liveTeam,
  registryRecord,
  retireCreatedTeams,
  topicArnOf,
  topicExists,
} from '../support/steps';
import { ANY_VERSION, call, sns, uniqueTeamName } from '../support/teams';

const topics = sns();
const leases = watchLeases(dynamoClient(loadConfig(teamsConfigSchema())));

afterEach(async () => {
  await setQuotaScale('cognito', 1);
  await retireCreatedTeams();
});

async function subscribed(team: string): Promise<string[]> {
  const { Subscriptions } = await topics.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArnOf(team) }));
  return (Subscriptions ?? []).filter((s) => s.Protocol === 'email').map((s) => s.Endpoint ?? '');
}

function added(group: string): CognitoChange {
  return { eventId: randomUUID(), eventName: 'AdminAddUserToGroup', groupName: group };
}

function removed(group: string): CognitoChange {
  return { eventId: randomUUID(), eventName: 'AdminRemoveUserFromGroup', groupName: group };
}

/** A batch of the queue holding these events' CloudTrail records, through the function. */
function deliver(changes: CognitoChange[]): Promise<string[]> {
  return deliverToCognitoSync(
    changes.map((change) => {
      const file =
        change.eventName === 'AdminAddUserToGroup'
          ? 'cognito-add-user-to-group.json'
          : 'cognito-remove-user-from-group.json';
      const event = loadEvent<{ detail: { eventID: string; requestParameters: Record<string, string> } }>(file);
      event.detail.eventID = change.eventId;
      event.detail.requestParameters.userPoolId = pool();
      if ('groupName' in change) event.detail.requestParameters.groupName = change.groupName;
      return event;
    }),
  );
}

/** The team's deps, with the group listing of the first pass held after it read the pool, until `release`. */
function heldAfterListing() {
  const deps = buildTeamDeps();
  let arrived: () => void = () => undefined;
  let release: () => void = () => undefined;
  const atGate = new Promise<void>((resolve) => {
    arrived = resolve;
  });
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  let first = true;
  const held = {
    ...deps,
    directory: {
      ...deps.directory,
      emailsOfGroups: async (userPool: string, groups: string[]) => {
        const listing = await deps.directory.emailsOfGroups(userPool, groups);
        if (first) {
          first = false;
          arrived();
          await gate;
        }
        return listing;
      },
    },
  };
  return { deps: held, atGate, release };
}

describe('the Cognito sync under races', () => {
  it('unsubscribes a removed worker even when a pass that listed the group before the removal writes last', async () => {
    // Prepare: a confirmed worker of the team's group
    const group = await givenGroup('race');
    const worker = await givenUser([group]);
    const team = await givenTeam(uniqueTeamName('race'), { members: { cognitoGroups: [group] } });
    await confirmSubscriptions(topicArnOf(team.name), [worker.email]);
    const first = heldAfterListing();

    // Act: pass A lists the group (the worker in it) and is held; the worker is removed; the removal's batch
    // finds the team's lease held; then A goes on
    const passA = syncCognitoChanges(first.deps, pool(), [added(group)]);
    await first.atGate;
    await cognito.send(
      new AdminRemoveUserFromGroupCommand({ UserPoolId: pool(), Username: worker.username, GroupName: group }),
    );
    const passB = deliver([removed(group)]);
    await leases.untilRefused(team.name);
    first.release();
    const [resultA, failuresB] = await Promise.all([passA, passB]);

    // Assess
    expect(resultA.failed).toEqual([]);
    expect(failuresB).toEqual([]);
    expect(await subscribed(team.name)).not.toContain(worker.email);
  });

  it('leaves neither team nor topic behind when a DELETE races a sync pass of the team', async () => {
    // Prepare
    const group = await givenGroup('race');
    const team = await givenTeam(uniqueTeamName('race'), { members: { cognitoGroups: [group] } });
    createdTeams.pop();
    await givenUser([group]);
    const first = heldAfterListing();

    // Act: the sync pass is held after its listing; the DELETE waits for the lease; then the pass goes on
    const pass = syncCognitoChanges(first.deps, pool(), [added(group)]);
    await first.atGate;
    const deleting = call(deleteTeam, 'deleteTeam', 'delete-team.json', {
      headers: ANY_VERSION,
      path: { name: team.name },
    });
    await leases.untilRefused(team.name);
    first.release();
    const [result, deleted] = await Promise.all([pass, deleting]);

    // Assess
    expect(result.failed).toEqual([]);
    expect(deleted.statusCode).toBe(204);
    expect(await liveTeam(team.name)).toBeUndefined();
    expect(await topicExists(team.name)).toBe(false);
    expect(await registryRecord(team.name)).toMatchObject({ lifecycle: 'deleted', applyState: 'Applied' });
  });

  it('never fails a team for throttling: a burst of throttled batches keeps it Pending, naming Cognito, and the next converges it', async () => {
    // Prepare: a team, and a worker the throttled batches cannot list
    const group = await givenGroup('throttled');
    const team = await givenTeam(uniqueTeamName('throttled'), { members: { cognitoGroups: [group] } });
    const worker = await givenUser([group]);
    await setQuotaScale('cognito', 0.001);

    // Act: five batches while Cognito throttles every listing (each a failed attempt), then one once it no longer does
    const throttled: string[] = [];
    for (let index = 0; index < 5; index++) throttled.push(...(await deliver([added(group)])));
    const during = await registryRecord(team.name);
    await setQuotaScale('cognito', 1);
    const after = await deliver([added(group)]);

    // Assess
    expect(throttled).toEqual([]);
    expect(during).toMatchObject({ applyState: 'Pending', pendingReason: expect.stringContaining('Cognito') });
    expect(after).toEqual([]);
    expect(await registryRecord(team.name)).toMatchObject({ applyState: 'Applied' });
    expect(await subscribed(team.name)).toContain(worker.email);
  }, 60_000);

  it('takes the same event delivered twice at once as one: no failure, one confirmation mail', async () => {
    // Prepare
    const group = await givenGroup('twice');
    const team = await givenTeam(uniqueTeamName('twice'), { members: { cognitoGroups: [group] } });
    const worker = await givenUser([group]);
    const event = added(group);

    // Act
    const [first, second] = await Promise.all([deliver([event]), deliver([event])]);

    // Assess
    expect([first, second]).toEqual([[], []]);
    const mails = (await confirmationMails(topicArnOf(team.name))).filter((mail) => mail.address === worker.email);
    expect(mails).toHaveLength(1);
  });
});
