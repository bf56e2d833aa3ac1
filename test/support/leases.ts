/**
 * Watches the teams' leases (lib/adapters/leases.ts) on a real DynamoDB client of the functions: how often a
 * pass tried to take a team's lease and found it held. A test that races two passes of one team waits for this,
 * instead of for a time, before it lets the first pass go on.
 */
type Middleware = (
  next: (args: { input: Record<string, unknown> }) => Promise<unknown>,
  context: { commandName?: string },
) => (args: { input: Record<string, unknown> }) => Promise<unknown>;

export interface LeaseWatch {
  /** Attempts to take the team's lease that found it held, so far. */
  refusals(team: string): number;
  /** Resolves once a pass has found the team's lease held `count` times in all (fails after 5 s). */
  untilRefused(team: string, count?: number): Promise<void>;
}

export function watchLeases(client: { middlewareStack: unknown }): LeaseWatch {
  const refused = new Map<string, number>();
  const middleware: Middleware = (next, context) => async (args) => {
    if (context.commandName !== 'PutItemCommand' && context.commandName !== 'PutCommand') return next(args);
    // Marshalled ({ name: { S: '#lease/<team>' } }) or not, depending on where in the stack this runs.
    const name = (args.input.Item as { name?: unknown } | undefined)?.name;
    const key = typeof name === 'object' && name !== null ? (name as { S?: unknown }).S : name;
    const team = typeof key === 'string' && key.startsWith('#lease/') ? key.slice('#lease/'.length) : undefined;
    try {
      return await next(args);
    } catch (error) {
      if (team && error instanceof Error && error.name === 'ConditionalCheckFailedException') {
        refused.set(team, (refused.get(team) ?? 0) + 1);
      }
      throw error;
    }
  };
  (client.middlewareStack as { add: (middleware: Middleware, options: object) => void }).add(middleware, {
    step: 'initialize',
    name: `watch-leases-${Math.random()}`,
  });
  return {
    refusals: (team) => refused.get(team) ?? 0,
    async untilRefused(team, count = 1) {
      const deadline = Date.now() + 5000;
      while ((refused.get(team) ?? 0) < count) {
        if (Date.now() > deadline) throw new Error(`no pass found the lease of '${team}' held ${count} time(s)`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
  };
}
