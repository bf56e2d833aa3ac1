import { validationError } from './errors';
import { isRecord } from './input';
import type { ListInput } from './shapes';

/** What a NextToken remembers: the request it continues and the sort key of the last item returned. */
interface Cursor {
  op: string;
  sortBy: string;
  sortOrder: string;
  nameContains: string;
  after: string | number;
}

export function encodeToken(cursor: Cursor): string {
  return Buffer.from(JSON.stringify({ v: 1, ...cursor }), 'utf8').toString('base64url');
}

const INVALID = 'Invalid pagination token: the NextToken was not returned by a previous request of this kind.';

function decodeToken(token: string): Cursor {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw validationError(INVALID);
  }
  if (
    !isRecord(decoded) ||
    decoded.v !== 1 ||
    typeof decoded.op !== 'string' ||
    typeof decoded.sortBy !== 'string' ||
    typeof decoded.sortOrder !== 'string' ||
    typeof decoded.nameContains !== 'string' ||
    (typeof decoded.after !== 'string' && typeof decoded.after !== 'number')
  ) {
    throw validationError(INVALID);
  }
  return {
    op: decoded.op,
    sortBy: decoded.sortBy,
    sortOrder: decoded.sortOrder,
    nameContains: decoded.nameContains,
    after: decoded.after,
  };
}

export interface Listable {
  name: string;
  seq: number;
}

/**
 * Filters, sorts and pages resources for a List* call. The token holds the sort key of the last item
 * returned (names are unique, sequence numbers too), so a walk over all pages yields every item exactly once
 * in order, even when items are created or deleted between pages.
 */
export function page<T extends Listable>(
  op: string,
  items: Iterable<T>,
  input: ListInput,
): { items: T[]; nextToken?: string } {
  const nameContains = input.NameContains ?? '';
  const sortKey = (item: T): string | number => (input.SortBy === 'Name' ? item.name : item.seq);
  const direction = input.SortOrder === 'Ascending' ? 1 : -1;
  const compare = (a: string | number, b: string | number): number => (a < b ? -direction : a > b ? direction : 0);
  let selected = [...items].filter((item) => item.name.includes(nameContains));
  selected.sort((a, b) => compare(sortKey(a), sortKey(b)));
  if (input.NextToken) {
    const cursor = decodeToken(input.NextToken);
    if (
      cursor.op !== op ||
      cursor.sortBy !== input.SortBy ||
      cursor.sortOrder !== input.SortOrder ||
      cursor.nameContains !== nameContains ||
      typeof cursor.after !== (input.SortBy === 'Name' ? 'string' : 'number')
    ) {
      throw validationError(INVALID);
    }
    const after = cursor.after;
    selected = selected.filter((item) => compare(sortKey(item), after) > 0);
  }
  const pageItems = selected.slice(0, input.MaxResults);
  const last = pageItems.at(-1);
  if (selected.length > pageItems.length && last) {
    return {
      items: pageItems,
      nextToken: encodeToken({
        op,
        sortBy: input.SortBy,
        sortOrder: input.SortOrder,
        nameContains,
        after: sortKey(last),
      }),
    };
  }
  return { items: pageItems };
}

/** Offset paging for ListTags (tags keep their insertion order). */
export function pageByOffset<T>(op: string, scope: string, items: T[], maxResults: number, token: string | undefined) {
  let offset = 0;
  if (token) {
    const cursor = decodeToken(token);
    if (cursor.op !== op || cursor.nameContains !== scope || typeof cursor.after !== 'number' || cursor.after < 0) {
      throw validationError(INVALID);
    }
    offset = cursor.after;
  }
  const pageItems = items.slice(offset, offset + maxResults);
  const next = offset + pageItems.length;
  return {
    items: pageItems,
    nextToken:
      next < items.length
        ? encodeToken({ op, sortBy: '', sortOrder: '', nameContains: scope, after: next })
        : undefined,
  };
}
