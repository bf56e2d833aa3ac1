/** DELETE /teams/{name}/members/{group} — removes one member group; never the last one. */
import { buildTeamDeps } from '#lib/composition/teams';
import { httpRoute } from '#lib/handlers/http';
import { MemberPathSchema, NoQuerySchema } from '#lib/http/schemas';
import { teamResponse } from '#lib/http/team-responses';
import { expectedVersionsOf } from '#lib/http/views';
import { loadConfig, removeTeamMemberConfig } from '#lib/runtime/config';
import { removeTeamMember } from '#lib/use-cases/manage-teams';

const deps = buildTeamDeps(loadConfig(removeTeamMemberConfig()));

export const handler = httpRoute({ query: NoQuerySchema, path: MemberPathSchema }, async ({ actor, path, headers }) =>
  teamResponse(
    await removeTeamMember(deps, actor, path.name, path.group, expectedVersionsOf(headers['if-match'])),
    deps.managementTag,
  ),
);
