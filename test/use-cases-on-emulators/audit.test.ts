/**
 * runAudit's promises about announcements and judgement, with the real adapters against the local cloud and the
 * announcing ports wrapped where a test needs them to fail, on a clock the test moves: an announcement that fails
 * is made by a later run, once; a failing operations alert never fails the run and is sent by a later one; a
 * subscription finding opens only at a second look, the grace period later; a finding of a team being changed is
 * still judged.
 */

import { AdminRemoveUserFromGroupCommand } from '@aws-sdk/client-cognito-identity-provider';
import { SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { buildAuditDeps } from '#lib/composition/audit';
import type { FindingEvent } from '#lib/ports/audit';
import type { AuditAlert } from '#lib/ports/teams';
import type { AuditDeps } from '#lib/use-cases/audit/deps';
import { runAudit, SUBSCRIPTION_GRACE_MS } from '#lib/use-cases/audit/run';
import { ANNOUNCEMENT_GRACE_MS } from '#lib/use-cases/audit/transitions';
import { handler as updateTeam } from '../../functions/update-team';
import { givenGroup, givenUser, pool, setup } from '../support/cognito';
import { OPERATOR_CREDENTIALS } from '../support/events';
import { setSourceIpByHand } from '../support/operator';
import { setEmulatorKnobs } from '../support/sagemaker-emulator-control';
import { givenTeam, retireCreatedTeams, topicArnOf } from '../support/steps';
import { call, uniqueTeamName } from '../support/teams';

/**
 * The real deps, with events and operations summaries recorded, failing while `down` (both) or `alertsDown` (the
 * operations topic) says so, and the warnings logged kept.
 */
function recordingDeps(at: () => Date) {
  const real = buildAuditDeps();
  const state = {
    down: false,
    alertsDown: false,
    events: [] as FindingEvent[],
    summaries: [] as AuditAlert[],
    warnings: [] as string[],
  };
  const deps: AuditDeps = {
    ...real,
    now: at,
    log: { info: () => undefined, warn: (message) => state.warnings.push(message), error: () => undefined },
    // Runs dated ahead of the clock would stay the latest for every later test: this test keeps no reports.
    store: { ...real.store, saveRun: async () => true },
    events: {
      async publish(events) {
        if (state.down) throw new Error('EventBridge is unavailable');
        state.events.push(...events);
      },
    },
    alerts: {
      ...real.alerts,
      async auditFindingsOpened(summary) {
        if (state.down || state.alertsDown) throw new Error('SNS is unavailable');
        state.summaries.push(summary);
      },
    },
  };
  return { deps, state };
}

const about = (team: string, type: FindingEvent['type']) => (event: FindingEvent) =>
  event.finding.team === team && event.type === type;

afterEach(retireCreatedTeams);

describe('runAudit', () => {
  it("announces a finding's opening that a failed run could not announce, once, in a later run", async () => {
    // Prepare
    const { name } = await givenTeam();
    await setSourceIpByHand(name, 'Disabled');
    let clock = new Date();
    const { deps, state } = recordingDeps(() => clock);

    // Act: the first run records the finding and cannot announce it; the next one, at once, leaves it to the run
    // that opened it; one after the grace period announces it.
    state.down = true;
    await expect(runAudit(deps, { trigger: 'request', team: name })).rejects.toThrow('unavailable');
    state.down = false;
    const soon = await runAudit(deps, { trigger: 'request', team: name });
    const afterSoon = state.events.filter(about(name, 'Finding Opened')).length;
    clock = new Date(clock.getTime() + ANNOUNCEMENT_GRACE_MS + 60_000);
    await runAudit(deps, { trigger: 'request', team: name });
    await runAudit(deps, { trigger: 'request', team: name });

    // Assess
    expect(soon.counts.opened).toBe(0);
    expect(afterSoon).toBe(0);
    const opened = state.events.filter(about(name, 'Finding Opened')).map((event) => event.finding.rule);
    expect(opened).toContain('worker-access.drift');
    expect(new Set(opened).size).toBe(opened.length);
    expect(state.summaries.filter((summary) => summary.opened.some((finding) => finding.team === name))).toHaveLength(
      1,
    );
  });

  it("announces a finding's resolution that a failed run could not announce, in a later run", async () => {
    // Prepare: the drift opened and announced, then put right by hand
    const { name } = await givenTeam();
    await setSourceIpByHand(name, 'Disabled');
    let clock = new Date();
    const { deps, state } = recordingDeps(() => clock);
    await runAudit(deps, { trigger: 'request', team: name });
    await setSourceIpByHand(name, 'Enabled');

    // Act
    state.down = true;
    await expect(runAudit(deps, { trigger: 'request', team: name })).rejects.toThrow('unavailable');
    state.down = false;
    clock = new Date(clock.getTime() + ANNOUNCEMENT_GRACE_MS + 60_000);
    const later = await runAudit(deps, { trigger: 'request', team: name });

    // Assess
    expect(later.findings.filter((finding) => finding.team === name)).toEqual([]);
    const resolved = state.events.filter(about(name, 'Finding Resolved')).map((event) => event.finding.rule);
    expect(resolved).toEqual(['worker-access.drift']);
  });

  it('never fails a run on a failing operations alert: it is logged and reported, a later run sends it, the finding is announced once', async () => {
    // Prepare
    const { name } = await givenTeam();
    await setSourceIpByHand(name, 'Disabled');
    let clock = new Date();
    const { deps, state } = recordingDeps(() => clock);

    // Act
    state.alertsDown = true;
    const failed = await runAudit(deps, { trigger: 'request', team: name });
    state.alertsDown = false;
    const soon = await runAudit(deps, { trigger: 'request', team: name });
    clock = new Date(clock.getTime() + ANNOUNCEMENT_GRACE_MS + 60_000);
    const later = await runAudit(deps, { trigger: 'request', team: name });
    const after = await runAudit(deps, { trigger: 'request', team: name });

    // Assess
    const key = `team/${name}#worker-access.drift#high`;
    expect(failed).toMatchObject({ alert: 'failed', counts: { opened: 1 } });
    expect(state.warnings).toContain('the operations alert of an audit run failed; a later run sends it');
    expect(soon.alert).toBeUndefined();
    expect(later.alert).toBe('sent');
    expect(after.alert).toBeUndefined();
    expect(
      state.summaries.map((summary) => ({ runId: summary.runId, keys: summary.opened.map((f) => f.key) })),
    ).toEqual([{ runId: later.runId, keys: [key] }]);
    expect(state.events.filter((event) => event.key === key).map((event) => event.type)).toEqual(['Finding Opened']);
  });

  it('keeps judging the drift of a team whose change is being applied: the drift is still there, nothing resolves', async () => {
    // Prepare: drift found, then a change of the team left Pending (SageMaker throttling every call)
    const { name, etag } = await givenTeam();
    await setSourceIpByHand(name, 'Disabled');
    const { deps, state } = recordingDeps(() => new Date());
    await runAudit(deps, { trigger: 'request', team: name });
    await setEmulatorKnobs({ throttleRate: 1 });
    const patched = await call(updateTeam, 'updateTeam', 'update-team.json', {
      path: { name },
      body: { description: 'Changed while SageMaker throttles' },
      headers: { 'if-match': etag },
    });
    await setEmulatorKnobs({ throttleRate: 0 });

    // Act
    const report = await runAudit(deps, { trigger: 'request', team: name });

    // Assess
    expect(patched.statusCode).toBe(202);
    expect(report.findings.filter((finding) => finding.team === name).map((finding) => finding.rule)).toEqual([
      'worker-access.drift',
    ]);
    expect(report.resolved.filter((finding) => finding.team === name)).toEqual([]);
    expect(state.events.filter(about(name, 'Finding Resolved'))).toEqual([]);
  });
});

describe('runAudit, subscription findings', () => {
  const sns = new SNSClient({ credentials: OPERATOR_CREDENTIALS });
  afterAll(() => sns.destroy());

  /** A team of a fresh group, and a worker added to the group where the Cognito sync hears nothing of it. */
  async function teamWithUnheardJoiner() {
    const group = await givenGroup('second-look');
    const { name } = await givenTeam(uniqueTeamName('second-look'), { members: { cognitoGroups: [group] } });
    const joiner = await givenUser([group]);
    return { name, joiner, key: `team/${name}#notifications.workers-unsubscribed#medium` };
  }

  it('opens a subscription finding only at a run the grace period later that still sees it: no event, no page before', async () => {
    // Prepare
    const { name, key } = await teamWithUnheardJoiner();
    const start = new Date();
    let clock = start;
    const { deps, state } = recordingDeps(() => clock);

    // Act
    const first = await runAudit(deps, { trigger: 'request', team: name });
    clock = new Date(start.getTime() + 5 * 60_000);
    const during = await runAudit(deps, { trigger: 'request', team: name });
    clock = new Date(start.getTime() + SUBSCRIPTION_GRACE_MS + 1000);
    const second = await runAudit(deps, { trigger: 'request', team: name });

    // Assess
    for (const report of [first, during]) {
      expect(report.findings.filter((finding) => finding.team === name)).toEqual([]);
      expect(report.suspected).toEqual([
        expect.objectContaining({
          key,
          since: start.toISOString(),
          opensFrom: new Date(start.getTime() + SUBSCRIPTION_GRACE_MS).toISOString(),
          actual: { count: 1, addresses: [expect.stringMatching(/^w\*+@example\.com$/)] },
        }),
      ]);
      expect(report.counts).toMatchObject({ suspected: 1, opened: 0 });
      expect(report.teams).toEqual([expect.objectContaining({ name, compliant: true, findings: 0 })]);
    }
    expect(second.findings).toEqual([expect.objectContaining({ key, new: true })]);
    expect(second.suspected).toEqual([]);
    expect(state.events.map((event) => ({ type: event.type, key: event.key }))).toEqual([
      { type: 'Finding Opened', key },
    ]);
    expect(state.summaries.map((summary) => summary.runId)).toEqual([second.runId]);
  });

  it('drops a suspicion the sync put right within the grace period, without a word', async () => {
    // Prepare
    const { name, joiner, key } = await teamWithUnheardJoiner();
    const start = new Date();
    let clock = start;
    const { deps, state } = recordingDeps(() => clock);
    await runAudit(deps, { trigger: 'request', team: name });

    // Act: the worker is subscribed (as the sync would: pending until confirmed), then someone else joins later.
    await sns.send(new SubscribeCommand({ TopicArn: topicArnOf(name), Protocol: 'email', Endpoint: joiner.email }));
    clock = new Date(start.getTime() + SUBSCRIPTION_GRACE_MS + 1000);
    const after = await runAudit(deps, { trigger: 'request', team: name });

    // Assess
    expect(after.findings).toEqual([]);
    expect(after.suspected).toEqual([]);
    expect(state.events.filter((event) => event.key === key)).toEqual([]);
    expect(state.summaries).toEqual([]);
  });

  it('reports a pending subscription of someone who left the groups as a pending leaver, low, at the second look', async () => {
    // Prepare: a worker subscribed (pending) when the team was made, then removed from its group unheard
    const group = await givenGroup('leaver');
    const leaver = await givenUser([group]);
    const { name } = await givenTeam(uniqueTeamName('leaver'), { members: { cognitoGroups: [group] } });
    await setup.send(
      new AdminRemoveUserFromGroupCommand({ UserPoolId: pool(), Username: leaver.username, GroupName: group }),
    );
    const start = new Date();
    let clock = start;
    const { deps } = recordingDeps(() => clock);

    // Act
    const first = await runAudit(deps, { trigger: 'request', team: name });
    clock = new Date(start.getTime() + SUBSCRIPTION_GRACE_MS);
    const second = await runAudit(deps, { trigger: 'request', team: name });

    // Assess
    const key = `team/${name}#notifications.pending-leaver#low`;
    expect(first.suspected.map((finding) => finding.key)).toEqual([key]);
    expect(second.findings).toEqual([
      expect.objectContaining({
        key,
        severity: 'low',
        remediable: false,
        actual: { count: 1, addresses: [expect.any(String)] },
      }),
    ]);
  });
});
