/**
 * The registry of managed teams in DynamoDB: one item per team, keyed by `name`, every write conditional on the
 * version the caller read and on its revision, a new random value per write (optimistic locking).
 *
 * One table holds the teams of every target (lib/domain/target.ts), and a registry reads and writes one target's:
 * the hub's records are keyed by the team's name, as they always were (nothing to migrate when targets are added),
 * another target's by `<account>/<region>/<name>` (no team name holds a `/`), and those carry `targetKey`
 * (`<account>/<region>`), an attribute no index is keyed on: DynamoDB filters a Query on such attributes only. The
 * adapter adds and strips both, so callers only ever see team names; a Query of an index reads the target's records
 * (`targetKey` equal), or for the hub those without a `targetKey`.
 *
 * Records whose apply is pending carry two extra attributes, `pendingKey` and `pendingDueAt`, which put them
 * into the sparse index `pendingByDueTime`; the adapter adds and removes them on every put and strips them on
 * read, so callers only ever see a TeamRecord.
 *
 * The index `teamsByLifecycle` (partition `lifecycle`, sort `name`, every attribute projected) is how the sync,
 * the resync and the audit find the active records without a Scan: a Query of the `active` partition reads
 * active records only, a page at a time, never the retired ones and their history. Its key is an attribute
 * every record has carried since the first version, rather than an attribute of its own the adapter would keep
 * (like `pendingKey`), so nothing needs a backfill: DynamoDB builds a new index from the items already there,
 * and no write can leave a record out of it or in the wrong partition.
 */

import { randomUUID } from 'node:crypto';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  type PutCommandInput,
  QueryCommand,
  type QueryCommandInput,
  type QueryCommandOutput,
} from '@aws-sdk/lib-dynamodb';
import type { TeamRecord } from '../domain/team';
import { InvalidPaginationToken, RegistryConflict, type TeamRegistry } from '../ports/teams';
import {
  fromStoredItem,
  isPlainRecord,
  PENDING_KEY_VALUE,
  type StoredTeam,
  targetKeyOf,
  toStoredItem,
} from './registry-items';

export type { TeamRegistry } from '../ports/teams';
export { HISTORY_LIMIT } from './registry-items';

const PENDING_INDEX = 'pendingByDueTime';

const LIFECYCLE_INDEX = 'teamsByLifecycle';
/** Records a page of `listActiveTeams` holds unless the caller asks otherwise. */
const ACTIVE_PAGE_LIMIT = 100;
/** DynamoDB's limit on the size of a sort key value: no team name is longer, so no token of ours holds one. */
const MAX_SORT_KEY_BYTES = 1024;

/**
 * What a target's keys start with in the teams table, for its records, leases and ledgers: nothing for the hub,
 * `<account>/<region>/` for any other target.
 */
export function teamKeyPrefix(target: { hub: boolean; account: string; region: string }): string {
  return target.hub ? '' : `${target.account}/${target.region}/`;
}

export function createTeamRegistry(doc: DynamoDBDocumentClient, tableName: string, keyPrefix = ''): TeamRegistry {
  const scope = scopeOf(keyPrefix);
  const fromItem = (item: StoredTeam) => fromStoredItem(item, keyPrefix);
  const toItem = (record: TeamRecord) => toStoredItem(record, keyPrefix);
  return {
    async get(name) {
      const { Item } = await doc.send(
        new GetCommand({ TableName: tableName, Key: { name: `${keyPrefix}${name}` }, ConsistentRead: true }),
      );
      return Item ? fromItem(Item as StoredTeam) : undefined;
    },

    async put(record, expectedVersion) {
      const condition: Pick<
        PutCommandInput,
        'ConditionExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'
      > =
        expectedVersion === undefined
          ? { ConditionExpression: 'attribute_not_exists(#name)', ExpressionAttributeNames: { '#name': 'name' } }
          : record.revision === undefined
            ? {
                ConditionExpression: '#version = :expected',
                ExpressionAttributeNames: { '#version': 'version' },
                ExpressionAttributeValues: { ':expected': expectedVersion },
              }
            : {
                // Nothing written since the read: two writes from one read cannot both land (e.g. two attempts
                // that both turn a team Failed), and a write built from a stale read cannot undo a newer one.
                ConditionExpression: '#version = :expected AND #revision = :revision',
                ExpressionAttributeNames: { '#version': 'version', '#revision': 'revision' },
                ExpressionAttributeValues: { ':expected': expectedVersion, ':revision': record.revision },
              };
      const stored: TeamRecord = { ...record, revision: randomUUID() };
      try {
        await doc.send(new PutCommand({ TableName: tableName, Item: toItem(stored), ...condition }));
        return stored;
      } catch (error) {
        if (error instanceof Error && error.name === 'ConditionalCheckFailedException') {
          throw new RegistryConflict(record.name);
        }
        throw error;
      }
    },

    async listDuePending(now, limit) {
      const { items } = await queryIndex(
        doc,
        tableName,
        PENDING_INDEX,
        limit,
        scope.filtered({
          KeyConditionExpression: '#pendingKey = :pending AND #pendingDueAt <= :now',
          ExpressionAttributeNames: { '#pendingKey': 'pendingKey', '#pendingDueAt': 'pendingDueAt' },
          ExpressionAttributeValues: { ':pending': PENDING_KEY_VALUE, ':now': now.toISOString() },
          ScanIndexForward: true,
        }),
      );
      return items.map((item) => fromItem(item as StoredTeam));
    },

    async listPendingCreations() {
      const { items } = await queryIndex(
        doc,
        tableName,
        PENDING_INDEX,
        Number.POSITIVE_INFINITY,
        scope.filtered({
          KeyConditionExpression: '#pendingKey = :pending',
          FilterExpression: '#lifecycle = :active AND attribute_not_exists(#appliedVersion)',
          ExpressionAttributeNames: {
            '#pendingKey': 'pendingKey',
            '#lifecycle': 'lifecycle',
            '#appliedVersion': 'appliedVersion',
            '#name': 'name',
          },
          ExpressionAttributeValues: { ':pending': PENDING_KEY_VALUE, ':active': 'active' },
          ProjectionExpression: '#name',
        }),
      );
      return items.map((item) => String(item.name).slice(keyPrefix.length));
    },

    async listPending() {
      const { items } = await queryIndex(
        doc,
        tableName,
        PENDING_INDEX,
        Number.POSITIVE_INFINITY,
        scope.filtered({
          KeyConditionExpression: '#pendingKey = :pending',
          ExpressionAttributeNames: { '#pendingKey': 'pendingKey' },
          ExpressionAttributeValues: { ':pending': PENDING_KEY_VALUE },
        }),
      );
      return items.map((item) => fromItem(item as StoredTeam));
    },

    async listActiveTeams({ limit = ACTIVE_PAGE_LIMIT, nextToken }) {
      if (!Number.isInteger(limit) || limit < 1) {
        throw new RangeError(`listActiveTeams: limit must be a positive integer, not ${limit}`);
      }
      const { items, lastKey } = await queryIndex(
        doc,
        tableName,
        LIFECYCLE_INDEX,
        limit,
        scope.filtered(scope.activeRecords()),
        nextToken === undefined ? undefined : { lifecycle: 'active', name: scope.keyOfToken(nextToken) },
      );
      return {
        items: items.map((item) => fromItem(item as StoredTeam)),
        ...(lastKey === undefined ? {} : { nextToken: tokenOf(String(lastKey.name)) }),
      };
    },

    async listActiveTeamsWithCognitoGroup(userPool, group) {
      // The filter applies after the read: the Query reads every active record (a page at a time), which is
      // what a group event costs as long as DynamoDB cannot index a list by its elements. `contains` on a list
      // compares whole elements, so 'labelers' does not match a team of 'labelers-en'.
      const active = scope.activeRecords();
      const { items } = await queryIndex(
        doc,
        tableName,
        LIFECYCLE_INDEX,
        Number.POSITIVE_INFINITY,
        scope.filtered({
          ...active,
          FilterExpression: '#identity.#userPool = :pool AND contains(#spec.#members.#cognitoGroups, :group)',
          ExpressionAttributeNames: {
            ...active.ExpressionAttributeNames,
            '#identity': 'identity',
            '#userPool': 'userPool',
            '#spec': 'spec',
            '#members': 'members',
            '#cognitoGroups': 'cognitoGroups',
          },
          ExpressionAttributeValues: { ...active.ExpressionAttributeValues, ':pool': userPool, ':group': group },
        }),
      );
      return items.map((item) => fromItem(item as StoredTeam));
    },
  };
}

/**
 * How a registry keeps to its target's records in the indexes: another target's are the key range of its prefix
 * (in the lifecycle index, sorted by name) and carry its `targetKey`; the hub's carry none (its records were keyed
 * by name before there were targets).
 */
function scopeOf(keyPrefix: string) {
  const hub = keyPrefix === '';
  return {
    /** The active records' partition of the lifecycle index (the target's range of it), in name order. */
    activeRecords(): IndexQuery {
      return hub
        ? {
            KeyConditionExpression: '#lifecycle = :active',
            ExpressionAttributeNames: { '#lifecycle': 'lifecycle' },
            ExpressionAttributeValues: { ':active': 'active' },
          }
        : {
            KeyConditionExpression: '#lifecycle = :active AND begins_with(#name, :prefix)',
            ExpressionAttributeNames: { '#lifecycle': 'lifecycle', '#name': 'name' },
            ExpressionAttributeValues: { ':active': 'active', ':prefix': keyPrefix },
          };
    },
    /** Every query goes through this: the records of other targets it may read are filtered out. */
    filtered(query: IndexQuery): IndexQuery {
      const condition = hub ? 'attribute_not_exists(#targetKey)' : '#targetKey = :targetKey';
      return {
        ...query,
        FilterExpression: query.FilterExpression ? `(${query.FilterExpression}) AND ${condition}` : condition,
        ExpressionAttributeNames: { ...query.ExpressionAttributeNames, '#targetKey': 'targetKey' },
        ExpressionAttributeValues: {
          ...query.ExpressionAttributeValues,
          ...(hub ? {} : { ':targetKey': targetKeyOf(keyPrefix) }),
        },
      };
    },
    /** A token's key, which must be one of the target's (a token of another target's listing is refused). */
    keyOfToken(token: string): string {
      const key = nameOfToken(token);
      if (hub ? key.includes('/') : !key.startsWith(keyPrefix)) {
        throw new InvalidPaginationToken('it was issued for another target');
      }
      return key;
    },
  };
}

/**
 * A `listActiveTeams` token: the name of the last record read, as base64url JSON (the index's LastEvaluatedKey
 * holds nothing else but the partition). A position, not a record: it still resumes after that record retired.
 */
function tokenOf(name: string): string {
  return Buffer.from(JSON.stringify({ name })).toString('base64url');
}

function nameOfToken(token: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidPaginationToken('it cannot be decoded');
  }
  const name = isPlainRecord(parsed) ? parsed.name : undefined;
  // Encoding the name again must give the very token: no other fields, no other spelling of the same bytes.
  if (
    typeof name !== 'string' ||
    name === '' ||
    Buffer.byteLength(name) > MAX_SORT_KEY_BYTES ||
    tokenOf(name) !== token
  ) {
    throw new InvalidPaginationToken('it was not issued by listActiveTeams');
  }
  return name;
}

/** Items as the document client returns them. */
type StoredItems = NonNullable<QueryCommandOutput['Items']>;

type IndexQuery = Pick<
  QueryCommandInput,
  | 'KeyConditionExpression'
  | 'FilterExpression'
  | 'ExpressionAttributeNames'
  | 'ExpressionAttributeValues'
  | 'ProjectionExpression'
  | 'ScanIndexForward'
>;

/**
 * Reads an index page by page (a page stops at 1 MB before Limit) from `startKey` until `max` items or the end.
 * `lastKey` is where a next read resumes; absent once the index is read to the end.
 */
async function queryIndex(
  doc: DynamoDBDocumentClient,
  tableName: string,
  indexName: string,
  max: number,
  query: IndexQuery,
  startKey?: Record<string, unknown>,
): Promise<{ items: StoredItems; lastKey?: Record<string, unknown> }> {
  const items: StoredItems = [];
  if (max < 1) return { items, lastKey: startKey };
  let lastKey = startKey;
  do {
    const page = await doc.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: indexName,
        ...query,
        Limit: Number.isFinite(max) ? max - items.length : undefined,
        ExclusiveStartKey: lastKey,
      }),
    );
    items.push(...(page.Items ?? []));
    lastKey = page.LastEvaluatedKey;
  } while (lastKey && items.length < max);
  return { items, lastKey };
}
