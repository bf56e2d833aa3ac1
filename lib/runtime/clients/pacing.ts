/**
 * Client-side pacing at AWS's published request-rate quotas: a token bucket per quota (and per resource, where
 * the quota is per resource, like Cognito's GetGroup per user pool) that makes a call wait for its turn instead
 * of being throttled. Every attempt is paced, retries included. One container paces its own calls; what several
 * containers send together beyond a quota is throttled by AWS and retried by the SDK's adaptive mode, which then
 * slows that client down (lib/runtime/clients/common.ts).
 */
import { setTimeout as sleep } from 'node:timers/promises';

export interface PaceRule {
  /** The quota's name: calls of different commands under one quota share its bucket. */
  quota: string;
  perSecond: number;
  /** For a quota per resource: which resource a call counts against (a bucket each). */
  resourceOf?: (input: Record<string, unknown>) => string | undefined;
}

/**
 * The share of a quota one client paces at: a little under it, so that the jitter between a call leaving the pacer
 * and reaching the service does not put a call over the quota now and then (measured: `npm run bench:storm`).
 */
export const QUOTA_HEADROOM = 0.9;

interface Bucket {
  tokens: number;
  at: number;
  perSecond: number;
}

type Middleware = (
  next: (args: { input: Record<string, unknown> }) => Promise<unknown>,
  context: { commandName?: string },
) => (args: { input: Record<string, unknown> }) => Promise<unknown>;

/** Paces the client's commands named in `rules` (`GetGroup`, `Subscribe`, ...); any other command goes at once. */
export function pacedByQuotas<C extends { middlewareStack: unknown }>(
  client: C,
  rules: Readonly<Record<string, readonly PaceRule[]>>,
): C {
  const buckets = new Map<string, Bucket>();
  const take = async (key: string, perSecond: number) => {
    for (;;) {
      const now = performance.now();
      const bucket = buckets.get(key) ?? { tokens: perSecond, at: now, perSecond };
      bucket.tokens = Math.min(perSecond, bucket.tokens + ((now - bucket.at) / 1000) * perSecond);
      bucket.at = now;
      buckets.set(key, bucket);
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return;
      }
      await sleep(Math.ceil(((1 - bucket.tokens) / perSecond) * 1000));
    }
  };
  const middleware: Middleware = (next, context) => async (args) => {
    const command = (context.commandName ?? '').replace(/Command$/, '');
    for (const rule of rules[command] ?? []) {
      const resource = rule.resourceOf?.(args.input);
      await take(resource ? `${rule.quota}:${resource}` : rule.quota, rule.perSecond * QUOTA_HEADROOM);
    }
    return next(args);
  };
  (client.middlewareStack as { add: (middleware: Middleware, options: object) => void }).add(middleware, {
    step: 'finalizeRequest',
    priority: 'low',
    name: 'paced-by-quotas',
  });
  return client;
}
