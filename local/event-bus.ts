/**
 * A small local EventBridge (the default event bus): the rules are the functions' `eventBridge` events of
 * serverless.yml, read once at start with `serverless print` (so `${param:...}` and every other variable resolve
 * exactly as `serverless offline` resolves them), and a matched event invokes its function through
 * `serverless offline`'s Lambda invoke endpoint. Delivery is asynchronous for whoever puts the event; a failed
 * invocation (the function threw, the endpoint is not up yet, a 5xx or 429) is retried with exponential
 * backoff within the rule's `retryPolicy` (EventBridge's defaults, 185 retries and 24 hours, without one), then
 * given up (AWS would hand it to the rule's dead-letter queue). One log line per delivery: event id, function,
 * outcome, never the event's content.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { compilePattern, type EventPattern, matchesPattern } from './event-pattern';

export interface EventRule {
  /** The function's key in serverless.yml, e.g. `cognitoSync`. */
  functionKey: string;
  /** What Lambda (and `serverless offline`) calls it, e.g. `workteam-automation-local-cognitoSync`. */
  functionName: string;
  pattern: EventPattern;
  maximumRetryAttempts: number;
  maximumEventAgeSeconds: number;
}

/** An event as PutEvents delivers it to a target: `source`, `detail-type`, `detail` and the envelope. */
export interface BusEvent {
  id: string;
  source: string;
  'detail-type': string;
  detail: Record<string, unknown>;
}

export class UnsupportedRuleError extends Error {
  constructor(functionKey: string, problem: string) {
    super(`eventBridge event of ${functionKey}: ${problem}`);
    this.name = 'UnsupportedRuleError';
  }
}

// EventBridge's retry policy when a rule's target sets none.
const DEFAULT_RETRY_ATTEMPTS = 185;
const DEFAULT_EVENT_AGE_SECONDS = 24 * 60 * 60;

interface PrintedFunction {
  name?: string;
  events?: Record<string, unknown>[];
}

/** The rules of a resolved serverless configuration (what `serverless print --format json` prints). */
export function rulesFromConfig(config: { service?: unknown; functions?: Record<string, PrintedFunction> }) {
  const rules: EventRule[] = [];
  for (const [functionKey, fn] of Object.entries(config.functions ?? {})) {
    for (const event of fn.events ?? []) {
      const eventBridge = event.eventBridge as Record<string, unknown> | undefined;
      // Scheduled eventBridge events carry no pattern; `serverless offline` runs schedules itself.
      if (!eventBridge || eventBridge.pattern === undefined) continue;
      for (const option of ['input', 'inputPath', 'inputTransformer']) {
        if (eventBridge[option] !== undefined) {
          throw new UnsupportedRuleError(functionKey, `the local event bus does not support ${option}`);
        }
      }
      const bus = eventBridge.eventBus;
      if (bus !== undefined && bus !== 'default' && !String(bus).endsWith(':event-bus/default')) {
        throw new UnsupportedRuleError(functionKey, 'the local event bus is the default bus only');
      }
      if (!fn.name) throw new UnsupportedRuleError(functionKey, 'the resolved configuration has no function name');
      const retryPolicy = (eventBridge.retryPolicy ?? {}) as Record<string, unknown>;
      rules.push({
        functionKey,
        functionName: fn.name,
        pattern: compilePattern(eventBridge.pattern, `of ${functionKey}`),
        maximumRetryAttempts: Number(retryPolicy.maximumRetryAttempts ?? DEFAULT_RETRY_ATTEMPTS),
        maximumEventAgeSeconds: Number(retryPolicy.maximumEventAge ?? DEFAULT_EVENT_AGE_SECONDS),
      });
    }
  }
  return rules;
}

/**
 * Reads the rules with the project's own `serverless print` (about two seconds), with the environment the
 * functions get (the user pool id resolves `${param:userPoolId}`).
 */
export async function loadEventRules(options: {
  root: string;
  stage: string;
  env: Record<string, string>;
}): Promise<EventRule[]> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [join(options.root, 'node_modules/osls/bin/serverless.js'), 'print', '--stage', options.stage, '--format', 'json'],
    {
      cwd: options.root,
      env: { ...process.env, ...options.env, SLS_TELEMETRY_DISABLED: '1' },
      maxBuffer: 16 * 1024 * 1024,
      timeout: 60_000,
    },
  );
  const start = stdout.indexOf('{');
  if (start < 0) throw new Error('serverless print printed no configuration');
  return rulesFromConfig(JSON.parse(stdout.slice(start)));
}

export interface EventBusOptions {
  rules: EventRule[];
  /** `serverless offline`'s Lambda endpoint, e.g. http://127.0.0.1:3002. */
  lambdaUrl: string;
  log?: (line: string) => void;
  /** The first retry's delay; each next one doubles, up to maxDelayMs. */
  baseDelayMs?: number;
  maxDelayMs?: number;
}

export interface EventBus {
  /** Puts an event on the bus: every matching rule's function is invoked, without waiting. Returns how many. */
  put(event: BusEvent): number;
  /** Resolves when no delivery is in flight or waiting for a retry. */
  idle(): Promise<void>;
  /** Cancels waiting retries and in-flight invocations. */
  stop(): Promise<void>;
}

type Outcome = { ok: true } | { ok: false; retryable: boolean; reason: string };

/** What the log calls an event: CloudTrail's by the call (`UpdateWorkteam`), any other by its detail-type. */
function nameOf(event: BusEvent): string {
  if (typeof event.detail.eventName === 'string') return ` ${event.detail.eventName}`;
  return event['detail-type'] ? ` "${event['detail-type']}"` : '';
}

export function startEventBus(options: EventBusOptions): EventBus {
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const baseDelayMs = options.baseDelayMs ?? 1000;
  const maxDelayMs = options.maxDelayMs ?? 60_000;
  const abort = new AbortController();
  const pending = new Set<Promise<void>>();
  let stopped = false;

  const invoke = async (rule: EventRule, event: BusEvent): Promise<Outcome> => {
    const url = `${options.lambdaUrl}/2015-03-31/functions/${encodeURIComponent(rule.functionName)}/invocations`;
    try {
      // RequestResponse, so the bus learns whether the function failed and can retry like EventBridge does;
      // the publisher never waits for it.
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-amz-invocation-type': 'RequestResponse' },
        body: JSON.stringify(event),
        signal: abort.signal,
      });
      const text = await response.text();
      if (response.headers.get('x-amz-function-error')) {
        let message = 'the function failed';
        try {
          const payload = JSON.parse(text) as { errorType?: string; errorMessage?: string };
          message = `the function failed: ${payload.errorMessage ?? payload.errorType ?? 'error'}`;
        } catch {
          // the payload is not JSON: keep the generic reason
        }
        return { ok: false, retryable: true, reason: message };
      }
      if (response.ok) return { ok: true };
      const retryable = response.status === 429 || response.status >= 500;
      return { ok: false, retryable, reason: `the invoke endpoint answered ${response.status}` };
    } catch (error) {
      // fetch's own error says "fetch failed"; its cause names the problem (ECONNREFUSED while offline starts).
      const { cause } = error as { cause?: { code?: string; message?: string } };
      return { ok: false, retryable: true, reason: cause?.code ?? cause?.message ?? (error as Error).message };
    }
  };

  const deliver = async (rule: EventRule, event: BusEvent, putAt: number) => {
    const label = `event-bus: event ${event.id}${nameOf(event)} -> ${rule.functionKey}`;
    for (let attempt = 1; !stopped; attempt++) {
      const started = Date.now();
      const outcome = await invoke(rule, event);
      if (stopped) return;
      if (outcome.ok) {
        log(`${label}: delivered (attempt ${attempt}, ${Date.now() - started} ms)`);
        return;
      }
      const delay = Math.min(baseDelayMs * 2 ** (attempt - 1), maxDelayMs);
      const tooOld = Date.now() + delay - putAt > rule.maximumEventAgeSeconds * 1000;
      if (!outcome.retryable || attempt > rule.maximumRetryAttempts || tooOld) {
        const why = outcome.retryable ? `after ${attempt} attempts` : 'not retryable';
        log(`${label}: given up, ${why} (${outcome.reason}); AWS would dead-letter it`);
        return;
      }
      log(`${label}: attempt ${attempt} failed (${outcome.reason}); retry in ${delay} ms`);
      await sleep(delay, undefined, { signal: abort.signal }).catch(() => undefined);
    }
  };

  return {
    put(event) {
      if (stopped) return 0;
      const matched = options.rules.filter((rule) => matchesPattern(rule.pattern, event));
      if (matched.length === 0) {
        log(`event-bus: event ${event.id}${nameOf(event)}: no rule matches`);
      }
      const putAt = Date.now();
      for (const rule of matched) {
        const delivery = deliver(rule, event, putAt).finally(() => pending.delete(delivery));
        pending.add(delivery);
      }
      return matched.length;
    },
    async idle() {
      while (pending.size > 0) await Promise.all([...pending]);
    },
    async stop() {
      stopped = true;
      abort.abort();
      await Promise.all([...pending]);
    },
  };
}
