/** DELETE /teams/{name}/members/{group} — removes one member group; never the last one. */
import { buildTeamDeps } from '#lib/deps';
import { httpRoute } from '#lib/http/handler';
import { MemberPathSchema, NoQuerySchema } from '#lib/http/schemas';
import { teamResponse } from '#lib/http/team-responses';
import { expectedVersionsOf } from '#lib/http/views';
import { removeTeamMember } from '#lib/use-cases/manage-teams';

const deps = buildTeamDeps();

export const handler = httpRoute({ query: NoQuerySchema, path: MemberPathSchema }, async ({ caller, path, headers }) =>
  teamResponse(await removeTeamMember(deps, caller, path.name, path.group, expectedVersionsOf(headers['if-match']))),
);
