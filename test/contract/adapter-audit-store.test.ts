/**
 * The audit store through the real SDK against the test run's DynamoDB (dynalite): each step of a finding's record
 * is won by one caller only, and a report too large for one item keeps its counts and teams.
 */
import { randomBytes } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createAuditStore } from '#lib/adapters/audit-store';
import { buildAuditStore } from '#lib/audit-reports';
import type { Finding } from '#lib/domain/audit/findings';
import type { AuditReport, ReportedFinding } from '#lib/domain/audit/report';
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

async function recordOf(key: string) {
  for await (const page of store.findingRecords()) {
    const found = page.find((record) => record.key === key);
    if (found) return found;
  }
  return undefined;
}

describe('createAuditStore', () => {
  it('marks and forgets many finding records ten writes at a time, every one of them', async () => {
    // Prepare: 25 open records, and a store whose DynamoDB client is watched
    const client = new DynamoDBClient({});
    const writes = watchInFlight(client, ['Update', 'UpdateItem', 'Delete', 'DeleteItem']);
    const watched = createAuditStore(DynamoDBDocumentClient.from(client), {
      tableName: process.env.AUDIT_TABLE ?? '',
      retentionDays: 1,
    });
    const teams = Array.from({ length: 25 }, () => `many-${randomBytes(4).toString('hex')}`);
    const keys = teams.map((team) => `team/${team}#worker-access.drift#high`);
    await Promise.all(
      teams.map((team, index) =>
        store.openFinding({
          key: keys[index] as string,
          finding: finding(team),
          openedAt: new Date().toISOString(),
          openedByRun: 'run-many',
        }),
      ),
    );
    const at = new Date().toISOString();
    for (const key of keys) await store.resolveFinding(key, at);
    writes.reset();

    // Act
    await watched.markOpeningAnnounced(keys);
    const marked = await Promise.all(keys.map(recordOf));
    const markPeak = writes.peak;
    writes.reset();
    await watched.forgetResolved(keys);
    const forgotten = await Promise.all(keys.map(recordOf));

    // Assess
    client.destroy();
    expect(marked.every((record) => record?.openingAnnounced === true)).toBe(true);
    expect(forgotten.every((record) => record === undefined)).toBe(true);
    expect([markPeak, writes.peak].every((peak) => peak > 1 && peak <= 10)).toBe(true);
  });

  it('opens, resolves, reopens and forgets a finding record once each, whoever else tries at the same time', async () => {
    // Prepare
    const team = `store-${randomBytes(4).toString('hex')}`;
    const key = `team/${team}#worker-access.drift#high`;
    const open = { key, finding: finding(team), openedAt: new Date().toISOString(), openedByRun: 'run-1' };

    // Act / Assess: two callers at each step, one wins
    expect(await Promise.all([store.openFinding(open), store.openFinding(open)])).toEqual(
      expect.arrayContaining([true, false]),
    );
    expect(await recordOf(key)).toMatchObject({ state: 'open', openingAnnounced: false });
    await store.markOpeningAnnounced([key]);
    const at = new Date().toISOString();
    expect(await Promise.all([store.resolveFinding(key, at), store.resolveFinding(key, at)])).toEqual(
      expect.arrayContaining([true, false]),
    );
    expect(await recordOf(key)).toMatchObject({ state: 'resolved', resolvedAt: at, openingAnnounced: true });
    expect(await Promise.all([store.reopenFinding(key), store.reopenFinding(key)])).toEqual(
      expect.arrayContaining([true, false]),
    );
    expect(await recordOf(key)).toMatchObject({ state: 'open', openingAnnounced: true });
    await store.resolveFinding(key, at);
    await store.forgetResolved([key]);
    expect(await recordOf(key)).toBeUndefined();
  });

  it('keeps a report too large for one item with its counts and teams, as many findings as fit, marked truncated', async () => {
    // Prepare: about 2,000 findings of 300 bytes and more
    const started = new Date();
    const findings: ReportedFinding[] = Array.from({ length: 2000 }, (_, index) => ({
      ...finding(`team-${index}`),
      message: `Work team 'team-${index}' drifted: ${'x'.repeat(200)}`,
      key: `team/team-${index}#worker-access.drift#high`,
      new: false,
      remediation: 'none',
      remediated: false,
    }));
    const report: AuditReport = {
      runId: `${started.toISOString().replace(/[-:.]/g, '')}-${randomBytes(4).toString('hex')}`,
      trigger: 'request',
      mode: 'policy',
      dryRun: false,
      startedAt: started.toISOString(),
      endedAt: started.toISOString(),
      counts: {
        teamsAudited: 1,
        managed: 1,
        unmanaged: 0,
        compliant: 0,
        drifted: 1,
        findings: findings.length,
        bySeverity: { critical: 0, high: findings.length, medium: 0, low: 0 },
        byRule: { 'worker-access.drift': findings.length },
        opened: 0,
        resolved: 0,
        remediated: 0,
      },
      teams: [{ name: 'team-0', managed: true, exists: true, compliant: false, findings: findings.length }],
      findings,
      resolved: [],
    };

    // Act
    await store.saveRun(report);
    const kept = await store.getRun(report.runId);

    // Assess
    expect(kept?.truncated).toBe(true);
    expect(kept?.counts).toEqual(report.counts);
    expect(kept?.teams).toEqual(report.teams);
    expect(kept?.findings.length).toBeGreaterThan(0);
    expect(kept?.findings.length).toBeLessThan(findings.length);
    expect(kept?.findings).toEqual(findings.slice(0, kept?.findings.length));
  });
});
