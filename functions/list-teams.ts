/** GET /teams — work teams of this account and region, paginated. */
import { buildWorkteamListings } from '#lib/composition/listings';
import { httpRoute } from '#lib/handlers/http';
import { jsonResponse } from '#lib/http/errors';
import { ListQuerySchema, NoPathSchema, parseListQuery } from '#lib/http/schemas';
import { toTeamView } from '#lib/http/views';
import { listTeamsConfig, loadConfig } from '#lib/runtime/config';
import { listTeams } from '#lib/use-cases/read-teams';

const workteams = buildWorkteamListings(loadConfig(listTeamsConfig()));

export const handler = httpRoute({ query: ListQuerySchema, path: NoPathSchema }, async ({ query }) => {
  const page = await listTeams(workteams, parseListQuery(query));
  return jsonResponse(200, {
    teams: page.items.map(toTeamView),
    ...(page.nextToken ? { nextToken: page.nextToken } : {}),
  });
});
