/**
 * What GET /teams/{name} takes: the registry and SageMaker. Apart from lib/composition/teams.ts, so that its bundle carries
 * neither SNS, Cognito nor EventBridge.
 */
import type { z } from 'zod';
import { createTeamRegistry } from '../adapters/registry';
import { createSageMakerAdapter, createSageMakerWriter } from '../adapters/sagemaker';
import type { TeamRegistry, WorkteamWriter } from '../ports/teams';
import { documentClient } from '../runtime/clients/dynamodb';
import { sageMakerClient } from '../runtime/clients/sagemaker';
import { type AwsConfig, AwsConfigSchema, loadConfig, ReadConfigSchema } from '../runtime/config';

/** What reading one team takes: the registry and SageMaker. */
export function buildReadDeps(config: z.infer<typeof ReadConfigSchema> = loadConfig(ReadConfigSchema)): {
  registry: TeamRegistry;
  sagemaker: WorkteamWriter;
} {
  return {
    registry: createTeamRegistry(documentClient(config), config.TEAMS_TABLE),
    sagemaker: createSageMakerWriter(sageMakerClient(config)),
  };
}

/** What listing teams and workforces takes: SageMaker's listings, nothing else. */
export function buildWorkteamListings(config: AwsConfig = loadConfig(AwsConfigSchema)) {
  return createSageMakerAdapter(sageMakerClient(config));
}
