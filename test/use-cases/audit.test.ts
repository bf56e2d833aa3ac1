/**
 * runAudit's promises about announcements and judgement, with the real adapters against the local cloud and the
 * announcing ports wrapped where a test needs them to fail: an announcement that fails is made by a later run,
 * once; a finding the run could not judge again (a team being changed) stays open.
 */
import { SageMakerClient, UpdateWorkteamCommand } from '@aws-sdk/client-sagemaker';
import { buildAuditDeps } from '#lib/deps';
import type { AuditAlert, FindingEvent } from '#lib/ports';
import { ANNOUNCEMENT_GRACE_MS, type AuditDeps, runAudit } from '#lib/use-cases/audit';
import { handler as updateTeam } from '../../functions/update-team';
import { OPERATOR_CREDENTIALS } from '../support/events';
import { givenTeam, retireCreatedTeams } from '../support/steps';
import { call, setEmulatorKnobs } from '../support/teams';

const operator = new SageMakerClient({ credentials: OPERATOR_CREDENTIALS });

async function setSourceIpByHand(team: string, sourceIp: 'Enabled' | 'Disabled'): Promise<void> {
  await operator.send(
    new UpdateWorkteamCommand({
      WorkteamName: team,
      WorkerAccessConfiguration: {
        S3Presign: { IamPolicyConstraints: { SourceIp: sourceIp, VpcSourceIp: 'Disabled' } },
      },
    }),
  );
}

/** The real deps, with events and operations summaries recorded, and failing while `down` says so. */
function recordingDeps(at: () => Date) {
  const real = buildAuditDeps();
  const state = { down: false, events: [] as FindingEvent[], summaries: [] as AuditAlert[] };
  const deps: AuditDeps = {
    ...real,
    now: at,
    // Runs dated ahead of the clock would stay the latest for every later test: this test keeps no reports.
    store: { ...real.store, saveRun: async () => undefined },
    events: {
      async publish(events) {
        if (state.down) throw new Error('EventBridge is unavailable');
        state.events.push(...events);
      },
    },
    alerts: {
      ...real.alerts,
      async auditFindingsOpened(summary) {
        if (state.down) throw new Error('SNS is unavailable');
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

  it('keeps the drift finding of a team whose change is being applied open: it cannot judge it now', async () => {
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
    expect(report.resolved.filter((finding) => finding.team === name)).toEqual([]);
    expect(state.events.filter(about(name, 'Finding Resolved'))).toEqual([]);
  });
});
