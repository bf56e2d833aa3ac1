import type { LiveWorkteam } from '#lib/domain/live';
import type { CognitoIdentity, DesiredTeam } from '#lib/domain/team';
import type { WorkteamSpec } from '#lib/domain/workteam';
import { CLIENT_ID, TOPIC_ARN, USER_POOL } from './fixtures';

export const IDENTITY: CognitoIdentity = { userPool: USER_POOL, clientId: CLIENT_ID };
export const WORKFORCE = 'default';
export const TEAM_ARN = 'arn:aws:sagemaker:eu-west-1:123456789012:workteam/private-crowd/labeling-team';

/** A `POST /teams` body that breaks no rule; tests change one thing at a time. */
export function createRequest(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'labeling-team',
    description: 'Labels the product images',
    workforceName: WORKFORCE,
    members: { cognitoGroups: ['labelers', 'reviewers'] },
    notifications: true,
    workerAccess: { sourceIp: 'Enabled', vpcSourceIp: 'Disabled' },
    tags: { classification: 'internal', 'cost-center': '4711' },
    ...overrides,
  };
}

/** A desired team that breaks no rule (nor the repository's policy). */
export function desiredTeam(overrides: Partial<DesiredTeam> = {}): DesiredTeam {
  return {
    name: 'labeling-team',
    description: 'Labels the product images',
    workforceName: WORKFORCE,
    members: { cognitoGroups: ['labelers', 'reviewers'] },
    notifications: true,
    workerAccess: { sourceIp: 'Enabled', vpcSourceIp: 'Disabled' },
    tags: { classification: 'internal', 'cost-center': '4711' },
    ...overrides,
  };
}

/** A SageMaker-level spec, as toWorkteamSpec makes it from `desiredTeam()`. */
export function workteamSpec(overrides: Partial<WorkteamSpec> = {}): WorkteamSpec {
  return {
    name: 'labeling-team',
    description: 'Labels the product images',
    workforceName: WORKFORCE,
    memberDefinitions: [
      { cognito: { userPool: USER_POOL, userGroup: 'labelers', clientId: CLIENT_ID } },
      { cognito: { userPool: USER_POOL, userGroup: 'reviewers', clientId: CLIENT_ID } },
    ],
    notificationTopicArn: TOPIC_ARN,
    workerAccess: { sourceIp: 'Enabled', vpcSourceIp: 'Disabled' },
    tags: [
      { key: 'classification', value: 'internal' },
      { key: 'cost-center', value: '4711' },
    ],
    ...overrides,
  };
}

/** The live team that matches `workteamSpec()` exactly. */
export function liveTeam(overrides: Partial<LiveWorkteam> = {}): LiveWorkteam {
  const spec = workteamSpec();
  return {
    name: spec.name,
    arn: TEAM_ARN,
    description: spec.description,
    memberDefinitions: spec.memberDefinitions,
    notificationTopicArn: spec.notificationTopicArn,
    workerAccess: spec.workerAccess,
    tags: spec.tags,
    ...overrides,
  };
}

export function thrownBy(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected the action to throw');
}
