/**
 * What GET /teams/{name} takes: the registry and SageMaker. Apart from lib/composition/teams.ts, so that its bundle carries
 * neither SNS, Cognito nor EventBridge.
 */
import { createTeamRegistry } from '../adapters/registry';
import { createSageMakerWriter } from '../adapters/sagemaker';
import type { TeamRegistry, WorkteamWriter } from '../ports/teams';
import { documentClient } from '../runtime/clients/dynamodb';
import { sageMakerClient } from '../runtime/clients/sagemaker';
import { loadConfig, type ReadConfig, readConfigSchema } from '../runtime/config';

/** What reading one team takes: the registry and SageMaker. */
export function buildReadDeps(config: ReadConfig = loadConfig(readConfigSchema())): {
  registry: TeamRegistry;
  sagemaker: WorkteamWriter;
} {
  return {
    registry: createTeamRegistry(documentClient(config), config.TEAMS_TABLE),
    sagemaker: createSageMakerWriter(sageMakerClient(config)),
  };
}
