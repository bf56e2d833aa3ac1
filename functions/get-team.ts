/**
 * GET /teams/{name} — one work team with its tags. A team this system manages also shows its owner,
 * version, status (InSync, Pending, Drifted) and the differences between desired and live state, with an
 * ETag for If-Match; 404 TeamNotFound when neither the registry nor SageMaker knows it. `?account=&region=`: the
 * team's target.
 */

import { buildReadDeps } from '#lib/composition/read';
import { depsInTargets } from '#lib/composition/targets';
import { httpRoute } from '#lib/handlers/http';
import { TargetQuerySchema, TeamPathSchema } from '#lib/http/schemas';
import { readTeamResponse } from '#lib/http/team-responses';
import { getTeamConfig, loadConfig } from '#lib/runtime/config';
import { getTeam } from '#lib/use-cases/read-teams';

const config = loadConfig(getTeamConfig());
const inTarget = depsInTargets(config, (target) => buildReadDeps(config, target));

export const handler = httpRoute({ query: TargetQuerySchema, path: TeamPathSchema }, async ({ path, query }) => {
  const { target, deps } = await inTarget(query);
  return readTeamResponse(await getTeam(deps, path.name), deps.managementTag, target);
});
