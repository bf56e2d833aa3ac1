/**
 * The audit store per target, through the real SDK against the test run's DynamoDB (dynalite): two targets' stores
 * share no finding record, real-time claim or single-team run of a team of one name (the hub's keys stay those of
 * the single-target audit); a run's row of a target is written once however often it is recorded; a run is read
 * as its header and the rows its targets wrote.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { buildAuditStore } from '#lib/composition/audit-store';
import { assembleRun, type RunHeader } from '#lib/domain/audit/fan-out';
import type { Finding } from '#lib/domain/audit/findings';
import type { AuditReport } from '#lib/domain/audit/report';
import type { AuditStore } from '#lib/ports/audit';
import { newRunId } from '#lib/use-cases/audit/run';

const HUB = { account: '000000000000', region: 'us-east-1', hub: true };
const OTHER = { account: '111111111111', region: 'us-east-1', hub: false };
const hub = buildAuditStore(undefined, HUB);
const other = buildAuditStore(undefined, OTHER);

const uniqueTeam = (prefix: string) => `${prefix}-${randomBytes(4).toString('hex')}`;

function finding(team: string): Finding {
  return {
    rule: 'worker-access.drift',
    severity: 'high',
    resource: `team/${team}`,
    team,
    message: `Work team '${team}' drifted`,
    desired: { sourceIp: 'Enabled' },
    actual: { sourceIp: 'Disabled' },
    remediable: true,
  };
}

async function keysOf(store: AuditStore): Promise<string[]> {
  const keys: string[] = [];
  for await (const page of store.findingRecords()) keys.push(...page.map((record) => record.key));
  return keys;
}

function report(target: { account: string; region: string }, overrides: Partial<AuditReport> = {}): AuditReport {
  const started = new Date();
  return {
    runId: newRunId(started),
    ...target,
    trigger: 'schedule',
    mode: 'policy',
    dryRun: false,
    startedAt: started.toISOString(),
    endedAt: started.toISOString(),
    counts: {
      teamsAudited: 1,
      managed: 0,
      unmanaged: 1,
      compliant: 1,
      drifted: 0,
      findings: 0,
      bySeverity: { critical: 0, high: 0, medium: 0, low: 0 },
      byRule: {},
      opened: 0,
      resolved: 0,
      remediated: 0,
      suspected: 0,
    },
    teams: [],
    findings: [],
    resolved: [],
    suspected: [],
    ...overrides,
  };
}

describe('the audit store, per target', () => {
  it("keeps two targets' findings of a team of one name apart, the hub's under its bare key", async () => {
    // Prepare
    const team = uniqueTeam('same');
    const bare = `team/${team}#worker-access.drift#high`;
    const announcement = (runId: string) => ({
      id: randomUUID(),
      type: 'Finding Opened' as const,
      runId,
      at: new Date().toISOString(),
    });
    const at = new Date().toISOString();

    // Act
    const opened = await Promise.all([
      hub.openFinding({ key: bare, finding: finding(team), at, runId: 'r-hub', announcement: announcement('r-hub') }),
      other.openFinding({
        key: `111111111111/us-east-1/${bare}`,
        finding: finding(team),
        at,
        runId: 'r-other',
        announcement: announcement('r-other'),
      }),
    ]);

    // Assess
    expect(opened).toEqual([true, true]);
    const [hubKeys, otherKeys] = await Promise.all([keysOf(hub), keysOf(other)]);
    expect(hubKeys).toContain(bare);
    expect(hubKeys.filter((key) => key.includes(team))).toEqual([bare]);
    expect(otherKeys.filter((key) => key.includes(team))).toEqual([`111111111111/us-east-1/${bare}`]);
  });

  it("keeps two targets' real-time claims and single-team runs of a team of one name apart", async () => {
    // Prepare
    const team = uniqueTeam('claims');
    const claim = (eventId: string) => ({
      team,
      holder: `${eventId}/h`,
      eventId,
      startedAt: new Date().toISOString(),
      coveredFrom: new Date(0).toISOString(),
      staleBefore: new Date(0).toISOString(),
    });

    // Act
    const claims = await Promise.all([hub.claimTeamAudit(claim('e-hub')), other.claimTeamAudit(claim('e-other'))]);
    await other.saveRun(report(OTHER, { team }));

    // Assess: each target claimed its own team; the hub has no run of the other target's team
    expect(claims).toEqual([{ claimed: true }, { claimed: true }]);
    expect(await hub.latestTeamRun(team)).toBeUndefined();
    expect(await other.latestTeamRun(team)).toMatchObject({ team, account: '111111111111' });
  });

  it("writes a run's row of a target once, counts it once on the header, and reads the run as its header and rows", async () => {
    // Prepare
    const hubReport = report(HUB);
    const header: RunHeader = {
      runId: hubReport.runId,
      trigger: 'schedule',
      mode: 'policy',
      dryRun: false,
      startedAt: hubReport.startedAt,
      deadline: new Date(Date.now() + 60_000).toISOString(),
      targets: [HUB, OTHER].map(({ account, region }) => ({ account, region })),
    };
    await hub.startRun(header);
    const none = await hub.recordedTargets(header.runId);

    // Act
    const first = await hub.saveRun(hubReport);
    const again = await hub.saveRun({ ...hubReport, counts: { ...hubReport.counts, teamsAudited: 99 } });
    const failed = await hub.recordTarget(header.runId, {
      account: OTHER.account,
      region: OTHER.region,
      status: 'failed',
      reason: 'refused',
      at: new Date().toISOString(),
    });
    const stored = await other.getRun(header.runId);

    // Assess
    expect([first, again, failed]).toEqual([true, false, true]);
    // The row written twice counted once: what a run's waiter polls instead of reading every row
    expect([none, await other.recordedTargets(header.runId)]).toEqual([0, 2]);
    expect(stored && 'header' in stored ? assembleRun(stored.header, stored.rows, new Date()) : stored).toMatchObject({
      status: 'complete',
      counts: { teamsAudited: 1 },
      targets: [
        { account: HUB.account, region: HUB.region, status: 'complete' },
        { account: OTHER.account, region: OTHER.region, status: 'failed', reason: 'refused' },
      ],
    });
    expect(await hub.hasTarget(header.runId, OTHER)).toBe(true);
  });
});
