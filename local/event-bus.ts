/**
 * A small local EventBridge (the default event bus). Its rules, read once at start with `serverless print` (so
 * `${param:...}` and every other variable resolve exactly as `serverless offline` resolves them), are
 * - the functions' `eventBridge` events with a `pattern`: the target is the function, and
 * - the `AWS::Events::Rule` resources with an `EventPattern`: their targets are SQS queues of the stack.
 *
 * Delivery is what AWS does:
 * - To a function, EventBridge invokes ASYNCHRONOUSLY. Its retry policy (the rule's `retryPolicy`, by default 185
 *   retries within 24 hours, exponential backoff) and dead-letter queue (`deadLetterQueueArn`) cover only failures
 *   to hand the event to Lambda: the endpoint unreachable (serverless offline still bundling), a 429 or 5xx, a
 *   function that does not exist (not retried). Once handed over, a function error is Lambda's business: it
 *   invokes again after about 1 and 2 minutes (the function's `maximumRetryAttempts`, default 2; waits scaled by
 *   LOCAL_ASYNC_RETRY_SCALE), then sends an invocation record (condition RetriesExhausted) to the function's
 *   `destinations.onFailure` queue, or drops the event without one. At most the function's concurrency runs at
 *   once (`reservedConcurrency`, else LOCAL_LAMBDA_CONCURRENCY, default 10); the rest waits, as in Lambda's queue.
 *   Locally the invocation itself is RequestResponse through serverless offline's Lambda endpoint, so that the
 *   bus learns what Lambda would.
 * - To a queue, EventBridge sends the event (the message body is the event's JSON) with SendMessage to the local
 *   SQS; a failure follows the target's RetryPolicy and DeadLetterConfig.
 * - An event given up by EventBridge goes to the target's dead-letter queue with the attributes AWS sets
 *   (RULE_ARN, TARGET_ARN, ERROR_CODE, ERROR_MESSAGE, EXHAUSTED_RETRY_CONDITION, RETRY_ATTEMPTS).
 * - EventBridge delivers at least once: LOCAL_EVENT_DUPLICATE_RATE (0 to 1, default 0) is the share of
 *   deliveries that are made a second time, concurrently.
 * One log line per delivery (event id and name, target, outcome) and per retry, never the event's content nor a
 * function's error message.
 *
 * Knobs (environment, or the options of startEventBus): LOCAL_ASYNC_RETRY_SCALE (default 1; tests use 0.001),
 * LOCAL_EVENT_DUPLICATE_RATE (default 0), LOCAL_LAMBDA_CONCURRENCY (default 10).
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { GetQueueUrlCommand, type MessageAttributeValue, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { compilePattern, type EventPattern, matchesPattern } from './event-pattern';
import {
  createQueues,
  type LocalQueue,
  mappingsFromConfig,
  type PrintedConfig,
  type PrintedFunction,
  queueNameOf,
  queuesFromConfig,
  type SqsEventSourceMapping,
  type SqsEventSources,
  stackName,
  startSqsEventSources,
  UnsupportedConfigError,
} from './sqs-event-source';

interface RuleBase {
  /** The rule's name in AWS (what RULE_ARN names). */
  ruleName: string;
  pattern: EventPattern;
  /** EventBridge's retry policy of the target: for failures to hand the event over. */
  maximumRetryAttempts: number;
  maximumEventAgeSeconds: number;
  /** The target's dead-letter queue (its name in the local SQS). */
  deadLetterQueue?: string;
}

/** A function's `eventBridge` event: EventBridge invokes the function asynchronously. */
export interface FunctionRule extends RuleBase {
  target: 'lambda';
  /** The function's key in serverless.yml, e.g. `cognitoSync`. */
  functionKey: string;
  /** What Lambda (and `serverless offline`) calls it, e.g. `workteam-automation-local-cognitoSync`. */
  functionName: string;
  /** Lambda's retries of a function error (the function's maximumRetryAttempts, 0 to 2, default 2). */
  asyncRetryAttempts: number;
  /** How long Lambda keeps the event (the function's maximumEventAge, default 6 hours). */
  asyncMaximumEventAgeSeconds: number;
  /** The function's on-failure destination (a queue's name in the local SQS). */
  onFailureQueue?: string;
  reservedConcurrency?: number;
}

/** A target of an `AWS::Events::Rule` resource: an SQS queue of the stack. */
export interface QueueRule extends RuleBase {
  target: 'sqs';
  /** The target's Id. */
  targetId: string;
  queueName: string;
}

export type EventRule = FunctionRule | QueueRule;

/** An event as PutEvents delivers it to a target: `source`, `detail-type`, `detail` and the envelope. */
export interface BusEvent {
  id: string;
  source: string;
  'detail-type': string;
  detail: Record<string, unknown>;
}

export class UnsupportedRuleError extends Error {
  constructor(where: string, problem: string) {
    super(`${where}: ${problem}`);
    this.name = 'UnsupportedRuleError';
  }
}

// EventBridge's retry policy when a rule's target sets none.
const DEFAULT_RETRY_ATTEMPTS = 185;
const DEFAULT_EVENT_AGE_SECONDS = 24 * 60 * 60;
// Lambda's asynchronous invocation: two retries of a function error, after about one and two minutes; six hours.
const DEFAULT_ASYNC_RETRY_ATTEMPTS = 2;
const ASYNC_RETRY_WAITS_MS = [60_000, 120_000];
const DEFAULT_ASYNC_EVENT_AGE_SECONDS = 6 * 60 * 60;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function integerSetting(value: unknown, fallback: number, min: number, max: number, where: string, name: string) {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new UnsupportedRuleError(where, `${name} must be an integer from ${min} to ${max}`);
  }
  return value;
}

/** Reads a reference to a queue, with the rule's error. */
function queueOf(reference: unknown, config: PrintedConfig, where: string): string {
  try {
    return queueNameOf(reference, config, where);
  } catch (error) {
    if (error instanceof UnsupportedConfigError) throw new UnsupportedRuleError(where, error.message);
    throw error;
  }
}

/** Lambda's asynchronous invocation settings of a function a rule targets. */
function asyncSettings(functionKey: string, fn: PrintedFunction, config: PrintedConfig) {
  const where = `function ${functionKey}`;
  const destinations = fn.destinations ?? {};
  if (fn.onError !== undefined) throw new UnsupportedRuleError(where, 'the local bus does not support onError (SNS)');
  if (destinations.onSuccess !== undefined) {
    throw new UnsupportedRuleError(where, 'the local bus does not send destinations.onSuccess records');
  }
  let onFailureQueue: string | undefined;
  const onFailure = destinations.onFailure;
  if (onFailure !== undefined) {
    const arn = isObject(onFailure) ? onFailure.arn : onFailure;
    const type = isObject(onFailure) ? onFailure.type : undefined;
    const isSqsArn = typeof arn === 'string' && arn.startsWith('arn:aws:sqs:');
    if ((type !== undefined && type !== 'sqs') || (type === undefined && !isSqsArn)) {
      throw new UnsupportedRuleError(where, 'the local bus sends destinations.onFailure to an SQS queue only');
    }
    onFailureQueue = queueOf(arn, config, `${where}, destinations.onFailure`);
  }
  const reservedConcurrency = integerSetting(fn.reservedConcurrency, -1, 0, 10_000, where, 'reservedConcurrency');
  if (reservedConcurrency === 0) {
    throw new UnsupportedRuleError(where, 'reservedConcurrency 0 (the function switched off) is not supported locally');
  }
  return {
    asyncRetryAttempts: integerSetting(
      fn.maximumRetryAttempts,
      DEFAULT_ASYNC_RETRY_ATTEMPTS,
      0,
      2,
      where,
      'maximumRetryAttempts',
    ),
    asyncMaximumEventAgeSeconds: integerSetting(
      fn.maximumEventAge,
      DEFAULT_ASYNC_EVENT_AGE_SECONDS,
      60,
      21_600,
      where,
      'maximumEventAge',
    ),
    ...(onFailureQueue === undefined ? {} : { onFailureQueue }),
    ...(reservedConcurrency > 0 ? { reservedConcurrency } : {}),
  };
}

const isDefaultBus = (bus: unknown) =>
  bus === undefined || bus === 'default' || (typeof bus === 'string' && bus.endsWith(':event-bus/default'));

/** The functions' `eventBridge` events with a pattern. */
function functionRules(config: PrintedConfig): FunctionRule[] {
  const rules: FunctionRule[] = [];
  for (const [functionKey, fn] of Object.entries(config.functions ?? {})) {
    let index = 0;
    for (const event of fn.events ?? []) {
      const eventBridge = event.eventBridge as Record<string, unknown> | undefined;
      if (!eventBridge) continue;
      index += 1;
      // Scheduled eventBridge events carry no pattern; `serverless offline` runs schedules itself.
      if (eventBridge.pattern === undefined || eventBridge.enabled === false) continue;
      const where = `eventBridge event of ${functionKey}`;
      for (const option of ['input', 'inputPath', 'inputTransformer']) {
        if (eventBridge[option] !== undefined) {
          throw new UnsupportedRuleError(where, `the local event bus does not support ${option}`);
        }
      }
      if (!isDefaultBus(eventBridge.eventBus)) {
        throw new UnsupportedRuleError(where, 'the local event bus is the default bus only');
      }
      if (!fn.name) throw new UnsupportedRuleError(where, 'the resolved configuration has no function name');
      const retryPolicy = (eventBridge.retryPolicy ?? {}) as Record<string, unknown>;
      rules.push({
        target: 'lambda',
        // As the Serverless Framework names the rules it creates.
        ruleName: `${stackName(config)}-${functionKey}-rule-${index}`,
        functionKey,
        functionName: fn.name,
        pattern: compilePattern(eventBridge.pattern, `of ${functionKey}`),
        maximumRetryAttempts: integerSetting(
          retryPolicy.maximumRetryAttempts,
          DEFAULT_RETRY_ATTEMPTS,
          0,
          185,
          where,
          'retryPolicy.maximumRetryAttempts',
        ),
        maximumEventAgeSeconds: integerSetting(
          retryPolicy.maximumEventAge,
          DEFAULT_EVENT_AGE_SECONDS,
          60,
          86_400,
          where,
          'retryPolicy.maximumEventAge',
        ),
        ...(eventBridge.deadLetterQueueArn === undefined
          ? {}
          : { deadLetterQueue: queueOf(eventBridge.deadLetterQueueArn, config, `${where}, deadLetterQueueArn`) }),
        ...asyncSettings(functionKey, fn, config),
      });
    }
  }
  return rules;
}

/** What a target of a rule resource may say besides its Id, Arn, RetryPolicy and DeadLetterConfig. */
const UNSUPPORTED_TARGET_PROPERTIES = [
  'Input',
  'InputPath',
  'InputTransformer',
  'SqsParameters',
  'EcsParameters',
  'BatchParameters',
  'KinesisParameters',
  'HttpParameters',
  'RunCommandParameters',
  'RedshiftDataParameters',
  'SageMakerPipelineParameters',
  'AppSyncParameters',
];

/** The `AWS::Events::Rule` resources with an EventPattern: one rule per target, each an SQS queue of the stack. */
function resourceRules(config: PrintedConfig): QueueRule[] {
  const rules: QueueRule[] = [];
  for (const [logicalId, resource] of Object.entries(config.resources?.Resources ?? {})) {
    if (resource.Type !== 'AWS::Events::Rule') continue;
    const where = `rule ${logicalId}`;
    const properties = resource.Properties ?? {};
    // A schedule-only rule has no pattern to match.
    if (properties.EventPattern === undefined) continue;
    if (properties.State !== undefined && properties.State !== 'ENABLED') continue;
    if (properties.ScheduleExpression !== undefined) {
      throw new UnsupportedRuleError(where, 'the local event bus does not run schedules');
    }
    if (!isDefaultBus(properties.EventBusName)) {
      throw new UnsupportedRuleError(where, 'the local event bus is the default bus only');
    }
    const eventPattern =
      typeof properties.EventPattern === 'string'
        ? (JSON.parse(properties.EventPattern) as unknown)
        : properties.EventPattern;
    const pattern = compilePattern(eventPattern, `of ${logicalId}`);
    const ruleName = typeof properties.Name === 'string' ? properties.Name : `${stackName(config)}-${logicalId}`;
    const targets = properties.Targets;
    if (!Array.isArray(targets) || targets.length === 0) {
      throw new UnsupportedRuleError(where, 'a rule needs Targets');
    }
    for (const target of targets) {
      if (!isObject(target) || typeof target.Id !== 'string') {
        throw new UnsupportedRuleError(where, 'a target needs an Id');
      }
      const targetWhere = `${where}, target ${target.Id}`;
      for (const option of UNSUPPORTED_TARGET_PROPERTIES) {
        if (target[option] !== undefined) {
          throw new UnsupportedRuleError(targetWhere, `the local event bus does not support ${option}`);
        }
      }
      const queueName = queueOf(target.Arn, config, targetWhere);
      if (queueName.endsWith('.fifo')) {
        throw new UnsupportedRuleError(targetWhere, 'the local event bus does not send to FIFO queues');
      }
      const retryPolicy = isObject(target.RetryPolicy) ? target.RetryPolicy : {};
      const deadLetterConfig = isObject(target.DeadLetterConfig) ? target.DeadLetterConfig : {};
      rules.push({
        target: 'sqs',
        ruleName,
        targetId: target.Id,
        queueName,
        pattern,
        maximumRetryAttempts: integerSetting(
          retryPolicy.MaximumRetryAttempts,
          DEFAULT_RETRY_ATTEMPTS,
          0,
          185,
          targetWhere,
          'RetryPolicy.MaximumRetryAttempts',
        ),
        maximumEventAgeSeconds: integerSetting(
          retryPolicy.MaximumEventAgeInSeconds,
          DEFAULT_EVENT_AGE_SECONDS,
          60,
          86_400,
          targetWhere,
          'RetryPolicy.MaximumEventAgeInSeconds',
        ),
        ...(deadLetterConfig.Arn === undefined
          ? {}
          : { deadLetterQueue: queueOf(deadLetterConfig.Arn, config, `${targetWhere}, DeadLetterConfig`) }),
      });
    }
  }
  return rules;
}

/** The rules of a resolved serverless configuration (what `serverless print --format json` prints). */
export function rulesFromConfig(config: PrintedConfig): EventRule[] {
  return [...functionRules(config), ...resourceRules(config)];
}

/**
 * The project's resolved configuration, with its own `serverless print` (about two seconds) and the environment
 * the functions get (the user pool id resolves `${param:userPoolId}`). The stage is the one given.
 */
export async function printServerlessConfig(options: {
  root: string;
  stage: string;
  env: Record<string, string>;
}): Promise<PrintedConfig> {
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
  const config = JSON.parse(stdout.slice(start)) as PrintedConfig;
  // `print` shows provider.stage as written in serverless.yml, not the --stage it resolved the names with.
  return { ...config, provider: { ...config.provider, stage: options.stage } };
}

/** The rules of the project's serverless.yml, from one `serverless print`. */
export async function loadEventRules(options: {
  root: string;
  stage: string;
  env: Record<string, string>;
}): Promise<EventRule[]> {
  return rulesFromConfig(await printServerlessConfig(options));
}

/**
 * A module hook for the Node process that runs `serverless offline` 13: it applies serverless-offline's own fix of
 * a timed-out function (upstream issue #1896, pull request #1898, released in 14.7.4) as HandlerRunner.js loads.
 * Without it, a timeout terminates the instance's worker thread but leaves the instance in the pool, idle, with the
 * dead worker: every later call of the function (the bus's, a poller's, the HTTP API's) is posted to it and hangs
 * for the whole timeout, then times out again. With it, the next call gets a fresh worker, as Lambda gives a fresh
 * execution environment after a timeout; warm instances stay warm. When the file is not the one the fix knows (a
 * newer serverless-offline, which has the fix), the hook says so on stderr and changes nothing.
 */
const OFFLINE_TIMEOUT_FIX_HOOK = `
const TARGET = '/serverless-offline/src/lambda/handler-runner/HandlerRunner.js';
const BEFORE = 'return this.#runner.cleanup()';
const AFTER = 'const runner = this.#runner; this.#runner = null; return runner?.cleanup()';
export async function load(url, context, nextLoad) {
  const result = await nextLoad(url, context);
  if (!url.endsWith(TARGET)) return result;
  const source = String(result.source);
  if (!source.includes(BEFORE)) {
    process.stderr.write('local: serverless-offline HandlerRunner.js is not the 13.x one; its timeout fix is not applied\\n');
    return result;
  }
  return { ...result, source: source.replace(BEFORE, AFTER) };
}`;

/** Node's arguments (before the script) that run `serverless offline` with the timeout fix above. */
export function serverlessOfflineNodeArgs(): string[] {
  const hook = `data:text/javascript,${encodeURIComponent(OFFLINE_TIMEOUT_FIX_HOOK)}`;
  const registration = `import { register } from 'node:module'; register(${JSON.stringify(hook)});`;
  return ['--import', `data:text/javascript,${encodeURIComponent(registration)}`];
}

export interface EventBusOptions {
  rules: EventRule[];
  /** `serverless offline`'s Lambda endpoint, e.g. http://127.0.0.1:3002. */
  lambdaUrl: string;
  /** The local SQS (queue targets, dead-letter queues, on-failure destinations); by default from the environment. */
  sqs?: SQSClient;
  log?: (line: string) => void;
  /** EventBridge's first retry delay; each next one doubles, up to maxDelayMs. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Multiplies Lambda's waits between retries of a function error (60 s, 120 s). LOCAL_ASYNC_RETRY_SCALE. */
  asyncRetryScale?: number;
  /** The share of deliveries made twice, 0 to 1. LOCAL_EVENT_DUPLICATE_RATE. */
  duplicateRate?: number;
  /** A function's concurrency without reservedConcurrency. LOCAL_LAMBDA_CONCURRENCY. */
  defaultConcurrency?: number;
  /** For the duplicates; Math.random by default. */
  random?: () => number;
  region?: string;
  accountId?: string;
}

export interface EventBus {
  /** Puts an event on the bus: every matching rule's target gets it, without waiting. Returns how many rules. */
  put(event: BusEvent): number;
  /** How many deliveries are in flight or waiting (for a retry, or for the function's concurrency). */
  pending(): number;
  /** Resolves when no delivery is in flight or waiting. */
  idle(): Promise<void>;
  /** Cancels waiting retries and in-flight invocations. */
  stop(): Promise<void>;
}

/** What the log calls an event: CloudTrail's by the call (`UpdateWorkteam`), any other by its detail-type. */
function nameOf(event: BusEvent): string {
  if (typeof event.detail?.eventName === 'string') return ` ${event.detail.eventName}`;
  return event['detail-type'] ? ` "${event['detail-type']}"` : '';
}

function knob(value: number | undefined, variable: string, fallback: number, valid: (n: number) => boolean): number {
  const raw =
    value ??
    (process.env[variable] === undefined || process.env[variable] === '' ? undefined : Number(process.env[variable]));
  const chosen = raw ?? fallback;
  if (!Number.isFinite(chosen) || !valid(chosen)) throw new Error(`${variable} ${String(raw)} is out of range`);
  return chosen;
}

/** Lambda's concurrency of one function: at most `limit` invocations at once, the rest waiting in order. */
class Concurrency {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly limit: number) {}

  async run<T>(task: () => Promise<T>, signal: AbortSignal): Promise<T> {
    if (this.running < this.limit) this.running++;
    else {
      // A finishing invocation hands its slot over: `running` stays as it is.
      await new Promise<void>((resolve) => {
        const wake = () => resolve();
        this.waiting.push(wake);
        signal.addEventListener(
          'abort',
          () => {
            // Stopped: leave the line with a slot of its own (the stopped bus invokes nothing more anyway).
            const index = this.waiting.indexOf(wake);
            if (index >= 0) this.waiting.splice(index, 1);
            this.running++;
            resolve();
          },
          { once: true },
        );
      });
    }
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}

/** The answer to an invocation: the function ran (and maybe failed), or Lambda was not reached. */
type Invocation =
  | { kind: 'ok' }
  | { kind: 'function-error'; functionError: string; errorType?: string; payload: unknown }
  | { kind: 'not-delivered'; retryable: boolean; code: string; reason: string };

/** What could not be sent to a queue. */
type Sent = { ok: true } | { ok: false; retryable: boolean; code: string; reason: string };

export function startEventBus(options: EventBusOptions): EventBus {
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const baseDelayMs = options.baseDelayMs ?? 1000;
  const maxDelayMs = options.maxDelayMs ?? 60_000;
  const asyncRetryScale = knob(options.asyncRetryScale, 'LOCAL_ASYNC_RETRY_SCALE', 1, (n) => n >= 0);
  const duplicateRate = knob(options.duplicateRate, 'LOCAL_EVENT_DUPLICATE_RATE', 0, (n) => n >= 0 && n <= 1);
  const defaultConcurrency = knob(
    options.defaultConcurrency,
    'LOCAL_LAMBDA_CONCURRENCY',
    10,
    (n) => Number.isInteger(n) && n >= 1,
  );
  const random = options.random ?? Math.random;
  const region = options.region ?? 'us-east-1';
  const accountId = options.accountId ?? '000000000000';
  let sqs = options.sqs;
  const abort = new AbortController();
  const pending = new Set<Promise<void>>();
  const concurrency = new Map<string, Concurrency>();
  const queueUrls = new Map<string, string>();
  let stopped = false;

  const wait = (ms: number) => sleep(ms, undefined, { signal: abort.signal }).catch(() => undefined);
  const backoff = (attempt: number) => Math.min(baseDelayMs * 2 ** (attempt - 1), maxDelayMs);

  const send = async (queueName: string, body: string, attributes?: Record<string, MessageAttributeValue>) => {
    // From the environment (AWS_ENDPOINT_URL_SQS); fauxqs's queue URLs name no reachable host.
    sqs ??= new SQSClient({ useQueueUrlAsEndpoint: false });
    try {
      let url = queueUrls.get(queueName);
      if (!url) {
        url = (await sqs.send(new GetQueueUrlCommand({ QueueName: queueName }), { abortSignal: abort.signal }))
          .QueueUrl;
        if (!url) throw new Error(`no URL for ${queueName}`);
        queueUrls.set(queueName, url);
      }
      await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: body, MessageAttributes: attributes }), {
        abortSignal: abort.signal,
      });
      return { ok: true } as Sent;
    } catch (error) {
      const { name = '', message = '', code } = error as { name?: string; message?: string; code?: string };
      if (name === 'QueueDoesNotExist' || message.includes('NonExistentQueue')) {
        queueUrls.delete(queueName);
        return { ok: false, retryable: false, code: 'NO_RESOURCE', reason: `the queue ${queueName} does not exist` };
      }
      const throttled = name.includes('Throttl') || name === 'RequestThrottled';
      const connection = code === 'ECONNREFUSED' || message.includes('ECONNREFUSED');
      return {
        ok: false,
        retryable: true,
        code: throttled ? 'THROTTLING' : connection ? 'CONNECTION_FAILURE' : 'SDK_CLIENT_ERROR',
        reason: connection ? 'ECONNREFUSED' : name || message,
      } as Sent;
    }
  };

  const invoke = async (rule: FunctionRule, event: BusEvent): Promise<Invocation> => {
    const url = `${options.lambdaUrl}/2015-03-31/functions/${encodeURIComponent(rule.functionName)}/invocations`;
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-amz-invocation-type': 'RequestResponse' },
        body: JSON.stringify(event),
        signal: abort.signal,
      });
      const text = await response.text();
      const functionError = response.headers.get('x-amz-function-error');
      if (functionError) {
        let payload: unknown = text;
        try {
          payload = JSON.parse(text);
        } catch {
          // not JSON: kept as the text
        }
        const errorType = isObject(payload) && typeof payload.errorType === 'string' ? payload.errorType : undefined;
        return { kind: 'function-error', functionError, payload, ...(errorType ? { errorType } : {}) };
      }
      if (response.ok) return { kind: 'ok' };
      if (response.status === 404) {
        return { kind: 'not-delivered', retryable: false, code: 'NO_RESOURCE', reason: 'the function does not exist' };
      }
      const retryable = response.status === 429 || response.status >= 500;
      const code = response.status === 429 ? 'THROTTLING' : retryable ? 'INTERNAL_ERROR' : 'SDK_CLIENT_ERROR';
      return { kind: 'not-delivered', retryable, code, reason: `the invoke endpoint answered ${response.status}` };
    } catch (error) {
      // fetch's own error says "fetch failed"; its cause names the problem (ECONNREFUSED while offline starts).
      const { cause } = error as { cause?: { code?: string; message?: string } };
      const reason = cause?.code ?? cause?.message ?? (error as Error).message;
      return { kind: 'not-delivered', retryable: true, code: 'CONNECTION_FAILURE', reason };
    }
  };

  const invokeLimited = (rule: FunctionRule, event: BusEvent) => {
    let limit = concurrency.get(rule.functionName);
    if (!limit) {
      limit = new Concurrency(rule.reservedConcurrency ?? defaultConcurrency);
      concurrency.set(rule.functionName, limit);
    }
    return limit.run(() => invoke(rule, event), abort.signal);
  };

  const targetArn = (rule: EventRule) =>
    rule.target === 'lambda'
      ? `arn:aws:lambda:${region}:${accountId}:function:${rule.functionName}`
      : `arn:aws:sqs:${region}:${accountId}:${rule.queueName}`;

  /** EventBridge gives an event up: to the target's dead-letter queue, with AWS's attributes, or dropped. */
  const deadLetter = async (
    rule: EventRule,
    event: BusEvent,
    label: string,
    failure: { code: string; reason: string },
    attempts: number,
    condition?: 'MaximumRetryAttempts' | 'MaximumEventAgeInSeconds',
  ) => {
    const why = condition ? `after ${attempts} attempts` : 'not retryable';
    if (!rule.deadLetterQueue) {
      log(`${label}: given up, ${why} (${failure.reason}); dropped (no dead-letter queue)`);
      return;
    }
    const string = (value: string): MessageAttributeValue => ({ DataType: 'String', StringValue: value });
    const sent = await send(rule.deadLetterQueue, JSON.stringify(event), {
      RULE_ARN: string(`arn:aws:events:${region}:${accountId}:rule/${rule.ruleName}`),
      TARGET_ARN: string(targetArn(rule)),
      ERROR_CODE: string(failure.code),
      ERROR_MESSAGE: string(failure.reason),
      RETRY_ATTEMPTS: string(String(attempts - 1)),
      ...(condition ? { EXHAUSTED_RETRY_CONDITION: string(condition) } : {}),
    });
    log(
      `${label}: given up, ${why} (${failure.reason}); ` +
        (sent.ok
          ? `sent to the dead-letter queue ${rule.deadLetterQueue}`
          : `could not be sent to the dead-letter queue ${rule.deadLetterQueue} (${sent.reason})`),
    );
  };

  /**
   * EventBridge's attempts to hand the event over, within the retry policy: `attempt` answers whether it was
   * handed over; returns the outcome, or undefined once given up (dead-lettered or dropped).
   */
  const handOver = async <T>(
    rule: EventRule,
    event: BusEvent,
    label: string,
    putAt: number,
    attempt: () => Promise<T | { kind: 'not-delivered'; retryable: boolean; code: string; reason: string }>,
  ): Promise<{ outcome: T; attempts: number; started: number } | undefined> => {
    for (let attempts = 1; !stopped; attempts++) {
      const started = Date.now();
      const outcome = await attempt();
      if (stopped) return undefined;
      if (!isObject(outcome) || outcome.kind !== 'not-delivered') return { outcome: outcome as T, attempts, started };
      const failure = outcome as { retryable: boolean; code: string; reason: string };
      if (!failure.retryable) {
        await deadLetter(rule, event, label, failure, attempts);
        return undefined;
      }
      const delay = backoff(attempts);
      if (attempts > rule.maximumRetryAttempts) {
        await deadLetter(rule, event, label, failure, attempts, 'MaximumRetryAttempts');
        return undefined;
      }
      if (Date.now() + delay - putAt > rule.maximumEventAgeSeconds * 1000) {
        await deadLetter(rule, event, label, failure, attempts, 'MaximumEventAgeInSeconds');
        return undefined;
      }
      log(`${label}: attempt ${attempts} failed (${failure.reason}); retry in ${delay} ms`);
      await wait(delay);
    }
    return undefined;
  };

  /** Lambda's invocation record for the on-failure destination. */
  const onFailure = async (
    rule: FunctionRule,
    event: BusEvent,
    label: string,
    condition: 'RetriesExhausted' | 'EventAgeExceeded',
    invocations: number,
    last: Extract<Invocation, { kind: 'function-error' }>,
  ) => {
    const summary = `the function failed (${last.functionError}${last.errorType ? ` ${last.errorType}` : ''}) ${invocations} time${invocations === 1 ? '' : 's'}`;
    if (!rule.onFailureQueue) {
      log(`${label}: ${summary}; ${condition}, discarded (no on-failure destination)`);
      return;
    }
    const record = {
      version: '1.0',
      timestamp: new Date().toISOString(),
      requestContext: {
        requestId: randomUUID(),
        functionArn: `${targetArn(rule)}:$LATEST`,
        condition,
        approximateInvokeCount: invocations,
      },
      requestPayload: event,
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: last.functionError },
      responsePayload: last.payload,
    };
    const sent = await send(rule.onFailureQueue, JSON.stringify(record));
    log(
      `${label}: ${summary}; ${condition}, ` +
        (sent.ok
          ? `sent to the on-failure destination ${rule.onFailureQueue}`
          : `could not be sent to the on-failure destination ${rule.onFailureQueue} (${sent.reason})`),
    );
  };

  const deliverToFunction = async (rule: FunctionRule, event: BusEvent, label: string, putAt: number) => {
    // EventBridge hands the event to Lambda.
    const handed = await handOver<Exclude<Invocation, { kind: 'not-delivered' }>>(rule, event, label, putAt, () =>
      invokeLimited(rule, event),
    );
    if (!handed) return;
    let { outcome, started } = handed;
    const acceptedAt = started;
    let attempts = handed.attempts;
    // Lambda's asynchronous queue retries a function error, then gives the event to the on-failure destination.
    for (let invocations = 1; outcome.kind === 'function-error'; invocations++) {
      if (invocations > rule.asyncRetryAttempts) {
        await onFailure(rule, event, label, 'RetriesExhausted', invocations, outcome);
        return;
      }
      const delay = (ASYNC_RETRY_WAITS_MS[invocations - 1] ?? 120_000) * asyncRetryScale;
      if (Date.now() + delay - acceptedAt > rule.asyncMaximumEventAgeSeconds * 1000) {
        await onFailure(rule, event, label, 'EventAgeExceeded', invocations, outcome);
        return;
      }
      log(
        `${label}: the function failed (${outcome.functionError}${outcome.errorType ? ` ${outcome.errorType}` : ''}), ` +
          `invocation ${invocations}; Lambda invokes it again in ${Math.round(delay)} ms`,
      );
      await wait(delay);
      // Lambda's own attempts to run it again: a system error (the endpoint unreachable) is retried, not counted.
      let next: Invocation | undefined;
      for (let system = 1; !stopped; system++) {
        attempts++;
        started = Date.now();
        next = await invokeLimited(rule, event);
        if (stopped) return;
        if (next.kind !== 'not-delivered') break;
        const retry = backoff(system);
        if (!next.retryable || Date.now() + retry - acceptedAt > rule.asyncMaximumEventAgeSeconds * 1000) {
          await onFailure(rule, event, label, 'EventAgeExceeded', invocations, outcome);
          return;
        }
        log(`${label}: attempt ${attempts} failed (${next.reason}); retry in ${retry} ms`);
        await wait(retry);
      }
      if (!next || next.kind === 'not-delivered') return;
      outcome = next;
    }
    log(`${label}: delivered (attempt ${attempts}, ${Date.now() - started} ms)`);
  };

  const deliverToQueue = async (rule: QueueRule, event: BusEvent, label: string, putAt: number) => {
    const handed = await handOver<{ kind: 'sent' }>(rule, event, label, putAt, async () => {
      const sent = await send(rule.queueName, JSON.stringify(event));
      return sent.ok ? { kind: 'sent' as const } : { kind: 'not-delivered' as const, ...sent };
    });
    if (handed) log(`${label}: delivered (attempt ${handed.attempts}, ${Date.now() - handed.started} ms)`);
  };

  const deliver = (rule: EventRule, event: BusEvent, putAt: number, duplicate: boolean) => {
    const target = rule.target === 'lambda' ? rule.functionKey : `queue ${rule.queueName}`;
    const label = `event-bus: event ${event.id}${nameOf(event)} -> ${target}${duplicate ? ' (duplicate)' : ''}`;
    const delivery = (
      rule.target === 'lambda'
        ? deliverToFunction(rule, event, label, putAt)
        : deliverToQueue(rule, event, label, putAt)
    )
      .catch((error: Error) => log(`${label}: failed (${error.name})`))
      .finally(() => pending.delete(delivery));
    pending.add(delivery);
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
        deliver(rule, event, putAt, false);
        // EventBridge delivers at least once: now and then twice.
        if (duplicateRate > 0 && random() < duplicateRate) deliver(rule, event, putAt, true);
      }
      return matched.length;
    },
    pending: () => pending.size,
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

export interface LocalEventDelivery {
  rules: EventRule[];
  mappings: SqsEventSourceMapping[];
  /** The stack's queues in the local SQS, by name. */
  queues: Map<string, LocalQueue>;
  bus: EventBus;
  sources: SqsEventSources;
  /** Resolves when neither the bus nor the SQS pollers have anything in flight or waiting. */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Everything that delivers events locally, from one resolved configuration: the stack's queues created in the
 * local SQS, the SQS event source mappings polling them, and the event bus. Nothing waits for the Lambda
 * endpoint: what meets a refused connection is retried.
 */
export async function startLocalEventDelivery(options: {
  config: PrintedConfig;
  lambdaUrl: string;
  sqs: SQSClient;
  log?: (line: string) => void;
  bus?: Partial<Omit<EventBusOptions, 'rules' | 'lambdaUrl' | 'sqs' | 'log'>>;
  sources?: { defaultConcurrency?: number; pollWaitSeconds?: number };
}): Promise<LocalEventDelivery> {
  // Everything is read (and refused) before anything is created.
  const rules = rulesFromConfig(options.config);
  const mappings = mappingsFromConfig(options.config);
  const queues = await createQueues(options.sqs, queuesFromConfig(options.config));
  const sources = await startSqsEventSources({
    mappings,
    lambdaUrl: options.lambdaUrl,
    sqs: options.sqs,
    ...(options.log ? { log: options.log } : {}),
    ...options.sources,
  });
  const bus = startEventBus({
    rules,
    lambdaUrl: options.lambdaUrl,
    sqs: options.sqs,
    ...(options.log ? { log: options.log } : {}),
    region: await options.sqs.config.region(),
    ...options.bus,
  });
  return {
    rules,
    mappings,
    queues,
    bus,
    sources,
    async idle() {
      do {
        await bus.idle();
        await sources.idle();
      } while (bus.pending() > 0);
    },
    async stop() {
      await bus.stop();
      await sources.stop();
    },
  };
}
