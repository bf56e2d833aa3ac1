/** The CloudTrail client (the audit's reads of the region's trails), built once per container and traced. */
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import type { AwsConfig } from '../config';
import { tracer } from '../observability';
import { boundToInvocation, clientConfig } from './common';

let cloudTrail: CloudTrailClient | undefined;

export function cloudTrailClient(config: Pick<AwsConfig, 'AWS_REGION' | 'AWS_MAX_ATTEMPTS'>): CloudTrailClient {
  cloudTrail ??= boundToInvocation(tracer.captureAWSv3Client(new CloudTrailClient(clientConfig(config))));
  return cloudTrail;
}
