/**
 * EventBridge → the Cognito sync: "AWS API Call via CloudTrail" records of the workforce's user pool (the rule's
 * pattern in serverless.yml) keep teams' members and workers' subscriptions in step with the pool. Delivered at
 * least once and in any order: each event is processed once per CloudTrail eventID, and what it does reads the
 * pool as it is now. A malformed event is refused (and, after EventBridge's retries, dead-lettered).
 */
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { z } from 'zod';
import { dynamoClient } from '#lib/clients/dynamodb';
import { loadConfig } from '#lib/config';
import { buildTeamDeps, IdempotencyConfigSchema, WorkforcePoolConfigSchema } from '#lib/deps';
import { eventBridgeRoute } from '#lib/handlers/event';
import { logger } from '#lib/observability';
import {
  type CognitoChange,
  MEMBERSHIP_EVENTS,
  type SyncResult,
  syncCognitoChange,
  USER_EVENTS,
} from '#lib/use-cases/sync-cognito';

const config = loadConfig(IdempotencyConfigSchema.extend(WorkforcePoolConfigSchema.shape));
const deps = buildTeamDeps();

/** The part of a CloudTrail record of a Cognito API call the sync reads; the user's name is hidden anyway. */
const CognitoApiCallSchema = z
  .object({
    eventID: z.string().min(1),
    eventSource: z.literal('cognito-idp.amazonaws.com'),
    eventName: z.enum([...MEMBERSHIP_EVENTS, ...USER_EVENTS]),
    errorCode: z.string().optional(),
    requestParameters: z.object({ userPoolId: z.string().min(1), groupName: z.string().min(1).optional() }),
    additionalEventData: z.object({ sub: z.string().min(1).optional() }).optional(),
  })
  .refine(
    (detail) =>
      !(MEMBERSHIP_EVENTS as readonly string[]).includes(detail.eventName) || detail.requestParameters.groupName,
    { message: 'a group event names its group', path: ['requestParameters', 'groupName'] },
  );

const idempotency = new IdempotencyConfig({ eventKeyJmesPath: 'eventId', expiresAfterSeconds: 24 * 60 * 60 });
const syncOnce = makeIdempotent(
  (change: CognitoChange): Promise<SyncResult> => syncCognitoChange(deps, config.USER_POOL_ID, change),
  {
    persistenceStore: new DynamoDBPersistenceLayer({
      tableName: config.IDEMPOTENCY_TABLE,
      awsSdkV3Client: dynamoClient(config),
    }),
    config: idempotency,
  },
);

export const handler = eventBridgeRoute(CognitoApiCallSchema, async ({ detail }, context) => {
  // A call Cognito refused changed nothing.
  if (detail.errorCode) {
    logger.info('cognito call failed; nothing to sync', { eventId: detail.eventID, eventName: detail.eventName });
    return { ignored: 'the call failed', teams: [] } satisfies SyncResult;
  }
  if (detail.requestParameters.userPoolId !== config.USER_POOL_ID) {
    logger.debug('event of another user pool ignored', { eventId: detail.eventID });
    return { ignored: 'another user pool', teams: [] } satisfies SyncResult;
  }
  idempotency.registerLambdaContext(context);
  return syncOnce({
    eventId: detail.eventID,
    eventName: detail.eventName,
    userPoolId: detail.requestParameters.userPoolId,
    ...(detail.requestParameters.groupName ? { groupName: detail.requestParameters.groupName } : {}),
    ...(detail.additionalEventData?.sub ? { sub: detail.additionalEventData.sub } : {}),
  });
});
