/** GET /teams/{name} — one work team with its tags; 404 TeamNotFound when SageMaker has none of that name. */

import { createSageMakerAdapter } from '../lib/adapters/sagemaker';
import { sageMakerClient } from '../lib/aws-clients';
import { AwsConfigSchema, loadConfig } from '../lib/config';
import { jsonResponse } from '../lib/http/errors';
import { httpRoute } from '../lib/http/handler';
import { NoQuerySchema, TeamPathSchema } from '../lib/http/schemas';
import { getTeam } from '../lib/use-cases/read-teams';

const config = loadConfig(AwsConfigSchema);
const workteams = createSageMakerAdapter(sageMakerClient(config));

export const handler = httpRoute({ query: NoQuerySchema, path: TeamPathSchema }, async ({ path }) =>
  jsonResponse(200, await getTeam(workteams, path.name)),
);
