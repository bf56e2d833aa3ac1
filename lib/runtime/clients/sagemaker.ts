/** A target's SageMaker client, built once per container and target, and traced. */
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import type { AwsConfig } from '../config';
import { tracer } from '../observability';
import { byTarget, type ConfiguredTarget } from '../targets';
import { boundToInvocation, targetClientConfig } from './common';

let ofTarget: ((target: ConfiguredTarget) => SageMakerClient) | undefined;

export function sageMakerClient(
  config: Pick<AwsConfig, 'AWS_REGION' | 'AWS_MAX_ATTEMPTS'>,
  target: ConfiguredTarget,
): SageMakerClient {
  ofTarget ??= byTarget((each) =>
    boundToInvocation(tracer.captureAWSv3Client(new SageMakerClient(targetClientConfig(config, each)))),
  );
  return ofTarget(target);
}
