/**
 * `npm start`: the local cloud, seeded, plus `serverless offline` serving the HTTP API on 127.0.0.1:3000, and local
 * event delivery as AWS does it (local/event-bus.ts, local/sqs-event-source.ts), from one `serverless print`:
 * - the stack's SQS queues (`AWS::SQS::Queue` resources) are created in the local SQS, dead-letter redrive included;
 * - what reaches the local EventBridge (Cognito and SageMaker changes recorded as CloudTrail events, and the
 *   functions' own PutEvents) goes to the targets of the rules it matches: a function's `eventBridge` pattern
 *   (an asynchronous invocation, with Lambda's retries and on-failure destination) or an `AWS::Events::Rule`
 *   resource's SQS queue;
 * - the functions' `sqs` events poll their queues and invoke them in batches, as Lambda's event source mappings do.
 * Functions run in serverless offline, reached through its Lambda endpoint on 127.0.0.1:3002. The pollers and the
 * bus start before it listens: what meets a refused connection is tried again, nothing is lost or deleted.
 *
 * serverless offline runs with a module hook (serverlessOfflineNodeArgs, local/event-bus.ts) that applies
 * serverless-offline's own fix of timeouts (upstream #1896, released in 14.7.4) to the 13.x this project uses: a
 * function that timed out once would otherwise hang every later call for its whole timeout. Flags would cost more:
 * --reloadHandler (a cold instance per invocation: the HTTP API's 12-19 ms become 250-350 ms, no warm state) or
 * --useInProcess (one process.env and one module instance for every function and concurrent invocation, and a
 * timed-out handler goes on running and writing, which Lambda stops).
 * Writes `.local/env` for any tool (`set -a; . .local/env`), with the operator's access key, so that what a person
 * does shows in CloudTrail as another caller than the functions (whose key `.env.local` and serverless offline keep).
 * Ctrl-C stops every process it started.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SQSClient } from '@aws-sdk/client-sqs';
import { banner, type HttpRoute, httpRoutes } from './banner';
import { DEFAULT_PORTS, OPERATOR_ACCESS_KEY_ID, REGION, startLocalCloud } from './cloud';
import {
  type LocalEventDelivery,
  printServerlessConfig,
  serverlessOfflineNodeArgs,
  startLocalEventDelivery,
} from './event-bus';
import { PortInUseError, reservePort, waitForPort } from './ports';
import { allAccountRegions } from './targets';

const root = resolve(__dirname, '..');
const localDir = join(root, '.local');
const API_PORT = 3000;
const LAMBDA_PORT = 3002;

function toDotenv(env: Record<string, string>): string {
  const quote = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`;
  return `${Object.entries(env)
    .map(([key, value]) => `${key}=${quote(value)}`)
    .join('\n')}\n`;
}

async function main(): Promise<void> {
  // The API's ports are checked up front too, so a clash is one line, not a stack trace from a child.
  await reservePort(API_PORT, 'the HTTP API, serverless offline');
  await reservePort(LAMBDA_PORT, 'the Lambda invoke endpoint, serverless offline');
  mkdirSync(localDir, { recursive: true });

  process.stdout.write(
    'Starting the local cloud (SageMaker emulator, cognito-local, fauxqs and the SNS proxy, dynalite, EventBridge)...\n',
  );
  const cloud = await startLocalCloud({
    ports: DEFAULT_PORTS,
    apiUrl: `http://127.0.0.1:${API_PORT}`,
    cognitoLogFile: join(localDir, 'cognito.log'),
  });
  // A person's calls are not the functions': another key, which the local cloud names as another caller.
  // LOCAL_TARGETS: every account and region of the local cloud, the hub first, for a person's scripts.
  const operatorEnv = {
    ...cloud.env,
    AWS_ACCESS_KEY_ID: OPERATOR_ACCESS_KEY_ID,
    LOCAL_TARGETS: JSON.stringify(allAccountRegions()),
  };
  writeFileSync(join(localDir, 'env'), toDotenv(operatorEnv), { mode: 0o600 });
  // serverless.yml's useDotenv reads .env.local for the local stage, so `serverless invoke local` in any shell
  // reaches this stack without sourcing .local/env first, as the functions (their key).
  writeFileSync(join(root, '.env.local'), toDotenv(cloud.env), { mode: 0o600 });

  process.stdout.write('Starting serverless offline (first start bundles the functions)...\n');
  const offline: ChildProcess = spawn(
    process.execPath,
    [
      // A timed-out function must not hang its later calls (see the top of this file).
      ...serverlessOfflineNodeArgs(),
      join(root, 'node_modules/osls/bin/serverless.js'),
      'offline',
      'start',
      '--stage',
      'local',
    ],
    {
      cwd: root,
      env: { ...process.env, ...cloud.env, SLS_TELEMETRY_DISABLED: '1' },
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );

  let stopping = false;
  let delivery: LocalEventDelivery | undefined;
  let routes: HttpRoute[] = [];
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write('\nStopping...\n');
    await delivery?.stop();
    if (offline.exitCode === null) offline.kill('SIGINT');
    await cloud.stop();
    process.exit(code);
  };
  process.once('SIGINT', () => void stop(0));
  process.once('SIGTERM', () => void stop(0));
  offline.once('exit', (code) => {
    if (!stopping) {
      process.stderr.write(`serverless offline exited (code ${code}); stopping the local cloud\n`);
      void stop(code ?? 1);
    }
  });

  // The configuration is read while serverless offline bundles (one `serverless print`); the queues, their pollers
  // and the bus start at once: an event or a batch that meets a refused connection is retried until it listens.
  try {
    const config = await printServerlessConfig({ root, stage: 'local', env: cloud.env });
    routes = httpRoutes(config);
    const sqs = new SQSClient({
      endpoint: cloud.env.AWS_ENDPOINT_URL_SQS,
      region: REGION,
      credentials: { accessKeyId: cloud.env.AWS_ACCESS_KEY_ID ?? '', secretAccessKey: 'local' },
    });
    delivery = await startLocalEventDelivery({ config, lambdaUrl: `http://127.0.0.1:${LAMBDA_PORT}`, sqs });
    const { put } = delivery.bus;
    // One subscription: the front door hands on CloudTrail's events (SageMaker, Cognito) and PutEvents alike.
    cloud.eventBridge.subscribe((event) => put(event));
  } catch (error) {
    process.stderr.write(`local event delivery could not start: ${(error as Error).message}\n`);
    await stop(1);
  }

  try {
    await waitForPort(API_PORT, 120_000);
  } catch (error) {
    process.stderr.write(`serverless offline did not start: ${(error as Error).message}\n`);
    await stop(1);
  }
  process.stdout.write(banner(cloud, delivery, routes));
}

main().catch((error: Error) => {
  if (error instanceof PortInUseError) {
    process.stderr.write(
      `npm start: ${error.message} (it needs 3000, 3002, 4010, 4566, 4567, 4577, 4588, 4592, 8000, 9229 and 9230; is another npm start running?)\n`,
    );
  } else process.stderr.write(`npm start failed: ${error.message}\n`);
  process.exit(1);
});
