/**
 * The Cognito sync and the nightly resync across targets (lib/domain/target.ts). Every target's CloudTrail events
 * reach the hub's bus (forwarded by the rule infra/target.yml makes there); an event is for the configured target
 * its envelope names (`account`, `region`) and only when it names that target's workforce's pool. A batch is split
 * by target and each part synced with that target's deps (its registry records, its clients), so the sync's
 * invariants (idempotent per event, one question and one reconcile per batch) hold per target. What cannot be
 * placed (no configured target, another pool, a target without a Cognito workforce) is ignored with its reason:
 * delivering it again would change nothing. A target that cannot be reached fails only its own events.
 */
import type { CognitoChange } from '../../domain/cognito-changes';
import { type Target, targetKey } from '../../domain/target';
import type { TeamDeps } from '../manage-teams';
import { reasonText } from '../retry-pending';
import { syncCognitoChanges } from './batch';
import { resyncTeams } from './resync';

/** What the sync and the resync need of the configured targets. */
export interface CognitoTargets<T extends Target> {
  /** The hub first, then every other target. */
  all: readonly T[];
  hub: T;
  /** The configured target of an account and region, or undefined. */
  find(place: Target): T | undefined;
  /** The target's workforce's user pool, undefined when it has no Cognito workforce; throws when unreachable. */
  userPoolOf(target: T): Promise<string | undefined>;
  depsOf(target: T): TeamDeps;
}

/** One event of a batch: the change, and where CloudTrail says it happened. */
export interface PlacedChange {
  change: CognitoChange;
  account: string;
  region: string;
  userPool: string;
}

type PlacementRefusal =
  | 'no configured target'
  | 'not the workforce pool of its target'
  | 'its target has no Cognito workforce';

export interface TargetsSyncResult {
  /** Per target that had events: its key (`account/region`) and what its part of the batch came to. */
  targets: { target: string; teams: { name: string; outcome: string }[]; ignored: number; failed: number }[];
  ignored: { eventId: string; reason: string }[];
  /** Events whose work failed (their target unreachable included): to be delivered again. */
  failed: string[];
}

/**
 * The user pool of each target's workforce, asked once per container and target (a workforce's pool does not
 * change while it exists); a failed question is asked again next time. The hub's is the configured USER_POOL_ID.
 */
export function rememberingUserPools<T extends Target>(
  hub: T,
  hubUserPool: string,
  lookup: (target: T) => Promise<string | undefined>,
): (target: T) => Promise<string | undefined> {
  const known = new Map<string, Promise<string | undefined>>();
  const hubKey = targetKey(hub);
  return (target) => {
    const key = targetKey(target);
    if (key === hubKey) return Promise.resolve(hubUserPool);
    let pool = known.get(key);
    if (pool === undefined) {
      pool = lookup(target);
      known.set(key, pool);
      pool.catch(() => known.delete(key));
    }
    return pool;
  };
}

/**
 * Syncs a batch of every target's events: each target's part with its own deps, one target after another (each
 * target's pool has its own request quotas, but the queue's two batches at most already bound the sync's pace).
 */
export async function syncChangesOfTargets<T extends Target>(
  targets: CognitoTargets<T>,
  placed: readonly PlacedChange[],
  log?: TeamDeps['log'],
): Promise<TargetsSyncResult> {
  const result: TargetsSyncResult = { targets: [], ignored: [], failed: [] };
  const parts = new Map<string, { target: T; userPool: string; changes: CognitoChange[] }>();
  const hubPool = await targets.userPoolOf(targets.hub);
  for (const event of placed) {
    const placement = await place(targets, hubPool, event, log);
    if (typeof placement === 'string') {
      const { eventId } = event.change;
      if (placement === 'unreachable') {
        result.failed.push(eventId);
        continue;
      }
      result.ignored.push({ eventId, reason: placement });
      const { account, region, userPool } = event;
      log?.info('cognito event of no target ignored', { eventId, reason: placement, account, region, userPool });
      continue;
    }
    const key = targetKey(placement);
    const part = parts.get(key) ?? { target: placement, userPool: event.userPool, changes: [] };
    part.changes.push(event.change);
    parts.set(key, part);
  }
  for (const [key, part] of parts) {
    const synced = await syncCognitoChanges(targets.depsOf(part.target), part.userPool, part.changes);
    result.targets.push({
      target: key,
      teams: synced.teams,
      ignored: synced.ignored.length,
      failed: synced.failed.length,
    });
    result.ignored.push(...synced.ignored);
    result.failed.push(...synced.failed);
  }
  return result;
}

/**
 * The target an event is for. The hub's pool is configured, so an event naming it is the hub's whatever its
 * envelope says (the events/ samples name an example account); any other pool must be the workforce's of the
 * target the envelope names.
 */
async function place<T extends Target>(
  targets: CognitoTargets<T>,
  hubPool: string | undefined,
  event: PlacedChange,
  log?: TeamDeps['log'],
): Promise<T | PlacementRefusal | 'unreachable'> {
  if (event.userPool === hubPool) return targets.hub;
  const target = targets.find({ account: event.account, region: event.region });
  if (target === undefined || targetKey(target) === targetKey(targets.hub)) {
    return target === undefined ? 'no configured target' : 'not the workforce pool of its target';
  }
  let pool: string | undefined;
  try {
    pool = await targets.userPoolOf(target);
  } catch (error) {
    log?.error('a target of a Cognito event cannot be reached', { target: targetKey(target), ...reasonOf(error) });
    return 'unreachable';
  }
  if (pool === undefined) return 'its target has no Cognito workforce';
  return pool === event.userPool ? target : 'not the workforce pool of its target';
}

type ResyncSummary = Awaited<ReturnType<typeof resyncTeams>>;

export interface TargetsResyncSummary extends ResyncSummary {
  /** Targets left out this run: unreachable (with the reason), or without a Cognito workforce. */
  targets: {
    target: string;
    status: 'resynced' | 'unreachable' | 'no Cognito workforce' | 'failed';
    reason?: string;
  }[];
}

/**
 * The nightly resync of every target's managed Cognito teams, with each target's deps and workforce pool. A
 * target that cannot be reached is logged and left for the next run; the others are resynced all the same. A
 * target whose resync fails (a team that could not be resynced, its role refused on a warm container whose pool
 * was already known) is reported `failed` and the next targets are still resynced; then the first such failure is
 * thrown, so the run is the function's error (its retries, its alarm), after the log line of what was done. Teams
 * are named as the registry keys them: the hub's by name, another target's as `account/region/name`.
 */
export async function resyncTargets<T extends Target>(
  targets: CognitoTargets<T>,
  options: { outOfTime?: () => boolean; log?: TeamDeps['log'] } = {},
): Promise<TargetsResyncSummary> {
  const summary: TargetsResyncSummary = { teams: [], skipped: [], targets: [] };
  let failure: { error: unknown } | undefined;
  for (const target of targets.all) {
    const key = targetKey(target);
    let pool: string | undefined;
    try {
      pool = await targets.userPoolOf(target);
    } catch (error) {
      options.log?.error('a target cannot be reached: not resynced', { target: key, ...reasonOf(error) });
      summary.targets.push({ target: key, status: 'unreachable', reason: reasonText(error) });
      continue;
    }
    if (pool === undefined) {
      summary.targets.push({ target: key, status: 'no Cognito workforce' });
      continue;
    }
    try {
      const resynced = await resyncTeams(targets.depsOf(target), pool, { outOfTime: options.outOfTime });
      const named = qualifier(targets, target);
      summary.teams.push(...resynced.teams.map((team) => ({ ...team, name: named(team.name) })));
      summary.skipped.push(...resynced.skipped.map(named));
      summary.targets.push({ target: key, status: 'resynced' });
    } catch (error) {
      options.log?.error('a target could not be resynced', { target: key, ...reasonOf(error) });
      summary.targets.push({ target: key, status: 'failed', reason: reasonText(error) });
      failure ??= { error };
    }
  }
  if (failure) {
    options.log?.error('resync finished with failed targets', { targets: summary.targets });
    throw failure.error;
  }
  return summary;
}

/** A team's name as the registry keys it: the hub's bare, another target's under `account/region/`. */
export function qualifier(targets: { hub: Target }, target: Target): (name: string) => string {
  const key = targetKey(target);
  return key === targetKey(targets.hub) ? (name) => name : (name) => `${key}/${name}`;
}

/** An error's name and message, for a log line (never a stack). */
function reasonOf(error: unknown): { error: string; message?: string } {
  return {
    error: error instanceof Error ? error.name : 'Error',
    message: error instanceof Error ? error.message : undefined,
  };
}
