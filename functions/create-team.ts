/**
 * POST /teams — request a new work team: validated, recorded as desired state, then reconciled; in the target the
 * body's `account` and `region` name (the hub's when left out).
 */

import { depsInTargets } from '#lib/composition/targets';
import { buildTeamDeps } from '#lib/composition/teams';
import { mayRequestTeams } from '#lib/domain/actor';
import { httpRoute } from '#lib/handlers/http';
import { idempotencyKeyMiddleware } from '#lib/http/idempotency';
import { parseCreateTeamBody } from '#lib/http/requests';
import { NoPathSchema, NoQuerySchema } from '#lib/http/schemas';
import { teamResponse } from '#lib/http/team-responses';
import { dynamoClient } from '#lib/runtime/clients/dynamodb';
import { createTeamConfig, loadConfig } from '#lib/runtime/config';
import { createTeam } from '#lib/use-cases/manage-teams';

const config = loadConfig(createTeamConfig());
const inTarget = depsInTargets(config, (target) => buildTeamDeps(config, target));

export const handler = httpRoute(
  { query: NoQuerySchema, path: NoPathSchema },
  async ({ actor, body }) => {
    // Refused before the body is read: a refusal costs nothing and tells nothing.
    mayRequestTeams(actor);
    const request = parseCreateTeamBody(body);
    const { target, deps } = await inTarget(request.target);
    return teamResponse(await createTeam(deps, actor, request.team), deps.managementTag, target, true);
  },
  { middlewares: [idempotencyKeyMiddleware(dynamoClient(config), config.IDEMPOTENCY_TABLE)] },
);
