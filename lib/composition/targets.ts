/**
 * The targets a function may act in (lib/runtime/targets.ts), and the one place a request's or an event's
 * account and region are turned into one of them: a target nobody configured is refused (TargetNotFound), never
 * reached with the hub's clients.
 */
import { TargetNotFound, TargetUnreachable } from '../domain/errors';
import type { Target } from '../domain/target';
import { isTransient } from '../runtime/aws-errors';
import type { TargetsConfig } from '../runtime/config';
import { byTarget, type ConfiguredTarget, configuredTargets, credentialsOf } from '../runtime/targets';

export interface Targets {
  /** The hub first, then the others in the configured order. */
  all: readonly ConfiguredTarget[];
  hub: ConfiguredTarget;
  /**
   * The target a request names: an account or region left out is the hub's. Throws TargetNotFound, naming the
   * field that is no target's (the account, or the region when the account is one).
   */
  resolve(addressed: Partial<Target>): ConfiguredTarget;
  /** The target an event comes from (its `account` and `region`), or undefined when it is none of ours. */
  find(target: Target): ConfiguredTarget | undefined;
}

export function targetsOf(config: Pick<TargetsConfig, 'HUB_ACCOUNT_ID' | 'AWS_REGION' | 'TARGETS'>): Targets {
  const all = configuredTargets(config);
  const hub = all[0] as ConfiguredTarget;
  const find = (target: Target) => all.find((each) => each.account === target.account && each.region === target.region);
  return {
    all,
    hub,
    find,
    resolve(addressed) {
      const wanted = { account: addressed.account ?? hub.account, region: addressed.region ?? hub.region };
      const found = find(wanted);
      if (found) return found;
      throw new TargetNotFound(wanted, all.some((each) => each.account === wanted.account) ? 'region' : 'account');
    },
  };
}

/**
 * Whether the system can act in the target now: its role's credentials, asked of STS once and shared by the
 * target's clients until they are renewed, so a write finds out before anything is recorded. The hub is always
 * reachable. Throws TargetUnreachable with STS's refusal (AccessDenied: the target's trust policy or external id).
 */
export async function mustReach(target: ConfiguredTarget, config: Pick<TargetsConfig, 'AWS_REGION'>): Promise<void> {
  const credentials = credentialsOf(target, config);
  if (credentials === undefined) return;
  try {
    await credentials();
  } catch (error) {
    // STS throttled or out of reach: transient, answered as any upstream that is (503, try again).
    if (isTransient(error)) throw error;
    const name = error instanceof Error ? error.name : 'Error';
    throw new TargetUnreachable(target, `its role cannot be assumed (${name})`, { cause: error });
  }
}

/**
 * A route's deps in the target a request names: resolved (TargetNotFound), reached (TargetUnreachable, before
 * anything is recorded), and built once per container and target with `build`.
 */
export function depsInTargets<D>(
  config: Pick<TargetsConfig, 'HUB_ACCOUNT_ID' | 'AWS_REGION' | 'TARGETS'>,
  build: (target: ConfiguredTarget) => D,
): (addressed: Partial<Target>) => Promise<{ target: ConfiguredTarget; deps: D }> {
  const targets = targetsOf(config);
  const depsOf = byTarget(build);
  return async (addressed) => {
    const target = targets.resolve(addressed);
    await mustReach(target, config);
    return { target, deps: depsOf(target) };
  };
}
