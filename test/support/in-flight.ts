/**
 * Watches a real SDK client's calls through its middleware stack: how many it sent, and the most that were in
 * flight at the same moment (what bounded concurrency is about).
 */
export interface InFlight {
  calls: number;
  peak: number;
  reset(): void;
}

type Middleware = (
  next: (args: unknown) => Promise<unknown>,
  context: { commandName?: string },
) => (args: unknown) => Promise<unknown>;

export function watchInFlight(client: { middlewareStack: unknown }, commands: readonly string[]): InFlight {
  const watched = new Set(commands.map((name) => `${name}Command`));
  let current = 0;
  const state: InFlight = {
    calls: 0,
    peak: 0,
    reset() {
      state.calls = 0;
      state.peak = 0;
    },
  };
  const middleware: Middleware = (next, context) => async (args) => {
    if (!watched.has(context.commandName ?? '')) return next(args);
    state.calls += 1;
    current += 1;
    state.peak = Math.max(state.peak, current);
    try {
      return await next(args);
    } finally {
      current -= 1;
    }
  };
  (client.middlewareStack as { add: (middleware: Middleware, options: object) => void }).add(middleware, {
    step: 'initialize',
    name: `in-flight-${commands.join('-')}`,
  });
  return state;
}

/** Counts every command a real SDK client sends, by name (`Subscribe`, `ListUsersInGroup`, ...). */
export function countCommands(client: { middlewareStack: unknown }, label: string): Record<string, number> {
  const counted: Record<string, number> = {};
  const middleware: Middleware = (next, context) => async (args) => {
    const name = (context.commandName ?? 'unknown').replace(/Command$/, '');
    counted[name] = (counted[name] ?? 0) + 1;
    return next(args);
  };
  (client.middlewareStack as { add: (middleware: Middleware, options: object) => void }).add(middleware, {
    step: 'initialize',
    name: `count-commands-${label}`,
  });
  return counted;
}

export function clear(counted: Record<string, number>): void {
  for (const key of Object.keys(counted)) delete counted[key];
}
