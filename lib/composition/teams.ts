/**
 * Builds, once per container, the adapters the team use cases take: the registry, SageMaker, SNS and the
 * workforce's Cognito pool, plus the organisation's policy (validated at cold start); and the audit's. Read-only
 * functions build theirs with lib/composition/read.ts, which carries no SNS, Cognito or EventBridge client.
 */
import { z } from 'zod';
import policyDocument from '../../policy/policy.json';
import { createWorkforceDirectory } from '../adapters/directory';
import { createFindingEvents } from '../adapters/finding-events';
import { createTeamLeases } from '../adapters/leases';
import { createNotificationTopics, createOperationsAlerts, createTopicInspector } from '../adapters/notifications';
import { createTeamRegistry } from '../adapters/registry';
import { createAuditReader, createSageMakerWriter } from '../adapters/sagemaker';
import { createSubscriptionLedgers } from '../adapters/subscription-ledgers';
import { createTrailInspector } from '../adapters/trails';
import { parsePolicy } from '../domain/policy';
import type { OperationsAlerts } from '../ports/teams';
import { cloudTrailClient } from '../runtime/clients/cloudtrail';
import { cognitoClient } from '../runtime/clients/cognito';
import { documentClient } from '../runtime/clients/dynamodb';
import { eventBridgeClient } from '../runtime/clients/eventbridge';
import { sageMakerClient } from '../runtime/clients/sagemaker';
import { snsClient } from '../runtime/clients/sns';
import { AwsConfigSchema, loadConfig } from '../runtime/config';
import { countTeamOutcome } from '../runtime/metrics';
import { logger } from '../runtime/observability';
import type { AuditDeps } from '../use-cases/audit/deps';
import type { TeamDeps } from '../use-cases/manage-teams';
import { reconcileTeam } from '../use-cases/reconcile';
import { auditStoreFields, buildAuditStore } from './audit-store';
import { ReadConfigSchema } from './read';

export const TeamsConfigSchema = ReadConfigSchema.extend({
  /** Notification topics are named `<prefix><team name>`; IAM scopes SNS rights to that prefix. */
  TOPIC_PREFIX: z.string().regex(/^[A-Za-z0-9_-]{1,128}$/),
  /** A SageMaker refusal within this many seconds of a team's Cognito group being created is retried, not rolled back. */
  GROUP_SETTLING_SECONDS: z.coerce.number().int().min(0).max(900),
  /** How long a change that cannot be applied is retried before the team is Failed and the operations topic told. */
  RETRY_BUDGET_MINUTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(7 * 24 * 60),
  /** How many days an unanswered confirmation mail keeps its address from being asked again (7). */
  CONFIRMATION_WINDOW_DAYS: z.coerce.number().int().min(1).max(60).default(7),
  /** The SNS topic that tells the people who run the system what needs a person. */
  OPERATIONS_TOPIC_ARN: z.string().regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/),
});
export type TeamsConfig = z.infer<typeof TeamsConfigSchema>;

export const IdempotencyConfigSchema = AwsConfigSchema.extend({ IDEMPOTENCY_TABLE: z.string().min(1) });

/** The workforce's Cognito user pool, whose changes the Cognito sync and the resync follow. */
export const WorkforcePoolConfigSchema = z.object({ USER_POOL_ID: z.string().regex(/^[\w-]+_[0-9a-zA-Z]+$/) });

export const AuditConfigSchema = TeamsConfigSchema.extend(auditStoreFields);
export type AuditConfig = z.infer<typeof AuditConfigSchema>;

export const policy = parsePolicy(policyDocument);

/**
 * The audit's adapters, and reconcile's for remediation: the same registry, SageMaker, SNS and Cognito clients,
 * so a remediating run writes exactly as every other write path does; and CloudTrail's, read only (the region's
 * trails, for `account.no-trail`).
 */
export function buildAuditDeps(config: AuditConfig = loadConfig(AuditConfigSchema)): AuditDeps {
  const team = buildTeamDeps(config);
  return {
    reader: createAuditReader(sageMakerClient(config)),
    topics: createTopicInspector(snsClient(config)),
    trails: createTrailInspector(cloudTrailClient(config), config.AWS_REGION),
    directory: team.directory,
    registry: team.registry,
    store: buildAuditStore(config),
    events: createFindingEvents(eventBridgeClient(config)),
    alerts: team.alerts,
    policy,
    reconcile: (name, by) => reconcileTeam(team, name, {}, { onRefusal: 'keep', by }),
    log: team.log,
  };
}

export function buildTeamDeps(config: TeamsConfig = loadConfig(TeamsConfigSchema)): TeamDeps {
  const documents = documentClient(config);
  return {
    registry: createTeamRegistry(documents, config.TEAMS_TABLE),
    leases: createTeamLeases(documents, config.TEAMS_TABLE),
    ledgers: createSubscriptionLedgers(documents, config.TEAMS_TABLE),
    sagemaker: createSageMakerWriter(sageMakerClient(config)),
    topics: createNotificationTopics(snsClient(config), { topicPrefix: config.TOPIC_PREFIX }),
    directory: createWorkforceDirectory(cognitoClient(config)),
    alerts: countedAlerts(createOperationsAlerts(snsClient(config), config.OPERATIONS_TOPIC_ARN)),
    policy,
    groupSettlingMs: config.GROUP_SETTLING_SECONDS * 1000,
    retryBudgetMs: config.RETRY_BUDGET_MINUTES * 60_000,
    askAgainAfterMs: config.CONFIRMATION_WINDOW_DAYS * 24 * 60 * 60_000,
    log: {
      info: (message, details = {}) => logger.info(message, details),
      warn: (message, details = {}) => logger.warn(message, details),
      error: (message, details = {}) => logger.error(message, details),
    },
  };
}

/** Every team that turns Failed is counted (metric `TeamsFailed`, for the alarm) as well as told. */
function countedAlerts(alerts: OperationsAlerts): OperationsAlerts {
  return {
    async teamFailed(team) {
      countTeamOutcome('failed');
      await alerts.teamFailed(team);
    },
    async teamOrphaned(team) {
      countTeamOutcome('orphaned');
      await alerts.teamOrphaned(team);
    },
    auditFindingsOpened: (summary) => alerts.auditFindingsOpened(summary),
  };
}
