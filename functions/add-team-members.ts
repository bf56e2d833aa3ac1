/** POST /teams/{name}/members — adds member groups, keeping every existing one (`?account=&region=`: its target). */
import { depsInTargets } from '#lib/composition/targets';
import { buildTeamDeps } from '#lib/composition/teams';
import { httpRoute } from '#lib/handlers/http';
import { parseMembers } from '#lib/http/requests';
import { TargetQuerySchema, TeamPathSchema } from '#lib/http/schemas';
import { teamResponse } from '#lib/http/team-responses';
import { expectedVersionsOf } from '#lib/http/views';
import { addTeamMembersConfig, loadConfig } from '#lib/runtime/config';
import { addTeamMembers } from '#lib/use-cases/manage-teams';

const config = loadConfig(addTeamMembersConfig());
const inTarget = depsInTargets(config, (target) => buildTeamDeps(config, target));

export const handler = httpRoute(
  { query: TargetQuerySchema, path: TeamPathSchema },
  async ({ actor, path, query, body, headers }) => {
    const members = parseMembers(body);
    const { target, deps } = await inTarget(query);
    return teamResponse(
      await addTeamMembers(deps, actor, path.name, members, expectedVersionsOf(headers['if-match'], target)),
      deps.managementTag,
      target,
    );
  },
);
