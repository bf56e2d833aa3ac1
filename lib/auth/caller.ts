/**
 * The caller as the Lambda authorizer describes it to the routes. API Gateway passes a simple response's
 * context through as `requestContext.authorizer.lambda`; its values are primitives, so groups travel as a
 * comma-separated string.
 */
import { z } from 'zod';

export const CallerSchema = z.object({
  sub: z.string().min(1),
  username: z.string().min(1),
  groups: z.string(),
  isAdmin: z.boolean(),
});

export type Caller = z.infer<typeof CallerSchema>;
