/** DELETE /teams/{name} — retires a managed team and its notification topic; the registry keeps its history. */
import { buildTeamDeps } from '#lib/deps';
import { jsonResponse } from '#lib/http/errors';
import { httpRoute } from '#lib/http/handler';
import { NoQuerySchema, TeamPathSchema } from '#lib/http/schemas';
import { deleteTeam } from '#lib/use-cases/manage-teams';

const deps = buildTeamDeps();

export const handler = httpRoute({ query: NoQuerySchema, path: TeamPathSchema }, async ({ caller, path }) => {
  const result = await deleteTeam(deps, caller, path.name);
  if (result.outcome === 'pending') return jsonResponse(202, { name: result.name, status: 'Pending' });
  return { statusCode: 204 };
});
