/**
 * POST /teams/{name}/adopt — administrators take a team nobody manages under management: its live state becomes
 * its desired state, this stage's managed-by tag is added, an owner recorded (`{ "owner"?: "<sub>" }`, default the
 * caller). 201 with the team's view; 409 when it is managed already (here or by another stage), 404 when SageMaker
 * has no such team. `?account=&region=`: the team's target.
 */
import { depsInTargets } from '#lib/composition/targets';
import { buildTeamDeps } from '#lib/composition/teams';
import { mustBeAdmin } from '#lib/domain/actor';
import { httpRoute } from '#lib/handlers/http';
import { parseAdoptTeamRequest } from '#lib/http/requests';
import { TargetQuerySchema, TeamPathSchema } from '#lib/http/schemas';
import { teamResponse } from '#lib/http/team-responses';
import { adoptTeamConfig, loadConfig } from '#lib/runtime/config';
import { adoptTeam } from '#lib/use-cases/adopt-release';

const config = loadConfig(adoptTeamConfig());
const inTarget = depsInTargets(config, (target) => buildTeamDeps(config, target));

export const handler = httpRoute(
  { query: TargetQuerySchema, path: TeamPathSchema },
  async ({ actor, path, query, body }) => {
    // Refused before the body is read: a refusal costs nothing and tells nothing.
    mustBeAdmin(actor, 'adopt teams');
    const request = parseAdoptTeamRequest(path.name, body);
    const { target, deps } = await inTarget(query);
    return teamResponse(await adoptTeam(deps, actor, request), deps.managementTag, target, true);
  },
);
