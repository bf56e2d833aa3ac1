/**
 * The teams' subscription ledgers in the teams table, beside the records: one item per team, keyed
 * `#subscriptions/<team>` (no team name starts with `#`, and the item carries none of the attributes the table's
 * indexes are keyed on), holding address keys, never addresses. An item stays under DynamoDB's 400 KB: past
 * LEDGER_LIMIT entries, those seen confirmed (needed only to notice an opt-out) go first, then the oldest.
 */
import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { LedgerEntry, SubscriptionLedger } from '../domain/subscription-ledger';
import type { SubscriptionLedgers } from '../ports/teams';

const LEDGER_KEY_PREFIX = '#subscriptions/';
/** About 45 bytes an entry: 8,000 stay well under an item's 400 KB. */
const LEDGER_LIMIT = 8000;

/** `keyPrefix`: the target's (`teamKeyPrefix`, lib/adapters/registry.ts): each target's team has its own ledger. */
export function createSubscriptionLedgers(
  doc: DynamoDBDocumentClient,
  tableName: string,
  keyPrefix = '',
): SubscriptionLedgers {
  const key = (team: string) => ({ name: `${LEDGER_KEY_PREFIX}${keyPrefix}${team}` });
  return {
    async get(team) {
      const { Item } = await doc.send(new GetCommand({ TableName: tableName, Key: key(team), ConsistentRead: true }));
      const entries = (Item?.entries ?? {}) as Record<string, LedgerEntry>;
      return entries;
    },

    async put(team, ledger) {
      await doc.send(new PutCommand({ TableName: tableName, Item: { ...key(team), entries: bounded(ledger) } }));
    },

    async forget(team) {
      await doc.send(new DeleteCommand({ TableName: tableName, Key: key(team) }));
    },
  };
}

function bounded(ledger: SubscriptionLedger): SubscriptionLedger {
  const entries = Object.entries(ledger);
  if (entries.length <= LEDGER_LIMIT) return ledger;
  const rank = ([, entry]: [string, LedgerEntry]) => (entry.state === 'confirmed' ? 0 : 1);
  entries.sort((a, b) => rank(b) - rank(a) || (a[1].at < b[1].at ? 1 : a[1].at > b[1].at ? -1 : 0));
  return Object.fromEntries(entries.slice(0, LEDGER_LIMIT));
}
