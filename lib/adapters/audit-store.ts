/**
 * Audit runs and open findings in one DynamoDB table (partition `pk`, sort `sk`):
 * - `pk = run`, `sk = <run id>`: a run's report (JSON), with `expiresAt` for DynamoDB's TTL. Run ids start with
 *   the run's start time, so the latest run is the first item of a descending Query, and `GET /audit/runs/{id}`
 *   one GetItem.
 * - `pk = finding`, `sk = <finding key>`: a finding open now. Opening is a put conditional on absence and
 *   resolving a delete conditional on presence, so two audits racing over the same finding open (and announce)
 *   it once and resolve it once.
 * An item holds at most 400 KB: a report larger than REPORT_MAX_BYTES keeps its counts and teams and as many
 * findings as fit, marked `truncated`.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  paginateQuery,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';
import type { AuditReport } from '../domain/audit/report';
import type { AuditStore, OpenFinding } from '../ports';

export type { AuditStore, OpenFinding } from '../ports';

const RUN = 'run';
const FINDING = 'finding';
/** Below DynamoDB's 400 KB item limit, with room for the keys and attributes around the report. */
export const REPORT_MAX_BYTES = 350_000;

export interface AuditStoreOptions {
  tableName: string;
  /** How long a run's report is kept. */
  retentionDays: number;
}

export function createAuditStore(doc: DynamoDBDocumentClient, options: AuditStoreOptions): AuditStore {
  const { tableName } = options;
  return {
    async saveRun(report) {
      const expiresAt = Math.floor(Date.parse(report.startedAt) / 1000) + options.retentionDays * 24 * 60 * 60;
      await doc.send(
        new PutCommand({
          TableName: tableName,
          Item: { pk: RUN, sk: report.runId, report: fitReport(report), expiresAt },
        }),
      );
    },

    async latestRun() {
      const { Items } = await doc.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: 'pk = :run',
          ExpressionAttributeValues: { ':run': RUN },
          ScanIndexForward: false,
          Limit: 1,
        }),
      );
      return Items?.[0] ? parseReport(Items[0].report) : undefined;
    },

    async getRun(runId) {
      const { Item } = await doc.send(new GetCommand({ TableName: tableName, Key: { pk: RUN, sk: runId } }));
      return Item ? parseReport(Item.report) : undefined;
    },

    async *openFindings() {
      const pages = paginateQuery(
        { client: doc, pageSize: 100 },
        {
          TableName: tableName,
          KeyConditionExpression: 'pk = :finding',
          ExpressionAttributeValues: { ':finding': FINDING },
          ConsistentRead: true,
        },
      );
      for await (const page of pages) {
        yield (page.Items ?? []).map((item) => ({
          key: String(item.sk),
          finding: JSON.parse(String(item.finding)),
          openedAt: String(item.openedAt),
          openedByRun: String(item.openedByRun),
        }));
      }
    },

    async openFinding(open: OpenFinding) {
      try {
        await doc.send(
          new PutCommand({
            TableName: tableName,
            Item: {
              pk: FINDING,
              sk: open.key,
              finding: JSON.stringify(open.finding),
              openedAt: open.openedAt,
              openedByRun: open.openedByRun,
            },
            ConditionExpression: 'attribute_not_exists(sk)',
          }),
        );
        return true;
      } catch (error) {
        if (
          error instanceof ConditionalCheckFailedException ||
          (error as Error).name === 'ConditionalCheckFailedException'
        ) {
          return false;
        }
        throw error;
      }
    },

    async resolveFinding(key) {
      try {
        await doc.send(
          new DeleteCommand({
            TableName: tableName,
            Key: { pk: FINDING, sk: key },
            ConditionExpression: 'attribute_exists(sk)',
          }),
        );
        return true;
      } catch (error) {
        if (
          error instanceof ConditionalCheckFailedException ||
          (error as Error).name === 'ConditionalCheckFailedException'
        ) {
          return false;
        }
        throw error;
      }
    },
  };
}

/** The report as stored: JSON text, cut to fit an item when it must be. */
export function fitReport(report: AuditReport): string {
  let text = JSON.stringify(report);
  if (Buffer.byteLength(text) <= REPORT_MAX_BYTES) return text;
  const findings = [...report.findings];
  // Halve until it fits, then the report says it was cut; counts and teams still cover everything.
  while (findings.length > 0) {
    findings.length = Math.floor(findings.length / 2);
    text = JSON.stringify({ ...report, findings, truncated: true });
    if (Buffer.byteLength(text) <= REPORT_MAX_BYTES) return text;
  }
  return JSON.stringify({ ...report, findings: [], resolved: [], truncated: true });
}

function parseReport(value: unknown): AuditReport {
  return JSON.parse(String(value)) as AuditReport;
}
