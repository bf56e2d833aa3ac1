/** The EventBridge client, built once per container and traced. */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { AwsConfig } from '../config';
import { tracer } from '../observability';
import { boundToInvocation, clientConfig } from './common';

let eventBridge: EventBridgeClient | undefined;

export function eventBridgeClient(config: Pick<AwsConfig, 'AWS_REGION' | 'AWS_MAX_ATTEMPTS'>): EventBridgeClient {
  eventBridge ??= boundToInvocation(tracer.captureAWSv3Client(new EventBridgeClient(clientConfig(config))));
  return eventBridge;
}
