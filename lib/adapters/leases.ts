/**
 * Team leases in the teams table, beside the records: one small item per leased team, keyed `#lease/<team>` (no
 * team name can start with `#`, and the item carries none of the attributes the table's indexes are keyed on, so
 * no listing of teams ever sees it). Taking a lease is one conditional PutItem, giving it up one conditional
 * DeleteItem; an item left by a holder that died expires at its `until` (and DynamoDB's TTL removes it later).
 */
import { DeleteCommand, type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { TeamLeases } from '../ports/teams';

const LEASE_KEY_PREFIX = '#lease/';

/** `keyPrefix`: the target's (`teamKeyPrefix`, lib/adapters/registry.ts), so two targets' teams of one name never share a lease. */
export function createTeamLeases(doc: DynamoDBDocumentClient, tableName: string, keyPrefix = ''): TeamLeases {
  const key = (team: string) => `${LEASE_KEY_PREFIX}${keyPrefix}${team}`;
  return {
    async tryAcquire(team, holder, until, now) {
      try {
        await doc.send(
          new PutCommand({
            TableName: tableName,
            Item: {
              name: key(team),
              holder,
              until: until.toISOString(),
              expiresAt: Math.ceil(until.getTime() / 1000) + 3600,
            },
            ConditionExpression: 'attribute_not_exists(#name) OR #until < :now OR holder = :holder',
            ExpressionAttributeNames: { '#name': 'name', '#until': 'until' },
            ExpressionAttributeValues: { ':now': now.toISOString(), ':holder': holder },
          }),
        );
        return true;
      } catch (error) {
        if (isConditionFailed(error)) return false;
        throw error;
      }
    },

    async release(team, holder) {
      try {
        await doc.send(
          new DeleteCommand({
            TableName: tableName,
            Key: { name: key(team) },
            ConditionExpression: 'holder = :holder',
            ExpressionAttributeValues: { ':holder': holder },
          }),
        );
      } catch (error) {
        if (!isConditionFailed(error)) throw error;
      }
    },
  };
}

function isConditionFailed(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}
