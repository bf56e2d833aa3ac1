/**
 * Real-time claims in the audit table, `pk = team-audit`, `sk = <prefix><team>` (the team's target's key prefix:
 * none for the hub, `account/region/` for another target, so that teams of one name in two targets never share a
 * claim) (lib/adapters/audit-store.ts): the latest
 * real-time audit of the team (when it reads from, who runs it, whether it finished), for events of a burst to be
 * answered by one run.
 */
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { AuditStore, TeamAuditClaim } from '../../ports/audit';
import type { AuditTable } from './table';

const TEAM_AUDIT = 'team-audit';

export function teamAuditClaimsOf(
  { doc, tableName, conditionally }: AuditTable,
  keyPrefix = '',
): Pick<AuditStore, 'claimTeamAudit' | 'finishTeamAudit' | 'abandonTeamAudit'> {
  const claimKey = (team: string) => ({ pk: TEAM_AUDIT, sk: `${keyPrefix}${team}` });
  return {
    async claimTeamAudit({ coveredFrom, staleBefore, ...claim }) {
      const claimed = await conditionally(
        new PutCommand({
          TableName: tableName,
          Item: { ...claimKey(claim.team), ...claim },
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
        new GetCommand({ TableName: tableName, Key: claimKey(claim.team), ConsistentRead: true }),
      );
      return { claimed: false, ...(Item ? { covering: teamAuditClaimOf(Item) } : {}) };
    },

    async finishTeamAudit(team, holder, runId, at) {
      await conditionally(
        new UpdateCommand({
          TableName: tableName,
          Key: claimKey(team),
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
          Key: claimKey(team),
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
