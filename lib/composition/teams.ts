/**
 * Builds the adapters the team use cases take for one target (lib/runtime/targets.ts; the hub's by default): the
 * registry's records of that target, SageMaker, SNS and the workforce's Cognito pool through the target's own
 * clients, plus the organisation's policy (validated at cold start). A function builds them once per container and
 * target (`teamDepsByTarget`). The audit builds on these
 * (lib/composition/audit.ts); read-only functions build theirs with lib/composition/read.ts, which carries no SNS,
 * Cognito or EventBridge client.
 */
import policyDocument from '../../policy/policy.json';
import { createWorkforceDirectory } from '../adapters/directory';
import { createTeamLeases } from '../adapters/leases';
import { createNotificationTopics, createOperationsAlerts } from '../adapters/notifications';
import { createTeamRegistry, teamKeyPrefix } from '../adapters/registry';
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
import { byTarget, type ConfiguredTarget } from '../runtime/targets';
import type { TeamDeps } from '../use-cases/manage-teams';
import { targetsOf } from './targets';

export const policy = parsePolicy(policyDocument);

export function buildTeamDeps(
  config: TeamsConfig = loadConfig(teamsConfigSchema()),
  target: ConfiguredTarget = targetsOf(config).hub,
): TeamDeps {
  const documents = documentClient(config);
  const keyPrefix = teamKeyPrefix(target);
  const hub = target.hub ? target : targetsOf(config).hub;
  return {
    registry: createTeamRegistry(documents, config.TEAMS_TABLE, keyPrefix),
    leases: createTeamLeases(documents, config.TEAMS_TABLE, keyPrefix),
    ledgers: createSubscriptionLedgers(documents, config.TEAMS_TABLE, keyPrefix),
    sagemaker: createSageMakerWriter(sageMakerClient(config, target)),
    topics: createNotificationTopics(snsClient(config, target), { topicPrefix: config.TOPIC_PREFIX }),
    directory: createWorkforceDirectory(cognitoClient(config, target)),
    // The operations topic is the hub's, whichever target the team is in.
    alerts: countedAlerts(createOperationsAlerts(snsClient(config, hub), config.OPERATIONS_TOPIC_ARN)),
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

/** Each target's team deps, built on first use (one set of clients per target, never shared). */
export function teamDepsByTarget(config: TeamsConfig): (target: ConfiguredTarget) => TeamDeps {
  return byTarget((target) => buildTeamDeps(config, target));
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
