/**
 * The audit's own settings, read once at cold start beside buildAuditDeps (lib/composition/teams.ts) by the functions that run
 * it (functions/audit.ts, functions/start-audit.ts).
 */
import { z } from 'zod';
import { loadConfig } from '../runtime/config';
import type { AuditDeps } from '../use-cases/audit/deps';

export const AuditRunConfigSchema = z.object({
  /**
   * How long a subscription finding (workers unsubscribed, stale or pending subscriptions) waits before a run that
   * still sees it opens and announces it: the Cognito sync's time to catch up with a burst. serverless.yml sets it
   * (900); 0 opens such findings at the first look.
   */
  SUBSCRIPTION_GRACE_SECONDS: z.coerce
    .number()
    .int()
    .min(0)
    .max(24 * 60 * 60)
    .default(900),
});

export function auditRunSettings(env: NodeJS.ProcessEnv = process.env): Pick<AuditDeps, 'subscriptionGraceMs'> {
  const config = loadConfig(AuditRunConfigSchema, env);
  return { subscriptionGraceMs: config.SUBSCRIPTION_GRACE_SECONDS * 1000 };
}
