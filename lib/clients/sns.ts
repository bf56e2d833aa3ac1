/** The SNS client, built once per container and traced. */
import { SNSClient } from '@aws-sdk/client-sns';
import type { AwsConfig } from '../config';
import { tracer } from '../observability';
import { boundToInvocation, clientConfig } from './common';

let sns: SNSClient | undefined;

export function snsClient(config: Pick<AwsConfig, 'AWS_REGION' | 'AWS_MAX_ATTEMPTS'>): SNSClient {
  sns ??= boundToInvocation(tracer.captureAWSv3Client(new SNSClient(clientConfig(config))));
  return sns;
}
