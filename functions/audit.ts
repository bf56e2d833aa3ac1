/**
 * The compliance audit, run by a schedule (every team, the workforce and the team count; what
 * `serverless invoke local -f audit --path events/audit-schedule.json` prints is its report) and in real time by
 * an EventBridge rule on CloudTrail records of CreateWorkteam, UpdateWorkteam and DeleteWorkteam calls made by
 * anyone but this system's own roles (serverless.yml): such an event audits the one team it names. Auditing the
 * same event twice has one effect: findings open and resolve by conditional writes. Remediation as the policy
 * file says, per rule (off by default).
 */
import { z } from 'zod';
import { publishAuditMetrics } from '#lib/audit-metrics';
import { buildAuditDeps } from '#lib/deps';
import { WORKTEAM_NAME_PATTERN } from '#lib/domain/workteam';
import { eventBridgeRoute } from '#lib/handlers/event';
import { logger } from '#lib/observability';
import { runAudit } from '#lib/use-cases/audit';

const deps = buildAuditDeps();

/** The part of a CloudTrail record of a SageMaker work-team call the audit reads. */
const WorkteamApiCallSchema = z.object({
  eventID: z.string().min(1),
  eventSource: z.literal('sagemaker.amazonaws.com'),
  eventName: z.enum(['CreateWorkteam', 'UpdateWorkteam', 'DeleteWorkteam']),
  errorCode: z.string().optional(),
  requestParameters: z.object({ workteamName: z.string().regex(WORKTEAM_NAME_PATTERN) }),
});

/** A schedule's event carries an empty detail. */
const ScheduledDetailSchema = z.object({}).strict();

export const handler = eventBridgeRoute(z.union([WorkteamApiCallSchema, ScheduledDetailSchema]), async (event) => {
  const { detail } = event;
  if (!('eventName' in detail)) {
    const report = await runAudit(deps, { trigger: 'schedule', triggeredBy: event.id });
    publishAuditMetrics(report);
    return report;
  }
  // A call SageMaker refused changed nothing.
  if (detail.errorCode) {
    logger.info('work-team call failed; nothing to audit', { eventId: detail.eventID, eventName: detail.eventName });
    return { ignored: 'the call failed' };
  }
  const report = await runAudit(deps, {
    trigger: 'event',
    triggeredBy: detail.eventID,
    team: detail.requestParameters.workteamName,
  });
  publishAuditMetrics(report);
  return report;
});
