/**
 * Where a work team lives: an AWS account and region (a "target"). SageMaker allows one private workforce and 25
 * work teams per account and region, and a team's name is unique within its target only, so a team is known by
 * (account, region, name). The hub is the account and region the system is deployed in; every other target is
 * reached through a role assumed there (lib/runtime/targets.ts).
 */
import type { Violation } from './errors';
import { violation } from './field-checks';

export interface Target {
  /** The 12-digit AWS account id. */
  account: string;
  region: string;
}

export const ACCOUNT_ID_PATTERN = /^\d{12}$/;
/** An AWS region name, e.g. `us-east-1`, `eu-west-1`, `us-gov-west-1`, `ap-southeast-4`. */
export const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

/** `account/region`: how logs, reports and the registry's keys name a target. */
export function targetKey(target: Target): string {
  return `${target.account}/${target.region}`;
}

/**
 * The `account` and `region` a request names (the body of `POST /teams`, the query of every `/teams` route), each
 * optional (the hub's is meant), checked as the API names them.
 */
export function checkTargetFields(value: { account?: unknown; region?: unknown }): Violation[] {
  return [
    ...checkOptionalPattern(value.account, 'account', ACCOUNT_ID_PATTERN, 'a 12-digit AWS account id'),
    ...checkOptionalPattern(value.region, 'region', REGION_PATTERN, 'an AWS region name, such as eu-west-1'),
  ];
}

function checkOptionalPattern(value: unknown, path: string, pattern: RegExp, what: string): Violation[] {
  if (value === undefined) return [];
  if (typeof value !== 'string') return [violation(path, 'Type', `${path} must be a string: ${what}`)];
  return pattern.test(value) ? [] : [violation(path, 'Pattern', `${path} must be ${what}`)];
}
