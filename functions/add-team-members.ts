/** POST /teams/{name}/members — adds member groups, keeping every existing one. */
import { buildTeamDeps } from '#lib/deps';
import { httpRoute } from '#lib/http/handler';
import { NoQuerySchema, TeamPathSchema } from '#lib/http/schemas';
import { teamResponse } from '#lib/http/team-responses';
import { expectedVersionsOf } from '#lib/http/views';
import { addTeamMembers } from '#lib/use-cases/manage-teams';

const deps = buildTeamDeps();

export const handler = httpRoute(
  { query: NoQuerySchema, path: TeamPathSchema },
  async ({ caller, path, body, headers }) =>
    teamResponse(await addTeamMembers(deps, caller, path.name, body, expectedVersionsOf(headers['if-match']))),
);
