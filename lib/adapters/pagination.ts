/**
 * The paginators' `PaginationConfig` semantics on top of the SDK v3 paginators, which only know `pageSize` and
 * `startingToken`: `maxItems` caps the total and still yields a token that resumes exactly where it stopped,
 * also in the middle of a service page.
 *
 * Our token carries the service token of the page the walk stopped in, how many items of that page were
 * already returned, and a fingerprint of the query, so a token is never replayed against another query.
 */

import { createHash } from 'node:crypto';
import { canonicalJson } from '../domain/canonical-json';
import { InvalidPaginationToken, type Page, type PageRequest } from '../ports/teams';

export { InvalidPaginationToken } from '../ports/teams';

interface TokenState {
  /** The service's NextToken for the page to resume in; absent for the first page. */
  serviceToken?: string;
  /** Items of that page already returned. */
  skip: number;
  /** Fingerprint of the query the token belongs to. */
  query: string;
}

/**
 * How an AWS service refuses a request it finds invalid, a NextToken it did not issue (or no longer accepts)
 * included: SageMaker answers ValidationException ("Invalid pagination token…", or a constraint violation).
 */
function isServiceValidationError(error: unknown): boolean {
  return error instanceof Error && error.name === 'ValidationException';
}

export function queryFingerprint(query: Record<string, unknown>): string {
  return createHash('sha256').update(canonicalJson(query)).digest('base64url').slice(0, 12);
}

export function encodeToken(state: TokenState): string {
  return Buffer.from(JSON.stringify({ t: state.serviceToken, s: state.skip, q: state.query })).toString('base64url');
}

function decodeToken(token: string, query: string): TokenState {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidPaginationToken('it cannot be decoded');
  }
  if (typeof parsed !== 'object' || parsed === null) throw new InvalidPaginationToken('it cannot be decoded');
  const { t, s, q } = parsed as Record<string, unknown>;
  if ((t !== undefined && typeof t !== 'string') || typeof s !== 'number' || !Number.isInteger(s) || s < 0) {
    throw new InvalidPaginationToken('it cannot be decoded');
  }
  if (q !== query) throw new InvalidPaginationToken('it was issued for other query parameters');
  return { serviceToken: t, skip: s, query };
}

/**
 * Walks pages from `pages(startingServiceToken)` (an SDK paginator) and collects at most `maxItems` items.
 * `serviceTokenOf` reads a page's NextToken; `itemsOf` its items.
 *
 * A client's token is ours, checked here, but the service token inside it is only checked by the service: when
 * the service refuses the first page of a walk resumed from a client's service token (ValidationException), the
 * client's token is at fault, and the walk throws `InvalidPaginationToken` (a 400 naming nextToken). Later
 * pages resume from tokens the service just issued, so their errors stay the service's.
 */
export async function collectPage<P, T>(
  request: PageRequest & { query: Record<string, unknown> },
  pages: (serviceToken: string | undefined) => AsyncIterable<P>,
  itemsOf: (page: P) => T[],
  serviceTokenOf: (page: P) => string | undefined,
): Promise<Page<T>> {
  const query = queryFingerprint(request.query);
  const start = request.startingToken
    ? decodeToken(request.startingToken, query)
    : { skip: 0, serviceToken: undefined };
  const limit = request.maxItems ?? Number.POSITIVE_INFINITY;
  const items: T[] = [];
  let pageToken = start.serviceToken;
  let skip = start.skip;

  for await (const page of resumeFrom(start.serviceToken, pages)) {
    const pageItems = itemsOf(page);
    const available = pageItems.slice(skip);
    const consumedBefore = Math.min(skip, pageItems.length);
    skip = Math.max(0, skip - pageItems.length);
    const room = limit - items.length;
    const next = serviceTokenOf(page);
    if (available.length > room) {
      items.push(...available.slice(0, room));
      return { items, nextToken: encodeToken({ serviceToken: pageToken, skip: consumedBefore + room, query }) };
    }
    items.push(...available);
    if (!next) return { items };
    if (items.length >= limit) return { items, nextToken: encodeToken({ serviceToken: next, skip, query }) };
    pageToken = next;
  }
  return { items };
}

/**
 * The pages of `pages(serviceToken)`; when a client's service token is given and the service refuses the
 * first page with a ValidationException, `InvalidPaginationToken` instead.
 */
async function* resumeFrom<P>(
  serviceToken: string | undefined,
  pages: (serviceToken: string | undefined) => AsyncIterable<P>,
): AsyncGenerator<P> {
  const iterator = pages(serviceToken)[Symbol.asyncIterator]();
  try {
    let result: IteratorResult<P>;
    try {
      result = await iterator.next();
    } catch (error) {
      if (serviceToken !== undefined && serviceToken !== '' && isServiceValidationError(error)) {
        throw new InvalidPaginationToken('the service refused to resume from it', { cause: error });
      }
      throw error;
    }
    while (!result.done) {
      yield result.value;
      result = await iterator.next();
    }
  } finally {
    // The caller may stop early (it has enough items): let the paginator end too.
    await iterator.return?.();
  }
}
