/** POST /teams — request a new work team: validated, recorded as desired state, then reconciled. */

import { dynamoClient } from '#lib/clients/dynamodb';
import { loadConfig } from '#lib/config';
import { buildTeamDeps, IdempotencyConfigSchema } from '#lib/deps';
import { httpRoute } from '#lib/http/handler';
import { idempotencyKeyMiddleware } from '#lib/http/idempotency';
import { NoPathSchema, NoQuerySchema } from '#lib/http/schemas';
import { teamResponse } from '#lib/http/team-responses';
import { createTeam } from '#lib/use-cases/manage-teams';

const config = loadConfig(IdempotencyConfigSchema);
const deps = buildTeamDeps();

export const handler = httpRoute(
  { query: NoQuerySchema, path: NoPathSchema },
  async ({ caller, body }) => teamResponse(await createTeam(deps, caller, body), true),
  { middlewares: [idempotencyKeyMiddleware(dynamoClient(config), config.IDEMPOTENCY_TABLE)] },
);
