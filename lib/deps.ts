/**
 * Builds, once per container, the adapters the team use cases take: the registry, SageMaker, SNS and the
 * workforce's Cognito pool, plus the organisation's policy (validated at cold start).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import policyDocument from '../policy/policy.json';
import { createWorkforceDirectory } from './adapters/directory';
import { createNotificationTopics } from './adapters/notifications';
import { createTeamRegistry } from './adapters/registry';
import { createSageMakerWriter } from './adapters/sagemaker';
import { cognitoClient, sageMakerClient, snsClient } from './aws-clients';
import { AwsConfigSchema, loadConfig } from './config';
import { parsePolicy } from './domain/policy';
import { logger, tracer } from './observability';
import type { TeamDeps } from './use-cases/manage-teams';

export const TeamsConfigSchema = AwsConfigSchema.extend({
  TEAMS_TABLE: z.string().min(1),
  /** Notification topics are named `<prefix><team name>`; IAM scopes SNS rights to that prefix. */
  TOPIC_PREFIX: z.string().regex(/^[A-Za-z0-9_-]{1,128}$/),
  /** A SageMaker refusal within this many seconds of a team's Cognito group being created is retried, not rolled back. */
  GROUP_SETTLING_SECONDS: z.coerce.number().int().min(0).max(900),
});
export type TeamsConfig = z.infer<typeof TeamsConfigSchema>;

export const IdempotencyConfigSchema = AwsConfigSchema.extend({ IDEMPOTENCY_TABLE: z.string().min(1) });

let dynamo: DynamoDBClient | undefined;
export function dynamoClient(config: Pick<TeamsConfig, 'AWS_REGION' | 'AWS_MAX_ATTEMPTS'>): DynamoDBClient {
  dynamo ??= tracer.captureAWSv3Client(
    new DynamoDBClient({ region: config.AWS_REGION, maxAttempts: config.AWS_MAX_ATTEMPTS, retryMode: 'standard' }),
  );
  return dynamo;
}

export const policy = parsePolicy(policyDocument);

export function buildTeamDeps(config: TeamsConfig = loadConfig(TeamsConfigSchema)): TeamDeps {
  const documents = DynamoDBDocumentClient.from(dynamoClient(config), {
    marshallOptions: { removeUndefinedValues: true },
  });
  return {
    registry: createTeamRegistry(documents, config.TEAMS_TABLE),
    sagemaker: createSageMakerWriter(sageMakerClient(config)),
    topics: createNotificationTopics(snsClient(config), { topicPrefix: config.TOPIC_PREFIX }),
    directory: createWorkforceDirectory(cognitoClient(config)),
    policy,
    groupSettlingMs: config.GROUP_SETTLING_SECONDS * 1000,
    log: (message, details) => logger.info(message, details),
  };
}
