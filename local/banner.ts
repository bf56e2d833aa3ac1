/**
 * What `npm start` prints once the stack listens (local/start.ts): where each service is, every HTTP route, what
 * the event delivery does, the seed, and how to try it. The routes are read from the resolved configuration (the
 * `serverless print` npm start makes anyway), the functions' `httpApi` events, so the list is what serverless
 * offline serves and cannot drift from serverless.yml.
 */
import { type LocalCloud, OPERATOR_ACCESS_KEY_ID } from './cloud';
import type { LocalEventDelivery } from './event-bus';
import type { PrintedConfig } from './sqs-event-source';
import { LOCAL_TARGETS } from './targets';

export interface HttpRoute {
  method: string;
  path: string;
  /** The function's key in serverless.yml. */
  functionKey: string;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Every `httpApi` route of the functions, in serverless.yml's order: `{ method, path }` or the short form
 * `'GET /teams'` (`'*'` is every method and path).
 */
export function httpRoutes(config: PrintedConfig): HttpRoute[] {
  return Object.entries(config.functions ?? {}).flatMap(([functionKey, fn]) =>
    (fn.events ?? []).flatMap((event): HttpRoute[] => {
      const httpApi = event.httpApi;
      if (typeof httpApi === 'string') {
        const [method = '*', path = '*'] = httpApi.trim().split(/\s+/);
        return [{ method: method.toUpperCase(), path, functionKey }];
      }
      if (isObject(httpApi)) {
        return [
          { method: String(httpApi.method ?? '*').toUpperCase(), path: String(httpApi.path ?? '*'), functionKey },
        ];
      }
      return [];
    }),
  );
}

/** The rules' targets and the queues, with what polls them. */
function deliverySummary(delivery: LocalEventDelivery | undefined): { targets: string; queues: string } {
  if (!delivery) return { targets: 'not running', queues: 'not created' };
  const targets = [
    ...new Set(delivery.rules.map((rule) => (rule.target === 'lambda' ? rule.functionKey : `queue ${rule.queueName}`))),
  ];
  const queues = [...delivery.queues.keys()].map((name) => {
    const pollers = delivery.mappings
      .filter((mapping) => mapping.queueName === name)
      .map((mapping) => `-> ${mapping.functionKey}, batches of up to ${mapping.batchSize}`);
    return pollers.length > 0 ? `${name} (${pollers.join('; ')})` : name;
  });
  return {
    targets: targets.join(', ') || 'no rule has an event pattern',
    queues: queues.join(', ') || 'the stack has no AWS::SQS::Queue',
  };
}

/** The seeded targets, `account/region`, the one the hub cannot reach said so. */
function targetsLine(): string {
  return LOCAL_TARGETS.map(
    (target) => `${target.account}/${target.region}${target.reachable ? '' : ' (its role refuses the hub)'}`,
  ).join(', ');
}

/** One line per route, aligned: method, path, the function that serves it. */
function routeLines(routes: HttpRoute[]): string[] {
  if (routes.length === 0) return ['    (serverless.yml has no httpApi route)'];
  const pathWidth = Math.max(...routes.map((route) => route.path.length));
  return routes.map((route) => `    ${route.method.padEnd(6)} ${route.path.padEnd(pathWidth)}   ${route.functionKey}`);
}

export function banner(
  cloud: Pick<LocalCloud, 'env' | 'seed'>,
  delivery: LocalEventDelivery | undefined,
  routes: HttpRoute[],
): string {
  const { env, seed } = cloud;
  const { targets, queues } = deliverySummary(delivery);
  return [
    '',
    'workteam-automation is running locally',
    `  HTTP API         ${env.API_URL}   (serverless offline; every route takes Authorization: Bearer <a token of .local/env>)`,
    ...routeLines(routes),
    `  SageMaker        ${env.AWS_ENDPOINT_URL_SAGEMAKER}   (our emulator; knobs at /_emulator/knobs)`,
    `  SNS              ${env.AWS_ENDPOINT_URL_SNS}   (quotas, paging, e-mail confirmation as in AWS; mailbox: GET ${env.LOCAL_SNS_CONTROL_URL}/confirmations)`,
    `  SQS              ${env.AWS_ENDPOINT_URL_SQS}   (fauxqs, also the SNS behind the proxy)`,
    `  Cognito          ${env.AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER}   (records CloudTrail events; cognito-local ${env.COGNITO_LOCAL_URL}, pool ${seed.userPoolId})`,
    `  EventBridge      ${env.AWS_ENDPOINT_URL_EVENTBRIDGE}   (PutEvents; what reached the bus: GET ${env.EVENTBRIDGE_URL}/_events)`,
    `  CloudTrail       ${env.AWS_ENDPOINT_URL_CLOUDTRAIL}   (one trail logging management events; control: ${env.LOCAL_CLOUDTRAIL_CONTROL_URL})`,
    `  Event bus        Cognito and SageMaker changes, PutEvents -> ${targets}   (the rules of serverless.yml; functions invoked asynchronously)`,
    `  Queues           ${queues}   (fauxqs; the stack's queues, polled as Lambda's SQS event sources)`,
    `  DynamoDB         ${env.AWS_ENDPOINT_URL_DYNAMODB}   (dynalite)`,
    `  STS              ${env.AWS_ENDPOINT_URL_STS}   (AssumeRole into the targets' role workteam-automation-target)`,
    `  Targets          ${targetsLine()}   (hub ${env.HUB_ACCOUNT_ID}/${env.AWS_REGION}; TARGETS, LOCAL_TARGETS in .local/env)`,
    `  Seeded teams     ${seed.teams.join(', ')}`,
    `  Environment      .local/env  (LOCAL_ADMIN_TOKEN, LOCAL_USER_TOKEN, LOCAL_WORKER_TOKEN, endpoints, pool and client ids)`,
    `  Callers          .local/env signs as the IAM user ${OPERATOR_ACCESS_KEY_ID}; the functions as their role (${env.OWN_CALLER_ARN_PREFIX}…)`,
    '',
    'Try it from another shell:',
    '  set -a; . .local/env; set +a',
    '  curl -H "Authorization: Bearer $LOCAL_ADMIN_TOKEN" "$API_URL/teams?limit=2"',
    '  curl "$EVENTBRIDGE_URL/_events?source=aws.sagemaker"',
    '',
    'Ctrl-C stops everything.',
    '',
  ].join('\n');
}
