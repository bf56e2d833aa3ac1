/**
 * A run of every target assembled from its header and rows (lib/domain/audit/fan-out.ts): running while rows are
 * missing before the deadline, partial after it with the missing targets marked, complete once every target has a
 * row (a failed one too); totals added up over the complete targets only; every item named with its target.
 */
import { assembleRun, auditKeyPrefix, type RunHeader, type TargetRow } from '#lib/domain/audit/fan-out';
import type { AuditReport } from '#lib/domain/audit/report';

const HUB = { account: '000000000000', region: 'us-east-1' };
const OTHER = { account: '111111111111', region: 'eu-west-1' };
const header: RunHeader = {
  runId: '20261128T184055123Z-1a2b3c4d',
  trigger: 'schedule',
  mode: 'policy',
  dryRun: false,
  startedAt: '2026-11-28T18:40:55.123Z',
  deadline: '2026-11-28T18:44:55.123Z',
  targets: [HUB, OTHER],
};
const before = new Date('2026-11-28T18:41:00.000Z');
const after = new Date('2026-11-28T18:45:00.000Z');

function report(target: typeof HUB, findings: number): AuditReport {
  return {
    runId: header.runId,
    ...target,
    trigger: 'schedule',
    mode: 'policy',
    dryRun: false,
    startedAt: '2026-11-28T18:40:56.000Z',
    endedAt: '2026-11-28T18:40:58.000Z',
    counts: {
      teamsAudited: 2,
      managed: 1,
      unmanaged: 1,
      compliant: 1,
      drifted: 1,
      findings,
      bySeverity: { critical: 0, high: findings, medium: 0, low: 0 },
      byRule: { 'worker-access.drift': findings },
      opened: findings,
      resolved: 0,
      remediated: 0,
      suspected: 0,
    },
    teams: [{ name: 'same-name', managed: true, exists: true, compliant: false, findings }],
    findings: [],
    resolved: [],
    suspected: [],
  };
}
const complete = (target: typeof HUB, findings: number): TargetRow => ({
  ...target,
  status: 'complete',
  report: report(target, findings),
});
const failed: TargetRow = { ...OTHER, status: 'failed', reason: 'refused', at: '2026-11-28T18:41:02.000Z' };

describe('assembleRun', () => {
  it('is running while a target has no row before the deadline', () => {
    const run = assembleRun(header, [complete(HUB, 1)], before);
    expect(run.status).toBe('running');
    expect(run.targets.map((target) => target.status)).toEqual(['complete', 'running']);
    expect(run.endedAt).toBeUndefined();
  });

  it('is partial after the deadline, the target without a row missing with the reason', () => {
    const run = assembleRun(header, [complete(HUB, 1)], after);
    expect(run.status).toBe('partial');
    expect(run.targets[1]).toMatchObject({ ...OTHER, status: 'missing', reason: expect.stringContaining('deadline') });
  });

  it('is complete once every target has a row, a failed one included, whenever it is read', () => {
    const run = assembleRun(header, [failed, complete(HUB, 1)], after);
    expect(run.status).toBe('complete');
    expect(run.targets).toEqual([
      expect.objectContaining({ ...HUB, status: 'complete' }),
      { ...OTHER, status: 'failed', reason: 'refused', endedAt: '2026-11-28T18:41:02.000Z' },
    ]);
    expect(run.endedAt).toBe('2026-11-28T18:41:02.000Z');
  });

  it('adds up the complete targets and names every item with its target', () => {
    const run = assembleRun(header, [complete(HUB, 1), complete(OTHER, 2)], before);
    expect(run.counts).toMatchObject({ teamsAudited: 4, findings: 3, bySeverity: { high: 3 } });
    expect(run.counts.byRule).toEqual({ 'worker-access.drift': 3 });
    expect(run.teams.map(({ name, account, region }) => ({ name, account, region }))).toEqual([
      { name: 'same-name', ...HUB },
      { name: 'same-name', ...OTHER },
    ]);
  });
});

describe('auditKeyPrefix', () => {
  it("leaves the hub's keys bare and prefixes another target's with its account and region", () => {
    expect(auditKeyPrefix({ ...HUB, hub: true })).toBe('');
    expect(auditKeyPrefix({ ...OTHER, hub: false })).toBe('111111111111/eu-west-1/');
  });
});
