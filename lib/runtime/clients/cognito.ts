/** The Cognito user pools client, built once per container, traced, and paced at the pool's request-rate quotas. */
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import type { AwsConfig } from '../config';
import { tracer } from '../observability';
import { boundToInvocation, clientConfig } from './common';
import { type PaceRule, pacedByQuotas } from './pacing';

let cognito: CognitoIdentityProviderClient | undefined;

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
): CognitoIdentityProviderClient {
  cognito ??= boundToInvocation(
    pacedAtCognitoQuotas(
      tracer.captureAWSv3Client(new CognitoIdentityProviderClient(clientConfig(config, 'adaptive'))),
    ),
  );
  return cognito;
}
