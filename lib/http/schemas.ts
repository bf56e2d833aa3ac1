/** The query strings and path parameters the HTTP API accepts: their shapes, then the domain's rules for them. */
import { z } from 'zod';
import { ValidationFailed } from '../domain/errors';
import { type ListQuery, validateListParams } from '../domain/list-params';
import { hasDotSegment } from '../domain/members';
import { ACCOUNT_ID_PATTERN, REGION_PATTERN } from '../domain/target';
import { WORKTEAM_NAME_PATTERN } from '../domain/workteam';

const integer = z
  .string()
  .regex(/^-?\d+$/, 'must be a whole number')
  .transform((value) => Number.parseInt(value, 10));

/**
 * `account` and `region`: the target (lib/domain/target.ts) a `/teams` route addresses; the hub's when left out.
 * Which targets there are is the composition's (lib/composition/targets.ts): a well-formed one nobody configured
 * is TargetNotFound.
 */
const targetFields = {
  account: z.string().regex(ACCOUNT_ID_PATTERN, 'must be a 12-digit AWS account id').optional(),
  region: z.string().regex(REGION_PATTERN, 'must be an AWS region name, such as eu-west-1').optional(),
};

/** The query of a `/teams/{name}…` route: the team's target, nothing else read. */
export const TargetQuerySchema = z
  .object(targetFields)
  .nullish()
  .transform((query) => query ?? {});

export const ListQuerySchema = z
  .object({
    ...targetFields,
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

/**
 * A list's query string as the use cases take it: checked once, here, against the domain's rules for lists, with
 * violations named as the API names the parameters (`limit`, `nextToken`).
 */
export function parseListQuery(query: ListQueryParameters): ListQuery {
  const params = {
    maxItems: query.limit,
    pageSize: query.pageSize,
    startingToken: query.nextToken,
    nameContains: query.nameContains,
    sortBy: query.sortBy,
    sortOrder: query.sortOrder,
  };
  const violations = validateListParams(params, { maxItems: 'limit', startingToken: 'nextToken' });
  if (violations.length > 0) throw new ValidationFailed(violations);
  return params as ListQuery;
}

/** Routes without path parameters ignore whatever the event carries there. */
export const NoPathSchema = z.unknown().optional();
export const NoQuerySchema = z.unknown().optional();

export const TeamPathSchema = z.object({
  name: z
    .string()
    .regex(WORKTEAM_NAME_PATTERN, 'must be a work team name: letters, digits and hyphens, 1-63 characters'),
});

export const MemberPathSchema = TeamPathSchema.extend({
  // '.' and '..' are valid Cognito group names, but as path segments they name the team itself (or the list):
  // clients and gateways normalise them away. Such groups are refused wherever a group is taken (lib/domain/team-commands.ts).
  group: z
    .string()
    .min(1)
    .max(128)
    .refine((group) => !hasDotSegment(group), "must not be '.' or '..', nor hold such a segment"),
});
