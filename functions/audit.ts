/**
 * The compliance audit, run by a schedule (every team of every target, the workforces and the team counts: what
 * `serverless invoke local -f audit --path events/audit-schedule.json` prints is the run's report, every target
 * named) and in real time by an EventBridge rule on CloudTrail records of CreateWorkteam, UpdateWorkteam and
 * DeleteWorkteam calls made by anyone but this system's own roles (serverless.yml).
 *
 * The scheduled run of several targets is fanned out: it writes the run's header, sends one message per target to
 * the audit-targets queue (functions/audit-target.ts audits each), then waits for the targets' rows, reading the
 * header's count of them every half second until every target has one or its deadline (AUDIT_RUN_DEADLINE_SECONDS, and never later than its own
 * time left less a margin) has passed, and answers the run as it is then: complete, or partial with the targets not
 * in by the deadline `missing`. The same code runs in AWS and under `npm start`, where the local SQS event source
 * delivers the messages to the worker through serverless offline. With one target (the hub alone, the default) it
 * audits in place, through the worker's own steps: there is no queue to wait on.
 *
 * An event audits the one team it names in the target it comes from (its `account` and `region`; an event of no
 * configured target is logged and ignored), unless a run of that team that reads SageMaker after the event's time is
 * running or finished (then it answers `alreadyAudited` without a call: a burst of changes makes one run). Auditing
 * the same event twice has one effect: findings open and resolve by conditional writes. Remediation as the policy
 * file says, per rule (off by default). Each kind of event is read only as what its source and detail-type say.
 */
import { EventBridgeSchema } from '@aws-lambda-powertools/parser/schemas/eventbridge';
import { z } from 'zod';
import { buildAuditRuns } from '#lib/composition/audit';
import { redactEmailAddresses } from '#lib/domain/privacy';
import { WORKTEAM_NAME_PATTERN } from '#lib/domain/workteam';
import { eventRoute } from '#lib/handlers/event';
import { auditConfig, loadConfig } from '#lib/runtime/config';
import { publishAuditMetrics, publishAuditRunMetrics } from '#lib/runtime/metrics';
import { logger } from '#lib/runtime/observability';
import { auditWorkteamEvent } from '#lib/use-cases/audit/real-time';
import { auditEveryTarget } from '#lib/use-cases/audit/request';

const config = loadConfig(auditConfig());
const runs = buildAuditRuns(config);

/** The scheduled run stops waiting this long before the invocation's timeout, to answer with what it has. */
const ANSWER_MARGIN_MS = 5000;

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

export const handler = eventRoute(AuditEventSchema, async (event, context) => {
  if (event.source === 'aws.events') {
    const budgetMs = context.getRemainingTimeInMillis() - ANSWER_MARGIN_MS;
    const { inPlace, run } = await auditEveryTarget(runs, { triggeredBy: redactEmailAddresses(event.id) }, budgetMs);
    // In place, this function audited the one target (a worker publishes each target's figures otherwise).
    if (inPlace) publishAuditMetrics(run);
    publishAuditRunMetrics(run);
    return run;
  }
  const target = runs.targets.find({ account: event.account, region: event.region });
  if (target === undefined) {
    logger.warn('work-team call in no configured target; not audited', {
      account: event.account,
      region: event.region,
    });
    return { ignored: 'not a configured target' };
  }
  const deps = runs.auditDepsOf(target);
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
