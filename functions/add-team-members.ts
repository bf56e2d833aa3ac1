/** POST /teams/{name}/members — adds member groups, keeping every existing one. */
import { buildTeamDeps } from '#lib/composition/teams';
import { httpRoute } from '#lib/handlers/http';
import { parseMembers } from '#lib/http/requests';
import { NoQuerySchema, TeamPathSchema } from '#lib/http/schemas';
import { teamResponse } from '#lib/http/team-responses';
import { expectedVersionsOf } from '#lib/http/views';
import { addTeamMembersConfig, loadConfig } from '#lib/runtime/config';
import { addTeamMembers } from '#lib/use-cases/manage-teams';

const deps = buildTeamDeps(loadConfig(addTeamMembersConfig()));

export const handler = httpRoute(
  { query: NoQuerySchema, path: TeamPathSchema },
  async ({ actor, path, body, headers }) =>
    teamResponse(
      await addTeamMembers(deps, actor, path.name, parseMembers(body), expectedVersionsOf(headers['if-match'])),
      deps.managementTag,
    ),
);
