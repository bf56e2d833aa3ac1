/**
 * Builds, once per container, the adapters the team use cases take: the registry, SageMaker, SNS and the
 * workforce's Cognito pool, plus the organisation's policy (validated at cold start). The audit builds on these
 * (lib/composition/audit.ts); read-only functions build theirs with lib/composition/read.ts, which carries no SNS,
 * Cognito or EventBridge client.
 */
import policyDocument from '../../policy/policy.json';
import { createWorkforceDirectory } from '../adapters/directory';
import { createTeamLeases } from '../adapters/leases';
import { createNotificationTopics, createOperationsAlerts } from '../adapters/notifications';
import { createTeamRegistry } from '../adapters/registry';
import { createSageMakerWriter } from '../adapters/sagemaker';
import { createSubscriptionLedgers } from '../adapters/subscription-ledgers';
import { managementTagOf } from '../domain/management-tag';
import { parsePolicy } from '../domain/policy';
import type { OperationsAlerts } from '../ports/teams';
import { cognitoClient } from '../runtime/clients/cognito';
import { documentClient } from '../runtime/clients/dynamodb';
import { sageMakerClient } from '../runtime/clients/sagemaker';
import { snsClient } from '../runtime/clients/sns';
import { loadConfig, type TeamsConfig, teamsConfigSchema } from '../runtime/config';
import { countTeamOutcome } from '../runtime/metrics';
import { logger } from '../runtime/observability';
import type { TeamDeps } from '../use-cases/manage-teams';

export const policy = parsePolicy(policyDocument);

export function buildTeamDeps(config: TeamsConfig = loadConfig(teamsConfigSchema())): TeamDeps {
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
    topicPrefix: config.TOPIC_PREFIX,
    managementTag: managementTagOf(config.STAGE),
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
