/** GET /workforces — the private workforces of this account and region (SageMaker allows one per region). */
import { createSageMakerAdapter } from '#lib/adapters/sagemaker';
import { sageMakerClient } from '#lib/clients/sagemaker';
import { AwsConfigSchema, loadConfig } from '#lib/config';
import { jsonResponse } from '#lib/http/errors';
import { httpRoute } from '#lib/http/handler';
import { ListQuerySchema, NoPathSchema, toListQuery, withHttpParameterNames } from '#lib/http/schemas';
import { toWorkforceView } from '#lib/http/views';
import { listWorkforces } from '#lib/use-cases/read-teams';

const config = loadConfig(AwsConfigSchema);
const workteams = createSageMakerAdapter(sageMakerClient(config));

export const handler = httpRoute({ query: ListQuerySchema, path: NoPathSchema }, async ({ query }) => {
  const page = await withHttpParameterNames(() => listWorkforces(workteams, toListQuery(query)));
  return jsonResponse(200, {
    workforces: page.items.map(toWorkforceView),
    ...(page.nextToken ? { nextToken: page.nextToken } : {}),
  });
});
