/**
 * A target's Resource Groups Tagging API client (the audit reads a page of teams' tags in one GetResources call),
 * built once per container and target, and traced.
 */
import { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import type { AwsConfig } from '../config';
import { tracer } from '../observability';
import { byTarget, type ConfiguredTarget } from '../targets';
import { boundToInvocation, targetClientConfig } from './common';

let ofTarget: ((target: ConfiguredTarget) => ResourceGroupsTaggingAPIClient) | undefined;

export function taggingClient(
  config: Pick<AwsConfig, 'AWS_REGION' | 'AWS_MAX_ATTEMPTS'>,
  target: ConfiguredTarget,
): ResourceGroupsTaggingAPIClient {
  ofTarget ??= byTarget((each) =>
    boundToInvocation(tracer.captureAWSv3Client(new ResourceGroupsTaggingAPIClient(targetClientConfig(config, each)))),
  );
  return ofTarget(target);
}
