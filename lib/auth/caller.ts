/**
 * The caller as the Lambda authorizer describes it to the routes. API Gateway passes a simple response's
 * context through as `requestContext.authorizer.lambda`; its values are primitives, so groups travel as a
 * comma-separated string. The authorizer maps the configured groups to the flags (from the token's list of
 * groups, before it is joined): routes decide on the flags, never by splitting `groups`.
 */
import { z } from 'zod';
import type { Actor } from '../domain/actor';

export const CallerSchema = z.object({
  sub: z.string().min(1),
  username: z.string().min(1),
  groups: z.string(),
  isAdmin: z.boolean(),
  /**
   * A member of the requesters group: may request teams. Absent means no (an authorizer answer cached from
   * before the flag existed, the system's own caller).
   */
  isRequester: z.boolean().optional(),
});

export type Caller = z.infer<typeof CallerSchema>;

/** The caller as the use cases know it: a person, with the rights its groups give. */
export function actorOf(caller: Caller): Actor {
  return { kind: 'user', sub: caller.sub, isAdmin: caller.isAdmin, isRequester: caller.isRequester === true };
}
