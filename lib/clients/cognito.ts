/** The Cognito user pools client, built once per container and traced. */
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import type { AwsConfig } from '../config';
import { tracer } from '../observability';
import { boundToInvocation, clientConfig } from './common';

let cognito: CognitoIdentityProviderClient | undefined;

export function cognitoClient(
  config: Pick<AwsConfig, 'AWS_REGION' | 'AWS_MAX_ATTEMPTS'>,
): CognitoIdentityProviderClient {
  cognito ??= boundToInvocation(tracer.captureAWSv3Client(new CognitoIdentityProviderClient(clientConfig(config))));
  return cognito;
}
