/** GET /teams — work teams of this account and region, paginated. */
import { createSageMakerAdapter } from '#lib/adapters/sagemaker';
import { httpRoute } from '#lib/handlers/http';
import { jsonResponse } from '#lib/http/errors';
import { ListQuerySchema, NoPathSchema, toListQuery, withHttpParameterNames } from '#lib/http/schemas';
import { toTeamView } from '#lib/http/views';
import { sageMakerClient } from '#lib/runtime/clients/sagemaker';
import { AwsConfigSchema, loadConfig } from '#lib/runtime/config';
import { listTeams } from '#lib/use-cases/read-teams';

const config = loadConfig(AwsConfigSchema);
const workteams = createSageMakerAdapter(sageMakerClient(config));

export const handler = httpRoute({ query: ListQuerySchema, path: NoPathSchema }, async ({ query }) => {
  const page = await withHttpParameterNames(() => listTeams(workteams, toListQuery(query)));
  return jsonResponse(200, {
    teams: page.items.map(toTeamView),
    ...(page.nextToken ? { nextToken: page.nextToken } : {}),
  });
});
