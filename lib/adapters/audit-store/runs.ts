/**
 * Audit runs in the audit table (lib/adapters/audit-store.ts):
 * - `pk = run`, `sk = <run id>`: a run of every team, its `header` (JSON: the targets expected, the deadline); runs
 *   kept before the fan-out hold their whole `report` there instead (the hub's).
 * - `pk = run/<run id>`, `sk = <account>/<region>`: a target's row of that run (its report, or why it failed),
 *   written once (a conditional put: a message delivered twice has one effect).
 * - `pk = team-run/<prefix><team>`, `sk = <run id>`: a single-team run's report, the team's key prefixed with its
 *   target's (none for the hub); `pk = run-team`, `sk = <run id>` names it, so a run is found by its id alone.
 * A report larger than REPORT_MAX_BYTES keeps its counts and teams and as many findings as fit, marked `truncated`.
 */
import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { type AuditTarget, auditKeyPrefix, type RunHeader, type TargetRow } from '../../domain/audit/fan-out';
import type { AuditReport } from '../../domain/audit/report';
import { targetKey } from '../../domain/target';
import type { AuditStore, StoredRun } from '../../ports/audit';
import type { AuditTable } from './table';

const RUN = 'run';
const RUN_TEAM = 'run-team';
const rowsKey = (runId: string) => `run/${runId}`;
const teamRunKey = (keyedTeam: string) => `team-run/${keyedTeam}`;
/** Below DynamoDB's 400 KB item limit, with room for the keys and attributes around the report. */
const REPORT_MAX_BYTES = 350_000;
/** Pages of runs looked through for the latest run of every team, past runs of one target and single-team runs of the first store. */
const LEGACY_PAGES = 10;

type RunSteps = Pick<
  AuditStore,
  'startRun' | 'saveRun' | 'recordTarget' | 'hasTarget' | 'recordedTargets' | 'latestRun' | 'latestTeamRun' | 'getRun'
>;

export function auditRunsOf(
  { doc, tableName, conditionally }: AuditTable,
  retentionDays: number,
  target: AuditTarget,
): RunSteps {
  const expiresAt = (startedAt: string) => Math.floor(Date.parse(startedAt) / 1000) + retentionDays * 24 * 60 * 60;
  const readReport = async (pk: string, sk: string) => {
    const { Item } = await doc.send(new GetCommand({ TableName: tableName, Key: { pk, sk } }));
    return Item ? parseReport(Item.report) : undefined;
  };
  const rowsOf = async (runId: string) => {
    const rows: TargetRow[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await doc.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': rowsKey(runId) },
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) rows.push(JSON.parse(String(item.row)) as TargetRow);
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return rows;
  };
  /** A `pk = run` item as a stored run: a header and its rows, or a report of the first store. */
  const storedRun = async (item: Record<string, unknown>): Promise<StoredRun> => {
    if (typeof item.header === 'string') {
      const header = JSON.parse(item.header) as RunHeader;
      return { header, rows: await rowsOf(header.runId) };
    }
    return { report: parseReport(item.report) };
  };
  const recordTarget = async (runId: string, row: TargetRow) => {
    const recorded = await conditionally(
      new PutCommand({
        TableName: tableName,
        Item: {
          pk: rowsKey(runId),
          sk: targetKey(row),
          row: row.status === 'complete' ? fitRow(row) : JSON.stringify(row),
          expiresAt: expiresAt(row.status === 'complete' ? row.report.startedAt : row.at),
        },
        ConditionExpression: 'attribute_not_exists(sk)',
      }),
    );
    // The header counts the rows written (only once a row is, so it is never over: a crash between the two leaves
    // it short, and a caller waiting on it then reads the rows at its deadline). A run of the first store has none.
    if (recorded) {
      await conditionally(
        new UpdateCommand({
          TableName: tableName,
          Key: { pk: RUN, sk: runId },
          UpdateExpression: 'ADD #recorded :one',
          ConditionExpression: 'attribute_exists(#header)',
          ExpressionAttributeNames: { '#recorded': 'recorded', '#header': 'header' },
          ExpressionAttributeValues: { ':one': 1 },
        }),
      );
    }
    return recorded;
  };

  return {
    async startRun(header) {
      await doc.send(
        new PutCommand({
          TableName: tableName,
          Item: { pk: RUN, sk: header.runId, header: JSON.stringify(header), expiresAt: expiresAt(header.startedAt) },
        }),
      );
    },

    async saveRun(report) {
      if (report.team === undefined) {
        return recordTarget(report.runId, {
          account: target.account,
          region: target.region,
          status: 'complete',
          report,
        });
      }
      const keyedTeam = `${auditKeyPrefix(target)}${report.team}`;
      const expires = expiresAt(report.startedAt);
      await Promise.all([
        doc.send(
          new PutCommand({
            TableName: tableName,
            Item: { pk: teamRunKey(keyedTeam), sk: report.runId, report: fitReport(report), expiresAt: expires },
          }),
        ),
        doc.send(
          new PutCommand({
            TableName: tableName,
            Item: { pk: RUN_TEAM, sk: report.runId, team: keyedTeam, expiresAt: expires },
          }),
        ),
      ]);
      return true;
    },

    recordTarget,

    async hasTarget(runId, which) {
      const { Item } = await doc.send(
        new GetCommand({
          TableName: tableName,
          Key: { pk: rowsKey(runId), sk: targetKey(which) },
          ProjectionExpression: 'sk',
          ConsistentRead: true,
        }),
      );
      return Item !== undefined;
    },

    async latestRun() {
      let startKey: Record<string, unknown> | undefined;
      for (let page = 0; page < LEGACY_PAGES; page++) {
        const { Items, LastEvaluatedKey } = await doc.send(
          new QueryCommand({
            TableName: tableName,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': RUN },
            ScanIndexForward: false,
            Limit: page === 0 ? 1 : 10,
            ExclusiveStartKey: startKey,
          }),
        );
        for (const item of Items ?? []) {
          // A run of one target a request named is no run of every team; nor were the single-team runs the first
          // store kept among the others: both are passed over.
          if (typeof item.header === 'string') {
            if ((JSON.parse(item.header) as RunHeader).scope !== 'target') return storedRun(item);
          } else if (parseReport(item.report).team === undefined) return storedRun(item);
        }
        if (!LastEvaluatedKey) return undefined;
        startKey = LastEvaluatedKey;
      }
      return undefined;
    },

    async latestTeamRun(team) {
      const { Items } = await doc.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': teamRunKey(`${auditKeyPrefix(target)}${team}`) },
          ScanIndexForward: false,
          Limit: 1,
        }),
      );
      const item = Items?.[0];
      return item ? parseReport(item.report) : undefined;
    },

    async recordedTargets(runId) {
      const { Item } = await doc.send(
        new GetCommand({
          TableName: tableName,
          Key: { pk: RUN, sk: runId },
          ProjectionExpression: '#recorded',
          ExpressionAttributeNames: { '#recorded': 'recorded' },
          ConsistentRead: true,
        }),
      );
      return Number(Item?.recorded ?? 0);
    },

    async getRun(runId) {
      const [all, index] = await Promise.all([
        doc.send(new GetCommand({ TableName: tableName, Key: { pk: RUN, sk: runId }, ConsistentRead: true })),
        doc.send(new GetCommand({ TableName: tableName, Key: { pk: RUN_TEAM, sk: runId } })),
      ]);
      if (all.Item !== undefined) return storedRun(all.Item);
      const team = index.Item?.team;
      const report = typeof team === 'string' ? await readReport(teamRunKey(team), runId) : undefined;
      return report === undefined ? undefined : { report };
    },
  };
}

/** A complete row as stored: its report cut to fit an item when it must be. */
function fitRow(row: TargetRow & { status: 'complete' }): string {
  return `{"account":${JSON.stringify(row.account)},"region":${JSON.stringify(row.region)},"status":"complete","report":${fitReport(row.report)}}`;
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
