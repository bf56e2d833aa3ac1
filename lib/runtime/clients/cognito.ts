/**
 * A target's Cognito user pools client, built once per container and target, traced, and paced at the pools'
 * request-rate quotas (per account and region: each target's client has its own pace).
 */
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import type { AwsConfig } from '../config';
import { tracer } from '../observability';
import { byTarget, type ConfiguredTarget } from '../targets';
import { boundToInvocation, targetClientConfig } from './common';
import { type PaceRule, pacedByQuotas } from './pacing';

let ofTarget: ((target: ConfiguredTarget) => CognitoIdentityProviderClient) | undefined;

const perPool = (input: Record<string, unknown>) =>
  typeof input.UserPoolId === 'string' ? input.UserPoolId : undefined;

/**
 * The quotas of the calls this project makes (Amazon Cognito developer guide, "Quotas": API request rate quotas
 * by category, per account and region; the pool resource categories also allow each operation 5 a second per
 * pool).
 */
const COGNITO_QUOTAS: Record<string, PaceRule[]> = {
  ListUsers: [{ quota: 'UserList', perSecond: 30 }],
  ListUsersInGroup: [{ quota: 'UserList', perSecond: 30 }],
  GetGroup: [
    { quota: 'UserPoolResourceRead', perSecond: 20 },
    { quota: 'GetGroup', perSecond: 5, resourceOf: perPool },
  ],
  AdminListGroupsForUser: [{ quota: 'UserResourceRead', perSecond: 50 }],
};

/** The client paced at the quotas above (for a client built elsewhere, such as a test's). */
export function pacedAtCognitoQuotas(client: CognitoIdentityProviderClient): CognitoIdentityProviderClient {
  return pacedByQuotas(client, COGNITO_QUOTAS);
}

export function cognitoClient(
  config: Pick<AwsConfig, 'AWS_REGION' | 'AWS_MAX_ATTEMPTS'>,
  target: ConfiguredTarget,
): CognitoIdentityProviderClient {
  ofTarget ??= byTarget((each) =>
    boundToInvocation(
      pacedAtCognitoQuotas(
        tracer.captureAWSv3Client(new CognitoIdentityProviderClient(targetClientConfig(config, each, 'adaptive'))),
      ),
    ),
  );
  return ofTarget(target);
}
