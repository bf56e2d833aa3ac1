/**
 * The system's targets as configured (HUB_ACCOUNT_ID, AWS_REGION and TARGETS, lib/runtime/config.ts): the hub
 * first, then every other account and region, each with how its clients get their credentials. The hub's clients
 * use the functions' own role; another target's assume the role given for it (with its external id), through
 * STS in the hub's region. Each target's clients are its own (lib/runtime/clients/*.ts keep them by target key):
 * a client built for one target is never used for another.
 */
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@aws-sdk/types';
import { type Target, targetKey } from '../domain/target';
import type { TargetsConfig } from './config';

export interface ConfiguredTarget extends Target {
  /** `account/region` (lib/domain/target.ts). */
  key: string;
  /** The hub's own account and region: its clients use the functions' role. */
  hub: boolean;
  /** The role assumed there (infra/target.yml); absent for the hub. */
  roleArn?: string;
  externalId?: string;
}

/** Why TARGETS cannot stand: a target given twice, or without its own role to assume there. */
class TargetsConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/**
 * The hub, then TARGETS in the order given. A target given twice, or without its role, fails the function at cold
 * start; the hub given in TARGETS (with no role) is the hub.
 */
export function configuredTargets(
  config: Pick<TargetsConfig, 'HUB_ACCOUNT_ID' | 'AWS_REGION' | 'TARGETS'>,
): ConfiguredTarget[] {
  const hub: ConfiguredTarget = {
    account: config.HUB_ACCOUNT_ID,
    region: config.AWS_REGION,
    key: targetKey({ account: config.HUB_ACCOUNT_ID, region: config.AWS_REGION }),
    hub: true,
  };
  const targets = [hub];
  for (const setting of config.TARGETS) {
    const key = targetKey(setting);
    if (key === hub.key && setting.roleArn === undefined) continue;
    if (targets.some((target) => target.key === key)) {
      throw new TargetsConfigError(`invalid configuration: TARGETS: ${key} is given twice (or is the hub's own)`);
    }
    // The hub's own role may act in its own region only (serverless.yml): any other target is entered by its role.
    if (setting.roleArn === undefined) {
      throw new TargetsConfigError(`invalid configuration: TARGETS: ${key} needs the roleArn of its target role`);
    }
    // The role is the target: one of another account would act there under this target's keys.
    if (setting.roleArn.split(':')[4] !== setting.account) {
      throw new TargetsConfigError(`invalid configuration: TARGETS: ${key}'s roleArn is another account's role`);
    }
    if (targets.some((target) => target.roleArn === setting.roleArn)) {
      throw new TargetsConfigError(`invalid configuration: TARGETS: ${key}'s roleArn is another target's too`);
    }
    targets.push({ ...setting, key, hub: false });
  }
  return targets;
}

/**
 * How many targets' clients (and adapters, and role sessions) a container keeps: a worker that audits one target
 * after another, or a route asked about many, holds a few targets' at a time, not every target's, so its memory
 * stays flat however many targets there are. A target used again after it was let go is built anew (its role
 * assumed again).
 */
export const TARGETS_KEPT = 10;

/**
 * What `build` makes for a target, made on first use and kept under the target's key while it is one of the
 * TARGETS_KEPT last used (the least recently used is let go first): the clients (and the adapters over them) of one
 * target are never another's.
 */
export function byTarget<T>(build: (target: ConfiguredTarget) => T): (target: ConfiguredTarget) => T {
  const built = new Map<string, T>();
  return (target) => {
    let value = built.get(target.key);
    if (value === undefined) {
      value = build(target);
    } else {
      built.delete(target.key);
    }
    // A Map keeps insertion order: the first key is the least recently used.
    built.set(target.key, value);
    if (built.size > TARGETS_KEPT) built.delete(built.keys().next().value as string);
    return value;
  };
}

/**
 * The credentials of a target's clients: undefined for the hub's (the SDK's default chain: the functions' role),
 * or the target's role assumed through STS, renewed by the SDK before it expires. One provider per target, so
 * every client of a target shares one session and one AssumeRole a renewal.
 */
export function credentialsOf(
  target: ConfiguredTarget,
  config: Pick<TargetsConfig, 'AWS_REGION'>,
): AwsCredentialIdentityProvider | undefined {
  if (target.roleArn === undefined) return undefined;
  sessionOf ??= byTarget((each) =>
    oneSession(
      fromTemporaryCredentials({
        params: {
          RoleArn: each.roleArn as string,
          RoleSessionName: 'workteam-automation',
          ...(each.externalId === undefined ? {} : { ExternalId: each.externalId }),
        },
        clientConfig: { region: config.AWS_REGION },
      }),
    ),
  );
  return sessionOf(target);
}

let sessionOf: ((target: ConfiguredTarget) => AwsCredentialIdentityProvider) | undefined;

/** A session is renewed this long before it expires, so no call is signed with credentials about to lapse. */
const RENEW_BEFORE_MS = 5 * 60_000;

/**
 * One session for every client of a target: the SDK memoizes credentials per client, so without this each of a
 * target's clients (SageMaker, SNS, Cognito, CloudTrail) would assume the role for itself. A refusal is not kept:
 * the next call asks STS again (a target whose role is fixed comes back without a restart).
 */
function oneSession(provider: AwsCredentialIdentityProvider): AwsCredentialIdentityProvider {
  let session: Promise<AwsCredentialIdentity> | undefined;
  const fresh = (credentials: AwsCredentialIdentity) =>
    credentials.expiration === undefined || credentials.expiration.getTime() - Date.now() > RENEW_BEFORE_MS;
  return async () => {
    const held = session;
    if (held !== undefined) {
      const credentials = await held.catch(() => undefined);
      if (credentials !== undefined && fresh(credentials)) return credentials;
      // Another call renewed it meanwhile: share that renewal.
      if (session !== undefined && session !== held) return session;
    }
    const asked = provider();
    session = asked;
    asked.catch(() => {
      if (session === asked) session = undefined;
    });
    return asked;
  };
}
