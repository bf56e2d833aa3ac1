/** The list operations' parameters (ListWorkteams, ListWorkforces and their paginators), and their checks. */
import type { Violation } from './errors';
import { checkEnum, checkInteger, checkString, isRecord } from './field-checks';
import { checkWorkteamName } from './validation';
import {
  SORT_ORDER_VALUES,
  type SortOrder,
  WORKTEAM_LIMITS,
  WORKTEAM_SORT_BY_VALUES,
  type WorkteamSortBy,
} from './workteam';

/** A page of a list, and which teams or workforces it lists in what order. */
export interface ListQuery {
  maxItems?: number;
  pageSize?: number;
  startingToken?: string;
  nameContains?: string;
  sortBy?: WorkteamSortBy;
  sortOrder?: SortOrder;
}

/** The parameters of a list query as they arrive: query strings and JSON do not honour its types. */
export type ListParams = { [Field in keyof ListQuery]?: unknown };

/**
 * ListWorkteams and its paginator. `names` says what each parameter is called where it came from (the HTTP API
 * calls `maxItems` `limit` and `startingToken` `nextToken`): violations name it so.
 */
export function validateListParams(
  params: ListParams,
  names: Partial<Record<keyof ListQuery, string>> = {},
): Violation[] {
  // Typed for callers, but checked as unknown: query strings and JSON do not honour the type.
  const raw: Record<string, unknown> = isRecord(params) ? params : {};
  const name = (field: keyof ListQuery) => names[field] ?? field;
  return [
    ...checkInteger(raw.maxItems, name('maxItems'), { min: 1 }),
    ...checkInteger(raw.pageSize, name('pageSize'), { min: 1, max: WORKTEAM_LIMITS.listMaxResults }),
    ...checkWorkteamName(raw.nameContains, name('nameContains'), false),
    ...checkEnum(raw.sortBy, name('sortBy'), WORKTEAM_SORT_BY_VALUES),
    ...checkEnum(raw.sortOrder, name('sortOrder'), SORT_ORDER_VALUES),
    ...checkString(raw.startingToken, name('startingToken'), {
      required: false,
      minLength: 0,
      maxLength: WORKTEAM_LIMITS.nextTokenMaxLength,
    }),
  ];
}
