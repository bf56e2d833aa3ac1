/** The SageMaker client, built once per container and traced. */
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import type { AwsConfig } from '../config';
import { tracer } from '../observability';
import { boundToInvocation, clientConfig } from './common';

let sageMaker: SageMakerClient | undefined;

export function sageMakerClient(config: Pick<AwsConfig, 'AWS_REGION' | 'AWS_MAX_ATTEMPTS'>): SageMakerClient {
  sageMaker ??= boundToInvocation(tracer.captureAWSv3Client(new SageMakerClient(clientConfig(config))));
  return sageMaker;
}
