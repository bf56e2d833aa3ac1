/** DELETE /teams/{name}/members/{group} — removes one member group; never the last one (`?account=&region=`). */
import { depsInTargets } from '#lib/composition/targets';
import { buildTeamDeps } from '#lib/composition/teams';
import { httpRoute } from '#lib/handlers/http';
import { MemberPathSchema, TargetQuerySchema } from '#lib/http/schemas';
import { teamResponse } from '#lib/http/team-responses';
import { expectedVersionsOf } from '#lib/http/views';
import { loadConfig, removeTeamMemberConfig } from '#lib/runtime/config';
import { removeTeamMember } from '#lib/use-cases/manage-teams';

const config = loadConfig(removeTeamMemberConfig());
const inTarget = depsInTargets(config, (target) => buildTeamDeps(config, target));

export const handler = httpRoute(
  { query: TargetQuerySchema, path: MemberPathSchema },
  async ({ actor, path, query, headers }) => {
    const { target, deps } = await inTarget(query);
    return teamResponse(
      await removeTeamMember(deps, actor, path.name, path.group, expectedVersionsOf(headers['if-match'], target)),
      deps.managementTag,
      target,
    );
  },
);
