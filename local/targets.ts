/**
 * The accounts and regions of the local cloud, in one place for the cloud, its seed and the tests: the hub (where
 * the stack runs) and the targets whose work teams it manages by assuming a role in each (sts:AssumeRole with an
 * ExternalId). Every local service keeps its state per account and region: the account from the request's access
 * key (local/caller-identity.ts, `accountOfAccessKey`), the region from its SigV4 signing scope.
 */

/** The hub: the stack's own account and region (local/cloud.ts's ACCOUNT_ID and REGION). */
export const HUB = { account: '000000000000', region: 'us-east-1' } as const;

/**
 * The role the hub assumes in a target, as infra/target.yml makes it: one per account and region (IAM is global, a
 * StackSet instance per region makes its own), `workteam-automation-target-<stage>-<region>`, with the stage's IAM path as the
 * stack's own roles have (serverless.yml's rolePath), so the hub's rules tell its own calls in a target account by
 * the session issuer's path, and the hub's IAM lets it assume exactly these (`custom.targetStatements`).
 */
export const targetRoleName = (region: string): string => `workteam-automation-target-local-${region}`;
export const TARGET_ROLE_PATH = '/workteam-automation/local/';
/** The ExternalId every seeded target role demands of whoever assumes it. */
export const EXTERNAL_ID = 'local-external-id';

/**
 * `arn:aws:iam::<account>:role/workteam-automation/local/workteam-automation-target-local-<region>`: what the hub is told
 * to assume (an IAM role's ARN holds its path), and CloudTrail's `sessionContext.sessionIssuer.arn` of its sessions.
 */
export const targetRoleArn = (account: string, region: string): string =>
  `arn:aws:iam::${account}:role${TARGET_ROLE_PATH}${targetRoleName(region)}`;

export interface AccountRegion {
  account: string;
  region: string;
}

/** A target as the functions' TARGETS setting lists it. */
export interface Target extends AccountRegion {
  roleArn: string;
  externalId: string;
}

/** A seeded target, with what the seed creates there and whether its role lets the hub in. */
export interface LocalTarget extends AccountRegion {
  /** The workforce the seed creates there. */
  workforce: 'cognito' | 'oidc';
  /** False: the role's trust rule allows nobody, so the hub cannot reach this target. */
  reachable: boolean;
}

/** Exactly the seeded targets besides the hub. */
export const LOCAL_TARGETS: readonly LocalTarget[] = [
  { account: '111111111111', region: 'us-east-1', workforce: 'cognito', reachable: true },
  { account: '111111111111', region: 'eu-west-1', workforce: 'oidc', reachable: true },
  { account: '222222222222', region: 'eu-west-1', workforce: 'oidc', reachable: false },
];

/** The functions' TARGETS: every non-hub target with the role to assume and its ExternalId. */
export function targetsSetting(targets: readonly LocalTarget[] = LOCAL_TARGETS): Target[] {
  return targets.map(({ account, region }) => ({
    account,
    region,
    roleArn: targetRoleArn(account, region),
    externalId: EXTERNAL_ID,
  }));
}

/** `.local/env`'s LOCAL_TARGETS: every account and region of the local cloud, the hub first. */
export function allAccountRegions(): AccountRegion[] {
  return [{ ...HUB }, ...LOCAL_TARGETS.map(({ account, region }) => ({ account, region }))];
}
