/**
 * DELETE /teams/{name} — retires a managed team and its notification topic; the registry keeps its history.
 * Needs If-Match (the ETag read, or `*`): 428 without it, 412 when the team moved on since it was read. A
 * request normalised from `DELETE /teams/{name}/members/..` by a client or gateway carries none, so it can
 * never delete the team. `?account=&region=`: the team's target.
 */
import { depsInTargets } from '#lib/composition/targets';
import { buildTeamDeps } from '#lib/composition/teams';
import { PreconditionRequired } from '#lib/domain/errors';
import { httpRoute } from '#lib/handlers/http';
import { jsonResponse } from '#lib/http/errors';
import { TargetQuerySchema, TeamPathSchema } from '#lib/http/schemas';
import { expectedVersionsOf } from '#lib/http/views';
import { deleteTeamConfig, loadConfig } from '#lib/runtime/config';
import { deleteTeam } from '#lib/use-cases/manage-teams';

const config = loadConfig(deleteTeamConfig());
const inTarget = depsInTargets(config, (target) => buildTeamDeps(config, target));

export const handler = httpRoute(
  { query: TargetQuerySchema, path: TeamPathSchema },
  async ({ actor, path, query, headers }) => {
    const ifMatch = headers['if-match'];
    if (ifMatch === undefined || ifMatch.trim() === '') {
      throw new PreconditionRequired(`Send If-Match with the ETag of '${path.name}' (or *) to delete it`);
    }
    const { target, deps } = await inTarget(query);
    const result = await deleteTeam(deps, actor, path.name, expectedVersionsOf(ifMatch, target));
    if (result.outcome === 'pending') return jsonResponse(202, { name: result.name, status: 'Pending' });
    if (result.outcome === 'failed') return jsonResponse(202, { name: result.name, status: 'Failed' });
    return { statusCode: 204 };
  },
);
