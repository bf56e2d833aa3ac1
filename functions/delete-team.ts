/**
 * DELETE /teams/{name} — retires a managed team and its notification topic; the registry keeps its history.
 * Honours If-Match (412 when the team moved on since it was read).
 */
import { buildTeamDeps } from '#lib/deps';
import { jsonResponse } from '#lib/http/errors';
import { httpRoute } from '#lib/http/handler';
import { NoQuerySchema, TeamPathSchema } from '#lib/http/schemas';
import { deleteTeam } from '#lib/use-cases/manage-teams';

const deps = buildTeamDeps();

export const handler = httpRoute({ query: NoQuerySchema, path: TeamPathSchema }, async ({ caller, path, headers }) => {
  const result = await deleteTeam(deps, caller, path.name, headers['if-match']);
  if (result.outcome === 'pending') return jsonResponse(202, { name: result.name, status: 'Pending' });
  if (result.outcome === 'failed') return jsonResponse(202, { name: result.name, status: 'Failed' });
  return { statusCode: 204 };
});
