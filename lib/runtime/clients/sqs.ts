/**
 * The SQS client (the hub's: the audit hands each target's audit of a run to its queue), built once and traced. Its
 * endpoint is the region's (or AWS_ENDPOINT_URL_SQS), never the host of a queue's URL: the local SQS's URLs name a
 * host that only its own endpoint answers for.
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import type { AwsConfig } from '../config';
import { tracer } from '../observability';
import { boundToInvocation, clientConfig } from './common';

let sqs: SQSClient | undefined;

export function sqsClient(config: Pick<AwsConfig, 'AWS_REGION' | 'AWS_MAX_ATTEMPTS'>): SQSClient {
  sqs ??= boundToInvocation(
    tracer.captureAWSv3Client(new SQSClient({ ...clientConfig(config), useQueueUrlAsEndpoint: false })),
  );
  return sqs;
}
