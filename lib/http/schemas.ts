/** Shapes of the query strings and path parameters at the HTTP edge; ranges and rules live in the domain. */
import { z } from 'zod';
import { ValidationFailed } from '../domain/errors';
import type { ListQuery } from '../domain/list-params';
import { hasDotSegment } from '../domain/members';
import { WORKTEAM_NAME_PATTERN } from '../domain/workteam';

const integer = z
  .string()
  .regex(/^-?\d+$/, 'must be a whole number')
  .transform((value) => Number.parseInt(value, 10));

export const ListQuerySchema = z
  .object({
    limit: integer.optional(),
    pageSize: integer.optional(),
    nextToken: z.string().optional(),
    nameContains: z.string().optional(),
    sortBy: z.string().optional(),
    sortOrder: z.string().optional(),
  })
  .nullish()
  .transform((query) => query ?? {});

type ListQueryParameters = z.infer<typeof ListQuerySchema>;

/** HTTP names of the list parameters, by the name the domain validator reports. */
const LIST_PARAMETER_NAMES: Record<string, string> = { maxItems: 'limit', startingToken: 'nextToken' };

export function toListQuery(query: ListQueryParameters): ListQuery {
  return {
    maxItems: query.limit,
    pageSize: query.pageSize,
    startingToken: query.nextToken,
    nameContains: query.nameContains,
    sortBy: query.sortBy as ListQuery['sortBy'],
    sortOrder: query.sortOrder as ListQuery['sortOrder'],
  };
}

/** Routes without path parameters ignore whatever the event carries there. */
export const NoPathSchema = z.unknown().optional();
export const NoQuerySchema = z.unknown().optional();

export const TeamPathSchema = z.object({
  name: z
    .string()
    .regex(WORKTEAM_NAME_PATTERN, 'must be a work team name: letters, digits and hyphens, 1-63 characters'),
});

/** Runs a list use case and reports its violations under the HTTP parameter names (`limit`, `nextToken`). */
export async function withHttpParameterNames<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof ValidationFailed) {
      throw new ValidationFailed(
        error.details.map((violation) => ({
          ...violation,
          path: LIST_PARAMETER_NAMES[violation.path] ?? violation.path,
        })),
      );
    }
    throw error;
  }
}

export const MemberPathSchema = TeamPathSchema.extend({
  // '.' and '..' are valid Cognito group names, but as path segments they name the team itself (or the list):
  // clients and gateways normalise them away. Such groups are refused wherever a group is taken (api-requests.ts).
  group: z
    .string()
    .min(1)
    .max(128)
    .refine((group) => !hasDotSegment(group), "must not be '.' or '..', nor hold such a segment"),
});
