/** PATCH /teams/{name} — JSON merge patch of description, workerAccess, notifications, tags; honours If-Match. */
import { buildTeamDeps } from '#lib/composition/teams';
import { httpRoute } from '#lib/handlers/http';
import { parseTeamPatch } from '#lib/http/requests';
import { NoQuerySchema, TeamPathSchema } from '#lib/http/schemas';
import { teamResponse } from '#lib/http/team-responses';
import { expectedVersionsOf } from '#lib/http/views';
import { loadConfig, updateTeamConfig } from '#lib/runtime/config';
import { updateTeam } from '#lib/use-cases/manage-teams';

const deps = buildTeamDeps(loadConfig(updateTeamConfig()));

export const handler = httpRoute(
  { query: NoQuerySchema, path: TeamPathSchema },
  async ({ actor, path, body, headers }) =>
    teamResponse(
      await updateTeam(deps, actor, path.name, parseTeamPatch(body), expectedVersionsOf(headers['if-match'])),
      deps.managementTag,
    ),
);
