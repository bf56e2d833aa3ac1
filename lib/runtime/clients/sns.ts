/**
 * A target's SNS client, built once per container and target, traced, and paced at SNS's request-rate quotas
 * (which are per account and region: each target's client has its own pace).
 */
import { SNSClient } from '@aws-sdk/client-sns';
import type { AwsConfig } from '../config';
import { tracer } from '../observability';
import { byTarget, type ConfiguredTarget } from '../targets';
import { boundToInvocation, targetClientConfig } from './common';
import { type PaceRule, pacedByQuotas } from './pacing';

let ofTarget: ((target: ConfiguredTarget) => SNSClient) | undefined;

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

export function snsClient(
  config: Pick<AwsConfig, 'AWS_REGION' | 'AWS_MAX_ATTEMPTS'>,
  target: ConfiguredTarget,
): SNSClient {
  ofTarget ??= byTarget((each) =>
    boundToInvocation(
      pacedAtSnsQuotas(tracer.captureAWSv3Client(new SNSClient(targetClientConfig(config, each, 'adaptive')))),
    ),
  );
  return ofTarget(target);
}
