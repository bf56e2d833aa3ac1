/**
 * SQS → the Cognito sync: "AWS API Call via CloudTrail" records of the workforces' user pools reach the
 * cognito-changes queue through an EventBridge rule (serverless.yml): the hub's own, and every other target's,
 * forwarded to the hub's bus by the rule infra/target.yml makes there. This function takes them a batch at a
 * time, so that a storm of changes (a bulk import) costs about what one change costs, and syncs each target's
 * events with that target's deps (lib/use-cases/cognito-sync/targets.ts). Delivered at least once,
 * in any order, duplicated: what a batch does reads the pool as it is now, so a duplicate or a reordering ends
 * in the same state. Messages of failed work come again (partial batch failure); a malformed one is refused,
 * and after the queue's receives lands in the dead-letter queue.
 */
import { z } from 'zod';
import { targetsOf } from '#lib/composition/targets';
import { teamDepsByTarget } from '#lib/composition/teams';
import { COGNITO_EVENTS, type CognitoChange, GROUP_EVENTS, MEMBERSHIP_EVENTS } from '#lib/domain/cognito-changes';
import { sqsBatchRoute } from '#lib/handlers/queue';
import { cognitoSyncConfig, loadConfig } from '#lib/runtime/config';
import { logger } from '#lib/runtime/observability';
import {
  type CognitoTargets,
  type PlacedChange,
  rememberingUserPools,
  syncChangesOfTargets,
} from '#lib/use-cases/cognito-sync/targets';

const config = loadConfig(cognitoSyncConfig());
const depsOf = teamDepsByTarget(config);
const { all, hub, find } = targetsOf(config);
/** Each target's workforce pool, from SageMaker through the target's own clients (the hub's is USER_POOL_ID). */
const targets: CognitoTargets<(typeof all)[number]> = {
  all,
  hub,
  find,
  depsOf,
  userPoolOf: rememberingUserPools(hub, config.USER_POOL_ID, async (target) => {
    const workforce = await depsOf(target).sagemaker.describeWorkforce(undefined);
    return workforce?.cognito?.userPool;
  }),
};

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
    // Where the call happened: the target (a forwarded event keeps its own account's and region's).
    account: z.string(),
    region: z.string(),
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

/** The change a record stands for and where, or why it stands for none. */
function changeOf(call: CognitoApiCall): PlacedChange | 'the call failed' | 'no user pool named' {
  if (!('account' in call)) return 'the call failed';
  const { detail, account, region } = call;
  const userPool = detail.requestParameters?.userPoolId ?? detail.additionalEventData?.userPoolId;
  if (userPool === undefined || userPool === '') return 'no user pool named';
  const eventId = detail.eventID;
  const groupName = detail.requestParameters?.groupName ?? '';
  let change: CognitoChange;
  switch (detail.eventName) {
    case 'CreateGroup':
    case 'DeleteGroup':
    case 'AdminAddUserToGroup':
    case 'AdminRemoveUserFromGroup':
      change = { eventId, eventName: detail.eventName, groupName };
      break;
    default:
      change = { eventId, eventName: detail.eventName, sub: detail.additionalEventData?.sub };
  }
  return { change, account, region, userPool };
}

export const handler = sqsBatchRoute(CognitoApiCallSchema, async (messages) => {
  const placed: PlacedChange[] = [];
  const messagesOf = new Map<string, string[]>();
  for (const { messageId, body } of messages) {
    const change = changeOf(body);
    if (typeof change === 'string') {
      logger.debug('cognito event ignored', { eventId: body.detail.eventID, reason: change });
      continue;
    }
    placed.push(change);
    const { eventId } = change.change;
    messagesOf.set(eventId, [...(messagesOf.get(eventId) ?? []), messageId]);
  }
  if (placed.length === 0) return { failed: [] };
  const result = await syncChangesOfTargets(targets, placed, depsOf(hub).log);
  logger.info('cognito batch synced', {
    messages: messages.length,
    targets: result.targets,
    ignored: result.ignored.length,
    failed: result.failed,
  });
  return { failed: result.failed.flatMap((eventId) => messagesOf.get(eventId) ?? []) };
});
