import type { Violation } from '#lib/domain/validation';

export const USER_POOL = 'eu-west-1_AbCdEf123';
export const CLIENT_ID = '4example0client0id0abcdef';
export const TOPIC_ARN = 'arn:aws:sns:eu-west-1:123456789012:labeling-work';

export function cognitoDefinition(userGroup: string, overrides: Record<string, unknown> = {}) {
  return { cognito: { userPool: USER_POOL, userGroup, clientId: CLIENT_ID, ...overrides } };
}

export function oidcDefinition(...groups: unknown[]) {
  return { oidc: { groups } };
}

/** A CreateWorkteam body that breaks no rule; tests change one thing at a time. */
export function validSpec(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'labeling-team',
    description: 'Labels the product images',
    workforceName: 'default',
    memberDefinitions: [cognitoDefinition('labelers'), cognitoDefinition('reviewers')],
    notificationTopicArn: TOPIC_ARN,
    workerAccess: { sourceIp: 'Enabled', vpcSourceIp: 'Disabled' },
    tags: [
      { key: 'project', value: 'catalogue' },
      { key: 'owner', value: 'data-team' },
    ],
    ...overrides,
  };
}

export function pathsAndCodes(violations: Violation[]): { path: string; code: string }[] {
  return violations.map(({ path, code }) => ({ path, code }));
}

export function repeat<T>(count: number, make: (index: number) => T): T[] {
  return Array.from({ length: count }, (_, index) => make(index));
}
