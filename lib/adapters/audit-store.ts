/**
 * Audit runs, finding records and real-time claims in one DynamoDB table (partition `pk`, sort `sk`):
 * - `pk = run`, `sk = <run id>`: the report (JSON) of a run of every team, with `expiresAt` for DynamoDB's TTL.
 *   Run ids start with the run's start time, so the latest is the first item of a descending Query.
 * - `pk = team-run/<team>`, `sk = <run id>`: the report of a single-team run (real time, or `POST /audit` naming a
 *   team), apart, so that no number of them hides the latest run of every team; and `pk = run-team`,
 *   `sk = <run id>` naming its team, so that `GET /audit/runs/{id}` finds any run by its id alone.
 * - `pk = finding`, `sk = <finding key>`: a finding from the first run that sees it until its resolution is
 *   announced (suspected → open → resolving → gone), its announcement in flight (`ann*`) and whether its
 *   operations alert is still due (`alertClaimedAt`). Every step is a conditional write on what the run read, and
 *   none is taken while an announcement is in flight: a finding's events alternate however many runs race.
 * - `pk = team-audit`, `sk = <team>`: the latest real-time audit of the team (when it reads from, who runs it,
 *   whether it finished), for events of a burst to be answered by one run.
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
import type { ResolvedBy } from '../domain/audit/findings';
import type { AuditReport } from '../domain/audit/report';
import type { Announcement, AuditStore, FindingRecord, TeamAuditClaim } from '../ports/audit';
import { forEachBounded } from '../runtime/concurrency';

export type { AuditStore, FindingRecord } from '../ports/audit';

const RUN = 'run';
const RUN_TEAM = 'run-team';
const FINDING = 'finding';
const TEAM_AUDIT = 'team-audit';
const teamRunKey = (team: string) => `team-run/${team}`;
/** Finding writes in flight at once. */
const WRITE_CONCURRENCY = 10;
/** Below DynamoDB's 400 KB item limit, with room for the keys and attributes around the report. */
export const REPORT_MAX_BYTES = 350_000;
/** Pages of runs looked through for the latest run of every team among single-team runs of the first store. */
const LEGACY_PAGES = 10;

export interface AuditStoreOptions {
  tableName: string;
  /** How long a run's report is kept. */
  retentionDays: number;
}

/** An announcement as the record's flat attributes (`annId`, `annType`, `annRun`, `annAt`, `annResolvedBy`). */
function announcementItem(announcement: Announcement): Record<string, unknown> {
  return {
    annId: announcement.id,
    annType: announcement.type,
    annRun: announcement.runId,
    annAt: announcement.at,
    ...(announcement.resolvedBy === undefined ? {} : { annResolvedBy: JSON.stringify(announcement.resolvedBy) }),
  };
}

function announcementOf(item: Record<string, unknown>): Announcement | undefined {
  if (typeof item.annId !== 'string') return undefined;
  return {
    id: item.annId,
    type: item.annType === 'Finding Resolved' ? 'Finding Resolved' : 'Finding Opened',
    runId: String(item.annRun),
    at: String(item.annAt),
    ...(typeof item.annResolvedBy === 'string' ? { resolvedBy: JSON.parse(item.annResolvedBy) as ResolvedBy } : {}),
  };
}

/**
 * A stored finding record. Records of the first store (`open`/`resolved` and `openingAnnounced`, no `firstSeenAt`)
 * read as `open` (their opening taken as announced) and, once resolved there, as `legacy-resolved`.
 */
function recordOf(item: Record<string, unknown>): FindingRecord | { key: string; legacyResolved: true } {
  const key = String(item.sk);
  if (typeof item.firstSeenAt !== 'string' && item.state === 'resolved') return { key, legacyResolved: true };
  const state = item.state === 'suspected' || item.state === 'resolving' ? item.state : 'open';
  const announcing = announcementOf(item);
  return {
    key,
    finding: JSON.parse(String(item.finding)),
    state,
    firstSeenAt: String(item.firstSeenAt ?? item.openedAt),
    ...(typeof item.openedAt === 'string' ? { openedAt: item.openedAt } : {}),
    ...(typeof item.openedByRun === 'string' ? { openedByRun: item.openedByRun } : {}),
    ...(announcing === undefined ? {} : { announcing }),
    ...(typeof item.alertClaimedAt === 'string' ? { alertClaimedAt: item.alertClaimedAt } : {}),
  };
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
  const findingKey = (key: string) => ({ pk: FINDING, sk: key });
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
      const expiresAt = Math.floor(Date.parse(report.startedAt) / 1000) + options.retentionDays * 24 * 60 * 60;
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
        const records: FindingRecord[] = [];
        for (const item of page.Items ?? []) {
          const record = recordOf(item);
          if ('legacyResolved' in record) {
            // Resolved in the first store's format: its resolution is not told again; the record goes.
            await conditionally(
              new DeleteCommand({
                TableName: tableName,
                Key: findingKey(record.key),
                ConditionExpression: '#state = :resolved',
                ExpressionAttributeNames: { '#state': 'state' },
                ExpressionAttributeValues: { ':resolved': 'resolved' },
              }),
            );
          } else records.push(record);
        }
        yield records;
      }
    },

    suspectFinding: ({ key, finding, at }) =>
      conditionally(
        new PutCommand({
          TableName: tableName,
          Item: { ...findingKey(key), finding: JSON.stringify(finding), state: 'suspected', firstSeenAt: at },
          ConditionExpression: 'attribute_not_exists(sk)',
        }),
      ),

    dropSuspected: (key, firstSeenAt) =>
      conditionally(
        new DeleteCommand({
          TableName: tableName,
          Key: findingKey(key),
          ConditionExpression: '#state = :suspected AND firstSeenAt = :since',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ':suspected': 'suspected', ':since': firstSeenAt },
        }),
      ),

    openFinding({ key, finding, at, runId, announcement, suspectedSince }) {
      const opened = {
        finding: JSON.stringify(finding),
        state: 'open',
        openedAt: at,
        openedByRun: runId,
        alertClaimedAt: at,
        ...announcementItem(announcement),
      };
      if (suspectedSince === undefined) {
        return conditionally(
          new PutCommand({
            TableName: tableName,
            Item: { ...findingKey(key), firstSeenAt: at, ...opened },
            ConditionExpression: 'attribute_not_exists(sk)',
          }),
        );
      }
      const names = Object.keys(opened);
      return conditionally(
        new UpdateCommand({
          TableName: tableName,
          Key: findingKey(key),
          UpdateExpression: `SET ${names.map((_name, index) => `#f${index} = :f${index}`).join(', ')}`,
          ConditionExpression: '#state = :suspected AND firstSeenAt = :since',
          ExpressionAttributeNames: {
            '#state': 'state',
            ...Object.fromEntries(names.map((name, index) => [`#f${index}`, name])),
          },
          ExpressionAttributeValues: {
            ':suspected': 'suspected',
            ':since': suspectedSince,
            ...Object.fromEntries(Object.values(opened).map((value, index) => [`:f${index}`, value])),
          },
        }),
      );
    },

    resolveFinding({ key, openedAt, at, announcement }) {
      const claim = announcementItem(announcement);
      const names = Object.keys(claim);
      return conditionally(
        new UpdateCommand({
          TableName: tableName,
          Key: findingKey(key),
          UpdateExpression: `SET #state = :resolving, resolvedAt = :at, ${names.map((_, index) => `#a${index} = :a${index}`).join(', ')} REMOVE alertClaimedAt`,
          ConditionExpression: '#state = :open AND openedAt = :openedAt AND attribute_not_exists(annId)',
          ExpressionAttributeNames: {
            '#state': 'state',
            ...Object.fromEntries(names.map((name, index) => [`#a${index}`, name])),
          },
          ExpressionAttributeValues: {
            ':resolving': 'resolving',
            ':open': 'open',
            ':openedAt': openedAt,
            ':at': at,
            ...Object.fromEntries(Object.values(claim).map((value, index) => [`:a${index}`, value])),
          },
        }),
      );
    },

    takeOverAnnouncement: (key, claim, by) =>
      conditionally(
        new UpdateCommand({
          TableName: tableName,
          Key: findingKey(key),
          UpdateExpression: 'SET annRun = :run, annAt = :now',
          ConditionExpression: 'annId = :id AND annAt = :at',
          ExpressionAttributeValues: { ':run': by.runId, ':now': by.at, ':id': claim.id, ':at': claim.at },
        }),
      ),

    // One write per record, a bounded number at a time; each is conditional on the claim, so every one is tried
    // and the first failure reported after them.
    async completeAnnouncements(done) {
      await forEachBounded(
        done,
        WRITE_CONCURRENCY,
        async ({ key, id, type }) => {
          await conditionally(
            type === 'Finding Resolved'
              ? new DeleteCommand({
                  TableName: tableName,
                  Key: findingKey(key),
                  ConditionExpression: 'annId = :id',
                  ExpressionAttributeValues: { ':id': id },
                })
              : new UpdateCommand({
                  TableName: tableName,
                  Key: findingKey(key),
                  UpdateExpression: 'REMOVE annId, annType, annRun, annAt, annResolvedBy',
                  ConditionExpression: 'annId = :id',
                  ExpressionAttributeValues: { ':id': id },
                }),
          );
        },
        { onFailure: 'finish' },
      );
    },

    takeOverAlert: (key, claimedAt, at) =>
      conditionally(
        new UpdateCommand({
          TableName: tableName,
          Key: findingKey(key),
          UpdateExpression: 'SET alertClaimedAt = :now',
          ConditionExpression: '#state = :open AND alertClaimedAt = :claimed',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ':now': at, ':claimed': claimedAt, ':open': 'open' },
        }),
      ),

    async alertsSent(sent) {
      await forEachBounded(
        sent,
        WRITE_CONCURRENCY,
        async ({ key, claimedAt }) => {
          await conditionally(
            new UpdateCommand({
              TableName: tableName,
              Key: findingKey(key),
              UpdateExpression: 'REMOVE alertClaimedAt',
              ConditionExpression: 'alertClaimedAt = :claimed',
              ExpressionAttributeValues: { ':claimed': claimedAt },
            }),
          );
        },
        { onFailure: 'finish' },
      );
    },

    async claimTeamAudit({ coveredFrom, staleBefore, ...claim }) {
      const claimed = await conditionally(
        new PutCommand({
          TableName: tableName,
          Item: { pk: TEAM_AUDIT, sk: claim.team, ...claim },
          ConditionExpression: [
            'attribute_not_exists(sk)',
            'startedAt < :coveredFrom',
            '(attribute_not_exists(finishedAt) AND (eventId = :eventId OR startedAt < :staleBefore))',
          ].join(' OR '),
          ExpressionAttributeValues: {
            ':coveredFrom': coveredFrom,
            ':eventId': claim.eventId,
            ':staleBefore': staleBefore,
          },
        }),
      );
      if (claimed) return { claimed: true };
      const { Item } = await doc.send(
        new GetCommand({ TableName: tableName, Key: { pk: TEAM_AUDIT, sk: claim.team }, ConsistentRead: true }),
      );
      return { claimed: false, ...(Item ? { covering: teamAuditClaimOf(Item) } : {}) };
    },

    async finishTeamAudit(team, holder, runId, at) {
      await conditionally(
        new UpdateCommand({
          TableName: tableName,
          Key: { pk: TEAM_AUDIT, sk: team },
          UpdateExpression: 'SET finishedAt = :at, runId = :runId',
          ConditionExpression: 'holder = :holder',
          ExpressionAttributeValues: { ':at': at, ':runId': runId, ':holder': holder },
        }),
      );
    },

    async abandonTeamAudit(team, holder) {
      await conditionally(
        new DeleteCommand({
          TableName: tableName,
          Key: { pk: TEAM_AUDIT, sk: team },
          ConditionExpression: 'holder = :holder AND attribute_not_exists(finishedAt)',
          ExpressionAttributeValues: { ':holder': holder },
        }),
      );
    },
  };
}

function teamAuditClaimOf(item: Record<string, unknown>): TeamAuditClaim {
  return {
    team: String(item.team),
    holder: String(item.holder),
    eventId: String(item.eventId),
    startedAt: String(item.startedAt),
    ...(typeof item.runId === 'string' ? { runId: item.runId } : {}),
    ...(typeof item.finishedAt === 'string' ? { finishedAt: item.finishedAt } : {}),
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
  return JSON.stringify({ ...report, findings: [], resolved: [], suspected: [], truncated: true });
}

function parseReport(value: unknown): AuditReport {
  return JSON.parse(String(value)) as AuditReport;
}
