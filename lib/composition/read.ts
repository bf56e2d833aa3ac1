/**
 * What GET /teams/{name} takes: the registry and SageMaker. Apart from lib/composition/teams.ts, so that its bundle carries
 * neither SNS, Cognito nor EventBridge.
 */
import { createTeamRegistry, teamKeyPrefix } from '../adapters/registry';
import { createSageMakerWriter } from '../adapters/sagemaker';
import { managementTagOf } from '../domain/management-tag';
import type { Tag } from '../domain/workteam';
import type { TeamRegistry, WorkteamWriter } from '../ports/teams';
import { documentClient } from '../runtime/clients/dynamodb';
import { sageMakerClient } from '../runtime/clients/sagemaker';
import { loadConfig, type ReadConfig, readConfigSchema } from '../runtime/config';
import type { ConfiguredTarget } from '../runtime/targets';
import { targetsOf } from './targets';

/**
 * What reading one team takes: the registry, SageMaker, and the stage's managed-by tag (a managed team without it
 * shows as drifted).
 */
export function buildReadDeps(
  config: ReadConfig = loadConfig(readConfigSchema()),
  target: ConfiguredTarget = targetsOf(config).hub,
): {
  registry: TeamRegistry;
  sagemaker: WorkteamWriter;
  managementTag: Tag;
} {
  return {
    registry: createTeamRegistry(documentClient(config), config.TEAMS_TABLE, teamKeyPrefix(target)),
    sagemaker: createSageMakerWriter(sageMakerClient(config, target)),
    managementTag: managementTagOf(config.STAGE),
  };
}
