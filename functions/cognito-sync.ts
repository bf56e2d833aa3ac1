/**
 * SQS → the Cognito sync: "AWS API Call via CloudTrail" records of the workforce's user pool reach the
 * cognito-changes queue through an EventBridge rule (serverless.yml), and this function takes them a batch at a
 * time, so that a storm of changes (a bulk import) costs about what one change costs. Delivered at least once,
 * in any order, duplicated: what a batch does reads the pool as it is now, so a duplicate or a reordering ends
 * in the same state. Messages of failed work come again (partial batch failure); a malformed one is refused,
 * and after the queue's receives lands in the dead-letter queue.
 */
import { z } from 'zod';
import { buildTeamDeps } from '#lib/composition/teams';
import { COGNITO_EVENTS, type CognitoChange, GROUP_EVENTS, MEMBERSHIP_EVENTS } from '#lib/domain/cognito-changes';
import { sqsBatchRoute } from '#lib/handlers/queue';
import { cognitoSyncConfig, loadConfig } from '#lib/runtime/config';
import { logger } from '#lib/runtime/observability';
import { syncCognitoChanges } from '#lib/use-cases/cognito-sync/batch';

const config = loadConfig(cognitoSyncConfig());
const deps = buildTeamDeps(config);

/** CloudTrail event ids are UUIDs: a message with anything else is not CloudTrail's (and reaches no log). */
const EventIdSchema = z.guid();

/**
 * The part of the EventBridge event of a Cognito API call that the sync reads. A call Cognito refused
 * (`errorCode`) changed nothing and is taken as it comes, before its other fields are asked for; every other
 * record must be a whole one of the rule's kind.
 */
const CognitoApiCallSchema = z.union([
  z.object({
    source: z.literal('aws.cognito-idp'),
    detail: z.object({ eventID: EventIdSchema, errorCode: z.string().min(1) }),
  }),
  z.object({
    source: z.literal('aws.cognito-idp'),
    'detail-type': z.literal('AWS API Call via CloudTrail'),
    detail: z
      .object({
        eventID: EventIdSchema,
        eventSource: z.literal('cognito-idp.amazonaws.com'),
        eventName: z.enum(COGNITO_EVENTS),
        requestParameters: z
          .object({ userPoolId: z.string().min(1).optional(), groupName: z.string().min(1).optional() })
          .nullish(),
        additionalEventData: z.object({ sub: z.string().optional(), userPoolId: z.string().optional() }).nullish(),
      })
      .refine(
        (detail) =>
          ![...GROUP_EVENTS, ...MEMBERSHIP_EVENTS].includes(detail.eventName as never) ||
          detail.requestParameters?.groupName,
        { message: 'a group event names its group', path: ['requestParameters', 'groupName'] },
      ),
  }),
]);
type CognitoApiCall = z.infer<typeof CognitoApiCallSchema>;

/** The change a record stands for, or why it stands for none. */
function changeOf(call: CognitoApiCall): CognitoChange | 'the call failed' | 'another user pool' {
  const { detail } = call;
  if ('errorCode' in detail) return 'the call failed';
  const userPool = detail.requestParameters?.userPoolId ?? detail.additionalEventData?.userPoolId;
  if (userPool !== config.USER_POOL_ID) return 'another user pool';
  const eventId = detail.eventID;
  const groupName = detail.requestParameters?.groupName ?? '';
  switch (detail.eventName) {
    case 'CreateGroup':
    case 'DeleteGroup':
    case 'AdminAddUserToGroup':
    case 'AdminRemoveUserFromGroup':
      return { eventId, eventName: detail.eventName, groupName };
    default:
      return { eventId, eventName: detail.eventName, sub: detail.additionalEventData?.sub };
  }
}

export const handler = sqsBatchRoute(CognitoApiCallSchema, async (messages) => {
  const changes: CognitoChange[] = [];
  const messagesOf = new Map<string, string[]>();
  for (const { messageId, body } of messages) {
    const change = changeOf(body);
    if (typeof change === 'string') {
      logger.debug('cognito event ignored', { eventId: body.detail.eventID, reason: change });
      continue;
    }
    changes.push(change);
    messagesOf.set(change.eventId, [...(messagesOf.get(change.eventId) ?? []), messageId]);
  }
  if (changes.length === 0) return { failed: [] };
  const result = await syncCognitoChanges(deps, config.USER_POOL_ID, changes);
  logger.info('cognito batch synced', {
    messages: messages.length,
    teams: result.teams,
    ignored: result.ignored.length,
    failed: result.failed,
  });
  return { failed: result.failed.flatMap((eventId) => messagesOf.get(eventId) ?? []) };
});
