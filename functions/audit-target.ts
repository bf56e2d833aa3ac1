/**
 * SQS → one target's audit of a run of every target: the scheduled run and `POST /audit` put one message per target
 * on the audit-targets queue (functions/audit.ts, functions/start-audit.ts); this function audits that target
 * (`mustReach` first: its role assumed) and records the target's row of the run, which `GET /audit` assembles.
 * A refusal (the role cannot be assumed, access denied) is the target's row at once, `failed` with its reason; a
 * transient failure comes again (partial batch failure) until the message's last delivery (the queue's
 * maxReceiveCount, AUDIT_TARGET_MAX_RECEIVES), which records the target failed rather than leave it to the
 * dead-letter queue. A message of a target the run has a row of already (delivered twice) does nothing.
 */
import { z } from 'zod';
import { buildTargetAudits } from '#lib/composition/audit';
import { RUN_ID_PATTERN } from '#lib/domain/audit/findings';
import { ACCOUNT_ID_PATTERN, REGION_PATTERN } from '#lib/domain/target';
import { sqsBatchRoute } from '#lib/handlers/queue';
import { auditTargetConfig, loadConfig } from '#lib/runtime/config';
import { publishAuditMetrics } from '#lib/runtime/metrics';
import { logger } from '#lib/runtime/observability';
import { auditTargetOfRun } from '#lib/use-cases/audit/fan-out';

const config = loadConfig(auditTargetConfig());
const audits = buildTargetAudits(config);

/** A message as lib/adapters/audit-dispatch.ts sends it. */
const AuditTargetMessageSchema = z.object({
  runId: z.string().regex(RUN_ID_PATTERN),
  account: z.string().regex(ACCOUNT_ID_PATTERN),
  region: z.string().regex(REGION_PATTERN),
  trigger: z.enum(['schedule', 'event', 'request']),
  triggeredBy: z.string().max(200).optional(),
  mode: z.enum(['report', 'remediate']).optional(),
  dryRun: z.boolean().optional(),
});

export const handler = sqsBatchRoute(AuditTargetMessageSchema, async (messages) => {
  const failed: string[] = [];
  // One at a time: a batch is small (serverless.yml), and each target's audit has concurrency of its own.
  for (const { messageId, body, receiveCount } of messages) {
    const result = await auditTargetOfRun(audits, body, {
      count: receiveCount,
      last: receiveCount >= config.AUDIT_TARGET_MAX_RECEIVES,
    });
    if (result.outcome === 'retry') failed.push(messageId);
    if (result.outcome === 'recorded') publishAuditMetrics(result.report);
    logger.info('audit target', {
      runId: body.runId,
      account: body.account,
      region: body.region,
      ...outcomeOf(result),
    });
  }
  return { failed };
});

function outcomeOf(result: Awaited<ReturnType<typeof auditTargetOfRun>>) {
  return result.outcome === 'failed' ? { outcome: result.outcome, reason: result.reason } : { outcome: result.outcome };
}
