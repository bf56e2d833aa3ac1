/**
 * GET /teams/{name} — one work team with its tags. A team this system manages also shows its owner,
 * version, status (InSync, Pending, Drifted) and the differences between desired and live state, with an
 * ETag for If-Match; 404 TeamNotFound when neither the registry nor SageMaker knows it.
 */

import { buildReadDeps } from '#lib/composition/read';
import { httpRoute } from '#lib/handlers/http';
import { NoQuerySchema, TeamPathSchema } from '#lib/http/schemas';
import { readTeamResponse } from '#lib/http/team-responses';
import { getTeamConfig, loadConfig } from '#lib/runtime/config';
import { getTeam } from '#lib/use-cases/read-teams';

const deps = buildReadDeps(loadConfig(getTeamConfig()));

export const handler = httpRoute({ query: NoQuerySchema, path: TeamPathSchema }, async ({ path }) => {
  return readTeamResponse(await getTeam(deps, path.name), deps.managementTag);
});
