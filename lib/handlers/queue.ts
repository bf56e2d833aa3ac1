/**
 * Functions an SQS queue triggers: the Powertools chain, each record's JSON body parsed with the queue's schema,
 * and partial batch failures (the event source mapping sets `ReportBatchItemFailures`): a record whose body is
 * malformed or whose work fails is reported alone, retried by SQS and in the end moved to the queue's
 * dead-letter queue, while the others of the batch are done. Bodies are never logged (they may carry e-mail
 * addresses): a refusal names the message id and the broken paths. For standard queues: a FIFO queue would have
 * to stop at the first failure to keep its order.
 */
import { SqsSchema } from '@aws-lambda-powertools/parser/schemas/sqs';
import type { Context, SQSBatchResponse } from 'aws-lambda';
import type { z } from 'zod';
import { withinBudget } from '../invocation';
import { logger } from '../observability';
import { powertoolsChain } from './chain';

export function sqsRoute<Body extends z.ZodType>(
  bodySchema: Body,
  handle: (body: z.infer<Body>, messageId: string, context: Context) => Promise<void>,
) {
  return powertoolsChain<unknown, SQSBatchResponse>().handler(async (raw, context) => {
    const event = SqsSchema.parse(raw);
    const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
    await withinBudget(context.getRemainingTimeInMillis(), async () => {
      for (const record of event.Records) {
        let json: unknown;
        try {
          json = JSON.parse(record.body);
        } catch {
          json = undefined;
        }
        const body = bodySchema.safeParse(json);
        if (!body.success) {
          logger.error('message refused: its body does not have the shape this queue takes', {
            messageId: record.messageId,
            problems: body.error.issues.map((issue) => ({ path: issue.path.join('.'), code: issue.code })),
          });
          batchItemFailures.push({ itemIdentifier: record.messageId });
          continue;
        }
        try {
          await handle(body.data, record.messageId, context);
        } catch (error) {
          logger.error('message failed; SQS will deliver it again', {
            messageId: record.messageId,
            error: error instanceof Error ? error.name : 'Error',
          });
          batchItemFailures.push({ itemIdentifier: record.messageId });
        }
      }
    });
    return { batchItemFailures };
  });
}
