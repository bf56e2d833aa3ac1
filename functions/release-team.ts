/**
 * POST /teams/{name}/release — administrators stop managing a team without changing it in SageMaker: its record is
 * closed, this stage's managed-by tag removed, its topic left to it. Needs If-Match (the ETag read, or `*`): 428
 * without it, 412 when the team moved on since it was read. 200 with the team as GET /teams/{name} now shows it.
 * `?account=&region=`: the team's target.
 */
import { depsInTargets } from '#lib/composition/targets';
import { buildTeamDeps } from '#lib/composition/teams';
import { mustBeAdmin } from '#lib/domain/actor';
import { PreconditionRequired } from '#lib/domain/errors';
import { httpRoute } from '#lib/handlers/http';
import { TargetQuerySchema, TeamPathSchema } from '#lib/http/schemas';
import { readTeamResponse } from '#lib/http/team-responses';
import { expectedVersionsOf } from '#lib/http/views';
import { loadConfig, releaseTeamConfig } from '#lib/runtime/config';
import { releaseTeam } from '#lib/use-cases/adopt-release';

const config = loadConfig(releaseTeamConfig());
const inTarget = depsInTargets(config, (target) => buildTeamDeps(config, target));

export const handler = httpRoute(
  { query: TargetQuerySchema, path: TeamPathSchema },
  async ({ actor, path, query, headers }) => {
    mustBeAdmin(actor, 'release teams');
    const ifMatch = headers['if-match'];
    if (ifMatch === undefined || ifMatch.trim() === '') {
      throw new PreconditionRequired(`Send If-Match with the ETag of '${path.name}' (or *) to release it`);
    }
    const { target, deps } = await inTarget(query);
    const live = await releaseTeam(deps, actor, { name: path.name, expected: expectedVersionsOf(ifMatch, target) });
    return readTeamResponse({ live }, deps.managementTag, target);
  },
);
