/**
 * Functions an EventBridge rule triggers: the Powertools chain, the event parsed with the rule's detail schema
 * (Powertools' EventBridge schema with its `detail` narrowed). A malformed event is refused: it is logged by id
 * and detail-type only (details may carry e-mail addresses) and the invocation fails, so EventBridge retries it
 * and then hands it to the target's dead-letter queue; nothing of it is applied.
 */
import { ParseError } from '@aws-lambda-powertools/parser';
import { EventBridgeSchema } from '@aws-lambda-powertools/parser/schemas/eventbridge';
import type { Context } from 'aws-lambda';
import type { z } from 'zod';
import { withinBudget } from '../invocation';
import { logger } from '../observability';
import { powertoolsChain } from './chain';

export function eventBridgeRoute<Detail extends z.ZodType, Result>(
  detailSchema: Detail,
  handle: (event: z.infer<typeof EventBridgeSchema> & { detail: z.infer<Detail> }, context: Context) => Promise<Result>,
) {
  const schema = EventBridgeSchema.extend({ detail: detailSchema });
  return powertoolsChain<unknown, Result>().handler(async (raw, context) => {
    const parsed = schema.safeParse(raw);
    if (!parsed.success) {
      const { id, 'detail-type': detailType } = (raw ?? {}) as { id?: unknown; 'detail-type'?: unknown };
      logger.error('event refused: it does not have the shape this function takes', {
        eventId: typeof id === 'string' ? id : undefined,
        detailType: typeof detailType === 'string' ? detailType : undefined,
        problems: parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), code: issue.code })),
      });
      throw new ParseError('the event does not have the shape this function takes', { cause: parsed.error });
    }
    logger.appendKeys({ eventId: parsed.data.id });
    const event = parsed.data as z.infer<typeof EventBridgeSchema> & { detail: z.infer<Detail> };
    return withinBudget(context.getRemainingTimeInMillis(), () => handle(event, context));
  });
}
