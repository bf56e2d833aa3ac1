/**
 * The audit's adapters, and reconcile's for remediation: the same registry, SageMaker, SNS and Cognito clients as
 * the team use cases (lib/composition/teams.ts), so a remediating run writes exactly as every other write path
 * does; SageMaker's audit reader, the topics' inspector, CloudTrail's (read only: the region's trails, for
 * `account.no-trail`), the findings' events and the report store; and the audit's own settings.
 */
import { createFindingEvents } from '../adapters/finding-events';
import { createTopicInspector } from '../adapters/notifications';
import { createAuditReader } from '../adapters/sagemaker';
import { createTrailInspector } from '../adapters/trails';
import { cloudTrailClient } from '../runtime/clients/cloudtrail';
import { eventBridgeClient } from '../runtime/clients/eventbridge';
import { sageMakerClient } from '../runtime/clients/sagemaker';
import { snsClient } from '../runtime/clients/sns';
import { taggingClient } from '../runtime/clients/tagging';
import { type AuditConfig, auditConfigSchema, loadConfig } from '../runtime/config';
import type { ConfiguredTarget } from '../runtime/targets';
import type { AuditDeps } from '../use-cases/audit/deps';
import { reconcileTeam } from '../use-cases/reconcile';
import { buildAuditStore } from './audit-store';
import { targetsOf } from './targets';
import { buildTeamDeps, policy } from './teams';

/** One target's audit (the hub's by default), through the target's own clients. */
export function buildAuditDeps(
  config: AuditConfig = loadConfig(auditConfigSchema()),
  target: ConfiguredTarget = targetsOf(config).hub,
): AuditDeps {
  const team = buildTeamDeps(config, target);
  return {
    reader: createAuditReader(sageMakerClient(config, target), taggingClient(config, target)),
    topics: createTopicInspector(snsClient(config, target)),
    trails: createTrailInspector(cloudTrailClient(config, target), target.region),
    directory: team.directory,
    registry: team.registry,
    store: buildAuditStore(config),
    events: createFindingEvents(eventBridgeClient(config)),
    alerts: team.alerts,
    policy,
    managementTag: team.managementTag,
    reconcile: (name, by) => reconcileTeam(team, name, {}, { onRefusal: 'keep', by }),
    log: team.log,
  };
}

/** The audit's own settings: how long a subscription finding waits for a second look. */
export function auditRunSettings(
  config: AuditConfig = loadConfig(auditConfigSchema()),
): Pick<AuditDeps, 'subscriptionGraceMs'> {
  return { subscriptionGraceMs: config.SUBSCRIPTION_GRACE_SECONDS * 1000 };
}
