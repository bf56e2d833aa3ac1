/** Cognito group listings (GetGroup, ListUsersInGroup) in flight at once for one caller. */
export const GROUP_CONCURRENCY = 5;

/** How many teams a batch of the Cognito sync, or a page of the resync, reconciles at a time. */
export const TEAM_CONCURRENCY = 4;

interface BoundedOptions {
  /**
   * What a failure does to the items not started yet: `stop` (the default) starts none of them, for calls that are
   * one job (one topic's subscriptions); `finish` still runs every one, for independent jobs (one team each),
   * so one team's fault does not starve the others. Either way the first error is thrown once all have settled.
   */
  onFailure?: 'stop' | 'finish';
}

/**
 * Runs `work` over `items`, at most `limit` at a time, in order of start, and resolves once all have settled:
 * nothing is left running behind the caller's back. See `BoundedOptions` for what a failure does.
 */
export async function forEachBounded<T>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number) => Promise<void>,
  options: BoundedOptions = {},
): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const stopping = () => failure !== undefined && options.onFailure !== 'finish';
  const worker = async (): Promise<void> => {
    while (next < items.length && !stopping()) {
      const index = next++;
      try {
        await work(items[index] as T, index);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (failure) throw failure.error;
}

/** `forEachBounded` that keeps each item's result, in the order of `items`. */
export async function mapBounded<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  await forEachBounded(items, limit, async (item, index) => {
    results[index] = await work(item, index);
  });
  return results;
}
