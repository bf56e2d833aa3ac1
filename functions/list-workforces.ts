/** GET /workforces — the private workforces of this account and region (SageMaker allows one per region). */
import { buildWorkteamListings } from '#lib/composition/listings';
import { httpRoute } from '#lib/handlers/http';
import { jsonResponse } from '#lib/http/errors';
import { ListQuerySchema, NoPathSchema, parseListQuery } from '#lib/http/schemas';
import { toWorkforceView } from '#lib/http/views';
import { listWorkforcesConfig, loadConfig } from '#lib/runtime/config';
import { listWorkforces } from '#lib/use-cases/read-teams';

const workteams = buildWorkteamListings(loadConfig(listWorkforcesConfig()));

export const handler = httpRoute({ query: ListQuerySchema, path: NoPathSchema }, async ({ query }) => {
  const page = await listWorkforces(workteams, parseListQuery(query));
  return jsonResponse(200, {
    workforces: page.items.map(toWorkforceView),
    ...(page.nextToken ? { nextToken: page.nextToken } : {}),
  });
});
