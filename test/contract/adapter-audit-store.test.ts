/**
 * The audit store through the real SDK against the test run's DynamoDB (dynalite): each step of a finding's record
 * is won by one caller only and none is taken while an announcement is in flight; single-team runs are kept apart
 * from runs of every team; a run's row per target is written once; two targets' stores share no finding, claim or
 * single-team run of a team of one name; a real-time claim covers the events before its start; a report too large
 * for one item keeps its counts and teams.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { createAuditStore } from '#lib/adapters/audit-store';
import { buildAuditStore } from '#lib/composition/audit-store';
import type { RunHeader } from '#lib/domain/audit/fan-out';
import type { Finding } from '#lib/domain/audit/findings';
import type { AuditReport, ReportedFinding } from '#lib/domain/audit/report';
import type { Announcement, StoredRun } from '#lib/ports/audit';
import { newRunId } from '#lib/use-cases/audit/run';
import { watchInFlight } from '../support/in-flight';

const store = buildAuditStore();

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

function claim(type: Announcement['type'], runId = 'run-1', at = new Date().toISOString()): Announcement {
  return { id: randomUUID(), type, runId, at };
}

async function recordOf(key: string) {
  for await (const page of store.findingRecords()) {
    const found = page.find((record) => record.key === key);
    if (found) return found;
  }
  return undefined;
}

/** A run of every team's header, of the hub alone, for a report to be its row. */
function headerOf(full: AuditReport, targets = [{ account: '000000000000', region: 'us-east-1' }]): RunHeader {
  const { runId, trigger, mode, dryRun, startedAt, endedAt } = full;
  return { runId, trigger, mode, dryRun, startedAt, deadline: endedAt, targets };
}

/** The report of a stored run of the hub alone: its one row's, or the one it was kept as. */
function reportOf(stored: StoredRun | undefined): AuditReport | undefined {
  if (stored === undefined) return undefined;
  if ('report' in stored) return stored.report;
  const row = stored.rows[0];
  return row?.status === 'complete' ? row.report : undefined;
}

const uniqueTeam = (prefix: string) => `${prefix}-${randomBytes(4).toString('hex')}`;

function report(overrides: Partial<AuditReport> = {}): AuditReport {
  const started = new Date();
  return {
    runId: newRunId(started),
    trigger: 'request',
    mode: 'policy',
    dryRun: false,
    startedAt: started.toISOString(),
    endedAt: started.toISOString(),
    counts: {
      teamsAudited: 0,
      managed: 0,
      unmanaged: 0,
      compliant: 0,
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

describe('createAuditStore', () => {
  it('completes many announcements ten writes at a time, every one of them', async () => {
    // Prepare: 25 open records with their Opened claimed, and a store whose DynamoDB client is watched
    const client = new DynamoDBClient({});
    const writes = watchInFlight(client, ['Update', 'UpdateItem', 'Delete', 'DeleteItem']);
    const watched = createAuditStore(DynamoDBDocumentClient.from(client), {
      tableName: process.env.AUDIT_TABLE ?? '',
      retentionDays: 1,
      target: { account: '000000000000', region: 'us-east-1', hub: true },
    });
    const teams = Array.from({ length: 25 }, () => uniqueTeam('many'));
    const keys = teams.map((team) => `team/${team}#worker-access.drift#high`);
    const claims = keys.map(() => claim('Finding Opened'));
    const at = new Date().toISOString();
    await Promise.all(
      teams.map((team, index) =>
        store.openFinding({
          key: keys[index] as string,
          finding: finding(team),
          at,
          runId: 'run-many',
          announcement: claims[index] as Announcement,
        }),
      ),
    );
    writes.reset();

    // Act
    await watched.completeAnnouncements(
      keys.map((key, index) => ({ key, id: (claims[index] as Announcement).id, type: 'Finding Opened' as const })),
    );
    const completed = await Promise.all(keys.map(recordOf));
    const peak = writes.peak;

    // Assess
    client.destroy();
    expect(completed.every((record) => record?.state === 'open' && record.announcing === undefined)).toBe(true);
    expect(peak > 1 && peak <= 10).toBe(true);
  });

  it('opens, resolves and forgets a finding record once each, whoever else tries at the same time', async () => {
    // Prepare
    const team = uniqueTeam('store');
    const key = `team/${team}#worker-access.drift#high`;
    const openedAt = new Date().toISOString();
    const opening = (runId: string) => ({
      key,
      finding: finding(team),
      at: openedAt,
      runId,
      announcement: claim('Finding Opened', runId),
    });

    // Act / Assess: two callers at each step, one wins
    const firstOpenings = [opening('run-1'), opening('run-2')];
    expect(await Promise.all(firstOpenings.map((step) => store.openFinding(step)))).toEqual(
      expect.arrayContaining([true, false]),
    );
    const opened = await recordOf(key);
    expect(opened).toMatchObject({
      state: 'open',
      openedAt,
      alertClaimedAt: openedAt,
      announcing: { type: 'Finding Opened' },
    });
    const resolving = (runId: string) => ({
      key,
      openedAt,
      at: new Date().toISOString(),
      announcement: claim('Finding Resolved', runId),
    });
    // No step while the opening is being announced.
    expect(await store.resolveFinding(resolving('run-3'))).toBe(false);
    await store.completeAnnouncements([{ key, id: opened?.announcing?.id as string, type: 'Finding Opened' }]);
    const resolutions = [resolving('run-3'), resolving('run-4')];
    const won = await Promise.all(resolutions.map((step) => store.resolveFinding(step)));
    expect(won).toEqual(expect.arrayContaining([true, false]));
    const winner = resolutions[won.indexOf(true)]?.announcement as Announcement;
    expect(await recordOf(key)).toMatchObject({
      state: 'resolving',
      announcing: { id: winner.id, type: 'Finding Resolved' },
    });
    expect(await recordOf(key)).not.toHaveProperty('alertClaimedAt');
    // A stale claim id completes nothing; the winner's removes the record.
    await store.completeAnnouncements([{ key, id: randomUUID(), type: 'Finding Resolved' }]);
    expect(await recordOf(key)).toBeDefined();
    await store.completeAnnouncements([{ key, id: winner.id, type: 'Finding Resolved' }]);
    expect(await recordOf(key)).toBeUndefined();
  });

  it('resolves only the opening it read: a record opened again since is left to the next run', async () => {
    // Prepare
    const team = uniqueTeam('store');
    const key = `team/${team}#worker-access.drift#high`;
    const first = new Date(Date.now() - 60_000).toISOString();
    const opening = claim('Finding Opened');
    await store.openFinding({ key, finding: finding(team), at: first, runId: 'run-1', announcement: opening });
    await store.completeAnnouncements([{ key, id: opening.id, type: 'Finding Opened' }]);

    // Act
    const stale = await store.resolveFinding({
      key,
      openedAt: new Date().toISOString(),
      at: new Date().toISOString(),
      announcement: claim('Finding Resolved'),
    });

    // Assess
    expect(stale).toBe(false);
    expect(await recordOf(key)).toMatchObject({ state: 'open', openedAt: first });
  });

  it('suspects a finding once, drops it only as read, and opens it from the suspicion once', async () => {
    // Prepare
    const team = uniqueTeam('store');
    const key = `team/${team}#notifications.workers-unsubscribed#medium`;
    const since = new Date(Date.now() - 20 * 60_000).toISOString();

    // Act / Assess
    expect(
      await Promise.all([1, 2].map(() => store.suspectFinding({ key, finding: finding(team), at: since }))),
    ).toEqual(expect.arrayContaining([true, false]));
    expect(await recordOf(key)).toMatchObject({ state: 'suspected', firstSeenAt: since });
    expect(await store.dropSuspected(key, new Date().toISOString())).toBe(false);
    const openings = ['run-1', 'run-2'].map((runId) =>
      store.openFinding({
        key,
        finding: finding(team),
        at: new Date().toISOString(),
        runId,
        announcement: claim('Finding Opened', runId),
        suspectedSince: since,
      }),
    );
    expect(await Promise.all(openings)).toEqual(expect.arrayContaining([true, false]));
    expect(await recordOf(key)).toMatchObject({ state: 'open', firstSeenAt: since });
    expect(await store.dropSuspected(key, since)).toBe(false);
  });

  it('passes a claim and an alert left behind to one later run, as they were read', async () => {
    // Prepare
    const team = uniqueTeam('store');
    const key = `team/${team}#worker-access.drift#high`;
    const at = new Date(Date.now() - 20 * 60_000).toISOString();
    const left = claim('Finding Opened', 'run-failed', at);
    await store.openFinding({ key, finding: finding(team), at, runId: 'run-failed', announcement: left });
    const now = new Date().toISOString();

    // Act
    const taken = await Promise.all(
      ['run-2', 'run-3'].map((runId) => store.takeOverAnnouncement(key, left, { runId, at: now })),
    );
    const alerts = await Promise.all([1, 2].map(() => store.takeOverAlert(key, at, now)));
    await store.alertsSent([{ key, claimedAt: now }]);

    // Assess
    expect(taken).toEqual(expect.arrayContaining([true, false]));
    expect(alerts).toEqual(expect.arrayContaining([true, false]));
    const record = await recordOf(key);
    expect(record?.announcing).toMatchObject({ id: left.id, at: now });
    expect(record).not.toHaveProperty('alertClaimedAt');
  });

  it('reads a record of the first store as open, and forgets one it had resolved', async () => {
    // Prepare
    const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}));
    const team = uniqueTeam('legacy');
    const open = `team/${team}#worker-access.drift#high`;
    const resolved = `team/${team}#team.drift#medium`;
    const legacy = (sk: string, state: string) =>
      doc.send(
        new PutCommand({
          TableName: process.env.AUDIT_TABLE,
          Item: {
            pk: 'finding',
            sk,
            finding: JSON.stringify(finding(team)),
            state,
            openedAt: '2026-11-01T10:00:00.000Z',
            openedByRun: 'run-old',
            openingAnnounced: true,
          },
        }),
      );
    await Promise.all([legacy(open, 'open'), legacy(resolved, 'resolved')]);

    // Act
    const records = [await recordOf(open), await recordOf(resolved)];

    // Assess
    expect(records).toEqual([
      expect.objectContaining({
        state: 'open',
        openedAt: '2026-11-01T10:00:00.000Z',
        firstSeenAt: '2026-11-01T10:00:00.000Z',
      }),
      undefined,
    ]);
  });

  it('keeps single-team runs apart: the latest run of every team stays the latest however many follow', async () => {
    // Prepare
    const team = uniqueTeam('runs');
    const full = report();
    await store.startRun(headerOf(full));
    await store.saveRun(full);

    // Act
    const single = report({ team });
    await store.saveRun(single);
    for (let index = 0; index < 5; index++) await store.saveRun(report({ team }));

    // Assess
    expect(reportOf(await store.latestRun())?.runId).toBe(full.runId);
    expect(reportOf(await store.getRun(single.runId))?.runId).toBe(single.runId);
    expect(reportOf(await store.getRun(full.runId))?.runId).toBe(full.runId);
    expect((await store.latestTeamRun(team))?.team).toBe(team);
    expect(await store.latestTeamRun(uniqueTeam('none'))).toBeUndefined();
  });

  it('covers an event with a claim that starts after it, and lets a later event or a retry claim again', async () => {
    // Prepare
    const team = uniqueTeam('claims');
    const t = (seconds: number) => new Date(Date.UTC(2026, 10, 28, 10, 0, seconds)).toISOString();
    const stale = t(-600);
    const claimFor = (eventId: string, startedAt: string, coveredFrom: string) => ({
      team,
      holder: `${eventId}/${randomBytes(2).toString('hex')}`,
      eventId,
      startedAt,
      coveredFrom,
      staleBefore: stale,
    });

    // Act / Assess
    const first = claimFor('event-1', t(11), t(11));
    expect(await store.claimTeamAudit(first)).toEqual({ claimed: true });
    const covered = await store.claimTeamAudit(claimFor('event-2', t(11), t(11)));
    expect(covered).toEqual({
      claimed: false,
      covering: expect.objectContaining({ startedAt: t(11), eventId: 'event-1' }),
    });
    // Lambda's retry of the first event takes its unfinished claim over; once finished, it covers earlier events.
    const retry = claimFor('event-1', t(20), t(11));
    expect(await store.claimTeamAudit(retry)).toEqual({ claimed: true });
    await store.finishTeamAudit(team, retry.holder, 'run-1', t(21));
    expect(await store.claimTeamAudit(claimFor('event-1', t(22), t(11)))).toEqual({
      claimed: false,
      covering: expect.objectContaining({ runId: 'run-1', finishedAt: t(21) }),
    });
    // A later change is not covered.
    expect(await store.claimTeamAudit(claimFor('event-3', t(30), t(30)))).toEqual({ claimed: true });
    // An abandoned claim goes: the events it covered are claimed again.
    const fourth = claimFor('event-4', t(40), t(40));
    expect(await store.claimTeamAudit(fourth)).toEqual({ claimed: true });
    await store.abandonTeamAudit(team, fourth.holder);
    expect(await store.claimTeamAudit(claimFor('event-5', t(41), t(35)))).toEqual({ claimed: true });
  });

  it('keeps a report too large for one item with its counts and teams, as many findings as fit, marked truncated', async () => {
    // Prepare: about 2,000 findings of 300 bytes and more
    const findings: ReportedFinding[] = Array.from({ length: 2000 }, (_, index) => ({
      ...finding(`team-${index}`),
      message: `Work team 'team-${index}' drifted: ${'x'.repeat(200)}`,
      key: `team/team-${index}#worker-access.drift#high`,
      new: false,
      remediation: 'none',
      remediated: false,
    }));
    const large = report({
      teams: [{ name: 'team-0', managed: true, exists: true, compliant: false, findings: findings.length }],
      findings,
    });
    large.counts = {
      ...large.counts,
      teamsAudited: 1,
      managed: 1,
      drifted: 1,
      findings: findings.length,
      bySeverity: { critical: 0, high: findings.length, medium: 0, low: 0 },
      byRule: { 'worker-access.drift': findings.length },
    };

    // Act
    await store.startRun(headerOf(large));
    await store.saveRun(large);
    const kept = reportOf(await store.getRun(large.runId));

    // Assess
    expect(kept?.truncated).toBe(true);
    expect(kept?.counts).toEqual(large.counts);
    expect(kept?.teams).toEqual(large.teams);
    expect(kept?.findings.length).toBeGreaterThan(0);
    expect(kept?.findings.length).toBeLessThan(findings.length);
    expect(kept?.findings).toEqual(findings.slice(0, kept?.findings.length));
  });
});
