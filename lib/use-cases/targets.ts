/**
 * `GET /targets`: every target of the system (lib/domain/target.ts) with its workforce and whether it can be
 * reached now. Each target is asked one question (ListWorkforces through its own clients, which assumes its role
 * first): what fails is that target's `unreachable` with the reason, never the answer's failure.
 */
import { isDomainError } from '../domain/errors';
import type { LiveWorkforce } from '../domain/live';
import { redactEmailAddresses } from '../domain/privacy';
import type { Target } from '../domain/target';
import { mapBounded } from '../runtime/concurrency';

/** Targets asked at once: each is one ListWorkforces call in its own account and region. */
const TARGET_CONCURRENCY = 10;

export interface TargetState extends Target {
  /** The account and region the system is deployed in. */
  hub: boolean;
  /** The target's private workforce (SageMaker allows one per account and region), or null when it has none. */
  workforce: { name: string; kind: 'cognito' | 'oidc' } | null;
  status: 'ok' | 'unreachable';
  /** Why it cannot be reached: the refusal's name and message, e-mail addresses masked. */
  reason?: string;
}

export interface TargetProbe {
  target: Target & { hub: boolean };
  /** The target's workforces, through its own clients; throws when the target cannot be reached. */
  workforces(): Promise<LiveWorkforce[]>;
}

export async function describeTargets(probes: readonly TargetProbe[]): Promise<TargetState[]> {
  return mapBounded(probes, TARGET_CONCURRENCY, async ({ target, workforces }) => {
    const place = { account: target.account, region: target.region, hub: target.hub };
    try {
      const [workforce] = await workforces();
      return { ...place, workforce: workforce ? workforceOf(workforce) : null, status: 'ok' } as const;
    } catch (error) {
      return { ...place, workforce: null, status: 'unreachable', reason: reasonOf(error) } as const;
    }
  });
}

function workforceOf(workforce: LiveWorkforce): TargetState['workforce'] {
  return { name: workforce.name, kind: workforce.oidc ? 'oidc' : 'cognito' };
}

function reasonOf(error: unknown): string {
  // A TargetUnreachable says what failed in our words; anything else by its name and message.
  if (isDomainError(error)) return error.message;
  const named = error as { name?: string; message?: string };
  return redactEmailAddresses(`${named.name ?? 'Error'}: ${named.message ?? String(error)}`).slice(0, 300);
}
