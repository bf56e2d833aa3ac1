/**
 * POST /teams/{name}/release — administrators stop managing a team without changing it in SageMaker: its record is
 * closed, this stage's managed-by tag removed, its topic left to it. Needs If-Match (the ETag read, or `*`): 428
 * without it, 412 when the team moved on since it was read. 200 with the team as GET /teams/{name} now shows it.
 */
import { buildTeamDeps } from '#lib/composition/teams';
import { mustBeAdmin } from '#lib/domain/actor';
import { PreconditionRequired } from '#lib/domain/errors';
import { httpRoute } from '#lib/handlers/http';
import { NoQuerySchema, TeamPathSchema } from '#lib/http/schemas';
import { readTeamResponse } from '#lib/http/team-responses';
import { expectedVersionsOf } from '#lib/http/views';
import { loadConfig, releaseTeamConfig } from '#lib/runtime/config';
import { releaseTeam } from '#lib/use-cases/adopt-release';

const deps = buildTeamDeps(loadConfig(releaseTeamConfig()));

export const handler = httpRoute({ query: NoQuerySchema, path: TeamPathSchema }, async ({ actor, path, headers }) => {
  mustBeAdmin(actor, 'release teams');
  const expected = expectedVersionsOf(headers['if-match']);
  if (expected === undefined || headers['if-match']?.trim() === '') {
    throw new PreconditionRequired(`Send If-Match with the ETag of '${path.name}' (or *) to release it`);
  }
  return readTeamResponse({ live: await releaseTeam(deps, actor, { name: path.name, expected }) }, deps.managementTag);
});
