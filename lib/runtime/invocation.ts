/**
 * The time an invocation has left. A route (or a scheduled function) runs its use case inside `withinBudget`,
 * which starts an AbortSignal that fires `reserveMs` before Lambda would stop the function; the SDK clients of
 * SageMaker, SNS and Cognito pass it to every call they make (lib/runtime/clients/common.ts), so a change that cannot
 * finish in time is cut short while there is still time to record it as Pending and answer 202, instead of
 * ending in a gateway timeout with calls still in flight into the next invocation.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { setMaxListeners } from 'node:events';

const current = new AsyncLocalStorage<AbortSignal>();

/** What an invocation keeps back for recording a cut-short change and answering. */
export const RESERVE_MS = 1500;

export function withinBudget<T>(remainingMs: number, run: () => Promise<T>, reserveMs = RESERVE_MS): Promise<T> {
  const signal = AbortSignal.timeout(Math.max(1, remainingMs - reserveMs));
  // Every call in flight listens to it (an audit has dozens at once): no leak, so no warning past Node's ten.
  setMaxListeners(0, signal);
  return current.run(signal, run);
}

/** The signal of the running invocation; undefined outside `withinBudget` (a test, a script). */
export function invocationSignal(): AbortSignal | undefined {
  return current.getStore();
}

/** True once the running invocation has used up its budget. */
export function outOfTime(): boolean {
  return current.getStore()?.aborted ?? false;
}
