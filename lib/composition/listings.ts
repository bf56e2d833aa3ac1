/**
 * What GET /teams and GET /workforces take: SageMaker's listings, nothing else (their bundles carry neither
 * DynamoDB, SNS, Cognito nor EventBridge).
 */
import { createSageMakerAdapter } from '../adapters/sagemaker';
import type { WorkteamReader } from '../ports/teams';
import { sageMakerClient } from '../runtime/clients/sagemaker';
import { type AwsConfig, awsConfigSchema, loadConfig } from '../runtime/config';

export function buildWorkteamListings(config: AwsConfig = loadConfig(awsConfigSchema())): WorkteamReader {
  return createSageMakerAdapter(sageMakerClient(config));
}
