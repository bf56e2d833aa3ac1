/**
 * The compliance audit, run by a schedule (every team, the workforce and the team count; what
 * `serverless invoke local -f audit --path events/audit-schedule.json` prints is its report) and in real time by
 * an EventBridge rule on CloudTrail records of CreateWorkteam, UpdateWorkteam and DeleteWorkteam calls made by
 * anyone but this system's own roles (serverless.yml): such an event audits the one team it names, unless a run of
 * that team that reads SageMaker after the event's time is running or finished (then it answers `alreadyAudited`
 * without a call: a burst of changes makes one run). Auditing the same event twice has one effect: findings open
 * and resolve by conditional writes. Remediation as the policy file says, per rule (off by default). Each kind of
 * event is read only as what its source and detail-type say.
 */
import { EventBridgeSchema } from '@aws-lambda-powertools/parser/schemas/eventbridge';
import { z } from 'zod';
import { auditRunSettings, buildAuditDeps } from '#lib/composition/audit';
import { redactEmailAddresses } from '#lib/domain/privacy';
import { WORKTEAM_NAME_PATTERN } from '#lib/domain/workteam';
import { eventRoute } from '#lib/handlers/event';
import { auditConfig, loadConfig } from '#lib/runtime/config';
import { publishAuditMetrics } from '#lib/runtime/metrics';
import { logger } from '#lib/runtime/observability';
import { auditWorkteamEvent } from '#lib/use-cases/audit/real-time';
import { runAudit } from '#lib/use-cases/audit/run';

const config = loadConfig(auditConfig());
const deps = { ...buildAuditDeps(config), ...auditRunSettings(config) };

/**
 * The part of a CloudTrail record of a SageMaker work-team call the audit reads. A call SageMaker refused may
 * name no valid team (or none at all); one it answered names the team it changed.
 */
const WorkteamApiCallSchema = z
  .object({
    eventID: z.string().min(1),
    /** When the call was made (CloudTrail: whole seconds, UTC). */
    eventTime: z.iso.datetime(),
    eventSource: z.literal('sagemaker.amazonaws.com'),
    eventName: z.enum(['CreateWorkteam', 'UpdateWorkteam', 'DeleteWorkteam']),
    errorCode: z.string().optional(),
    requestParameters: z.object({ workteamName: z.string().optional() }).nullish(),
  })
  .superRefine((detail, context) => {
    if (detail.errorCode === undefined && !WORKTEAM_NAME_PATTERN.test(detail.requestParameters?.workteamName ?? '')) {
      context.addIssue({
        code: 'custom',
        path: ['requestParameters', 'workteamName'],
        message: 'a call SageMaker answered names a work team',
      });
    }
  });

const AuditEventSchema = z.union([
  EventBridgeSchema.extend({
    source: z.literal('aws.events'),
    'detail-type': z.literal('Scheduled Event'),
    detail: z.object({}).strict(),
  }),
  EventBridgeSchema.extend({
    source: z.literal('aws.sagemaker'),
    'detail-type': z.literal('AWS API Call via CloudTrail'),
    detail: WorkteamApiCallSchema,
  }),
]);

export const handler = eventRoute(AuditEventSchema, async (event) => {
  if (event.source === 'aws.events') {
    const report = await runAudit(deps, { trigger: 'schedule', triggeredBy: redactEmailAddresses(event.id) });
    publishAuditMetrics(report);
    return report;
  }
  const { detail } = event;
  // A call SageMaker refused changed nothing.
  if (detail.errorCode !== undefined || detail.requestParameters?.workteamName === undefined) {
    logger.info('work-team call failed; nothing to audit', { eventName: detail.eventName });
    return { ignored: 'the call failed' };
  }
  const answer = await auditWorkteamEvent(deps, {
    eventId: redactEmailAddresses(detail.eventID),
    eventTime: new Date(detail.eventTime),
    team: detail.requestParameters.workteamName,
  });
  if ('runId' in answer) publishAuditMetrics(answer);
  return answer;
});
