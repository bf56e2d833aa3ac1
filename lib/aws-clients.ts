/**
 * AWS SDK v3 clients, built once per container and traced. Endpoints come from the SDK's own
 * AWS_ENDPOINT_URL_<SERVICE> variables, so the same code reaches AWS or the local cloud without a branch.
 */
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { SNSClient } from '@aws-sdk/client-sns';
import type { AwsConfig } from './config';
import { invocationSignal } from './invocation';
import { tracer } from './observability';

let sageMaker: SageMakerClient | undefined;
let sns: SNSClient | undefined;
let cognito: CognitoIdentityProviderClient | undefined;
let eventBridge: EventBridgeClient | undefined;

function clientConfig(config: AwsConfig) {
  return { region: config.AWS_REGION, maxAttempts: config.AWS_MAX_ATTEMPTS, retryMode: 'standard' as const };
}

/**
 * Every call of the client carries the running invocation's AbortSignal (lib/invocation.ts), unless the caller
 * gives its own options: paginators and adapters stay unaware of it, and nothing outlives the invocation.
 */
function boundToInvocation<C extends { send: (...args: never[]) => unknown }>(client: C): C {
  const send = client.send.bind(client) as (command: unknown, options?: unknown) => unknown;
  (client as { send: unknown }).send = (command: unknown, options?: unknown) => {
    const signal = invocationSignal();
    if (options !== undefined || signal === undefined) return send(command, options);
    return send(command, { abortSignal: signal });
  };
  return client;
}

export function sageMakerClient(config: AwsConfig): SageMakerClient {
  sageMaker ??= boundToInvocation(tracer.captureAWSv3Client(new SageMakerClient(clientConfig(config))));
  return sageMaker;
}

export function snsClient(config: AwsConfig): SNSClient {
  sns ??= boundToInvocation(tracer.captureAWSv3Client(new SNSClient(clientConfig(config))));
  return sns;
}

export function cognitoClient(config: AwsConfig): CognitoIdentityProviderClient {
  cognito ??= boundToInvocation(tracer.captureAWSv3Client(new CognitoIdentityProviderClient(clientConfig(config))));
  return cognito;
}

export function eventBridgeClient(config: AwsConfig): EventBridgeClient {
  eventBridge ??= boundToInvocation(tracer.captureAWSv3Client(new EventBridgeClient(clientConfig(config))));
  return eventBridge;
}
