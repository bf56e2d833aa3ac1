/**
 * The nightly resync at scale: 25 managed teams (SageMaker's limit a region; the seeded 4 teams nobody manages are
 * deleted first) over 10 Cognito groups of 1,000 users each, every team with 1 to 3 of the groups, every worker
 * already subscribed and confirmed, so the run finds nothing to fix. The users are shared between groups: a pool
 * of 2,500, group g holding users 250·g … 250·g + 999 (around the pool), so each user is in 4 groups; a team of 2
 * groups reaches 1,750 addresses, one of 3 all 2,500. Prepared with the local Cognito's and SNS's quotas lifted
 * (the users, groups and memberships around the recording proxy, the subscriptions with a plain SNS client through
 * the local SNS, each confirmed with its mail's token) once; then, several times, the quotas restored to AWS's
 * rates and the resync handler (functions/resync.ts) invoked in process with a Lambda context, its own SDK clients
 * counted.
 *
 * Reported per run: calls by service and operation, throttled calls, the wall time against the bound the quotas set
 * (the slowest quota category: calls needed / its rate), the process's memory (RSS sampled every 20 ms during it;
 * the local cloud runs in this process too), and how long the preparation took (cognito-local rewrites its whole
 * JSON file on every change, so each call costs in proportion to the pool's size). `npm run bench` runs it with
 * the rest (a child process); alone, it writes its section of bench/RESULTS.md:
 *
 *   npm run bench:resync [-- runs, default 3]
 */

import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  CognitoIdentityProviderClient,
  CreateGroupCommand,
  ListUsersInGroupCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { DeleteWorkteamCommand, ListWorkteamsCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import {
  ConfirmSubscriptionCommand,
  ListSubscriptionsByTopicCommand,
  SNSClient,
  SubscribeCommand,
} from '@aws-sdk/client-sns';
import type { Caller } from '../lib/auth/caller';
import { actorOf } from '../lib/auth/caller';
import { QUOTA_HEADROOM } from '../lib/runtime/clients/pacing';
import { type LocalCloud, OPERATOR_ACCESS_KEY_ID, REGION } from '../local/cloud';
import { printServerlessConfig } from '../local/event-bus';
import { lambdaContext } from '../local/lambda-context';
import {
  type Counts,
  callsTable,
  countCalls,
  median,
  progress,
  range,
  recordAwsCalls,
  takeAwsCalls,
  total,
  useFunctionEnvironment,
} from './aws-calls';
import { runWithOwnCloud } from './own-cloud';
import { code, emitSection, paragraph } from './results';

const ROOT = resolve(__dirname, '..');
const STAGE = 'local';
export const RESYNC_TEAMS = 25;
export const RESYNC_GROUPS = 10;
export const GROUP_SIZE = 1000;
/** The users the groups are drawn from (shared: each user is in GROUPS × GROUP_SIZE / POOL_USERS groups). */
export const POOL_USERS = 2500;
const GROUP_SHIFT = POOL_USERS / RESYNC_GROUPS;
/** The most users ListUsersInGroup answers a page, and subscriptions ListSubscriptionsByTopic does. */
const USERS_PAGE = 60;
const SUBSCRIPTIONS_PAGE = 100;
/** The goal: the resync's wall time at most this many times the bound the quotas set. */
const TIME_GOAL_FACTOR = 1.25;
/** AWS's published rates of the quotas the resync's calls meet (per second), by the calls that share them. */
const QUOTAS: { name: string; rate: number; operations: string[] }[] = [
  {
    name: 'Cognito UserList (ListUsersInGroup, ListUsers)',
    rate: 30,
    operations: ['Cognito ListUsersInGroup', 'Cognito ListUsers'],
  },
  { name: 'Cognito GetGroup (per pool)', rate: 5, operations: ['Cognito GetGroup'] },
  { name: 'SNS ListSubscriptionsByTopic', rate: 30, operations: ['SNS ListSubscriptionsByTopic'] },
  { name: 'SNS Subscribe', rate: 100, operations: ['SNS Subscribe'] },
  { name: 'SNS Unsubscribe', rate: 100, operations: ['SNS Unsubscribe'] },
];
const MEMORY_SAMPLE_MS = 20;

const REQUESTER: Caller = {
  sub: 'bench-requester',
  username: 'requester',
  groups: 'workteam-requesters',
  isAdmin: false,
  isRequester: true,
};

const username = (index: number) => `resync-${String(index).padStart(5, '0')}`;
const emailOf = (index: number) => `${username(index)}@example.com`;
const groupName = (group: number) => `resync-group-${group}`;
/** The users of a group: 1,000 consecutive ones around the pool. */
const membersOf = (group: number) =>
  Array.from({ length: GROUP_SIZE }, (_, offset) => (group * GROUP_SHIFT + offset) % POOL_USERS);
/** A team's groups: 1, 2 or 3, three apart. */
const groupsOfTeam = (team: number) =>
  Array.from({ length: 1 + (team % 3) }, (_, index) => (team + index * 3) % RESYNC_GROUPS);

export interface CallTiming {
  calls: number;
  /** When the first started and the last ended, seconds from the start of the run. */
  firstStartS: number;
  lastEndS: number;
  /** As the function's client saw them: its pacing included. */
  medianMs: number;
  mostInFlight: number;
}

/** One timed resync. */
export interface ResyncRun {
  wallMs: number;
  calls: Counts;
  throttled: Counts;
  /** What the resync answered: teams by outcome, subscriptions made and dropped, teams skipped. */
  teams: number;
  outcomes: Counts;
  subscribed: number;
  unsubscribed: number;
  skipped: number;
  /** Confirmation mails the run sent (nothing to subscribe: none). */
  mails: number;
  timings: { listUsers: CallTiming; listSubscriptions: CallTiming };
  /** The machine's load average (1 minute) as the run started: the machine is shared. */
  load: number;
  /** The process's resident set before the run and its peak during it (sampled), MB. */
  memory: { beforeMb: number; peakMb: number; samples: number };
}

export interface ResyncMeasurement {
  /** The code measured: the commit, and the uncommitted changes of lib/ and functions/ (measured too). */
  code: string;
  prepare: {
    usersMs: number;
    /** ms per AdminCreateUser at the start and at the end of the creation (the pool's size grows). */
    createFirstMs: number;
    createLastMs: number;
    /** The memberships and the subscriptions were made side by side: both together took this long. */
    sideBySideMs: number;
    membershipsMs: number;
    /** ms per AdminAddUserToGroup, at the full pool. */
    addMs: number;
    subscriptions: number;
    subscribeMs: number;
    confirmMs: number;
  };
  runs: ResyncRun[];
  /** ms per page the local cloud takes alone (sequential pages, quotas lifted), after the runs. */
  localPageMs: { listSubscriptions: number; listUsers: number };
  /** Calls needed by quota: each group listed once, each topic's subscriptions once. */
  needed: { listUsersPages: number; listSubscriptionsPages: number };
  /** resourceUsage().maxRSS: the process's peak over its whole life, preparation included, MB. */
  maxRssMb: number;
}

async function control(url: string, init?: RequestInit): Promise<unknown> {
  const response = await fetch(url, init);
  if (!response.ok) throw new Error(`${init?.method ?? 'GET'} ${url} answered ${response.status}`);
  const text = await response.text();
  return text ? JSON.parse(text) : undefined;
}

const setQuotaScale = async (cloud: LocalCloud, scale: number) => {
  const body = JSON.stringify({ scale });
  await control(`${cloud.env.AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER}/_quotas`, { method: 'PUT', body });
  await control(`${cloud.env.LOCAL_SNS_CONTROL_URL}/quotas`, { method: 'PUT', body });
};

/** Runs `work` over the items, `limit` at a time. */
async function eachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<unknown>) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++] as T);
  };
  await Promise.all(Array.from({ length: limit }, worker));
}

/** Prepares the pool, the teams and their confirmed subscriptions once; times `runs` resyncs of it. */
export async function measureResync(cloud: LocalCloud, runs = 3): Promise<ResyncMeasurement> {
  const measuredCode = code();
  const env = cloud.env;
  const pool = env.USER_POOL_ID as string;
  const config = await printServerlessConfig({ root: ROOT, stage: STAGE, env });
  // Before anything imports lib/ or functions/: they read their configuration at import.
  useFunctionEnvironment(cloud, config, 'resync');
  const { handler } = await import('../functions/resync');
  const { buildTeamDeps } = await import('../lib/composition/teams');
  const { createTeam } = await import('../lib/use-cases/manage-teams');
  await recordAwsCalls();
  const fn = config.functions?.resync;
  const timeoutMs = (typeof fn?.timeout === 'number' ? fn.timeout : 6) * 1000;

  const credentials = { accessKeyId: OPERATOR_ACCESS_KEY_ID, secretAccessKey: 'local' };
  const setup = new CognitoIdentityProviderClient({ endpoint: env.COGNITO_LOCAL_URL, region: REGION, credentials });
  const sns = new SNSClient({ endpoint: env.AWS_ENDPOINT_URL_SNS, region: REGION, credentials });
  const sageMaker = new SageMakerClient({ endpoint: env.AWS_ENDPOINT_URL_SAGEMAKER, region: REGION, credentials });
  try {
    await setQuotaScale(cloud, 0);

    // SageMaker's 25 teams a region: the seeded teams nobody manages make room for 25 managed ones.
    const { Workteams = [] } = await sageMaker.send(new ListWorkteamsCommand({ MaxResults: 100 }));
    for (const team of Workteams) await sageMaker.send(new DeleteWorkteamCommand({ WorkteamName: team.WorkteamName }));

    for (let group = 0; group < RESYNC_GROUPS; group++) {
      await setup.send(new CreateGroupCommand({ UserPoolId: pool, GroupName: groupName(group) }));
    }
    // The teams while their groups are empty: creating them subscribes nobody.
    const deps = buildTeamDeps();
    const teams: { name: string; topicArn: string; members: number[] }[] = [];
    for (let team = 0; team < RESYNC_TEAMS; team++) {
      const name = `resync-team-${String(team).padStart(2, '0')}`;
      const groups = groupsOfTeam(team);
      const created = await createTeam(deps, actorOf(REQUESTER), {
        name,
        description: 'A team of the resync benchmark',
        members: { cognitoGroups: groups.map(groupName) },
        workerAccess: { sourceIp: 'Enabled', vpcSourceIp: 'Disabled' },
        tags: { classification: 'internal', 'cost-center': 'bench' },
      });
      if (!created.record.topicArn) throw new Error(`team ${name} has no topic`);
      const members = [...new Set(groups.flatMap(membersOf))].sort((a, b) => a - b);
      teams.push({ name, topicArn: created.record.topicArn, members });
    }

    // The users first, alone: how a call's cost grows with the pool is measured here.
    progress(`resync: creating ${POOL_USERS} users in cognito-local`);
    const chunk = 250;
    const chunkMs: number[] = [];
    let started = performance.now();
    for (let first = 0; first < POOL_USERS; first += chunk) {
      const chunkStarted = performance.now();
      const indexes = Array.from({ length: Math.min(chunk, POOL_USERS - first) }, (_, offset) => first + offset);
      await eachLimited(indexes, 10, (index) =>
        setup.send(
          new AdminCreateUserCommand({
            UserPoolId: pool,
            Username: username(index),
            MessageAction: 'SUPPRESS',
            UserAttributes: [
              { Name: 'email', Value: emailOf(index) },
              { Name: 'email_verified', Value: 'true' },
            ],
          }),
        ),
      );
      chunkMs.push((performance.now() - chunkStarted) / indexes.length);
    }
    const usersMs = performance.now() - started;
    progress(`resync: ${POOL_USERS} users in ${(usersMs / 1000).toFixed(0)} s; memberships and subscriptions`);

    // Then the memberships (cognito-local, a process of its own) and the subscriptions (fauxqs and the local SNS,
    // in this one) side by side.
    const memberships = Array.from({ length: RESYNC_GROUPS }, (_, group) =>
      membersOf(group).map((index) => ({ group, index })),
    ).flat();
    const cognitoSide = async () => {
      const at = performance.now();
      await eachLimited(memberships, 10, ({ group, index }) =>
        setup.send(
          new AdminAddUserToGroupCommand({ UserPoolId: pool, Username: username(index), GroupName: groupName(group) }),
        ),
      );
      const ms = performance.now() - at;
      progress(`resync: ${memberships.length} memberships in ${(ms / 1000).toFixed(0)} s`);
      return ms;
    };
    // Each topic's subscriptions made, then confirmed with their mails' tokens, topic after topic.
    const snsSide = async () => {
      let subscribeMs = 0;
      let confirmMs = 0;
      let subscriptions = 0;
      for (const team of teams) {
        let at = performance.now();
        await eachLimited(team.members, 16, (index) =>
          sns.send(
            new SubscribeCommand({
              TopicArn: team.topicArn,
              Protocol: 'email',
              Endpoint: emailOf(index),
              ReturnSubscriptionArn: true,
            }),
          ),
        );
        subscribeMs += performance.now() - at;
        subscriptions += team.members.length;
        at = performance.now();
        const mails = (await control(
          `${env.LOCAL_SNS_CONTROL_URL}/confirmations?topicArn=${encodeURIComponent(team.topicArn)}`,
        )) as { topicArn: string; token: string }[];
        await eachLimited(mails, 16, (mail) =>
          sns.send(new ConfirmSubscriptionCommand({ TopicArn: mail.topicArn, Token: mail.token })),
        );
        confirmMs += performance.now() - at;
      }
      progress(
        `resync: ${subscriptions} subscriptions made and confirmed in ${((subscribeMs + confirmMs) / 1000).toFixed(0)} s`,
      );
      return { subscriptions, subscribeMs, confirmMs };
    };
    started = performance.now();
    const [membershipsMs, snsPrepared] = await Promise.all([cognitoSide(), snsSide()]);
    const sideBySideMs = performance.now() - started;
    await control(`${env.LOCAL_SNS_CONTROL_URL}/confirmations`, { method: 'DELETE' });

    const event = JSON.parse(readFileSync(resolve(ROOT, 'events/resync.json'), 'utf8'));
    const resyncOnce = async (run: number): Promise<ResyncRun> => {
      // AWS's rates again; the counts (and the buckets) start afresh.
      await setQuotaScale(cloud, 1);
      takeAwsCalls();
      const beforeMb = process.memoryUsage().rss / 2 ** 20;
      let peakMb = beforeMb;
      let samples = 0;
      const sampler = setInterval(() => {
        peakMb = Math.max(peakMb, process.memoryUsage().rss / 2 ** 20);
        samples++;
      }, MEMORY_SAMPLE_MS);
      const load = loadavg()[0] ?? Number.NaN;
      const at = performance.now();
      let summary: { teams: { outcome: string; subscribed: number; unsubscribed: number }[]; skipped: string[] };
      try {
        summary = (await handler(event, lambdaContext('resync', { stage: STAGE, timeoutMs }))) as typeof summary;
      } finally {
        clearInterval(sampler);
      }
      const wallMs = performance.now() - at;
      peakMb = Math.max(peakMb, process.memoryUsage().rss / 2 ** 20);
      const made = takeAwsCalls();
      const timing = (service: string, operation: string): CallTiming => {
        const of = made.filter((call) => call.service === service && call.operation === operation);
        const edges = of
          .flatMap((call) => [
            { ms: call.startMs, step: 1 },
            { ms: call.endMs, step: -1 },
          ])
          .sort((a, b) => a.ms - b.ms || a.step - b.step);
        let inFlight = 0;
        let mostInFlight = 0;
        for (const edge of edges) {
          inFlight += edge.step;
          mostInFlight = Math.max(mostInFlight, inFlight);
        }
        return {
          calls: of.length,
          firstStartS: (Math.min(...of.map((call) => call.startMs)) - at) / 1000,
          lastEndS: (Math.max(...of.map((call) => call.endMs)) - at) / 1000,
          medianMs: median(of.map((call) => call.endMs - call.startMs)),
          mostInFlight,
        };
      };
      const throttled: Counts = {};
      const cognitoQuotas = (await control(`${env.AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER}/_quotas`)) as {
        throttled: Counts;
      };
      const snsQuotas = (await control(`${env.LOCAL_SNS_CONTROL_URL}/quotas`)) as { throttled: Counts };
      for (const [key, n] of Object.entries(cognitoQuotas.throttled)) throttled[`Cognito ${key}`] = n;
      for (const [key, n] of Object.entries(snsQuotas.throttled)) throttled[`SNS ${key}`] = n;
      const sent = (await control(`${env.LOCAL_SNS_CONTROL_URL}/confirmations`)) as unknown[];
      const outcomes: Counts = {};
      for (const team of summary.teams) outcomes[team.outcome] = (outcomes[team.outcome] ?? 0) + 1;
      progress(`resync run ${run}: ${(wallMs / 1000).toFixed(1)} s, peak RSS ${peakMb.toFixed(0)} MB`);
      return {
        wallMs,
        calls: countCalls(made),
        throttled,
        teams: summary.teams.length,
        outcomes,
        subscribed: summary.teams.reduce((total, team) => total + team.subscribed, 0),
        unsubscribed: summary.teams.reduce((total, team) => total + team.unsubscribed, 0),
        skipped: summary.skipped.length,
        mails: sent.length,
        timings: {
          listUsers: timing('Cognito', 'ListUsersInGroup'),
          listSubscriptions: timing('SNS', 'ListSubscriptionsByTopic'),
        },
        load,
        memory: { beforeMb, peakMb, samples },
      };
    };
    progress(`resync: resyncing ${RESYNC_TEAMS} teams ${runs} times at AWS's quotas`);
    const measured: ResyncRun[] = [];
    for (let run = 1; run <= runs; run++) measured.push(await resyncOnce(run));

    // What a page costs the local cloud alone: sequential pages with the quotas lifted (no pacing, no waiting).
    await setQuotaScale(cloud, 0);
    const largest = teams.reduce((most, team) => (team.members.length > most.members.length ? team : most));
    const reader = new CognitoIdentityProviderClient({
      endpoint: env.AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER,
      region: REGION,
      credentials,
    });
    let at = performance.now();
    let subscriptionPages = 0;
    let NextToken: string | undefined;
    do {
      ({ NextToken } = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: largest.topicArn, NextToken })));
      subscriptionPages++;
    } while (NextToken);
    const subscriptionPageMs = (performance.now() - at) / subscriptionPages;
    at = performance.now();
    let userPages = 0;
    let token: string | undefined;
    do {
      ({ NextToken: token } = await reader.send(
        new ListUsersInGroupCommand({ UserPoolId: pool, GroupName: groupName(0), Limit: USERS_PAGE, NextToken: token }),
      ));
      userPages++;
    } while (token);
    const userPageMs = (performance.now() - at) / userPages;
    reader.destroy();
    await setQuotaScale(cloud, 1);
    return {
      code: measuredCode,
      prepare: {
        usersMs,
        createFirstMs: chunkMs[0] ?? Number.NaN,
        createLastMs: chunkMs.at(-1) ?? Number.NaN,
        sideBySideMs,
        membershipsMs,
        addMs: membershipsMs / memberships.length,
        subscriptions: snsPrepared.subscriptions,
        subscribeMs: snsPrepared.subscribeMs,
        confirmMs: snsPrepared.confirmMs,
      },
      runs: measured,
      localPageMs: { listSubscriptions: subscriptionPageMs, listUsers: userPageMs },
      needed: {
        listUsersPages: RESYNC_GROUPS * Math.ceil(GROUP_SIZE / USERS_PAGE),
        listSubscriptionsPages: teams.reduce(
          (total, team) => total + Math.ceil(team.members.length / SUBSCRIPTIONS_PAGE),
          0,
        ),
      },
      maxRssMb: process.resourceUsage().maxRSS / 1024,
    };
  } finally {
    setup.destroy();
    sns.destroy();
    sageMaker.destroy();
  }
}

const mark = (met: boolean) => (met ? '✓' : '✗');
const count = (counts: Counts, operations: string[]) =>
  operations.reduce((total, operation) => total + (counts[operation] ?? 0), 0);

/** Minutes that 10,000 distinct users and their memberships would take, at the growth measured. */
function distinctUsersEstimateMinutes({ prepare }: ResyncMeasurement): number {
  // ms per creation grows linearly with the pool's size n: a + b·n, from the first and last chunks of 250.
  const b = (prepare.createLastMs - prepare.createFirstMs) / (POOL_USERS - 250);
  const a = prepare.createFirstMs - b * 125;
  const users = RESYNC_GROUPS * GROUP_SIZE;
  const creations = users * a + (b * users * users) / 2;
  // An add rewrites the same file: its cost at 10,000 users scaled from its cost at the pool measured.
  const adds = users * prepare.addMs * ((a + b * users) / (a + b * POOL_USERS));
  return (creations + adds) / 60_000;
}

/** The resync's section of RESULTS.md. */
export function resyncSection(result: ResyncMeasurement): string[] {
  const { prepare, needed, runs } = result;
  const neededByQuota: Record<string, number> = {
    'Cognito UserList (ListUsersInGroup, ListUsers)': needed.listUsersPages,
    'SNS ListSubscriptionsByTopic': needed.listSubscriptionsPages,
  };
  const rows = QUOTAS.map((quota) => {
    const made = runs.map((run) => count(run.calls, quota.operations));
    const wanted = neededByQuota[quota.name] ?? 0;
    return { ...quota, made, wanted, neededSeconds: wanted / quota.rate };
  });
  const bound = Math.max(...rows.map((row) => row.neededSeconds));
  const boundRow = rows.find((row) => row.neededSeconds === bound);
  const goal = bound * TIME_GOAL_FACTOR;
  const walls = runs.map((run) => run.wallMs / 1000);
  const sortedWalls = [...walls].sort((a, b) => a - b);
  const perRun = (cell: (run: ResyncRun) => string) => runs.map(cell).join(' | ');
  const all = (met: (run: ResyncRun) => boolean) => mark(runs.every(met));
  const pages = (run: ResyncRun, operation: string) => run.calls[operation] ?? 0;
  const perUser = (ms: number) => ms.toFixed(1);
  const pageRate = (timing: CallTiming) => timing.calls / Math.max(0.001, timing.lastEndS - timing.firstStartS);
  const throttledCell = (run: ResyncRun) =>
    total(run.throttled) === 0
      ? '0'
      : Object.entries(run.throttled)
          .map(([key, n]) => `${key} ${n}`)
          .join(', ');
  const header = `| measure | goal | ${runs.map((_, index) => `run ${index + 1}`).join(' | ')} | met |`;
  const rule = `| --- | --- | ${runs.map(() => '---:').join(' | ')} | :---: |`;
  return [
    `### Resync of ${RESYNC_TEAMS} teams over ${RESYNC_GROUPS} groups of ${GROUP_SIZE.toLocaleString('en')} users`,
    '',
    ...paragraph(
      `${runs.length} resync${runs.length === 1 ? '' : 's'} of one preparation, on a local cloud of its own`,
      `(\`npm run bench:resync\`, bench/resync.ts; code: ${result.code}). The users are shared between groups: a pool`,
      `of ${POOL_USERS.toLocaleString('en')}, group g holding users ${GROUP_SHIFT}·g … ${GROUP_SHIFT}·g + ${GROUP_SIZE - 1}`,
      `(around the pool), so each user is in ${(RESYNC_GROUPS * GROUP_SIZE) / POOL_USERS} groups; team t has 1 + (t mod`,
      '3) groups, three apart (1,000, 1,750 or 2,500 addresses):',
      `${prepare.subscriptions.toLocaleString('en')} subscriptions in all, every one confirmed. The seeded 4 teams`,
      "nobody manages are deleted first (SageMaker's limit is 25 a region). Prepared with the local Cognito's and",
      'SNS\'s quotas lifted (`PUT <cognito proxy>/_quotas {"scale":0}`, `PUT $LOCAL_SNS_CONTROL_URL/quotas',
      '{"scale":0}`): the teams with the createTeam use case while their groups were empty, users and memberships',
      'around the recording proxy, the subscriptions with a plain SNS client through the local SNS, each confirmed with',
      "its mail's token. Before each run the quotas are back at AWS's rates (scale 1, counts afresh); the resync handler",
      '(functions/resync.ts) is invoked in process with a Lambda context (its timeout, 600 s) and its environment as',
      'serverless.yml gives it; each run finds every team steady.',
    ),
    '',
    ...paragraph(
      `Preparing: ${POOL_USERS.toLocaleString('en')} users took ${(prepare.usersMs / 1000).toFixed(0)} s`,
      `(${perUser(prepare.createFirstMs)} ms a user at first, ${perUser(prepare.createLastMs)} ms at the end); then,`,
      `side by side (${(prepare.sideBySideMs / 1000).toFixed(0)} s in all),`,
      `${(RESYNC_GROUPS * GROUP_SIZE).toLocaleString('en')} memberships ${(prepare.membershipsMs / 1000).toFixed(0)} s`,
      `(${perUser(prepare.addMs)} ms each) and the subscriptions: made in ${(prepare.subscribeMs / 1000).toFixed(0)} s,`,
      `confirmed in ${(prepare.confirmMs / 1000).toFixed(0)} s. cognito-local writes its whole JSON file on every change,`,
      "so a call costs in proportion to the pool's size: at the growth measured, 10,000 distinct users and their",
      `memberships would take about ${distinctUsersEstimateMinutes(result).toFixed(0)} minutes to prepare, hence the`,
      'shared pool.',
    ),
    '',
    ...paragraph(
      "The bound is the slowest quota category's calls needed at its rate: each group listed once",
      `(${RESYNC_GROUPS} × ⌈${GROUP_SIZE}/${USERS_PAGE}⌉ = ${needed.listUsersPages} ListUsersInGroup pages at 30/s), each`,
      `topic's subscriptions listed once (Σ ⌈subscriptions/${SUBSCRIPTIONS_PAGE}⌉ = ${needed.listSubscriptionsPages}`,
      'ListSubscriptionsByTopic pages at 30/s), nothing to subscribe, unsubscribe or look up by GetGroup; the goal is',
      `at most ${TIME_GOAL_FACTOR}× the bound. Memory is the process's resident set (process.memoryUsage().rss every`,
      `${MEMORY_SAMPLE_MS} ms during a run): the local cloud (fauxqs with every subscription, the SNS proxy, dynalite,`,
      'the SageMaker emulator) runs in this process too; cognito-local is a child process of its own.',
    ),
    '',
    '| quota category (rate per second) | calls needed | seconds needed | calls made (each run) |',
    '| --- | ---: | ---: | ---: |',
    ...rows.map(
      (row) => `| ${row.name} (${row.rate}) | ${row.wanted} | ${row.neededSeconds.toFixed(1)} | ${range(row.made)} |`,
    ),
    '',
    header,
    rule,
    `| wall time of the resync, s (bound ${bound.toFixed(1)} s: ${boundRow?.name ?? '—'}) | ≤ ${goal.toFixed(1)} | ${perRun(
      (run) => `${(run.wallMs / 1000).toFixed(1)} (${(run.wallMs / 1000 / bound).toFixed(2)}×)`,
    )} | ${all((run) => run.wallMs / 1000 <= goal)} |`,
    `| ListUsersInGroup pages: each group once | ${needed.listUsersPages} | ${perRun((run) =>
      String(pages(run, 'Cognito ListUsersInGroup')),
    )} | ${all((run) => pages(run, 'Cognito ListUsersInGroup') <= needed.listUsersPages)} |`,
    `| ListSubscriptionsByTopic pages: each topic once | ${needed.listSubscriptionsPages} | ${perRun((run) =>
      String(pages(run, 'SNS ListSubscriptionsByTopic')),
    )} | ${all((run) => pages(run, 'SNS ListSubscriptionsByTopic') <= needed.listSubscriptionsPages)} |`,
    `| calls throttled by the local proxies (the SDK retried them) | 0 | ${perRun(throttledCell)} | ${all(
      (run) => total(run.throttled) === 0,
    )} |`,
    `| teams resynced (outcomes), skipped | ${RESYNC_TEAMS} applied, 0 | ${perRun(
      (run) =>
        `${run.teams} (${Object.entries(run.outcomes)
          .map(([outcome, n]) => `${outcome} ${n}`)
          .join(', ')}), ${run.skipped}`,
    )} | ${all((run) => run.outcomes.applied === RESYNC_TEAMS && run.skipped === 0)} |`,
    `| subscribed, unsubscribed, confirmation mails (all steady) | 0, 0, 0 | ${perRun(
      (run) => `${run.subscribed}, ${run.unsubscribed}, ${run.mails}`,
    )} | ${all((run) => run.subscribed + run.unsubscribed + run.mails === 0)} |`,
    `| process RSS, MB: before → peak during the run | — | ${perRun(
      (run) => `${run.memory.beforeMb.toFixed(0)} → ${run.memory.peakMb.toFixed(0)}`,
    )} | — |`,
    `| first → last ListSubscriptionsByTopic page, s of the run (pages a second; most at once) | — | ${perRun(
      (run) =>
        `${run.timings.listSubscriptions.firstStartS.toFixed(1)} → ${run.timings.listSubscriptions.lastEndS.toFixed(1)} (${pageRate(run.timings.listSubscriptions).toFixed(1)}; ${run.timings.listSubscriptions.mostInFlight})`,
    )} | — |`,
    `| first → last ListUsersInGroup page, s of the run (pages a second; most at once) | — | ${perRun(
      (run) =>
        `${run.timings.listUsers.firstStartS.toFixed(1)} → ${run.timings.listUsers.lastEndS.toFixed(1)} (${pageRate(run.timings.listUsers).toFixed(1)}; ${run.timings.listUsers.mostInFlight})`,
    )} | — |`,
    `| the machine's load average (1 min) as the run started (2 cores, shared) | — | ${perRun((run) =>
      run.load.toFixed(1),
    )} | — |`,
    '',
    ...paragraph(
      `Wall time, min / median / max of ${runs.length}: ${sortedWalls[0]?.toFixed(1)} /`,
      `${median(walls).toFixed(1)} / ${sortedWalls.at(-1)?.toFixed(1)} s (${(median(walls) / bound).toFixed(2)}× the`,
      `bound, median). The process's peak over its whole life, preparing included (resourceUsage().maxRSS):`,
      `${result.maxRssMb.toFixed(0)} MB. Alone, after the runs (quotas lifted, one page after another), the local SNS`,
      `took ${result.localPageMs.listSubscriptions.toFixed(0)} ms a page of the largest topic and the local Cognito`,
      `${result.localPageMs.listUsers.toFixed(0)} ms a page of a group. The functions pace each quota at`,
      `${Math.round(QUOTA_HEADROOM * 100)}% of AWS's rate (lib/runtime/clients/pacing.ts, \`QUOTA_HEADROOM\`): at that pace the`,
      `${boundRow?.name ?? 'slowest'} calls alone take ${(bound / QUOTA_HEADROOM).toFixed(1)} s,`,
      `${(1 / QUOTA_HEADROOM).toFixed(2)}× the bound. A team's subscriptions are listed only once its groups are`,
      '(lib/use-cases/cognito-sync/resync.ts `resyncTeam`, then `reconcileTeam`), so the first ListSubscriptionsByTopic page',
      "waits for the first groups' listings, which share Cognito's UserList quota.",
    ),
    '',
    ...callsTable("the resync function's AWS calls", runs),
  ];
}

if (require.main === module) {
  const runs = Number(process.argv.slice(2).find((arg) => /^\d+$/.test(arg)) ?? 3);
  runWithOwnCloud('resync', async (cloud) => emitSection('resync', resyncSection(await measureResync(cloud, runs))));
}
