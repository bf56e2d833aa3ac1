/**
 * The audit's targets queue (SQS): each target's audit of a run of every target is one message, sent ten to a
 * SendMessageBatch call (its limit), the calls side by side. The queue is named in the configuration and its URL
 * asked of SQS once per container (GetQueueUrl), the same in AWS and in the local cloud. An entry SQS refuses is
 * sent once more, then the dispatch fails naming the codes: the run's header is written, and without the message
 * that target would only ever be `missing`, so the caller is told.
 */
import {
  GetQueueUrlCommand,
  SendMessageBatchCommand,
  type SendMessageBatchRequestEntry,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { AuditDispatch, AuditTargetMessage } from '../ports/audit';

const ENTRIES_PER_CALL = 10;

export function createAuditDispatch(sqs: SQSClient, queueName: string): AuditDispatch {
  let queueUrl: Promise<string> | undefined;
  const urlOf = () => {
    queueUrl ??= sqs.send(new GetQueueUrlCommand({ QueueName: queueName })).then(({ QueueUrl }) => {
      if (!QueueUrl) throw new Error(`SQS gave no URL for the queue ${queueName}`);
      return QueueUrl;
    });
    queueUrl.catch(() => {
      queueUrl = undefined;
    });
    return queueUrl;
  };
  const sendBatch = async (url: string, entries: SendMessageBatchRequestEntry[]) => {
    const { Failed } = await sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: entries }));
    return Failed ?? [];
  };

  return {
    async dispatch(messages) {
      if (messages.length === 0) return;
      const url = await urlOf();
      const entries = messages.map((message, index) => ({ Id: String(index), MessageBody: bodyOf(message) }));
      const batches: SendMessageBatchRequestEntry[][] = [];
      for (let start = 0; start < entries.length; start += ENTRIES_PER_CALL) {
        batches.push(entries.slice(start, start + ENTRIES_PER_CALL));
      }
      await Promise.all(
        batches.map(async (batch) => {
          const failed = await sendBatch(url, batch);
          if (failed.length === 0) return;
          const again = await sendBatch(
            url,
            batch.filter((entry) => failed.some((failure) => failure.Id === entry.Id)),
          );
          if (again.length > 0) {
            const codes = [...new Set(again.map((failure) => failure.Code))].join(', ');
            throw new Error(`SQS refused ${again.length} audit target message(s): ${codes}`);
          }
        }),
      );
    },
  };
}

/** The message as the worker's schema reads it (functions/audit-target.ts). */
function bodyOf(message: AuditTargetMessage): string {
  return JSON.stringify(message);
}
