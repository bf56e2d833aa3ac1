/**
 * The audit's adapters, and reconcile's for remediation: the same registry, SageMaker, SNS and Cognito clients as
 * the team use cases (lib/composition/teams.ts), so a remediating run writes exactly as every other write path
 * does; SageMaker's audit reader, the topics' inspector, CloudTrail's (read only: the region's trails, for
 * `account.no-trail`), the findings' events and the report store, all of one target; the targets' queue a run of
 * every target is handed out on (`buildAuditRuns`); and the audit's own settings.
 */
import { createAuditDispatch } from '../adapters/audit-dispatch';
import { createFindingEvents } from '../adapters/finding-events';
import { createTopicInspector } from '../adapters/notifications';
import { createAuditReader } from '../adapters/sagemaker';
import { createTrailInspector } from '../adapters/trails';
import type { AuditTarget } from '../domain/audit/fan-out';
import { cloudTrailClient } from '../runtime/clients/cloudtrail';
import { eventBridgeClient } from '../runtime/clients/eventbridge';
import { sageMakerClient } from '../runtime/clients/sagemaker';
import { snsClient } from '../runtime/clients/sns';
import { sqsClient } from '../runtime/clients/sqs';
import { taggingClient } from '../runtime/clients/tagging';
import { type AuditConfig, type AuditDispatchConfig, auditConfigSchema, loadConfig } from '../runtime/config';
import { byTarget, type ConfiguredTarget } from '../runtime/targets';
import type { AuditDeps } from '../use-cases/audit/deps';
import type { FanOutDeps, TargetAuditDeps } from '../use-cases/audit/fan-out';
import { reconcileTeam } from '../use-cases/reconcile';
import { buildAuditStore } from './audit-store';
import { mustReach, targetsOf } from './targets';
import { buildTeamDeps, policy } from './teams';

/** One target's audit (the hub's by default), through the target's own clients and its own store. */
export function buildAuditDeps(
  config: AuditConfig = loadConfig(auditConfigSchema()),
  target: ConfiguredTarget = targetsOf(config).hub,
): AuditDeps {
  const team = buildTeamDeps(config, target);
  const audited: AuditTarget = { account: target.account, region: target.region, hub: target.hub };
  return {
    target: audited,
    reader: createAuditReader(sageMakerClient(config, target), taggingClient(config, target)),
    topics: createTopicInspector(snsClient(config, target)),
    trails: createTrailInspector(cloudTrailClient(config, target), target.region),
    directory: team.directory,
    registry: team.registry,
    store: buildAuditStore(config, audited),
    events: createFindingEvents(eventBridgeClient(config)),
    alerts: team.alerts,
    policy,
    managementTag: team.managementTag,
    reconcile: (name, by) => reconcileTeam(team, name, {}, { onRefusal: 'keep', by }),
    log: team.log,
    ...auditRunSettings(config),
  };
}

/** The audit's own settings: how long a subscription finding waits for a second look. */
export function auditRunSettings(
  config: AuditConfig = loadConfig(auditConfigSchema()),
): Pick<AuditDeps, 'subscriptionGraceMs'> {
  return { subscriptionGraceMs: config.SUBSCRIPTION_GRACE_SECONDS * 1000 };
}

/**
 * A target's audit of a run, as the worker and a run audited in place take it: the configured targets, whether one
 * can be reached now (its role assumed), its audit's deps (built once per container and target), the runs' store.
 */
export function buildTargetAudits(config: AuditConfig): TargetAuditDeps & { targets: ReturnType<typeof targetsOf> } {
  const targets = targetsOf(config);
  const depsOf = byTarget((target) => buildAuditDeps(config, target));
  const configured = (target: AuditTarget) => targets.resolve(target);
  const hub = depsOf(targets.hub);
  return {
    targets,
    store: hub.store,
    find: (target) => targets.find(target),
    reach: (target) => mustReach(configured(target), config),
    auditDepsOf: (target) => depsOf(configured(target)),
    ...(hub.log === undefined ? {} : { log: hub.log }),
  };
}

/** Starting runs of every target: the targets' audits, the queue they are handed out on, the deadline. */
export function buildAuditRuns(
  config: AuditDispatchConfig,
): TargetAuditDeps & FanOutDeps & { targets: ReturnType<typeof targetsOf>; deadlineMs: number } {
  return {
    ...buildTargetAudits(config),
    dispatch: createAuditDispatch(sqsClient(config), config.AUDIT_TARGETS_QUEUE),
    deadlineMs: config.AUDIT_RUN_DEADLINE_SECONDS * 1000,
  };
}
