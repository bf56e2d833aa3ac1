/**
 * Lambda's SQS event source mappings as the local cloud runs them (local/sqs-event-source.ts), against a stand-in
 * for serverless offline's Lambda invoke endpoint and this worker's real local SQS (fauxqs): the stack's queues
 * created with their redrive to the local dead-letter queue, batches gathered up to batchSize within the batching
 * window, the SQS event Lambda sends, partial batch failures, redelivery after the visibility timeout and the
 * dead-letter queue after maxReceiveCount, maximumConcurrency, refused connections while offline starts; and an
 * EventBridge rule whose target is a queue of the stack, delivering into it.
 */
import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { resolve } from 'node:path';
import {
  CreateQueueCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { type BusEvent, startLocalEventDelivery } from '../../local/event-bus';
import { reservePort } from '../../local/ports';
import {
  createQueues,
  failedItems,
  type LocalQueue,
  mappingsFromConfig,
  type PrintedConfig,
  queuesFromConfig,
  type SqsEventSources,
  type SqsRecord,
  startSqsEventSources,
  UnsupportedConfigError,
} from '../../local/sqs-event-source';

const sqs = new SQSClient({ endpoint: process.env.AWS_ENDPOINT_URL_SQS });

interface StackOptions {
  visibilityTimeout?: number;
  maxReceiveCount?: number;
  batchSize?: number;
  maximumBatchingWindow?: number;
  reportBatchItemFailures?: boolean;
  maximumConcurrency?: number;
}

/**
 * serverless.yml's contract for the Cognito changes, as `serverless print` prints it, with queues of their own
 * (a fresh suffix) and small timeouts.
 */
function stack(options: StackOptions = {}): { config: PrintedConfig; queue: string; deadLetters: string } {
  const suffix = randomUUID().slice(0, 8);
  const queue = `changes-${suffix}`;
  const deadLetters = `changes-dlq-${suffix}`;
  const config: PrintedConfig = {
    service: 'svc',
    provider: { stage: 'local' },
    functions: {
      cognitoSync: {
        name: 'svc-local-cognitoSync',
        events: [
          {
            sqs: {
              arn: { 'Fn::GetAtt': ['CognitoChangesQueue', 'Arn'] },
              batchSize: options.batchSize ?? 10,
              ...(options.maximumBatchingWindow === undefined
                ? {}
                : { maximumBatchingWindow: options.maximumBatchingWindow }),
              ...(options.reportBatchItemFailures === false ? {} : { functionResponseType: 'ReportBatchItemFailures' }),
              ...(options.maximumConcurrency === undefined ? {} : { maximumConcurrency: options.maximumConcurrency }),
            },
          },
        ],
      },
    },
    resources: {
      Resources: {
        CognitoSyncDeadLetterQueue: {
          Type: 'AWS::SQS::Queue',
          Properties: { QueueName: deadLetters, MessageRetentionPeriod: 1_209_600, SqsManagedSseEnabled: true },
        },
        CognitoChangesQueue: {
          Type: 'AWS::SQS::Queue',
          Properties: {
            QueueName: queue,
            VisibilityTimeout: options.visibilityTimeout ?? 1,
            RedrivePolicy: {
              deadLetterTargetArn: { 'Fn::GetAtt': ['CognitoSyncDeadLetterQueue', 'Arn'] },
              maxReceiveCount: options.maxReceiveCount ?? 5,
            },
          },
        },
        CognitoChangesRule: {
          Type: 'AWS::Events::Rule',
          Properties: {
            EventPattern: {
              source: ['aws.cognito-idp'],
              'detail-type': ['AWS API Call via CloudTrail'],
              detail: { eventName: ['AdminAddUserToGroup', 'AdminRemoveUserFromGroup'] },
            },
            Targets: [
              {
                Id: 'cognito-changes',
                Arn: { 'Fn::GetAtt': ['CognitoChangesQueue', 'Arn'] },
                RetryPolicy: { MaximumEventAgeInSeconds: 3600, MaximumRetryAttempts: 8 },
                DeadLetterConfig: { Arn: { 'Fn::GetAtt': ['CognitoSyncDeadLetterQueue', 'Arn'] } },
              },
            ],
          },
        },
      },
    },
  };
  return { config, queue, deadLetters };
}

/** What the stand-in answers for a batch: a reply, after an optional delay. */
type Reply = { status?: number; headers?: Record<string, string>; body?: string; delayMs?: number };
const FUNCTION_ERROR: Reply = { headers: { 'x-amz-function-error': 'Unhandled' }, body: '{"errorType":"Error"}' };

let server: Server;
let lambdaUrl: string;
/** The events the function received, in order. */
const batches: { path: string; invocationType: string; records: SqsRecord[] }[] = [];
let answer: (records: SqsRecord[]) => Reply = () => ({});
let inFlight = 0;
let maxInFlight = 0;

function standIn(): Server {
  return createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const { Records } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { Records: SqsRecord[] };
      batches.push({
        path: req.url ?? '',
        invocationType: String(req.headers['x-amz-invocation-type']),
        records: Records,
      });
      const reply = answer(Records);
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      setTimeout(() => {
        inFlight--;
        res.writeHead(reply.status ?? 200, reply.headers).end(reply.body ?? 'null');
      }, reply.delayMs ?? 0);
    });
  });
}

beforeAll(async () => {
  server = standIn();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  lambdaUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});

afterAll(async () => {
  sqs.destroy();
  await new Promise<void>((done) => server.close(() => done()));
});

let sources: SqsEventSources | undefined;
const lines: string[] = [];

beforeEach(() => {
  batches.length = 0;
  lines.length = 0;
  answer = () => ({});
  maxInFlight = 0;
});

afterEach(async () => {
  await sources?.stop();
  sources = undefined;
});

/** Creates the stack's queues and starts its pollers. */
async function given(options: StackOptions = {}, url = lambdaUrl) {
  const { config, queue, deadLetters } = stack(options);
  const queues = await createQueues(sqs, queuesFromConfig(config));
  sources = await startSqsEventSources({
    mappings: mappingsFromConfig(config),
    lambdaUrl: url,
    sqs,
    log: (line) => lines.push(line),
    pollWaitSeconds: 1,
  });
  return { queue: queues.get(queue) as LocalQueue, deadLetters: queues.get(deadLetters) as LocalQueue };
}

async function send(queue: LocalQueue, bodies: string[]) {
  for (let start = 0; start < bodies.length; start += 10) {
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queue.url,
        Entries: bodies
          .slice(start, start + 10)
          .map((body, index) => ({ Id: String(start + index), MessageBody: body })),
      }),
    );
  }
}

async function counts(queue: LocalQueue) {
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queue.url,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return [Number(Attributes.ApproximateNumberOfMessages), Number(Attributes.ApproximateNumberOfMessagesNotVisible)];
}

/** Polls until the condition holds (the stand-in's view of what the poller did). */
async function until(what: string, condition: () => boolean, timeoutMs = 15_000) {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error(`${what} did not happen\n${lines.join('\n')}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const bodiesOf = (records: SqsRecord[]) => records.map((record) => record.body);

describe('the stack’s queues in the local SQS', () => {
  it('creates every AWS::SQS::Queue with its attributes, the redrive naming the local dead-letter queue’s ARN', async () => {
    // Prepare
    const { config, queue, deadLetters } = stack({ visibilityTimeout: 7, maxReceiveCount: 3 });

    // Act
    const queues = await createQueues(sqs, queuesFromConfig(config));

    // Assess
    const dlq = queues.get(deadLetters);
    expect(dlq?.arn).toBe(`arn:aws:sqs:us-east-1:000000000000:${deadLetters}`);
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: queues.get(queue)?.url, AttributeNames: ['All'] }),
    );
    expect(Attributes).toMatchObject({ VisibilityTimeout: '7', QueueArn: queues.get(queue)?.arn });
    expect(JSON.parse(Attributes?.RedrivePolicy ?? '{}')).toEqual({
      deadLetterTargetArn: dlq?.arn,
      maxReceiveCount: 3,
    });
    const { Attributes: dlqAttributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: dlq?.url, AttributeNames: ['MessageRetentionPeriod'] }),
    );
    expect(dlqAttributes?.MessageRetentionPeriod).toBe('1209600');
  });

  it('takes over a queue of that name that exists with other attributes, and gives it the stack’s', async () => {
    // Prepare: the queue already there (an earlier start, a test), visible again after 1 s
    const { config, queue } = stack({ visibilityTimeout: 7, maxReceiveCount: 3 });
    await sqs.send(new CreateQueueCommand({ QueueName: queue, Attributes: { VisibilityTimeout: '1' } }));

    // Act
    const queues = await createQueues(sqs, queuesFromConfig(config));

    // Assess
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: queues.get(queue)?.url, AttributeNames: ['VisibilityTimeout'] }),
    );
    expect(Attributes?.VisibilityTimeout).toBe('7');
  });

  it('reads the mapping of the contract, and refuses what Lambda would refuse or the poller cannot do', () => {
    // Prepare
    const withSqs = (sqsEvent: Record<string, unknown>) => () => {
      const { config } = stack();
      const fn = config.functions?.cognitoSync as { events: Record<string, unknown>[] };
      fn.events = [{ sqs: sqsEvent }];
      return mappingsFromConfig(config);
    };
    const arn = { 'Fn::GetAtt': ['CognitoChangesQueue', 'Arn'] };

    // Act
    const [mapping] = withSqs({
      arn,
      batchSize: 100,
      maximumBatchingWindow: 5,
      functionResponseType: 'ReportBatchItemFailures',
      maximumConcurrency: 2,
    })();

    // Assess
    expect(mapping).toEqual({
      functionKey: 'cognitoSync',
      functionName: 'svc-local-cognitoSync',
      queueName: expect.stringMatching(/^changes-/),
      batchSize: 100,
      maximumBatchingWindowSeconds: 5,
      reportBatchItemFailures: true,
      maximumConcurrency: 2,
    });
    expect(withSqs({ arn, enabled: false })()).toEqual([]);
    expect(withSqs({ arn, batchSize: 11 })).toThrow(/needs a maximumBatchingWindow/);
    expect(withSqs({ arn, maximumConcurrency: 1 })).toThrow(/maximumConcurrency must be 2 to 1000/);
    expect(withSqs({ arn, filterPatterns: [{ body: { a: ['b'] } }] })).toThrow(UnsupportedConfigError);
    expect(withSqs({ arn: { 'Fn::GetAtt': ['CognitoChangesRule', 'Arn'] } })).toThrow(/not an AWS::SQS::Queue/);
    expect(withSqs({ arn: 'arn:aws:sqs:us-east-1:000000000000:orders.fifo' })).toThrow(/FIFO/);
  });

  it('reads a batch response as Lambda does under ReportBatchItemFailures', () => {
    // Act / Assess
    const ids = ['a', 'b'];
    expect(failedItems('', ids)).toEqual(new Set());
    expect(failedItems('null', ids)).toEqual(new Set());
    expect(failedItems('{}', ids)).toEqual(new Set());
    expect(failedItems('{"batchItemFailures":[]}', ids)).toEqual(new Set());
    expect(failedItems('{"batchItemFailures":null}', ids)).toEqual(new Set());
    expect(failedItems('{"batchItemFailures":[{"itemIdentifier":"b"}]}', ids)).toEqual(new Set(['b']));
    for (const invalid of [
      '{"batchItemFailures":[{"itemIdentifier":""}]}',
      '{"batchItemFailures":[{"itemIdentifier":null}]}',
      '{"batchItemFailures":[{"id":"b"}]}',
      '{"batchItemFailures":[{"itemIdentifier":"c"}]}',
      '{"batchItemFailures":"b"}',
      'not json',
      '"ok"',
    ]) {
      expect(failedItems(invalid, ids)).toBe('invalid');
    }
  });
});

describe('the SQS event source mapping', () => {
  it("invokes the function with Lambda's SQS event, in batches of up to batchSize gathered within the batching window, and deletes them", async () => {
    // Prepare: 25 messages waiting before the poller starts; batches of up to 12 (more than one receive's 10). The
    // visibility timeout outlasts the window, as AWS advises (else the window gathers its own messages again).
    const { config, queue: name } = stack({ batchSize: 12, maximumBatchingWindow: 1, visibilityTimeout: 10 });
    const queues = await createQueues(sqs, queuesFromConfig(config));
    const queue = queues.get(name) as LocalQueue;
    await send(
      queue,
      Array.from({ length: 25 }, (_, index) => `m${index}`),
    );
    const { MessageId } = await sqs.send(
      new SendMessageCommand({
        QueueUrl: queue.url,
        MessageBody: '{"last":true}',
        MessageAttributes: { kind: { DataType: 'String', StringValue: 'change' } },
      }),
    );

    // Act
    sources = await startSqsEventSources({
      mappings: mappingsFromConfig(config),
      lambdaUrl,
      sqs,
      log: (line) => lines.push(line),
      pollWaitSeconds: 1,
    });
    await until('26 records', () => batches.flatMap((batch) => batch.records).length === 26);
    await sources.idle();

    // Assess: two full batches and what the window gathered, every message once
    expect(batches.map((batch) => batch.records.length)).toEqual([12, 12, 2]);
    expect(batches[0]).toMatchObject({
      path: '/2015-03-31/functions/svc-local-cognitoSync/invocations',
      invocationType: 'RequestResponse',
    });
    expect(new Set(batches.flatMap((batch) => bodiesOf(batch.records))).size).toBe(26);
    const record = batches.flatMap((batch) => batch.records).find((each) => each.messageId === MessageId);
    expect(record).toEqual({
      messageId: MessageId,
      receiptHandle: expect.any(String),
      body: '{"last":true}',
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: expect.stringMatching(/^\d{13}$/),
        SenderId: expect.any(String),
        ApproximateFirstReceiveTimestamp: expect.stringMatching(/^\d{13}$/),
      },
      messageAttributes: {
        kind: { stringValue: 'change', stringListValues: [], binaryListValues: [], dataType: 'String' },
      },
      md5OfMessageAttributes: expect.stringMatching(/^[0-9a-f]{32}$/),
      md5OfBody: createHash('md5').update('{"last":true}').digest('hex'),
      eventSource: 'aws:sqs',
      eventSourceARN: queue.arn,
      awsRegion: 'us-east-1',
    });
    expect(await counts(queue)).toEqual([0, 0]);
    expect(lines).toContainEqual(`sqs: ${name} -> cognitoSync: 12 records, 0 reported failed, 12 deleted`);
    expect(lines.join('\n')).not.toContain('m1');
  });

  it('deletes only the successes of a partial batch failure; the failed message comes back after the visibility timeout, received twice', async () => {
    // Prepare: the function reports the second record failed, the first time
    const { queue } = await given({ batchSize: 3 });
    let first = true;
    answer = (records) => {
      if (!first) return {};
      first = false;
      return { body: JSON.stringify({ batchItemFailures: [{ itemIdentifier: records[1]?.messageId }] }) };
    };

    // Act
    await send(queue, ['a', 'b', 'c']);
    await until('the redelivery', () => batches.length === 2);
    await sources?.idle();

    // Assess
    expect(bodiesOf(batches[0]?.records ?? []).sort()).toEqual(['a', 'b', 'c']);
    const failed = batches[0]?.records[1];
    expect(batches[1]?.records).toEqual([
      expect.objectContaining({
        messageId: failed?.messageId,
        body: failed?.body,
        attributes: expect.objectContaining({ ApproximateReceiveCount: '2' }),
      }),
    ]);
    expect(await counts(queue)).toEqual([0, 0]);
    expect(lines).toEqual([
      `sqs: ${queue.name} -> cognitoSync: 3 records, 1 reported failed, 2 deleted`,
      `sqs: ${queue.name} -> cognitoSync: 1 record, 0 reported failed, 1 deleted`,
    ]);
  });

  it('deletes nothing when the function fails; after maxReceiveCount receives the message is in the dead-letter queue', async () => {
    // Prepare
    const { queue, deadLetters } = await given({ maxReceiveCount: 2 });
    answer = () => FUNCTION_ERROR;

    // Act
    await send(queue, ['poison']);
    const dead = await receiveFrom(deadLetters);

    // Assess: received twice (maxReceiveCount), each time failed, then moved by the queue's redrive
    expect(dead.map((message) => message.Body)).toEqual(['poison']);
    expect(batches.map((batch) => batch.records.map((record) => record.attributes.ApproximateReceiveCount))).toEqual([
      ['1'],
      ['2'],
    ]);
    expect(lines).toEqual([
      `sqs: ${queue.name} -> cognitoSync: 1 record, the function failed (Unhandled); none deleted`,
      `sqs: ${queue.name} -> cognitoSync: 1 record, the function failed (Unhandled); none deleted`,
    ]);
    expect(await counts(queue)).toEqual([0, 0]);
  });

  it('fails the whole batch on an invalid batch response, and deletes everything without ReportBatchItemFailures', async () => {
    // Prepare: a response naming a message that is not in the batch, the first time
    const strict = await given({ batchSize: 2 });
    let first = true;
    answer = () => {
      if (!first) return {};
      first = false;
      return { body: '{"batchItemFailures":[{"itemIdentifier":"not-in-the-batch"}]}' };
    };

    // Act
    await send(strict.queue, ['x', 'y']);
    await until('the redelivery', () => batches.length === 2);
    await sources?.idle();

    // Assess
    expect(batches.map((batch) => bodiesOf(batch.records).sort())).toEqual([
      ['x', 'y'],
      ['x', 'y'],
    ]);
    expect(lines[0]).toBe(
      `sqs: ${strict.queue.name} -> cognitoSync: 2 records, an invalid batchItemFailures response; none deleted`,
    );

    // Prepare: without ReportBatchItemFailures, the same response deletes the batch
    await sources?.stop();
    batches.length = 0;
    lines.length = 0;
    first = true;
    const plain = await given({ batchSize: 2, reportBatchItemFailures: false });

    // Act
    await send(plain.queue, ['x', 'y']);
    await until('the batch', () => batches.length === 1);
    await sources?.idle();

    // Assess
    expect(lines).toEqual([`sqs: ${plain.queue.name} -> cognitoSync: 2 records, succeeded, deleted`]);
    expect(await counts(plain.queue)).toEqual([0, 0]);
  });

  it('invokes at most maximumConcurrency batches at once', async () => {
    // Prepare: slow invocations of one record each
    const { queue } = await given({ batchSize: 1, maximumConcurrency: 2 });
    answer = () => ({ delayMs: 100 });

    // Act
    await send(
      queue,
      Array.from({ length: 8 }, (_, index) => `c${index}`),
    );
    await until('8 batches', () => batches.length === 8);
    await sources?.idle();

    // Assess
    expect(maxInFlight).toBe(2);
    expect(await counts(queue)).toEqual([0, 0]);
  });

  it('starts before serverless offline listens: a refused invocation is tried again, nothing deleted, until it does', async () => {
    // Prepare: nothing listens on the endpoint's port yet
    const port = await reservePort(0, 'the late endpoint');
    const { queue } = await given({ visibilityTimeout: 30 }, `http://127.0.0.1:${port}`);
    const late = standIn();

    try {
      // Act: a message while the endpoint refuses connections; then the endpoint starts
      await send(queue, ['early']);
      await new Promise((r) => setTimeout(r, 500));
      await new Promise<void>((done) => late.listen(port, '127.0.0.1', done));
      await until('the delivery', () => batches.length === 1);
      await sources?.idle();

      // Assess: received once, delivered once, deleted
      expect(batches[0]?.records.map((record) => [record.body, record.attributes.ApproximateReceiveCount])).toEqual([
        ['early', '1'],
      ]);
      expect(lines).toEqual([`sqs: ${queue.name} -> cognitoSync: 1 record, 0 reported failed, 1 deleted`]);
      expect(await counts(queue)).toEqual([0, 0]);
    } finally {
      await sources?.stop();
      await new Promise<void>((done) => late.close(() => done()));
    }
  });
});

const cognitoEvent = (file: string) =>
  JSON.parse(readFileSync(resolve(__dirname, '../../events', file), 'utf8')) as BusEvent;

describe('an EventBridge rule whose target is a queue of the stack', () => {
  it('sends a matched event into the queue (the body is the event), whose poller hands it to the function', async () => {
    // Prepare: the whole local delivery of the contract's configuration
    const { config, queue } = stack();
    const delivery = await startLocalEventDelivery({
      config,
      lambdaUrl,
      sqs,
      log: (line) => lines.push(line),
      sources: { pollWaitSeconds: 1 },
    });
    const added = cognitoEvent('cognito-add-user-to-group.json');

    try {
      // Act
      const matched = delivery.bus.put(added);
      const unmatched = delivery.bus.put(cognitoEvent('cognito-disable-user.json'));
      await until('the batch', () => batches.length === 1);
      await delivery.idle();

      // Assess
      expect([matched, unmatched]).toEqual([1, 0]);
      expect(batches[0]?.records.map((record) => JSON.parse(record.body))).toEqual([added]);
      expect(lines).toEqual([
        `event-bus: event ${cognitoEvent('cognito-disable-user.json').id} AdminDisableUser: no rule matches`,
        expect.stringMatching(
          new RegExp(
            `^event-bus: event ${added.id} AdminAddUserToGroup -> queue ${queue}: delivered \\(attempt 1, \\d+ ms\\)$`,
          ),
        ),
        `sqs: ${queue} -> cognitoSync: 1 record, 0 reported failed, 1 deleted`,
      ]);
    } finally {
      await delivery.stop();
    }
  });

  it("dead-letters an event it cannot send to the queue (gone), with EventBridge's attributes", async () => {
    // Prepare
    const { config, queue, deadLetters } = stack();
    const delivery = await startLocalEventDelivery({
      config,
      lambdaUrl,
      sqs,
      log: (line) => lines.push(line),
      sources: { pollWaitSeconds: 1 },
    });
    await delivery.sources.stop();
    await sqs.send(new DeleteQueueCommand({ QueueUrl: delivery.queues.get(queue)?.url }));
    const added = cognitoEvent('cognito-add-user-to-group.json');

    try {
      // Act
      delivery.bus.put(added);
      await delivery.bus.idle();

      // Assess: not retried (the resource does not exist), in the target's dead-letter queue
      const [message] = await receiveFrom(delivery.queues.get(deadLetters) as LocalQueue);
      expect(JSON.parse(message?.Body ?? '{}')).toEqual(added);
      expect(
        Object.fromEntries(
          Object.entries(message?.MessageAttributes ?? {}).map(([name, value]) => [name, value.StringValue]),
        ),
      ).toEqual({
        RULE_ARN: 'arn:aws:events:us-east-1:000000000000:rule/svc-local-CognitoChangesRule',
        TARGET_ARN: `arn:aws:sqs:us-east-1:000000000000:${queue}`,
        ERROR_CODE: 'NO_RESOURCE',
        ERROR_MESSAGE: `the queue ${queue} does not exist`,
        RETRY_ATTEMPTS: '0',
      });
    } finally {
      await delivery.stop();
    }
  });
});

/** Reads a queue nothing polls until a message is there. */
async function receiveFrom(queue: LocalQueue) {
  const started = Date.now();
  for (;;) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queue.url, WaitTimeSeconds: 1, MessageAttributeNames: ['All'] }),
    );
    if (Messages.length > 0) return Messages;
    if (Date.now() - started > 20_000) throw new Error(`nothing reached ${queue.name}\n${lines.join('\n')}`);
  }
}
