/**
 * One writer per team. Every pass that writes a team's SageMaker or SNS state runs holding the team's lease
 * (lib/ports/teams.ts `TeamLeases`), and reads what it will write (the record, the groups' members, the topic's
 * subscriptions) only once it holds it: so two passes of one team never interleave their writes, and none writes
 * from a reading older than another pass's writes. A pass that cannot get the lease waits for it, with growing
 * pauses, for as long as its invocation has time; then it gives up (`TeamBusy`, a transient error: the change is
 * kept and retried).
 *
 * Leases are re-entrant within one async context: a batch that leases its teams, then reconciles one of them,
 * does not wait for itself. Several leases are taken in name order, so two batches never wait for each other.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { TeamLeases } from '../ports/teams';
import { outOfTime } from '../runtime/invocation';

/** How long a lease lasts unless given up: longer than any one pass, short enough for a crashed holder. */
const LEASE_MS = 5 * 60_000;
/** How long a pass waits for its leases at most, all together (its invocation's time may end it sooner). */
const LEASE_WAIT_MS = 60_000;

/** Another pass of the team held its lease for longer than this pass could wait. */
export class TeamBusy extends Error {
  override readonly name = 'TeamBusy';
  constructor(readonly team: string) {
    super(`another pass of team '${team}' is running`);
  }
}

interface Held {
  holder: string;
  teams: Set<string>;
}

const held = new AsyncLocalStorage<Held>();

interface LeaseDeps {
  leases: TeamLeases;
  log?: { info(message: string, details?: Record<string, unknown>): void };
}

/**
 * Runs `work` holding the leases of `teams` (taken in name order, given up afterwards, whatever happens). Teams
 * whose lease could not be had are passed to `work` as `busy` instead of failing the whole call, so a batch can
 * go on with the others; `whenBusy: 'throw'` throws `TeamBusy` instead.
 */
export async function withTeamLeases<T>(
  deps: LeaseDeps,
  teams: readonly string[],
  work: (lease: { busy: string[]; waited: boolean }) => Promise<T>,
  options: { whenBusy?: 'skip' | 'throw' } = {},
): Promise<T> {
  const outer = held.getStore();
  const context: Held = { holder: outer?.holder ?? randomUUID(), teams: new Set(outer?.teams) };
  const taken: string[] = [];
  const busy: string[] = [];
  let waited = false;
  // One wait for all of them: a batch of many teams never waits longer than one pass would.
  const deadline = Date.now() + LEASE_WAIT_MS;
  try {
    for (const team of [...new Set(teams)].sort()) {
      if (context.teams.has(team)) continue;
      const result = await acquire(deps, team, context.holder, deadline);
      waited ||= result.waited;
      if (!result.acquired) {
        if (options.whenBusy === 'throw') throw new TeamBusy(team);
        busy.push(team);
        continue;
      }
      taken.push(team);
      context.teams.add(team);
    }
    return await held.run(context, () => work({ busy, waited }));
  } finally {
    await Promise.all(taken.map((team) => deps.leases.release(team, context.holder).catch(() => undefined)));
  }
}

async function acquire(
  deps: LeaseDeps,
  team: string,
  holder: string,
  deadline: number,
): Promise<{ acquired: boolean; waited: boolean }> {
  // Real time, whatever clock the caller's business runs on: leases are about who runs now.
  const started = Date.now();
  let pause = 20;
  for (let attempt = 0; ; attempt++) {
    const now = new Date();
    if (await deps.leases.tryAcquire(team, holder, new Date(now.getTime() + LEASE_MS), now)) {
      if (attempt > 0)
        deps.log?.info('took the lease of a team after waiting', { team, waitedMs: Date.now() - started });
      return { acquired: true, waited: attempt > 0 };
    }
    if (attempt === 0) deps.log?.info('waiting for the lease of a team another pass holds', { team });
    if (Date.now() + pause > deadline || outOfTime()) {
      deps.log?.info('gave up waiting for the lease of a team', { team, waitedMs: Date.now() - started });
      return { acquired: false, waited: true };
    }
    await sleep(pause * (0.5 + Math.random()));
    pause = Math.min(1000, pause * 2);
  }
}
