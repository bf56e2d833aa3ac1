/**
 * Functions an EventBridge rule triggers: the Powertools chain, and the event parsed by the Powertools parser
 * with the rule's detail schema (its EventBridge schema with `detail` narrowed). A malformed event is refused:
 * it is logged by id and detail-type only (details may carry e-mail addresses) and the invocation fails, so
 * EventBridge retries it and then hands it to the target's dead-letter queue (configured with each function
 * in serverless.yml); nothing of it is applied.
 */
import { ParseError } from '@aws-lambda-powertools/parser';
import { parser } from '@aws-lambda-powertools/parser/middleware';
import { EventBridgeSchema } from '@aws-lambda-powertools/parser/schemas/eventbridge';
import type { ParsedResult } from '@aws-lambda-powertools/parser/types';
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
  type Event = z.infer<typeof schema>;
  return powertoolsChain<ParsedResult<unknown, Event>, Result>()
    .use(parser({ schema, safeParse: true }))
    .handler(async (parsed, context) => {
      if (!parsed.success) {
        const { id, 'detail-type': detailType } = (parsed.originalEvent ?? {}) as Record<string, unknown>;
        logger.error('event refused: it does not have the shape this function takes', {
          eventId: typeof id === 'string' ? id : undefined,
          detailType: typeof detailType === 'string' ? detailType : undefined,
          problems: issuesOf((parsed.error as { cause?: unknown }).cause ?? parsed.error),
        });
        throw new ParseError('the event does not have the shape this function takes', { cause: parsed.error });
      }
      logger.appendKeys({ eventId: parsed.data.id });
      const event = parsed.data as z.infer<typeof EventBridgeSchema> & { detail: z.infer<Detail> };
      return withinBudget(context.getRemainingTimeInMillis(), () => handle(event, context));
    });
}

/** Where an event broke the schema: paths and codes, never the values (the parser's cause is the issue list). */
function issuesOf(cause: unknown): { path: string; code: string }[] {
  const issues = Array.isArray(cause) ? cause : ((cause as { issues?: unknown[] }).issues ?? []);
  return issues.map((issue) => {
    const { path = [], code = 'invalid' } = issue as { path?: { key?: PropertyKey }[] | PropertyKey[]; code?: string };
    const keys = path.map((segment) => String(typeof segment === 'object' && segment !== null ? segment.key : segment));
    return { path: keys.join('.'), code };
  });
}
