/**
 * The stack's SQS queues in the local SQS (fauxqs), and Lambda's SQS event source mappings over them.
 *
 * Queues: every `AWS::SQS::Queue` of the resolved configuration's `resources.Resources` is created at start with
 * its attributes (VisibilityTimeout, MessageRetentionPeriod, DelaySeconds, ..., and a RedrivePolicy whose
 * `deadLetterTargetArn` is resolved from `Fn::GetAtt` to the local queue's ARN); fauxqs moves a message to the
 * dead-letter queue when a receive would take it past `maxReceiveCount`, as SQS does.
 *
 * Event source mappings: for each function `sqs` event, a poller does what Lambda's pollers do: it long-polls the
 * queue (ReceiveMessage, at most 10 messages a call, SQS's maximum), gathers up to `batchSize` messages within
 * `maximumBatchingWindow` seconds, invokes the function through serverless offline's Lambda endpoint
 * (RequestResponse, with the SQS event Lambda sends) and deletes what succeeded: everything, or with
 * `functionResponseType: ReportBatchItemFailures` all but the `batchItemFailures`; a function error or an invalid
 * response deletes nothing. What is not deleted becomes visible again after the queue's visibility timeout. At most
 * `maximumConcurrency` batches per mapping are invoked at once (default 5, the pollers Lambda starts with). An
 * invocation that cannot reach the endpoint (serverless offline still bundling: connection refused) is tried
 * again with backoff, deleting nothing, while the messages are still invisible; one log line per batch (queue,
 * function, records, outcome), never a message's content.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  type Message,
  type MessageAttributeValue,
  ReceiveMessageCommand,
  SetQueueAttributesCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';

// ---------------------------------------------------------------------------------------------------------------
// The resolved configuration (`serverless print --format json`), as far as the local cloud reads it.

export interface PrintedResource {
  Type?: string;
  Properties?: Record<string, unknown>;
}

export interface PrintedFunction {
  name?: string;
  events?: Record<string, unknown>[];
  maximumRetryAttempts?: unknown;
  maximumEventAge?: unknown;
  destinations?: Record<string, unknown>;
  reservedConcurrency?: unknown;
  [key: string]: unknown;
}

export interface PrintedConfig {
  service?: unknown;
  provider?: { stage?: unknown; region?: unknown; [key: string]: unknown };
  functions?: Record<string, PrintedFunction>;
  resources?: { Resources?: Record<string, PrintedResource> };
}

/** Something of the configuration the local cloud cannot do as AWS would: refused, naming where it is. */
export class UnsupportedConfigError extends Error {
  constructor(where: string, problem: string) {
    super(`${where}: ${problem}`);
    this.name = 'UnsupportedConfigError';
  }
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** What CloudFormation calls the stack (`<service>-<stage>`): the prefix of the names it generates. */
export function stackName(config: PrintedConfig): string {
  return `${String(config.service)}-${String(config.provider?.stage ?? 'dev')}`;
}

/** The logical id of `Fn::GetAtt: [Logical, Arn]` (or `Logical.Arn`), if the value is one. */
function getAttArnOf(value: unknown): string | undefined {
  if (!isObject(value) || Object.keys(value).length !== 1) return undefined;
  const getAtt = value['Fn::GetAtt'];
  const [logicalId, attribute] = typeof getAtt === 'string' ? getAtt.split('.') : Array.isArray(getAtt) ? getAtt : [];
  return typeof logicalId === 'string' && attribute === 'Arn' ? logicalId : undefined;
}

/**
 * The name of the queue an ARN reference names: a literal `arn:aws:sqs:...:<name>`, or `Fn::GetAtt` of an
 * `AWS::SQS::Queue` of the stack (its QueueName, or the name CloudFormation would generate, without the suffix).
 */
export function queueNameOf(reference: unknown, config: PrintedConfig, where: string): string {
  if (typeof reference === 'string') {
    const parts = reference.split(':');
    if (parts[0] === 'arn' && parts[2] === 'sqs' && parts.length === 6 && parts[5]) return parts[5];
    throw new UnsupportedConfigError(where, `${JSON.stringify(reference)} is not an SQS queue ARN`);
  }
  const logicalId = getAttArnOf(reference);
  if (logicalId === undefined) {
    throw new UnsupportedConfigError(
      where,
      `${JSON.stringify(reference)}: the local cloud resolves an SQS queue ARN or Fn::GetAtt <queue>.Arn only`,
    );
  }
  const resource = config.resources?.Resources?.[logicalId];
  if (resource?.Type !== 'AWS::SQS::Queue') {
    throw new UnsupportedConfigError(where, `${logicalId} is not an AWS::SQS::Queue of resources.Resources`);
  }
  const name = resource.Properties?.QueueName;
  if (name === undefined) return `${stackName(config)}-${logicalId}`;
  if (typeof name !== 'string' || name === '') {
    throw new UnsupportedConfigError(`queue ${logicalId}`, 'QueueName must resolve to a string');
  }
  return name;
}

// ---------------------------------------------------------------------------------------------------------------
// Queues.

export interface QueueDefinition {
  logicalId: string;
  name: string;
  /** CreateQueue's attributes, RedrivePolicy aside. */
  attributes: Record<string, string>;
  redrive?: { deadLetterQueue: string; maxReceiveCount: number };
}

/** The attributes SQS takes at CreateQueue, under the names CloudFormation gives them. */
const QUEUE_ATTRIBUTES = [
  'VisibilityTimeout',
  'MessageRetentionPeriod',
  'DelaySeconds',
  'MaximumMessageSize',
  'ReceiveMessageWaitTimeSeconds',
  'FifoQueue',
  'ContentBasedDeduplication',
  'DeduplicationScope',
  'FifoThroughputLimit',
];
/** Properties without a local meaning (encryption, tags, who may redrive into a queue). */
const IGNORED_QUEUE_PROPERTIES = new Set([
  'QueueName',
  'SqsManagedSseEnabled',
  'KmsMasterKeyId',
  'KmsDataKeyReusePeriodSeconds',
  'Tags',
  'RedriveAllowPolicy',
]);

/** The `AWS::SQS::Queue` resources of a resolved configuration. */
export function queuesFromConfig(config: PrintedConfig): QueueDefinition[] {
  const queues: QueueDefinition[] = [];
  for (const [logicalId, resource] of Object.entries(config.resources?.Resources ?? {})) {
    if (resource.Type !== 'AWS::SQS::Queue') continue;
    const where = `queue ${logicalId}`;
    const properties = resource.Properties ?? {};
    const attributes: Record<string, string> = {};
    let redrive: QueueDefinition['redrive'];
    for (const [key, value] of Object.entries(properties)) {
      if (IGNORED_QUEUE_PROPERTIES.has(key)) continue;
      if (key === 'RedrivePolicy') {
        const policy = typeof value === 'string' ? (JSON.parse(value) as unknown) : value;
        if (!isObject(policy)) throw new UnsupportedConfigError(where, 'RedrivePolicy must be an object');
        const maxReceiveCount = Number(policy.maxReceiveCount);
        if (!Number.isInteger(maxReceiveCount) || maxReceiveCount < 1 || maxReceiveCount > 1000) {
          throw new UnsupportedConfigError(where, 'RedrivePolicy.maxReceiveCount must be an integer from 1 to 1000');
        }
        redrive = {
          deadLetterQueue: queueNameOf(policy.deadLetterTargetArn, config, `${where}, RedrivePolicy`),
          maxReceiveCount,
        };
      } else if (QUEUE_ATTRIBUTES.includes(key)) {
        if (!['string', 'number', 'boolean'].includes(typeof value)) {
          throw new UnsupportedConfigError(where, `${key} must resolve to a value`);
        }
        attributes[key] = String(value);
      } else {
        throw new UnsupportedConfigError(where, `the local SQS does not support the property ${key}`);
      }
    }
    queues.push({
      logicalId,
      name: queueNameOf({ 'Fn::GetAtt': [logicalId, 'Arn'] }, config, where),
      attributes,
      redrive,
    });
  }
  return queues;
}

export interface LocalQueue {
  name: string;
  url: string;
  arn: string;
}

const errorName = (error: unknown) => (error as { name?: string }).name ?? '';

/**
 * Creates the queues in the local SQS, dead-letter queues first (a RedrivePolicy names an existing queue's ARN);
 * a queue that exists already gets the attributes. Returns them by name.
 */
export async function createQueues(sqs: SQSClient, queues: QueueDefinition[]): Promise<Map<string, LocalQueue>> {
  const created = new Map<string, LocalQueue>();
  const names = new Set(queues.map((queue) => queue.name));
  let waiting = [...queues];
  while (waiting.length > 0) {
    // A redrive to a queue outside the stack needs nothing first; within the stack, its target first.
    const ready = waiting.filter(
      (queue) =>
        !queue.redrive || !names.has(queue.redrive.deadLetterQueue) || created.has(queue.redrive.deadLetterQueue),
    );
    if (ready.length === 0) {
      throw new UnsupportedConfigError(
        `queues ${waiting.map((queue) => queue.logicalId).join(', ')}`,
        'their RedrivePolicy targets form a cycle',
      );
    }
    for (const queue of ready) {
      const attributes = { ...queue.attributes };
      if (queue.redrive) {
        const target =
          created.get(queue.redrive.deadLetterQueue) ?? (await existingQueue(sqs, queue.redrive.deadLetterQueue));
        attributes.RedrivePolicy = JSON.stringify({
          deadLetterTargetArn: target.arn,
          maxReceiveCount: queue.redrive.maxReceiveCount,
        });
      }
      let url: string | undefined;
      try {
        ({ QueueUrl: url } = await sqs.send(new CreateQueueCommand({ QueueName: queue.name, Attributes: attributes })));
      } catch (error) {
        // The SDK names it by SQS's query-compatible code, `AWS.SimpleQueueService.QueueNameExists`.
        if (!/(^|\.)QueueNameExists$/.test(errorName(error))) throw error;
        ({ QueueUrl: url } = await sqs.send(new GetQueueUrlCommand({ QueueName: queue.name })));
        await sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: attributes }));
      }
      if (!url) throw new Error(`CreateQueue of ${queue.name} returned no URL`);
      created.set(queue.name, { name: queue.name, url, arn: await queueArn(sqs, url) });
    }
    waiting = waiting.filter((queue) => !ready.includes(queue));
  }
  return created;
}

async function queueArn(sqs: SQSClient, url: string): Promise<string> {
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }));
  if (!Attributes?.QueueArn) throw new Error(`the local SQS gave no ARN for ${url}`);
  return Attributes.QueueArn;
}

async function existingQueue(sqs: SQSClient, name: string): Promise<LocalQueue> {
  const { QueueUrl: url } = await sqs.send(new GetQueueUrlCommand({ QueueName: name }));
  if (!url) throw new Error(`the local SQS has no queue ${name}`);
  return { name, url, arn: await queueArn(sqs, url) };
}

// ---------------------------------------------------------------------------------------------------------------
// Event source mappings.

export interface SqsEventSourceMapping {
  functionKey: string;
  functionName: string;
  queueName: string;
  /** Default 10; 1 to 10,000 (a standard queue). */
  batchSize: number;
  /** Default 0; up to 300. More than 10 records a batch need at least 1 second, as Lambda requires. */
  maximumBatchingWindowSeconds: number;
  reportBatchItemFailures: boolean;
  /** 2 to 1,000; without it, the pollers' default. */
  maximumConcurrency?: number;
}

const integerIn = (value: unknown, min: number, max: number) =>
  typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;

/** The functions' `sqs` events of a resolved configuration (those `enabled: false` switches off excepted). */
export function mappingsFromConfig(config: PrintedConfig): SqsEventSourceMapping[] {
  const mappings: SqsEventSourceMapping[] = [];
  for (const [functionKey, fn] of Object.entries(config.functions ?? {})) {
    for (const event of fn.events ?? []) {
      if (event.sqs === undefined) continue;
      const where = `sqs event of ${functionKey}`;
      const sqs = isObject(event.sqs) ? event.sqs : { arn: event.sqs };
      if (sqs.enabled === false) continue;
      for (const option of ['filterPatterns', 'maximumRetryAttempts']) {
        if (sqs[option] !== undefined)
          throw new UnsupportedConfigError(where, `the local poller does not support ${option}`);
      }
      if (!fn.name) throw new UnsupportedConfigError(where, 'the resolved configuration has no function name');
      const batchSize = sqs.batchSize ?? 10;
      const window = sqs.maximumBatchingWindow ?? 0;
      if (!integerIn(batchSize, 1, 10_000)) throw new UnsupportedConfigError(where, 'batchSize must be 1 to 10000');
      if (!integerIn(window, 0, 300)) throw new UnsupportedConfigError(where, 'maximumBatchingWindow must be 0 to 300');
      if ((batchSize as number) > 10 && window === 0) {
        throw new UnsupportedConfigError(
          where,
          'a batchSize over 10 needs a maximumBatchingWindow of at least 1 second',
        );
      }
      if (sqs.maximumConcurrency !== undefined && !integerIn(sqs.maximumConcurrency, 2, 1000)) {
        throw new UnsupportedConfigError(where, 'maximumConcurrency must be 2 to 1000');
      }
      const responseType = sqs.functionResponseType;
      if (responseType !== undefined && responseType !== 'ReportBatchItemFailures') {
        throw new UnsupportedConfigError(where, `unknown functionResponseType ${JSON.stringify(responseType)}`);
      }
      const queueName = queueNameOf(sqs.arn, config, where);
      if (queueName.endsWith('.fifo')) {
        throw new UnsupportedConfigError(where, 'the local poller does not deliver FIFO queues in message-group order');
      }
      mappings.push({
        functionKey,
        functionName: fn.name,
        queueName,
        batchSize: batchSize as number,
        maximumBatchingWindowSeconds: window as number,
        reportBatchItemFailures: responseType === 'ReportBatchItemFailures',
        ...(sqs.maximumConcurrency === undefined ? {} : { maximumConcurrency: sqs.maximumConcurrency as number }),
      });
    }
  }
  return mappings;
}

/** A record of the SQS event Lambda sends a function. */
export interface SqsRecord {
  messageId: string;
  receiptHandle: string;
  body: string;
  attributes: Record<string, string>;
  messageAttributes: Record<
    string,
    {
      stringValue?: string;
      binaryValue?: string;
      stringListValues: string[];
      binaryListValues: string[];
      dataType: string;
    }
  >;
  md5OfMessageAttributes?: string;
  md5OfBody: string;
  eventSource: 'aws:sqs';
  eventSourceARN: string;
  awsRegion: string;
}

const base64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

function lambdaMessageAttributes(attributes: Record<string, MessageAttributeValue> | undefined) {
  const converted: SqsRecord['messageAttributes'] = {};
  for (const [name, value] of Object.entries(attributes ?? {})) {
    converted[name] = {
      ...(value.StringValue === undefined ? {} : { stringValue: value.StringValue }),
      ...(value.BinaryValue === undefined ? {} : { binaryValue: base64(value.BinaryValue) }),
      stringListValues: value.StringListValues ?? [],
      binaryListValues: (value.BinaryListValues ?? []).map(base64),
      dataType: value.DataType ?? 'String',
    };
  }
  return converted;
}

/** The record Lambda makes of a received message. */
export function toSqsRecord(message: Message, queueArn: string, region: string): SqsRecord {
  return {
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body: message.Body ?? '',
    attributes: { ...(message.Attributes as Record<string, string> | undefined) },
    messageAttributes: lambdaMessageAttributes(message.MessageAttributes),
    ...(message.MD5OfMessageAttributes ? { md5OfMessageAttributes: message.MD5OfMessageAttributes } : {}),
    md5OfBody: message.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: region,
  };
}

/**
 * Which records of a batch failed, from the function's response under ReportBatchItemFailures, as Lambda reads
 * it: no response, `null`, `{}` or an empty or null `batchItemFailures` is a success of all; an itemIdentifier that
 * is empty, null, misnamed or not of the batch (or a response that is no JSON object) fails the whole batch.
 */
export function failedItems(payload: string, messageIds: string[]): Set<string> | 'invalid' {
  if (payload.trim() === '') return new Set();
  let response: unknown;
  try {
    response = JSON.parse(payload);
  } catch {
    return 'invalid';
  }
  if (response === null) return new Set();
  if (!isObject(response)) return 'invalid';
  const failures = response.batchItemFailures;
  if (failures === undefined || failures === null) return new Set();
  if (!Array.isArray(failures)) return 'invalid';
  const failed = new Set<string>();
  for (const failure of failures) {
    const id = isObject(failure) ? failure.itemIdentifier : undefined;
    if (typeof id !== 'string' || id === '' || !messageIds.includes(id)) return 'invalid';
    failed.add(id);
  }
  return failed;
}

export interface SqsEventSourcesOptions {
  mappings: SqsEventSourceMapping[];
  /** serverless offline's Lambda endpoint, e.g. http://127.0.0.1:3002. */
  lambdaUrl: string;
  /** The local SQS, where the queues exist already (createQueues). */
  sqs: SQSClient;
  log?: (line: string) => void;
  /** Batches in flight per mapping without maximumConcurrency (default 5). */
  defaultConcurrency?: number;
  /** The longest ReceiveMessage wait (default 2 seconds, so that stop() is quick; SQS allows 20). */
  pollWaitSeconds?: number;
  /** The first wait before invoking again when the endpoint cannot be reached; doubles up to 5 seconds. */
  invokeRetryBaseMs?: number;
}

export interface SqsEventSources {
  /**
   * Resolves when no batch is being gathered or invoked and the mapped queues hold no visible or delayed message
   * (messages that failed and wait out their visibility timeout do not count).
   */
  idle(): Promise<void>;
  /** Stops polling and invoking; messages in hand are left to come back after their visibility timeout. */
  stop(): Promise<void>;
}

interface Held {
  message: Message;
  /** When the message becomes visible again if it is not deleted. */
  visibleAt: number;
}

class Poller {
  /** Messages received and neither deleted nor given back. */
  held = 0;
  private inFlight = 0;
  /** Receipt handles given back (failed), until their visibility timeout ends. */
  private readonly released = new Map<string, number>();
  private readonly batches = new Set<Promise<void>>();
  private slotFreed: (() => void) | undefined;
  private stopped = false;
  private loop: Promise<void> | undefined;

  constructor(
    private readonly mapping: SqsEventSourceMapping,
    private readonly queue: LocalQueue & { visibilityTimeoutSeconds: number },
    private readonly region: string,
    private readonly options: Required<Omit<SqsEventSourcesOptions, 'mappings' | 'log'>> & {
      log: (line: string) => void;
    },
    private readonly abort: AbortSignal,
  ) {}

  private get concurrency() {
    return this.mapping.maximumConcurrency ?? this.options.defaultConcurrency;
  }

  start() {
    this.loop = this.run();
  }

  async stop() {
    this.stopped = true;
    this.slotFreed?.();
    await this.loop;
    await Promise.all([...this.batches]);
  }

  private async run() {
    while (!this.stopped) {
      while (this.inFlight >= this.concurrency && !this.stopped) {
        await new Promise<void>((resolve) => {
          this.slotFreed = resolve;
        });
      }
      const batch = await this.gather();
      if (batch.length === 0) continue;
      if (this.stopped) {
        this.release(batch);
        continue;
      }
      this.inFlight++;
      const handled = this.handle(batch).finally(() => {
        this.inFlight--;
        this.batches.delete(handled);
        this.slotFreed?.();
      });
      this.batches.add(handled);
    }
  }

  /** Up to batchSize messages: the first long-polled for, the rest within the batching window. */
  private async gather(): Promise<Held[]> {
    const { batchSize, maximumBatchingWindowSeconds } = this.mapping;
    const batch: Held[] = [];
    let windowEnds: number | undefined;
    let failures = 0;
    while (!this.stopped && batch.length < batchSize) {
      let wait = this.options.pollWaitSeconds;
      if (windowEnds !== undefined) {
        const remaining = windowEnds - Date.now();
        if (remaining <= 0) break;
        wait = Math.min(wait, Math.floor(remaining / 1000));
      }
      let messages: Message[];
      try {
        ({ Messages: messages = [] } = await this.options.sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: this.queue.url,
            MaxNumberOfMessages: Math.min(10, batchSize - batch.length),
            WaitTimeSeconds: wait,
            MessageSystemAttributeNames: ['All'],
            MessageAttributeNames: ['All'],
          }),
        ));
      } catch (error) {
        if (this.stopped) break;
        failures++;
        if (failures === 1) this.log(`could not receive (${errorName(error) || (error as Error).message}); retrying`);
        await sleep(1000, undefined, { signal: this.abort }).catch(() => undefined);
        continue;
      }
      const receivedAt = Date.now();
      this.held += messages.length;
      for (const message of messages) {
        batch.push({ message, visibleAt: receivedAt + this.queue.visibilityTimeoutSeconds * 1000 });
      }
      if (windowEnds === undefined) {
        if (batch.length === 0) continue;
        if (maximumBatchingWindowSeconds === 0) break;
        windowEnds = receivedAt + maximumBatchingWindowSeconds * 1000;
      } else if (messages.length === 0 && wait === 0) {
        await sleep(Math.min(50, Math.max(0, windowEnds - Date.now())));
      }
    }
    return batch;
  }

  private log(outcome: string) {
    this.options.log(`sqs: ${this.queue.name} -> ${this.mapping.functionKey}: ${outcome}`);
  }

  private async handle(batch: Held[]) {
    const records = batch.map(({ message }) => toSqsRecord(message, this.queue.arn, this.region));
    const count = `${records.length} record${records.length === 1 ? '' : 's'}`;
    const url = `${this.options.lambdaUrl}/2015-03-31/functions/${encodeURIComponent(this.mapping.functionName)}/invocations`;
    const oldestVisibleAt = Math.min(...batch.map((held) => held.visibleAt));
    for (let attempt = 1; ; attempt++) {
      let response: Response;
      let payload: string;
      try {
        response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-amz-invocation-type': 'RequestResponse' },
          body: JSON.stringify({ Records: records }),
          signal: this.abort,
        });
        payload = await response.text();
      } catch (error) {
        if (this.stopped) return this.release(batch);
        const { cause } = error as { cause?: { code?: string; message?: string } };
        const reason = cause?.code ?? cause?.message ?? (error as Error).message;
        if (this.retryInvoke(attempt, oldestVisibleAt)) {
          await sleep(this.backoff(attempt), undefined, { signal: this.abort }).catch(() => undefined);
          continue;
        }
        this.log(`${count}, could not invoke the function (${reason}, ${attempt} attempts); none deleted`);
        return this.release(batch);
      }
      const functionError = response.headers.get('x-amz-function-error');
      if (functionError) {
        this.log(`${count}, the function failed (${functionError}); none deleted`);
        return this.release(batch);
      }
      if (!response.ok) {
        const retryable = response.status === 429 || response.status >= 500;
        if (retryable && !this.stopped && this.retryInvoke(attempt, oldestVisibleAt)) {
          await sleep(this.backoff(attempt), undefined, { signal: this.abort }).catch(() => undefined);
          continue;
        }
        this.log(`${count}, the invoke endpoint answered ${response.status}; none deleted`);
        return this.release(batch);
      }
      if (!this.mapping.reportBatchItemFailures) {
        await this.delete(batch);
        this.log(`${count}, succeeded, deleted`);
        return;
      }
      const failed = failedItems(
        payload,
        records.map((record) => record.messageId),
      );
      if (failed === 'invalid') {
        this.log(`${count}, an invalid batchItemFailures response; none deleted`);
        return this.release(batch);
      }
      const succeeded = batch.filter((held) => !failed.has(held.message.MessageId ?? ''));
      this.release(batch.filter((held) => failed.has(held.message.MessageId ?? '')));
      await this.delete(succeeded);
      this.log(`${count}, ${failed.size} reported failed, ${succeeded.length} deleted`);
      return;
    }
  }

  /** Whether to invoke again: not stopped, and the next try would come before the messages reappear. */
  private retryInvoke(attempt: number, oldestVisibleAt: number) {
    return !this.stopped && Date.now() + this.backoff(attempt) < oldestVisibleAt - 1000;
  }

  private backoff(attempt: number) {
    return Math.min(this.options.invokeRetryBaseMs * 2 ** (attempt - 1), 5000);
  }

  private release(batch: Held[]) {
    for (const held of batch) this.released.set(held.message.ReceiptHandle ?? '', held.visibleAt);
    this.held -= batch.length;
  }

  private async delete(batch: Held[]) {
    for (let start = 0; start < batch.length; start += 10) {
      const chunk = batch.slice(start, start + 10);
      try {
        const { Failed = [] } = await this.options.sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: this.queue.url,
            Entries: chunk.map((held, index) => ({ Id: String(index), ReceiptHandle: held.message.ReceiptHandle })),
          }),
        );
        if (Failed.length > 0) this.log(`${Failed.length} of the batch could not be deleted (${Failed[0]?.Code})`);
      } catch (error) {
        this.log(`could not delete ${chunk.length} messages (${errorName(error) || (error as Error).message})`);
      }
    }
    this.held -= batch.length;
  }

  /** No message in hand, and none visible, delayed or received but not yet in hand. */
  async isIdle(): Promise<boolean> {
    if (this.held > 0 || this.inFlight > 0) return false;
    const { Attributes = {} } = await this.options.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: this.queue.url,
        AttributeNames: [
          'ApproximateNumberOfMessages',
          'ApproximateNumberOfMessagesNotVisible',
          'ApproximateNumberOfMessagesDelayed',
        ],
      }),
    );
    const now = Date.now();
    for (const [handle, visibleAt] of this.released) if (visibleAt <= now) this.released.delete(handle);
    return (
      this.held === 0 &&
      this.inFlight === 0 &&
      Number(Attributes.ApproximateNumberOfMessages) === 0 &&
      Number(Attributes.ApproximateNumberOfMessagesDelayed) === 0 &&
      // A message received but not yet handed to this poller is invisible too: only released ones may be.
      Number(Attributes.ApproximateNumberOfMessagesNotVisible) <= this.released.size
    );
  }
}

/**
 * Starts a poller per mapping (the queues must exist: createQueues). Resolves once each knows its queue; it does
 * not wait for the Lambda endpoint, whose refused connections are retried.
 */
export async function startSqsEventSources(options: SqsEventSourcesOptions): Promise<SqsEventSources> {
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const settings = {
    lambdaUrl: options.lambdaUrl,
    sqs: options.sqs,
    log,
    defaultConcurrency: options.defaultConcurrency ?? 5,
    pollWaitSeconds: options.pollWaitSeconds ?? 2,
    invokeRetryBaseMs: options.invokeRetryBaseMs ?? 250,
  };
  if (!integerIn(settings.defaultConcurrency, 1, 1000)) throw new Error('defaultConcurrency must be 1 to 1000');
  if (!integerIn(settings.pollWaitSeconds, 0, 20)) throw new Error('pollWaitSeconds must be 0 to 20');
  const region = await options.sqs.config.region();
  const abort = new AbortController();
  const pollers: Poller[] = [];
  for (const mapping of options.mappings) {
    const queue = await existingQueue(options.sqs, mapping.queueName);
    const { Attributes } = await options.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: queue.url, AttributeNames: ['VisibilityTimeout'] }),
    );
    const visibilityTimeoutSeconds = Number(Attributes?.VisibilityTimeout ?? 30);
    pollers.push(new Poller(mapping, { ...queue, visibilityTimeoutSeconds }, region, settings, abort.signal));
  }
  for (const poller of pollers) poller.start();
  return {
    async idle() {
      for (;;) {
        const states = await Promise.all(pollers.map((poller) => poller.isIdle()));
        if (states.every(Boolean)) return;
        await sleep(20);
      }
    },
    async stop() {
      abort.abort();
      await Promise.all(pollers.map((poller) => poller.stop()));
    },
  };
}
