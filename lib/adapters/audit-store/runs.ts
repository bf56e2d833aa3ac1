/**
 * Audit runs in the audit table: `pk = run` for runs of every team, `pk = team-run/<team>` for single-team runs and
 * `pk = run-team` naming a single-team run's team, each `sk = <run id>` (lib/adapters/audit-store.ts). A report
 * larger than REPORT_MAX_BYTES keeps its counts and teams and as many findings as fit, marked `truncated`.
 */
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { AuditReport } from '../../domain/audit/report';
import type { AuditStore } from '../../ports/audit';
import type { AuditTable } from './table';

const RUN = 'run';
const RUN_TEAM = 'run-team';
const teamRunKey = (team: string) => `team-run/${team}`;
/** Below DynamoDB's 400 KB item limit, with room for the keys and attributes around the report. */
const REPORT_MAX_BYTES = 350_000;
/** Pages of runs looked through for the latest run of every team among single-team runs of the first store. */
const LEGACY_PAGES = 10;

export function auditRunsOf(
  { doc, tableName }: AuditTable,
  retentionDays: number,
): Pick<AuditStore, 'saveRun' | 'latestRun' | 'latestTeamRun' | 'getRun'> {
  const readReport = async (pk: string, sk: string) => {
    const { Item } = await doc.send(new GetCommand({ TableName: tableName, Key: { pk, sk } }));
    return Item ? parseReport(Item.report) : undefined;
  };
  const latestOf = async (pk: string, accept: (report: AuditReport) => boolean, pages: number) => {
    let startKey: Record<string, unknown> | undefined;
    for (let page = 0; page < pages; page++) {
      const { Items, LastEvaluatedKey } = await doc.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': pk },
          ScanIndexForward: false,
          Limit: page === 0 ? 1 : 10,
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of Items ?? []) {
        const report = parseReport(item.report);
        if (accept(report)) return report;
      }
      if (!LastEvaluatedKey) return undefined;
      startKey = LastEvaluatedKey;
    }
    return undefined;
  };

  return {
    async saveRun(report) {
      const expiresAt = Math.floor(Date.parse(report.startedAt) / 1000) + retentionDays * 24 * 60 * 60;
      const item = { report: fitReport(report), expiresAt };
      if (report.team === undefined) {
        await doc.send(new PutCommand({ TableName: tableName, Item: { pk: RUN, sk: report.runId, ...item } }));
        return;
      }
      await Promise.all([
        doc.send(
          new PutCommand({ TableName: tableName, Item: { pk: teamRunKey(report.team), sk: report.runId, ...item } }),
        ),
        doc.send(
          new PutCommand({
            TableName: tableName,
            Item: { pk: RUN_TEAM, sk: report.runId, team: report.team, expiresAt },
          }),
        ),
      ]);
    },

    // Single-team runs of the first store were kept among the others: they are passed over.
    latestRun: () => latestOf(RUN, (report) => report.team === undefined, LEGACY_PAGES),

    latestTeamRun: (team) => latestOf(teamRunKey(team), () => true, 1),

    async getRun(runId) {
      const [all, index] = await Promise.all([
        readReport(RUN, runId),
        doc.send(new GetCommand({ TableName: tableName, Key: { pk: RUN_TEAM, sk: runId } })),
      ]);
      if (all !== undefined) return all;
      const team = index.Item?.team;
      return typeof team === 'string' ? readReport(teamRunKey(team), runId) : undefined;
    },
  };
}

/** The report as stored: JSON text, cut to fit an item when it must be. */
function fitReport(report: AuditReport): string {
  let text = JSON.stringify(report);
  if (Buffer.byteLength(text) <= REPORT_MAX_BYTES) return text;
  const findings = [...report.findings];
  // Halve until it fits, then the report says it was cut; counts and teams still cover everything.
  while (findings.length > 0) {
    findings.length = Math.floor(findings.length / 2);
    text = JSON.stringify({ ...report, findings, truncated: true });
    if (Buffer.byteLength(text) <= REPORT_MAX_BYTES) return text;
  }
  return JSON.stringify({ ...report, findings: [], resolved: [], suspected: [], truncated: true });
}

function parseReport(value: unknown): AuditReport {
  return JSON.parse(String(value)) as AuditReport;
}
