/** GET /teams — the work teams of one target (`?account=&region=`, the hub's by default), paginated. */
import { buildWorkteamListings } from '#lib/composition/listings';
import { depsInTargets } from '#lib/composition/targets';
import { httpRoute } from '#lib/handlers/http';
import { jsonResponse } from '#lib/http/errors';
import { ListQuerySchema, NoPathSchema, parseListQuery } from '#lib/http/schemas';
import { inTarget, toTeamView } from '#lib/http/views';
import { listTeamsConfig, loadConfig } from '#lib/runtime/config';
import { listTeams } from '#lib/use-cases/read-teams';

const config = loadConfig(listTeamsConfig());
const listingsIn = depsInTargets(config, (target) => buildWorkteamListings(config, target));

export const handler = httpRoute({ query: ListQuerySchema, path: NoPathSchema }, async ({ query }) => {
  const list = parseListQuery(query);
  const { target, deps: workteams } = await listingsIn(query);
  const page = await listTeams(workteams, list);
  return jsonResponse(200, {
    teams: page.items.map((team) => inTarget(toTeamView(team), target)),
    ...(page.nextToken ? { nextToken: page.nextToken } : {}),
  });
});
