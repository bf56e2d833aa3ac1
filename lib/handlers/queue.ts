/**
 * Functions an SQS queue triggers a batch at a time (the event source mapping sets `ReportBatchItemFailures`):
 * the Powertools chain, each record's JSON body parsed with the queue's schema, and the whole batch handed to
 * the use case at once, so that it can do once what many messages ask for. The answer names the messages to
 * deliver again (partial batch failure): those whose body is malformed (SQS retries them, then moves them to the
 * queue's dead-letter queue) and those the use case reports failed; the others are done. Bodies are never logged
 * (they may carry e-mail addresses): a refusal names the message id and the broken paths.
 */
import { SqsSchema } from '@aws-lambda-powertools/parser/schemas/sqs';
import type { Context, SQSBatchResponse } from 'aws-lambda';
import type { z } from 'zod';
import { withinBudget } from '../runtime/invocation';
import { logger } from '../runtime/observability';
import { powertoolsChain } from './chain';

interface QueueMessage<Body> {
  messageId: string;
  body: Body;
  /** How many times SQS has delivered the message (1 the first time): its last delivery can be told. */
  receiveCount: number;
}

export function sqsBatchRoute<Body extends z.ZodType>(
  bodySchema: Body,
  handle: (messages: QueueMessage<z.infer<Body>>[], context: Context) => Promise<{ failed: string[] }>,
) {
  return powertoolsChain<unknown, SQSBatchResponse>().handler(async (raw, context) => {
    const event = SqsSchema.parse(raw);
    const refused: string[] = [];
    const messages: QueueMessage<z.infer<Body>>[] = [];
    for (const record of event.Records) {
      let json: unknown;
      try {
        json = JSON.parse(record.body);
      } catch {
        json = undefined;
      }
      const body = bodySchema.safeParse(json);
      if (body.success) {
        const receiveCount = Number.parseInt(record.attributes.ApproximateReceiveCount, 10);
        messages.push({ messageId: record.messageId, body: body.data, receiveCount: receiveCount || 1 });
        continue;
      }
      logger.error('message refused: its body does not have the shape this queue takes', {
        messageId: record.messageId,
        problems: body.error.issues.map((issue) => ({ path: issue.path.join('.'), code: issue.code })),
      });
      refused.push(record.messageId);
    }
    let failed: string[];
    try {
      ({ failed } = await withinBudget(context.getRemainingTimeInMillis(), () => handle(messages, context)));
    } catch (error) {
      // Nothing of the batch can be said done: every message comes again.
      logger.error('batch failed; SQS will deliver its messages again', {
        messages: messages.length,
        error: error instanceof Error ? error.name : 'Error',
      });
      failed = messages.map((message) => message.messageId);
    }
    return { batchItemFailures: [...refused, ...failed].map((itemIdentifier) => ({ itemIdentifier })) };
  });
}
