/**
 * What GET /teams and GET /workforces take: SageMaker's listings, nothing else (their bundles carry neither
 * DynamoDB, SNS, Cognito nor EventBridge).
 */
import { createSageMakerAdapter } from '../adapters/sagemaker';
import type { WorkteamReader } from '../ports/teams';
import { sageMakerClient } from '../runtime/clients/sagemaker';
import { loadConfig, type TargetsConfig, targetsConfigSchema } from '../runtime/config';
import type { ConfiguredTarget } from '../runtime/targets';
import { targetsOf } from './targets';

/** One target's listings (the hub's by default), through the target's own SageMaker client; its tokens its own. */
export function buildWorkteamListings(
  config: TargetsConfig = loadConfig(targetsConfigSchema()),
  target: ConfiguredTarget = targetsOf(config).hub,
): WorkteamReader {
  return createSageMakerAdapter(sageMakerClient(config, target), target.hub ? '' : target.key);
}
