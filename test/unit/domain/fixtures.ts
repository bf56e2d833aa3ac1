import { managementTagOf } from '#lib/domain/management-tag';
import type { Violation } from '#lib/domain/validation';

export const USER_POOL = 'eu-west-1_AbCdEf123';
export const CLIENT_ID = '4example0client0id0abcdef';
export const TOPIC_ARN = 'arn:aws:sns:eu-west-1:123456789012:labeling-work';

export function pathsAndCodes(violations: Violation[]): { path: string; code: string }[] {
  return violations.map(({ path, code }) => ({ path, code }));
}

export function repeat<T>(count: number, make: (index: number) => T): T[] {
  return Array.from({ length: count }, (_, index) => make(index));
}

/** The managed-by tag of the stage `local`, as `npm start` and the tests' functions carry it. */
export const MANAGEMENT_TAG = managementTagOf('local');
