/**
 * Audit runs and open findings in one DynamoDB table (partition `pk`, sort `sk`):
 * - `pk = run`, `sk = <run id>`: a run's report (JSON), with `expiresAt` for DynamoDB's TTL. Run ids start with
 *   the run's start time, so the latest run is the first item of a descending Query, and `GET /audit/runs/{id}`
 *   one GetItem.
 * - `pk = finding`, `sk = <finding key>`: a finding from its opening until its resolution is announced: state
 *   `open` or `resolved`, and whether its opening was announced. Every step is a conditional write (open if
 *   absent, resolve if open, reopen if resolved, forget if resolved), so two audits racing over one finding make
 *   each step once.
 * An item holds at most 400 KB: a report larger than REPORT_MAX_BYTES keeps its counts and teams and as many
 * findings as fit, marked `truncated`.
 */
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  paginateQuery,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { forEachBounded } from '../concurrency';
import type { AuditReport } from '../domain/audit/report';
import type { AuditStore, FindingRecord } from '../ports';

export type { AuditStore, FindingRecord } from '../ports';

const RUN = 'run';
const FINDING = 'finding';
/** Finding writes in flight at once. */
const WRITE_CONCURRENCY = 10;
/** Below DynamoDB's 400 KB item limit, with room for the keys and attributes around the report. */
export const REPORT_MAX_BYTES = 350_000;

export interface AuditStoreOptions {
  tableName: string;
  /** How long a run's report is kept. */
  retentionDays: number;
}

export function createAuditStore(doc: DynamoDBDocumentClient, options: AuditStoreOptions): AuditStore {
  const { tableName } = options;
  /** Sends a conditional write: true when it was made, false when its condition did not hold. */
  const conditionally = async (command: PutCommand | UpdateCommand | DeleteCommand): Promise<boolean> => {
    try {
      await doc.send(command as PutCommand);
      return true;
    } catch (error) {
      if (error instanceof Error && error.name === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  };
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

    async *findingRecords() {
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
        yield (page.Items ?? []).map(
          (item): FindingRecord => ({
            key: String(item.sk),
            finding: JSON.parse(String(item.finding)),
            state: item.state === 'resolved' ? 'resolved' : 'open',
            openedAt: String(item.openedAt),
            openedByRun: String(item.openedByRun),
            openingAnnounced: item.openingAnnounced === true,
            ...(typeof item.resolvedAt === 'string' ? { resolvedAt: item.resolvedAt } : {}),
          }),
        );
      }
    },

    openFinding: (record) =>
      conditionally(
        new PutCommand({
          TableName: tableName,
          Item: {
            pk: FINDING,
            sk: record.key,
            finding: JSON.stringify(record.finding),
            state: 'open',
            openedAt: record.openedAt,
            openedByRun: record.openedByRun,
            openingAnnounced: false,
          },
          ConditionExpression: 'attribute_not_exists(sk)',
        }),
      ),

    reopenFinding: (key) =>
      conditionally(
        new UpdateCommand({
          TableName: tableName,
          Key: { pk: FINDING, sk: key },
          UpdateExpression: 'SET #state = :open REMOVE resolvedAt',
          ConditionExpression: '#state = :resolved',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ':open': 'open', ':resolved': 'resolved' },
        }),
      ),

    resolveFinding: (key, at) =>
      conditionally(
        new UpdateCommand({
          TableName: tableName,
          Key: { pk: FINDING, sk: key },
          UpdateExpression: 'SET #state = :resolved, resolvedAt = :at',
          ConditionExpression: '#state = :open',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ':open': 'open', ':resolved': 'resolved', ':at': at },
        }),
      ),

    // One write per finding, a bounded number at a time (a first run may open hundreds); each is idempotent, so
    // every one is tried and the first failure reported after them.
    async markOpeningAnnounced(keys) {
      await forEachBounded(
        keys,
        WRITE_CONCURRENCY,
        async (key) => {
          await conditionally(
            new UpdateCommand({
              TableName: tableName,
              Key: { pk: FINDING, sk: key },
              UpdateExpression: 'SET openingAnnounced = :yes',
              ConditionExpression: 'attribute_exists(sk)',
              ExpressionAttributeValues: { ':yes': true },
            }),
          );
        },
        { onFailure: 'finish' },
      );
    },

    async forgetResolved(keys) {
      await forEachBounded(
        keys,
        WRITE_CONCURRENCY,
        async (key) => {
          await conditionally(
            new DeleteCommand({
              TableName: tableName,
              Key: { pk: FINDING, sk: key },
              ConditionExpression: '#state = :resolved',
              ExpressionAttributeNames: { '#state': 'state' },
              ExpressionAttributeValues: { ':resolved': 'resolved' },
            }),
          );
        },
        { onFailure: 'finish' },
      );
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
