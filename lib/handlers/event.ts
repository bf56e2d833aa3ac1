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
import { withinBudget } from '../runtime/invocation';
import { logger } from '../runtime/observability';
import { powertoolsChain } from './chain';

export function eventBridgeRoute<Detail extends z.ZodType, Result>(
  detailSchema: Detail,
  handle: (event: z.infer<typeof EventBridgeSchema> & { detail: z.infer<Detail> }, context: Context) => Promise<Result>,
) {
  type Event = z.infer<typeof EventBridgeSchema> & { detail: z.infer<Detail> };
  // The generic extension's inferred type cannot be resolved while Detail is open; it is exactly Event.
  return eventRoute(EventBridgeSchema.extend({ detail: detailSchema }) as unknown as z.ZodType<Event>, handle);
}

/**
 * The same for a function that takes several kinds of event (a schedule and a rule, say): `schema` is the whole
 * event's, typically a union of EventBridge schemas each pinning its `source` and `detail-type`, so that a
 * detail is only ever read as the kind of event it came in.
 */
export function eventRoute<Schema extends z.ZodType<{ id: string }>, Result>(
  schema: Schema,
  handle: (event: z.infer<Schema>, context: Context) => Promise<Result>,
) {
  type Event = z.infer<Schema>;
  return powertoolsChain<ParsedResult<unknown, Event>, Result>()
    .use(parser({ schema, safeParse: true }))
    .handler(async (parsed, context) => {
      if (!parsed.success) {
        const { id, 'detail-type': detailType } = (parsed.originalEvent ?? {}) as Record<string, unknown>;
        logger.error('event refused: it does not have the shape this function takes', {
          eventId: typeof id === 'string' ? id.slice(0, 200) : undefined,
          detailType: typeof detailType === 'string' ? detailType.slice(0, 200) : undefined,
          problems: issuesOf((parsed.error as { cause?: unknown }).cause ?? parsed.error),
        });
        throw new ParseError('the event does not have the shape this function takes', { cause: parsed.error });
      }
      logger.appendKeys({ eventId: parsed.data.id });
      const event = parsed.data as Event;
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
