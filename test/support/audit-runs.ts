/**
 * The audit's fan-out in a test run, as Lambda and its SQS event source mapping run it: the audit-targets queue in
 * this worker's local SQS (created, and emptied of what an earlier test file left, once per test file), its messages
 * delivered to the worker (functions/audit-target.ts) a batch at a time with the records Lambda makes of them, and
 * the scheduled run invoked while the worker takes what it dispatched.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  SetQueueAttributesCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSBatchResponse } from 'aws-lambda';
import type { AuditRunView } from '#lib/domain/audit/fan-out';
import { lambdaContext as localLambdaContext } from '../../local/lambda-context';
import { toSqsRecord } from '../../local/sqs-event-source';
import { loadEvent } from './invoke';

type Handler = (event: never, context: never) => Promise<unknown>;

const sqs = new SQSClient({ useQueueUrlAsEndpoint: false });
let queue: Promise<{ url: string; arn: string }> | undefined;

/** The queue (visible again 1 s after a failed delivery), empty when a test file first asks for it. */
export function auditTargetsQueue(): Promise<{ url: string; arn: string }> {
  queue ??= (async () => {
    // Created as it is, or found as another test file of this worker made it (the local event delivery makes it
    // with serverless.yml's attributes: asked for other ones, SQS would refuse the name); then made quick to retry.
    const { QueueUrl: url } = await sqs.send(new CreateQueueCommand({ QueueName: process.env.AUDIT_TARGETS_QUEUE }));
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { VisibilityTimeout: '1' } }));
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }),
    );
    const found = { url: url as string, arn: Attributes?.QueueArn as string };
    // Drained: an earlier file's runs are not this file's business.
    for (let left = await receive(found.url, 0); left.length > 0; left = await receive(found.url, 0)) {
      await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: found.url,
          Entries: left.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle })),
        }),
      );
    }
    return found;
  })();
  return queue;
}

async function receive(url: string, waitSeconds: number): Promise<Message[]> {
  const { Messages } = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: url,
      MaxNumberOfMessages: 10,
      WaitTimeSeconds: waitSeconds,
      MessageSystemAttributeNames: ['All'],
      VisibilityTimeout: 30,
    }),
  );
  return Messages ?? [];
}

/** The messages now on the queue, received as the event source mapping receives them (none deleted). */
export async function receiveAuditTargets(): Promise<Message[]> {
  return receive((await auditTargetsQueue()).url, 0);
}

/**
 * Delivers these messages to the worker as one batch (`times` times: a duplicate delivery, as SQS and Lambda may
 * make), then deletes those it did not report failed. Answers the ids it reported failed (the last delivery's).
 */
export async function deliverToWorker(
  worker: Handler,
  messages: readonly Message[],
  options: { times?: number; receiveCount?: number } = {},
): Promise<string[]> {
  if (messages.length === 0) return [];
  const { url, arn } = await auditTargetsQueue();
  const records = messages.map((message) => {
    const record = toSqsRecord(message, arn, process.env.AWS_REGION ?? 'us-east-1');
    if (options.receiveCount !== undefined) record.attributes.ApproximateReceiveCount = String(options.receiveCount);
    return record;
  });
  let failed: string[] = [];
  for (let time = 0; time < (options.times ?? 1); time++) {
    const response = (await worker(
      { Records: records } as never,
      localLambdaContext('auditTarget', { stage: 'local', timeoutMs: 60_000 }) as never,
    )) as SQSBatchResponse;
    failed = response.batchItemFailures.map((failure) => failure.itemIdentifier);
  }
  const done = messages.filter((message) => !failed.includes(message.MessageId ?? ''));
  if (done.length > 0) {
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: url,
        Entries: done.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle })),
      }),
    );
  }
  return failed;
}

/**
 * The scheduled run (events/audit-schedule.json) with `timeoutMs` for its invocation, while the worker takes what it
 * dispatched, a batch every 100 ms, until the run answers. `deliver: false`: nobody takes the messages (a worker
 * that never runs).
 */
export async function scheduledAuditRun(
  audit: Handler,
  worker: Handler,
  options: { timeoutMs?: number; deliver?: boolean } = {},
): Promise<AuditRunView> {
  await auditTargetsQueue();
  let answered = false;
  const run = (
    audit(
      loadEvent('audit-schedule.json') as never,
      localLambdaContext('audit', { stage: 'local', timeoutMs: options.timeoutMs ?? 15_000 }) as never,
    ) as Promise<AuditRunView>
  ).finally(() => {
    answered = true;
  });
  run.catch(() => undefined);
  while (!answered) {
    if (options.deliver !== false) await deliverToWorker(worker, await receiveAuditTargets());
    await sleep(100);
  }
  return run;
}
