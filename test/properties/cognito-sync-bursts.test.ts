/**
 * The Cognito sync under random concurrent sequences, as a property (fast-check, fixed seed), against the local
 * cloud with AWS's request-rate quotas on (the local Cognito and SNS throttle at them).
 *
 * Each run takes a fresh group and two managed teams (A with the group, B with the group and labelers-de), then
 * makes a random sequence of changes in Cognito (workers added to and removed from the group, disabled, enabled)
 * through the recording Cognito endpoint, and API writes to the teams (PATCH of a description, B's second group
 * taken out and put back). The CloudTrail events those changes would produce are delivered to the function as its
 * queue would: in random batches, several batches at once, reordered, each event possibly twice. Then the
 * events are delivered once more, all in one batch (what the next change of the group would bring).
 *
 * Nobody confirms a mail in these runs, so every wanted worker ends pending and no subscription can be removed
 * (SNS cannot unsubscribe a pending one). At the end, for every team:
 * 1. every enabled member of its groups is subscribed (pending), and nobody is confirmed who is not a member;
 * 2. no address got more than one confirmation mail for the team's topic;
 * 3. the team is not Failed, and no batch reported a message failed (nothing would reach the dead-letter queue).
 */
import { randomUUID } from 'node:crypto';
import {
  AdminAddUserToGroupCommand,
  AdminDisableUserCommand,
  AdminEnableUserCommand,
  AdminRemoveUserFromGroupCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { ListSubscriptionsByTopicCommand } from '@aws-sdk/client-sns';
import fc from 'fast-check';
import { handler as addTeamMembers } from '../../functions/add-team-members';
import { handler as removeTeamMember } from '../../functions/remove-team-member';
import { handler as updateTeam } from '../../functions/update-team';
import { cognito, givenGroup, givenUser, pool, subOf } from '../support/cognito';
import { deliverToCognitoSync } from '../support/cognito-sync';
import { loadEvent } from '../support/invoke';
import { confirmationMails } from '../support/mailbox';
import { givenTeam, registryRecord, retireCreatedTeams, topicArnOf } from '../support/steps';
import { ANY_VERSION, call, sns, uniqueTeamName } from '../support/teams';

const SEED = 20261206;
/** Each run makes real changes at AWS's rates (a few seconds): BURST_RUNS asks for a longer exploration. */
const RUNS = Number(process.env.BURST_RUNS ?? 8);
const WORKERS = 6;
const topics = sns();

afterEach(retireCreatedTeams);

type Change =
  | { kind: 'add' | 'remove' | 'disable' | 'enable'; worker: number }
  | { kind: 'describe'; team: 'A' | 'B'; text: number }
  | { kind: 'dropSecondGroup' | 'restoreSecondGroup' };

const changeArb: fc.Arbitrary<Change> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({ kind: fc.constantFrom('add' as const, 'remove' as const), worker: fc.nat(WORKERS - 1) }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constantFrom('disable' as const, 'enable' as const), worker: fc.nat(WORKERS - 1) }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('describe' as const),
      team: fc.constantFrom('A' as const, 'B' as const),
      text: fc.nat(3),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constantFrom('dropSecondGroup' as const, 'restoreSecondGroup' as const) }),
  },
);

const scenarioArb = fc.record({
  changes: fc.array(changeArb, { minLength: 4, maxLength: 14 }),
  /** How the events are cut into batches (sizes, cycled), and which are delivered twice. */
  batchSizes: fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 5 }),
  duplicates: fc.array(fc.boolean(), { minLength: 14, maxLength: 14 }),
  /** How many batches go at once. */
  parallel: fc.integer({ min: 1, max: 3 }),
  reversed: fc.boolean(),
});

type CloudTrailEvent = { detail: Record<string, unknown> & { eventID: string } };

function eventOf(file: string, changes: { groupName?: string; sub?: string }): CloudTrailEvent {
  const event = loadEvent<CloudTrailEvent & { detail: { requestParameters: Record<string, string> } }>(file);
  event.detail.eventID = randomUUID();
  event.detail.requestParameters.userPoolId = pool();
  if (changes.groupName) event.detail.requestParameters.groupName = changes.groupName;
  if (changes.sub) event.detail.additionalEventData = { sub: changes.sub };
  return event;
}

const deliver = (events: CloudTrailEvent[]) => deliverToCognitoSync(events);

async function emailSubscriptions(topicArn: string): Promise<{ endpoint: string; pending: boolean }[]> {
  const found: { endpoint: string; pending: boolean }[] = [];
  let NextToken: string | undefined;
  do {
    const page = await topics.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn, NextToken }));
    for (const s of page.Subscriptions ?? []) {
      if (s.Protocol === 'email')
        found.push({ endpoint: s.Endpoint ?? '', pending: s.SubscriptionArn === 'PendingConfirmation' });
    }
    NextToken = page.NextToken;
  } while (NextToken);
  return found;
}

type Scenario = typeof scenarioArb extends fc.Arbitrary<infer T> ? T : never;

async function runScenario(scenario: Scenario): Promise<void> {
  // Prepare: the group, the workers (none in it yet), the teams
  const group = await givenGroup('burst');
  const workers = await Promise.all(Array.from({ length: WORKERS }, () => givenUser()));
  const subs = await Promise.all(workers.map((worker) => subOf(worker.username)));
  const teamA = await givenTeam(uniqueTeamName('burst-a'), { members: { cognitoGroups: [group] } });
  const teamB = await givenTeam(uniqueTeamName('burst-b'), { members: { cognitoGroups: [group, 'labelers-de'] } });
  const truth = { members: new Set<number>(), disabled: new Set<number>(), bHasSecond: true };

  // Act: the changes, each with the event CloudTrail would record for it
  const events: CloudTrailEvent[] = [];
  /** API writes: made one after the other, while the events are delivered. */
  const writes: (() => Promise<{ statusCode: number }>)[] = [];
  for (const change of scenario.changes) {
    const worker = 'worker' in change ? workers[change.worker] : undefined;
    const username = worker?.username ?? '';
    const sub = 'worker' in change ? subs[change.worker] : undefined;
    if (change.kind === 'add') {
      await cognito.send(new AdminAddUserToGroupCommand({ UserPoolId: pool(), Username: username, GroupName: group }));
      truth.members.add(change.worker);
      events.push(eventOf('cognito-add-user-to-group.json', { groupName: group }));
    } else if (change.kind === 'remove') {
      if (!truth.members.has(change.worker)) continue;
      await cognito.send(
        new AdminRemoveUserFromGroupCommand({ UserPoolId: pool(), Username: username, GroupName: group }),
      );
      truth.members.delete(change.worker);
      events.push(eventOf('cognito-remove-user-from-group.json', { groupName: group }));
    } else if (change.kind === 'disable') {
      await cognito.send(new AdminDisableUserCommand({ UserPoolId: pool(), Username: username }));
      truth.disabled.add(change.worker);
      events.push(eventOf('cognito-disable-user.json', { sub }));
    } else if (change.kind === 'enable') {
      await cognito.send(new AdminEnableUserCommand({ UserPoolId: pool(), Username: username }));
      truth.disabled.delete(change.worker);
      events.push(eventOf('cognito-enable-user.json', { sub }));
    } else if (change.kind === 'describe') {
      const name = change.team === 'A' ? teamA.name : teamB.name;
      writes.push(() =>
        call(updateTeam, 'updateTeam', 'update-team.json', {
          path: { name },
          body: { description: `Burst description ${change.text}` },
          headers: ANY_VERSION,
        }),
      );
    } else if (change.kind === 'dropSecondGroup' && truth.bHasSecond) {
      truth.bHasSecond = false;
      writes.push(() =>
        call(removeTeamMember, 'removeTeamMember', 'remove-team-member.json', {
          path: { name: teamB.name, group: 'labelers-de' },
          headers: ANY_VERSION,
        }),
      );
    } else if (change.kind === 'restoreSecondGroup' && !truth.bHasSecond) {
      truth.bHasSecond = true;
      writes.push(() =>
        call(addTeamMembers, 'addTeamMembers', 'add-team-members.json', {
          path: { name: teamB.name },
          body: { cognitoGroups: ['labelers-de'] },
          headers: ANY_VERSION,
        }),
      );
    }
  }
  // Delivered as the queue would: duplicated, reordered, cut into batches, several batches at once
  const delivered = events.flatMap((event, index) => (scenario.duplicates[index % 14] ? [event, event] : [event]));
  if (scenario.reversed) delivered.reverse();
  const batches: CloudTrailEvent[][] = [];
  for (let at = 0, turn = 0; at < delivered.length; turn++) {
    const size = scenario.batchSizes[turn % scenario.batchSizes.length] ?? 1;
    batches.push(delivered.slice(at, at + size));
    at += size;
  }
  const failures: string[] = [];
  const answers: { statusCode: number }[] = [];
  const writing = (async () => {
    for (const write of writes) answers.push(await write());
  })();
  for (let at = 0; at < batches.length; at += scenario.parallel) {
    const together = batches.slice(at, at + scenario.parallel).map((batch) => deliver(batch));
    for (const failed of await Promise.all(together)) failures.push(...failed);
  }
  await writing;
  // What the next change of the group would bring: its events once more, in one batch
  failures.push(...(await deliver(events)));

  // Assess
  expect(failures).toEqual([]);
  for (const answer of answers) expect([200, 202]).toContain(answer.statusCode);
  const enabledMembers = [...truth.members].filter((index) => !truth.disabled.has(index));
  for (const team of [teamA, teamB]) {
    const topicArn = topicArnOf(team.name);
    const listed = await emailSubscriptions(topicArn);
    const listedEmails = listed.map((entry) => entry.endpoint);
    for (const index of enabledMembers) expect(listedEmails).toContain(workers[index]?.email);
    const confirmedNonMembers = listed.filter(
      (entry) => !entry.pending && !enabledMembers.some((index) => workers[index]?.email === entry.endpoint),
    );
    expect(confirmedNonMembers.filter((entry) => entry.endpoint.startsWith('worker-'))).toEqual([]);
    const mails = await confirmationMails(topicArn);
    const perAddress = new Map<string, number>();
    for (const mail of mails) perAddress.set(mail.address, (perAddress.get(mail.address) ?? 0) + 1);
    expect([...perAddress.values()].every((count) => count === 1)).toBe(true);
    expect((await registryRecord(team.name))?.applyState).not.toBe('Failed');
  }
  await retireCreatedTeams();
}

describe('the Cognito sync under bursts, with the quotas on', () => {
  it(`ends with every member subscribed once, no mail twice and no team Failed, over ${RUNS} random concurrent sequences (seed ${SEED})`, async () => {
    await fc.assert(fc.asyncProperty(scenarioArb, runScenario), { seed: SEED, numRuns: RUNS, endOnFailure: true });
  }, 240_000);
});
