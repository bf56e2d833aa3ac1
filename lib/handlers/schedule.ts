/**
 * Functions an EventBridge schedule runs (in AWS, and under `serverless offline`, which runs the same
 * schedules): the Powertools chain, the event parsed as an EventBridge "Scheduled Event", and the job run
 * within the invocation's remaining time (lib/runtime/invocation.ts), so it stops starting new work in time.
 */
import { parser } from '@aws-lambda-powertools/parser/middleware';
import { EventBridgeSchema } from '@aws-lambda-powertools/parser/schemas/eventbridge';
import type { Context } from 'aws-lambda';
import { z } from 'zod';
import { withinBudget } from '../runtime/invocation';
import { powertoolsChain } from './chain';

const ScheduledEventSchema = EventBridgeSchema.extend({
  source: z.literal('aws.events'),
  'detail-type': z.literal('Scheduled Event'),
});
type ScheduledEvent = z.infer<typeof ScheduledEventSchema>;

export function scheduleRoute<Result>(job: (event: ScheduledEvent, context: Context) => Promise<Result>) {
  return powertoolsChain<ScheduledEvent, Result>()
    .use(parser({ schema: ScheduledEventSchema }))
    .handler(async (event, context) =>
      withinBudget(context.getRemainingTimeInMillis(), () => job(event as ScheduledEvent, context)),
    );
}
