/**
 * PATCH /teams/{name} — JSON merge patch of description, workerAccess, notifications, tags; honours If-Match
 * (`?account=&region=`: the team's target).
 */
import { depsInTargets } from '#lib/composition/targets';
import { buildTeamDeps } from '#lib/composition/teams';
import { httpRoute } from '#lib/handlers/http';
import { parseTeamPatch } from '#lib/http/requests';
import { TargetQuerySchema, TeamPathSchema } from '#lib/http/schemas';
import { teamResponse } from '#lib/http/team-responses';
import { expectedVersionsOf } from '#lib/http/views';
import { loadConfig, updateTeamConfig } from '#lib/runtime/config';
import { updateTeam } from '#lib/use-cases/manage-teams';

const config = loadConfig(updateTeamConfig());
const inTarget = depsInTargets(config, (target) => buildTeamDeps(config, target));

export const handler = httpRoute(
  { query: TargetQuerySchema, path: TeamPathSchema },
  async ({ actor, path, query, body, headers }) => {
    const patch = parseTeamPatch(body);
    const { target, deps } = await inTarget(query);
    return teamResponse(
      await updateTeam(deps, actor, path.name, patch, expectedVersionsOf(headers['if-match'], target)),
      deps.managementTag,
      target,
    );
  },
);
