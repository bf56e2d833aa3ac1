/**
 * The storm: 300 users added at once to one Cognito group that 3 managed teams share, and what the event-driven
 * sync does about it at AWS's request-rate quotas, as the events really travel: the adds go through the local
 * Cognito's recording proxy (its CloudTrail records; Cognito's UserUpdate quota of 25 a second, so the benchmark
 * paces them and retries a throttled one), the records reach the local bus, whose rules (serverless.yml, from one
 * `serverless print`) put them on the cognito-changes queue, which the SQS event source poller hands to
 * cognitoSync in batches through Lambda's invoke path (bench/lambda-endpoint.ts: the handler in this process, so
 * its own SDK clients are counted). The users themselves are created around the proxy (COGNITO_LOCAL_URL), and
 * the teams with the createTeam use case: neither is part of what is measured.
 *
 * Per run: AWS calls by service and operation; Subscribe calls per subscription needed; confirmation mails per
 * address and topic; ListUsersInGroup pages against one group listing per batch; throttled calls (the local
 * proxies' quota counts) and what failed (batch item failures, function errors, dead-lettered messages, teams not
 * Applied); the time from the first add until every team's topic has all 300 addresses, against the bound the
 * quotas set. `npm run bench` runs it with the rest (a child process); alone, it writes its section of
 * bench/RESULTS.md:
 *
 *   npm run bench:storm [-- runs, default 3]
 */

import { randomUUID } from 'node:crypto';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  CognitoIdentityProviderClient,
  CreateGroupCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { ListSubscriptionsByTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { DeleteMessageBatchCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Caller } from '../lib/auth/caller';
import { actorOf } from '../lib/auth/caller';
import { QUOTA_HEADROOM } from '../lib/runtime/clients/pacing';
import { type LocalCloud, OPERATOR_ACCESS_KEY_ID, REGION } from '../local/cloud';
import { type LocalEventDelivery, printServerlessConfig, startLocalEventDelivery } from '../local/event-bus';
import type { PrintedConfig } from '../local/sqs-event-source';
import {
  type Counts,
  callsTable,
  countCalls,
  median,
  progress,
  recordAwsCalls,
  takeAwsCalls,
  total,
  useFunctionEnvironment,
} from './aws-calls';
import { type LambdaEndpoint, startLambdaEndpoint } from './lambda-endpoint';
import { runWithOwnCloud } from './own-cloud';
import { code, emitSection, paragraph } from './results';

const ROOT = resolve(__dirname, '..');
const STAGE = 'local';
export const STORM_USERS = 300;
export const STORM_TEAMS = 3;
/** Cognito's UserUpdate quota (AdminAddUserToGroup), per second. */
const ADD_RATE = 25;
/** SNS's Subscribe quota, per second. */
const SUBSCRIBE_RATE = 100;
/** The most users ListUsersInGroup answers a page. */
const USERS_PAGE = 60;
/** The goal: the time to converge at most this many times the bound the quotas set. */
const TIME_GOAL_FACTOR = 1.5;
/** How long a run may take to converge before it is reported as not converged. */
const CONVERGE_TIMEOUT_MS = 180_000;

const REQUESTER: Caller = {
  sub: 'bench-requester',
  username: 'requester',
  groups: 'workteam-requesters',
  isAdmin: false,
  isRequester: true,
};

export interface StormRun {
  /** The adds through the recording proxy: how long they took, and how many the proxy throttled (retried). */
  addsMs: number;
  addsThrottled: number;
  /** From the first add until every team's topic had all the users' addresses; undefined: not within the limit. */
  convergedMs?: number;
  /** The functions' calls (their SDK clients), by `Service Operation`. */
  calls: Counts;
  /** cognitoSync's invocations: the records of each. */
  batches: number[];
  batchItemFailures: number;
  functionErrors: number;
  /** The proxies' throttled calls by quota key: the product's (the adds' UserUpdate is counted in addsThrottled). */
  throttled: Counts;
  /** Subscribe requests the local SNS received (admitted and throttled): the SDK's retries included. */
  subscribeAttempts: number;
  /** Confirmation mails per (address, topic): how many pairs got exactly one, how many none, the most any got. */
  mails: { exactlyOne: number; none: number; most: number };
  deadLettered: number;
  /** The machine's load average (1 minute) when the run started: the machine is shared. */
  load: number;
  /** The teams' apply state at the end, by state. */
  teamStates: Counts;
}

export interface StormMeasurement {
  /** The code measured: the commit, and the uncommitted changes of lib/ and functions/ (measured too). */
  code: string;
  runs: StormRun[];
  windowSeconds: number;
  batchSize: number;
  maximumConcurrency?: number;
}

/** The bound the quotas set on the time to converge, in seconds, and how it is made. */
export function stormBound(windowSeconds: number) {
  const adds = STORM_USERS / ADD_RATE;
  const subscriptions = (STORM_USERS * STORM_TEAMS) / SUBSCRIBE_RATE;
  return { adds, subscriptions, window: windowSeconds, total: adds + subscriptions + windowSeconds };
}

async function controlJson<T>(url: string, init?: RequestInit): Promise<T> {
  const response = await fetch(url, init);
  if (!response.ok) throw new Error(`${init?.method ?? 'GET'} ${url} answered ${response.status}`);
  return (await response.json()) as T;
}

/** The e-mail subscriptions a topic has, read from fauxqs behind the local SNS: no quota, no page. */
async function emailSubscriptionCount(sns: SNSClient, topicArn: string): Promise<number> {
  const endpoints = new Set<string>();
  let NextToken: string | undefined;
  do {
    const page = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn, NextToken }));
    for (const subscription of page.Subscriptions ?? []) {
      if (subscription.Protocol === 'email') endpoints.add((subscription.Endpoint ?? '').toLowerCase());
    }
    NextToken = page.NextToken;
  } while (NextToken);
  return endpoints.size;
}

/** Receives (and deletes) every message of the queue: how many there were. */
async function drain(sqs: SQSClient, url: string): Promise<number> {
  let count = 0;
  for (;;) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
    );
    if (Messages.length === 0) return count;
    count += Messages.length;
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: url,
        Entries: Messages.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle })),
      }),
    );
  }
}

async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

interface Rig {
  cloud: LocalCloud;
  config: PrintedConfig;
  delivery: LocalEventDelivery;
  endpoint: LambdaEndpoint;
  sqs: SQSClient;
  stop(): Promise<void>;
}

/** The local delivery (rules, queues, poller) with cognitoSync behind Lambda's invoke path in this process. */
async function startRig(cloud: LocalCloud): Promise<Rig> {
  const config = await printServerlessConfig({ root: ROOT, stage: STAGE, env: cloud.env });
  // Before anything imports lib/ or functions/: they read their configuration at import.
  useFunctionEnvironment(cloud, config, 'cognitoSync');
  const { handler } = await import('../functions/cognito-sync');
  await recordAwsCalls();
  const fn = config.functions?.cognitoSync;
  if (!fn?.name) throw new Error('serverless print shows no cognitoSync function');
  const timeoutMs = (typeof fn.timeout === 'number' ? fn.timeout : 6) * 1000;
  const endpoint = await startLambdaEndpoint({
    [fn.name]: { key: 'cognitoSync', stage: STAGE, timeoutMs, handler: handler as never },
  });
  const sqs = new SQSClient({
    endpoint: cloud.env.AWS_ENDPOINT_URL_SQS,
    region: REGION,
    credentials: { accessKeyId: cloud.env.AWS_ACCESS_KEY_ID ?? 'local', secretAccessKey: 'local' },
  });
  const delivery = await startLocalEventDelivery({
    config,
    lambdaUrl: endpoint.url,
    sqs,
    // One line per delivery and per batch: the endpoint records what the benchmark needs of them.
    log: () => undefined,
  });
  // One subscription, as npm start has it: everything that reaches the bus goes to the rules.
  const unsubscribe = cloud.eventBridge.subscribe((event) => delivery.bus.put(event));
  return {
    cloud,
    config,
    delivery,
    endpoint,
    sqs,
    async stop() {
      unsubscribe();
      await delivery.stop();
      await endpoint.close();
      sqs.destroy();
    },
  };
}

async function stormRun(rig: Rig, run: number): Promise<StormRun> {
  const { cloud, delivery, endpoint, sqs } = rig;
  const env = cloud.env;
  const pool = env.USER_POOL_ID as string;
  const credentials = { accessKeyId: OPERATOR_ACCESS_KEY_ID, secretAccessKey: 'local' };
  // Around the recording proxy: preparing the run is neither recorded nor held to the quotas.
  const setup = new CognitoIdentityProviderClient({ endpoint: env.COGNITO_LOCAL_URL, region: REGION, credentials });
  // Through it, as an administrator: every add is recorded (CloudTrail) and held to Cognito's quotas.
  const operator = new CognitoIdentityProviderClient({
    endpoint: env.AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER,
    region: REGION,
    credentials,
    maxAttempts: 1,
  });
  // fauxqs itself, behind the local SNS: what subscriptions exist, without taking from SNS's quotas.
  const backend = new SNSClient({ endpoint: env.AWS_ENDPOINT_URL_SQS, region: REGION, credentials });
  try {
    const tag = randomUUID().slice(0, 6);
    const group = `storm-${tag}`;
    await setup.send(new CreateGroupCommand({ UserPoolId: pool, GroupName: group }));
    const users = Array.from({ length: STORM_USERS }, (_, index) => `storm-${tag}-${String(index).padStart(3, '0')}`);
    for (let start = 0; start < users.length; start += 10) {
      await Promise.all(
        users.slice(start, start + 10).map((username) =>
          setup.send(
            new AdminCreateUserCommand({
              UserPoolId: pool,
              Username: username,
              MessageAction: 'SUPPRESS',
              UserAttributes: [
                { Name: 'email', Value: `${username}@example.com` },
                { Name: 'email_verified', Value: 'true' },
              ],
            }),
          ),
        ),
      );
    }
    const { buildTeamDeps } = await import('../lib/composition/teams');
    const { createTeam } = await import('../lib/use-cases/manage-teams');
    const deps = buildTeamDeps();
    const teams: { name: string; topicArn: string }[] = [];
    for (let index = 0; index < STORM_TEAMS; index++) {
      const name = `storm-${tag}-team-${index}`;
      const created = await createTeam(deps, actorOf(REQUESTER), {
        name,
        description: 'A team of the storm benchmark',
        members: { cognitoGroups: [group] },
        workerAccess: { sourceIp: 'Enabled', vpcSourceIp: 'Disabled' },
        tags: { classification: 'internal', 'cost-center': 'bench' },
      });
      if (!created.record.topicArn) throw new Error(`team ${name} has no topic`);
      teams.push({ name, topicArn: created.record.topicArn });
    }
    await delivery.idle();

    // Counting starts here.
    takeAwsCalls();
    endpoint.takeInvocations();
    await fetch(`${env.AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER}/_quotas/counts`, { method: 'DELETE' });
    const snsScale = (await controlJson<{ scale: number }>(`${env.LOCAL_SNS_CONTROL_URL}/quotas`)).scale;
    await controlJson(`${env.LOCAL_SNS_CONTROL_URL}/quotas`, {
      method: 'PUT',
      body: JSON.stringify({ scale: snsScale }),
    });
    progress(`storm run ${run}: adding ${STORM_USERS} users to ${group} (${STORM_TEAMS} teams) at ${ADD_RATE}/s`);

    let addsThrottled = 0;
    const addOne = async (username: string) => {
      for (;;) {
        try {
          await operator.send(
            new AdminAddUserToGroupCommand({ UserPoolId: pool, Username: username, GroupName: group }),
          );
          return;
        } catch (error) {
          if ((error as Error).name !== 'TooManyRequestsException') throw error;
          addsThrottled++;
          await sleep(1000 / ADD_RATE);
        }
      }
    };
    const load = loadavg()[0] ?? Number.NaN;
    const started = performance.now();
    const converged = (async () => {
      while (performance.now() - started < CONVERGE_TIMEOUT_MS) {
        const counts = await Promise.all(teams.map((team) => emailSubscriptionCount(backend, team.topicArn)));
        if (counts.every((count) => count >= STORM_USERS)) return performance.now() - started;
        await sleep(100);
      }
      return undefined;
    })();
    const adds: Promise<void>[] = [];
    for (const [index, username] of users.entries()) {
      const wait = started + (index * 1000) / ADD_RATE - performance.now();
      if (wait > 0) await sleep(wait);
      adds.push(addOne(username));
    }
    await Promise.all(adds);
    const addsMs = performance.now() - started;
    const convergedMs = await converged;
    await withTimeout(delivery.idle(), CONVERGE_TIMEOUT_MS, 'the delivery going idle');

    const invocations = endpoint.takeInvocations();
    const calls = countCalls(takeAwsCalls());
    const cognitoQuotas = await controlJson<{ throttled: Counts }>(
      `${env.AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER}/_quotas`,
    );
    const snsQuotas = await controlJson<{ admitted: Counts; throttled: Counts }>(`${env.LOCAL_SNS_CONTROL_URL}/quotas`);
    const throttled: Counts = {};
    for (const [key, count] of Object.entries(cognitoQuotas.throttled)) {
      if (key !== 'UserUpdate') throttled[`Cognito ${key}`] = count;
    }
    for (const [key, count] of Object.entries(snsQuotas.throttled)) throttled[`SNS ${key}`] = count;

    let exactlyOne = 0;
    let none = 0;
    let most = 0;
    for (const team of teams) {
      const sent = await controlJson<{ address: string }[]>(
        `${env.LOCAL_SNS_CONTROL_URL}/confirmations?topicArn=${encodeURIComponent(team.topicArn)}`,
      );
      const perAddress = new Map<string, number>();
      for (const mail of sent) {
        const address = mail.address.toLowerCase();
        perAddress.set(address, (perAddress.get(address) ?? 0) + 1);
      }
      for (const username of users) {
        const count = perAddress.get(`${username}@example.com`) ?? 0;
        if (count === 1) exactlyOne++;
        if (count === 0) none++;
        most = Math.max(most, count);
      }
    }

    const dlqName = `workteam-automation-${STAGE}-cognito-sync-dlq`;
    const dlq = delivery.queues.get(dlqName);
    if (!dlq) throw new Error(`no queue ${dlqName}`);
    const deadLettered = await drain(sqs, dlq.url);

    const teamStates: Counts = {};
    for (const team of teams) {
      const state = (await deps.registry.get(team.name))?.applyState ?? 'missing';
      teamStates[state] = (teamStates[state] ?? 0) + 1;
    }
    const sync = invocations.filter((invocation) => invocation.functionName.endsWith('-cognitoSync'));
    const result: StormRun = {
      addsMs,
      addsThrottled,
      ...(convergedMs === undefined ? {} : { convergedMs }),
      calls,
      batches: sync.map((invocation) => invocation.records),
      batchItemFailures: sync.reduce((sum, invocation) => sum + invocation.batchItemFailures, 0),
      functionErrors: sync.filter((invocation) => invocation.error !== undefined).length,
      throttled,
      subscribeAttempts: (snsQuotas.admitted.Subscribe ?? 0) + (snsQuotas.throttled.Subscribe ?? 0),
      mails: { exactlyOne, none, most },
      deadLettered,
      load,
      teamStates,
    };
    progress(
      `storm run ${run}: adds ${(addsMs / 1000).toFixed(1)} s, converged ${
        convergedMs === undefined ? 'not' : `${(convergedMs / 1000).toFixed(1)} s`
      } after the first add, ${sync.length} batches, ${calls['SNS Subscribe'] ?? 0} Subscribe calls`,
    );
    return result;
  } finally {
    setup.destroy();
    operator.destroy();
    backend.destroy();
  }
}

/** Runs the storm `runs` times on a running local cloud (each run its own group, users and teams). */
export async function measureStorm(cloud: LocalCloud, runs = 3): Promise<StormMeasurement> {
  const measuredCode = code();
  const rig = await startRig(cloud);
  try {
    const mapping = rig.delivery.mappings.find((candidate) => candidate.functionKey === 'cognitoSync');
    if (!mapping) throw new Error('serverless print shows no sqs event of cognitoSync');
    const measured: StormRun[] = [];
    for (let run = 1; run <= runs; run++) measured.push(await stormRun(rig, run));
    return {
      code: measuredCode,
      runs: measured,
      windowSeconds: mapping.maximumBatchingWindowSeconds,
      batchSize: mapping.batchSize,
      ...(mapping.maximumConcurrency === undefined ? {} : { maximumConcurrency: mapping.maximumConcurrency }),
    };
  } finally {
    await rig.stop();
  }
}

const mark = (met: boolean) => (met ? '✓' : '✗');
const seconds = (ms: number | undefined) => (ms === undefined ? 'not converged' : (ms / 1000).toFixed(1));
/** `12.0` when the values agree to a tenth of a second, else `12.0–12.3`. */
const spanOf = (values: number[]) => {
  const low = seconds(Math.min(...values));
  const high = seconds(Math.max(...values));
  return low === high ? low : `${low}–${high}`;
};

/** The storm's section of RESULTS.md. */
export function stormSection(measurement: StormMeasurement): string[] {
  const { runs } = measurement;
  const needed = STORM_USERS * STORM_TEAMS;
  const pagesPerListing = Math.ceil(STORM_USERS / USERS_PAGE);
  const bound = stormBound(measurement.windowSeconds);
  const timeGoal = bound.total * TIME_GOAL_FACTOR;
  const perRun = (cell: (run: StormRun) => string) => runs.map(cell).join(' | ');
  const all = (met: (run: StormRun) => boolean) => mark(runs.every(met));
  const subscribe = (run: StormRun) => run.calls['SNS Subscribe'] ?? 0;
  const pages = (run: StormRun) => run.calls['Cognito ListUsersInGroup'] ?? 0;
  const failed = (run: StormRun) => run.batchItemFailures + run.functionErrors;
  const notApplied = (run: StormRun) => total(run.teamStates) - (run.teamStates.Applied ?? 0);
  const failedTeams = (run: StormRun) => run.teamStates.Failed ?? 0;
  const times = runs.map((run) => run.convergedMs ?? Number.POSITIVE_INFINITY);
  const sorted = [...times].sort((a, b) => a - b);
  const header = `| measure | goal | ${runs.map((_, index) => `run ${index + 1}`).join(' | ')} | met |`;
  const rule = `| --- | --- | ${runs.map(() => '---:').join(' | ')} | :---: |`;
  return [
    `### Storm: ${STORM_USERS} users added to one Cognito group that ${STORM_TEAMS} managed teams share`,
    '',
    ...paragraph(
      `${runs.length} run${runs.length === 1 ? '' : 's'} on a local cloud of its own (\`npm run bench:storm\`, bench/storm.ts; code:`,
      `${measurement.code}), quotas on at AWS's`,
      'published rates (the local Cognito and SNS proxies throttle at them). Each run: a fresh group and',
      `${STORM_USERS} users created around the recording proxy (COGNITO_LOCAL_URL: not measured), ${STORM_TEAMS}`,
      'managed teams of that group made with the createTeam use case, then the adds through the recording proxy as an',
      `administrator (AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER), paced at Cognito's UserUpdate quota of ${ADD_RATE}/s`,
      '(a throttled add is retried). Each add is a CloudTrail record on the local bus; its rules (one `serverless',
      'print`) put it on the cognito-changes queue; the SQS event source poller gathers batches (batchSize',
      `${measurement.batchSize}, a ${measurement.windowSeconds}-second window, at most`,
      `${measurement.maximumConcurrency ?? 'the default'} at once) and invokes cognitoSync through Lambda's invoke`,
      "path, served in the benchmark's process (bench/lambda-endpoint.ts: the handler with a Lambda context and the",
      "function's environment as serverless.yml gives it, Powertools silent), so the calls of its own SDK clients are",
      'counted. Unlike Lambda, two batches at once share one module instance, hence one set of clients and one pacer',
      '(as one container would). Subscriptions are read from fauxqs behind the local SNS every 100 ms, which takes',
      "nothing from SNS's quotas. \"Throttled\" counts the proxies' refusals of the functions' calls (GET",
      "`<cognito proxy>/_quotas`, `$LOCAL_SNS_CONTROL_URL/quotas`); the adds' own are shown apart.",
    ),
    '',
    ...paragraph(
      `The bound on the time from the first add until every team's topic has all ${STORM_USERS} addresses (pending`,
      `confirmation) is what the quotas allow at best, taken one after another: the adds at ${ADD_RATE}/s`,
      `(${STORM_USERS} / ${ADD_RATE} = ${bound.adds} s), plus the subscriptions needed at SNS's Subscribe quota`,
      `(${needed} / ${SUBSCRIBE_RATE} = ${bound.subscriptions} s), plus one batching window (${bound.window} s):`,
      `${bound.total} s; the goal is at most ${TIME_GOAL_FACTOR}× that, ${timeGoal.toFixed(0)} s. (The functions pace`,
      `each quota at ${Math.round(QUOTA_HEADROOM * 100)}% of AWS's rate, lib/runtime/clients/pacing.ts: the subscriptions alone then take`,
      `${(bound.subscriptions / QUOTA_HEADROOM).toFixed(1)} s at best.)`,
    ),
    '',
    header,
    rule,
    `| adds through the recording proxy, s (throttled and retried) | ≈ ${bound.adds} | ${perRun(
      (run) => `${(run.addsMs / 1000).toFixed(1)} (${run.addsThrottled})`,
    )} | — |`,
    `| cognitoSync batches (records each) | — | ${perRun((run) => `${run.batches.length} (${run.batches.join(', ')})`)} | — |`,
    `| \`Subscribe\` calls per needed subscription (${needed} needed) | 1.0 | ${perRun((run) =>
      (subscribe(run) / needed).toFixed(2),
    )} | ${all((run) => subscribe(run) === needed)} |`,
    `| \`Subscribe\` requests the local SNS received (the SDK's retries of throttled ones included) | — | ${perRun(
      (run) => String(run.subscribeAttempts),
    )} | — |`,
    `| confirmation mails per address and topic: pairs with exactly 1 of ${needed} (none; most) | ${needed} (0; 1) | ${perRun(
      (run) => `${run.mails.exactlyOne} (${run.mails.none}; ${run.mails.most})`,
    )} | ${all((run) => run.mails.exactlyOne === needed)} |`,
    `| \`ListUsersInGroup\` pages (goal: batches × ⌈${STORM_USERS}/${USERS_PAGE}⌉ = ${pagesPerListing} a listing) | ≤ batches × ${pagesPerListing} | ${perRun(
      (run) => `${pages(run)} (≤ ${run.batches.length * pagesPerListing})`,
    )} | ${all((run) => pages(run) <= run.batches.length * pagesPerListing)} |`,
    `| the functions' calls throttled by the proxies | 0 | ${perRun((run) =>
      total(run.throttled) === 0
        ? '0'
        : Object.entries(run.throttled)
            .map(([key, count]) => `${key} ${count}`)
            .join(', '),
    )} | ${all((run) => total(run.throttled) === 0)} |`,
    `| throttled calls that failed: batch item failures + function errors | 0 | ${perRun(
      (run) => `${failed(run)} (${run.batchItemFailures} + ${run.functionErrors})`,
    )} | ${all((run) => failed(run) === 0)} |`,
    `| teams not \`Applied\` at the end (Pending: a transient error kept them) | 0 | ${perRun((run) =>
      String(notApplied(run)),
    )} | ${all((run) => notApplied(run) === 0)} |`,
    `| messages dead-lettered (cognito-sync-dlq) | 0 | ${perRun((run) => String(run.deadLettered))} | ${all(
      (run) => run.deadLettered === 0,
    )} |`,
    `| \`Failed\` teams (registry) | 0 | ${perRun((run) => String(failedTeams(run)))} | ${all(
      (run) => failedTeams(run) === 0,
    )} |`,
    `| first add → all ${needed} subscriptions, s (bound ${bound.total} s) | ≤ ${timeGoal.toFixed(0)} | ${perRun(
      (run) => seconds(run.convergedMs),
    )} | ${all((run) => run.convergedMs !== undefined && run.convergedMs <= timeGoal * 1000)} |`,
    '',
    ...paragraph(
      `Time to converge, min / median / max of ${runs.length}: ${seconds(sorted[0])} / ${seconds(median(times))} /`,
      `${seconds(sorted.at(-1))} s, ${(median(times) / 1000 / bound.total).toFixed(2)}× the bound (median); the adds`,
      `alone took ${spanOf(runs.map((run) => run.addsMs))} s.`,
      'The machine is shared (2 cores): its load average as each run started was',
      `${runs.map((run) => run.load.toFixed(1)).join(', ')}.`,
    ),
    '',
    ...(runs.some((run) => total(run.throttled) > 0) && runs.every((run) => failed(run) === 0 && notApplied(run) === 0)
      ? [
          ...paragraph(
            "Every throttled call was retried by the SDK and went through: nothing failed. The functions' clients pace",
            "each quota at exactly AWS's rate with a whole second of burst (lib/runtime/clients/pacing.ts, `pacedByQuotas`), so",
            'the jitter between a call leaving the pacer and reaching the service puts a few over the quota now and then.',
          ),
          '',
        ]
      : []),
    ...callsTable("the functions' AWS calls per storm", runs),
  ];
}

if (require.main === module) {
  const runs = Number(process.argv.slice(2).find((arg) => /^\d+$/.test(arg)) ?? 3);
  runWithOwnCloud('storm', async (cloud) => emitSection('storm', stormSection(await measureStorm(cloud, runs))));
}
