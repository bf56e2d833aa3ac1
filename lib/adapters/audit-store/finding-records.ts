/**
 * Finding records in the audit table, `pk = finding` (the hub's; `finding/<account>/<region>` another target's, so
 * that a target's run reads its own records only), `sk = <finding key>` (lib/adapters/audit-store.ts): a finding
 * from the first run that sees it until its resolution is announced (suspected → open → resolving → gone), its
 * announcement in flight (`ann*`) and whether its operations alert is still due (`alertClaimedAt`). Every step is a
 * conditional write on what the run read, and none is taken while an announcement is in flight.
 */
import { DeleteCommand, PutCommand, paginateQuery, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { ResolvedBy } from '../../domain/audit/findings';
import type { Announcement, AuditStore, FindingRecord } from '../../ports/audit';
import { forEachBounded } from '../../runtime/concurrency';
import type { AuditTable } from './table';

type FindingRecordSteps = Pick<
  AuditStore,
  | 'findingRecords'
  | 'suspectFinding'
  | 'dropSuspected'
  | 'openFinding'
  | 'resolveFinding'
  | 'takeOverAnnouncement'
  | 'completeAnnouncements'
  | 'takeOverAlert'
  | 'alertsSent'
>;

/** Finding writes in flight at once. */
const WRITE_CONCURRENCY = 10;

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
 * Assignments of every attribute for an UpdateExpression's SET (`#f0 = :f0, ...`), with the names and values they
 * stand for; `prefix` keeps them apart from the expression's other placeholders.
 */
function assignments(attributes: Record<string, unknown>, prefix: string) {
  const entries = Object.entries(attributes);
  return {
    set: entries.map((_entry, index) => `#${prefix}${index} = :${prefix}${index}`).join(', '),
    names: Object.fromEntries(entries.map(([name], index) => [`#${prefix}${index}`, name])),
    values: Object.fromEntries(entries.map(([, value], index) => [`:${prefix}${index}`, value])),
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

/** The partition of a target's finding records: `finding`, then the target's key prefix (none for the hub). */
export function findingPartition(keyPrefix: string): string {
  return keyPrefix === '' ? 'finding' : `finding/${keyPrefix.replace(/\/$/, '')}`;
}

export function findingRecordsOf(
  { doc, tableName, conditionally }: AuditTable,
  partition = findingPartition(''),
): FindingRecordSteps {
  const findingKey = (key: string) => ({ pk: partition, sk: key });

  return {
    async *findingRecords() {
      const pages = paginateQuery(
        { client: doc, pageSize: 100 },
        {
          TableName: tableName,
          KeyConditionExpression: 'pk = :finding',
          ExpressionAttributeValues: { ':finding': partition },
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
      const fields = assignments(opened, 'f');
      return conditionally(
        new UpdateCommand({
          TableName: tableName,
          Key: findingKey(key),
          UpdateExpression: `SET ${fields.set}`,
          ConditionExpression: '#state = :suspected AND firstSeenAt = :since',
          ExpressionAttributeNames: { '#state': 'state', ...fields.names },
          ExpressionAttributeValues: { ':suspected': 'suspected', ':since': suspectedSince, ...fields.values },
        }),
      );
    },

    resolveFinding({ key, openedAt, at, announcement }) {
      const claim = assignments(announcementItem(announcement), 'a');
      return conditionally(
        new UpdateCommand({
          TableName: tableName,
          Key: findingKey(key),
          UpdateExpression: `SET #state = :resolving, resolvedAt = :at, ${claim.set} REMOVE alertClaimedAt`,
          ConditionExpression: '#state = :open AND openedAt = :openedAt AND attribute_not_exists(annId)',
          ExpressionAttributeNames: { '#state': 'state', ...claim.names },
          ExpressionAttributeValues: {
            ':resolving': 'resolving',
            ':open': 'open',
            ':openedAt': openedAt,
            ':at': at,
            ...claim.values,
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
  };
}
