/**
 * GET /workforces — the private workforces of one target (`?account=&region=`, the hub's by default; SageMaker
 * allows one per account and region).
 */
import { buildWorkteamListings } from '#lib/composition/listings';
import { depsInTargets } from '#lib/composition/targets';
import { httpRoute } from '#lib/handlers/http';
import { jsonResponse } from '#lib/http/errors';
import { ListQuerySchema, NoPathSchema, parseListQuery } from '#lib/http/schemas';
import { toWorkforceView } from '#lib/http/views';
import { listWorkforcesConfig, loadConfig } from '#lib/runtime/config';
import { listWorkforces } from '#lib/use-cases/read-teams';

const config = loadConfig(listWorkforcesConfig());
const listingsIn = depsInTargets(config, (target) => buildWorkteamListings(config, target));

export const handler = httpRoute({ query: ListQuerySchema, path: NoPathSchema }, async ({ query }) => {
  const list = parseListQuery(query);
  const { deps: workteams } = await listingsIn(query);
  const page = await listWorkforces(workteams, list);
  return jsonResponse(200, {
    workforces: page.items.map(toWorkforceView),
    ...(page.nextToken ? { nextToken: page.nextToken } : {}),
  });
});
