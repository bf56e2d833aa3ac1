/** A target's CloudTrail client (the audit's reads of the region's trails), built once per container and target. */
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import type { AwsConfig } from '../config';
import { tracer } from '../observability';
import { byTarget, type ConfiguredTarget } from '../targets';
import { boundToInvocation, targetClientConfig } from './common';

let ofTarget: ((target: ConfiguredTarget) => CloudTrailClient) | undefined;

export function cloudTrailClient(
  config: Pick<AwsConfig, 'AWS_REGION' | 'AWS_MAX_ATTEMPTS'>,
  target: ConfiguredTarget,
): CloudTrailClient {
  ofTarget ??= byTarget((each) =>
    boundToInvocation(tracer.captureAWSv3Client(new CloudTrailClient(targetClientConfig(config, each)))),
  );
  return ofTarget(target);
}
