/** The SNS client, built once per container, traced, and paced at SNS's request-rate quotas. */
import { SNSClient } from '@aws-sdk/client-sns';
import type { AwsConfig } from '../config';
import { tracer } from '../observability';
import { boundToInvocation, clientConfig } from './common';
import { type PaceRule, pacedByQuotas } from './pacing';

let sns: SNSClient | undefined;

/** The quotas of the subscription calls (SNS API reference: throttled at so many transactions a second). */
const SNS_QUOTAS: Record<string, PaceRule[]> = {
  Subscribe: [{ quota: 'Subscribe', perSecond: 100 }],
  Unsubscribe: [{ quota: 'Unsubscribe', perSecond: 100 }],
  ListSubscriptionsByTopic: [{ quota: 'ListSubscriptionsByTopic', perSecond: 30 }],
};

/** The client paced at the quotas above (for a client built elsewhere, such as a test's). */
export function pacedAtSnsQuotas(client: SNSClient): SNSClient {
  return pacedByQuotas(client, SNS_QUOTAS);
}

export function snsClient(config: Pick<AwsConfig, 'AWS_REGION' | 'AWS_MAX_ATTEMPTS'>): SNSClient {
  sns ??= boundToInvocation(
    pacedAtSnsQuotas(tracer.captureAWSv3Client(new SNSClient(clientConfig(config, 'adaptive')))),
  );
  return sns;
}
