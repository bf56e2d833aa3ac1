/**
 * What each HTTP operation on teams costs: its AWS calls by service and operation, the SageMaker round trips on its
 * critical path, and its wall time at 0 and 50 ms of SageMaker latency (min/median/max of repeated runs), against
 * the goals set for SageMaker calls and round trips. The handlers are invoked in process with the events/ files, as
 * `serverless invoke local` does; each run on a fresh team where the operation needs one, made (and retired again)
 * outside the timed part. SageMaker calls come from the emulator's counter; DynamoDB, SNS, Cognito and EventBridge
 * are counted in process, and SageMaker's calls are timed there too, for the round trips.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Context } from 'aws-lambda';
import type { Caller } from '../lib/auth/caller';
import type { LocalCloud } from '../local/cloud';
import { lambdaContext as localLambdaContext } from '../local/lambda-context';
import {
  type Counts,
  commonPaths,
  countCalls,
  criticalPath,
  median,
  progress,
  range,
  recordAwsCalls,
  roundTrips,
  sageMakerCounts,
  spread,
  takeAwsCalls,
  total,
} from './aws-calls';

/** SageMaker's latency for the timed runs: every round trip on the critical path costs at least this. */
export const LATENCY_MS = 50;

/** The team's owner: a member of the requesters group. */
const REQUESTER: Caller = {
  sub: 'bench-requester-0001',
  username: 'requester',
  groups: 'workteam-requesters',
  isAdmin: false,
  isRequester: true,
};
/** Retires what the runs made. */
const ADMIN: Caller = { sub: 'bench-admin-0003', username: 'platform-admin', groups: 'workteam-admins', isAdmin: true };

type Handler = (event: never, context: Context) => Promise<unknown>;
type HttpEvent = Record<string, unknown> & {
  headers: Record<string, string>;
  body?: string;
  pathParameters?: Record<string, string>;
  requestContext: { authorizer: { lambda: Caller } };
};

/** The most SageMaker calls, and round trips on the critical path, an operation should take. */
interface Goal {
  calls: number;
  roundTrips: number;
}

interface OperationSpec {
  route: string;
  eventFile: string;
  functionName: string;
  load: () => Promise<{ handler: Handler }>;
  expectedStatus: number;
  goal?: Goal;
  /** The member groups of the fresh team the run needs; none for an operation that needs no team. */
  teamGroups?: string[];
  /** The run makes a team of a fresh name (retired after it). */
  creates?: boolean;
  /** The run leaves no team behind (it deleted it). */
  retires?: boolean;
}

const OPERATIONS: OperationSpec[] = [
  {
    route: 'POST /teams',
    eventFile: 'create-team.json',
    functionName: 'createTeam',
    load: () => import('../functions/create-team'),
    expectedStatus: 201,
    goal: { calls: 4, roundTrips: 3 },
    creates: true,
  },
  {
    route: 'PATCH /teams/{name}',
    eventFile: 'update-team.json',
    functionName: 'updateTeam',
    load: () => import('../functions/update-team'),
    expectedStatus: 200,
    goal: { calls: 3, roundTrips: 2 },
    teamGroups: ['labelers-en'],
  },
  {
    route: 'POST /teams/{name}/members',
    eventFile: 'add-team-members.json',
    functionName: 'addTeamMembers',
    load: () => import('../functions/add-team-members'),
    expectedStatus: 200,
    goal: { calls: 3, roundTrips: 2 },
    teamGroups: ['labelers-en'],
  },
  {
    route: 'DELETE /teams/{name}/members/{group}',
    eventFile: 'remove-team-member.json',
    functionName: 'removeTeamMember',
    load: () => import('../functions/remove-team-member'),
    expectedStatus: 200,
    goal: { calls: 3, roundTrips: 2 },
    teamGroups: ['labelers-en', 'reviewers'],
  },
  {
    route: 'DELETE /teams/{name}',
    eventFile: 'delete-team.json',
    functionName: 'deleteTeam',
    load: () => import('../functions/delete-team'),
    expectedStatus: 204,
    teamGroups: ['labelers-en'],
    retires: true,
  },
  {
    route: 'GET /teams/{name}',
    eventFile: 'get-team.json',
    functionName: 'getTeam',
    load: () => import('../functions/get-team'),
    expectedStatus: 200,
    // The goal sets its calls only; ListTags needs the ARN that DescribeWorkteam answers, so two round trips.
    goal: { calls: 2, roundTrips: 2 },
    teamGroups: ['labelers-en'],
  },
  {
    route: 'GET /teams',
    eventFile: 'list-teams.json',
    functionName: 'listTeams',
    load: () => import('../functions/list-teams'),
    expectedStatus: 200,
  },
];

function loadEvent(file: string): HttpEvent {
  return JSON.parse(readFileSync(resolve(__dirname, '../events', file), 'utf8')) as HttpEvent;
}

/** API Gateway's HTTP APIs give an integration 30 seconds. */
function lambdaContext(functionName: string): Context {
  return localLambdaContext(functionName, { stage: 'bench', timeoutMs: 30_000 });
}

/**
 * The event file as a request by `caller` about `team` (its path), with `body` when given; an Idempotency-Key in
 * the file is replaced by a fresh one, as a client sends one per request.
 */
function requestFor(eventFile: string, caller: Caller, team?: string, body?: Record<string, unknown>): HttpEvent {
  const event = loadEvent(eventFile);
  event.requestContext.authorizer.lambda = caller;
  if ('idempotency-key' in event.headers) event.headers['idempotency-key'] = randomUUID();
  if (body !== undefined) event.body = JSON.stringify(body);
  if (team !== undefined && event.pathParameters?.name !== undefined) {
    const named = event.pathParameters.name;
    event.pathParameters.name = team;
    event.rawPath = String(event.rawPath).replace(named, team);
    const http = (event.requestContext as { http?: { path: string } }).http;
    if (http) http.path = http.path.replace(named, team);
  }
  return event;
}

async function invoke(handler: Handler, functionName: string, event: HttpEvent, expectedStatus: number) {
  const result = (await handler(event as never, lambdaContext(functionName))) as { statusCode: number; body?: string };
  if (result.statusCode !== expectedStatus) {
    throw new Error(`${String(event.routeKey)} answered ${result.statusCode}, not ${expectedStatus}: ${result.body}`);
  }
}

export interface OperationMeasurement {
  route: string;
  goal?: Goal;
  /** Calls by `Service Operation`, each run's; the runs agree unless a row shows a range. */
  calls: Counts[];
  /** Wall time of each timed run, by SageMaker latency. */
  times: { 0: number[]; 50: number[] };
  /** SageMaker round trips on the critical path of each run at 50 ms, and the path itself. */
  roundTrips: number[];
  paths: string[];
}

export interface OperationsMeasurement {
  runs: number;
  operations: OperationMeasurement[];
  /** How long each SageMaker call of the timed runs at 50 ms took, as the client saw it. */
  sageMakerCallMs: number[];
}

/**
 * Measures every operation on a running local cloud whose environment the process already has (`useLocalCloud`).
 * Leaves the account's teams as they were: each run's team is retired after it.
 */
export async function measureOperations(cloud: LocalCloud, runs = 7): Promise<OperationsMeasurement> {
  const { handler: createTeam } = await import('../functions/create-team');
  const { handler: deleteTeam } = await import('../functions/delete-team');
  const handlers = await Promise.all(OPERATIONS.map((operation) => operation.load()));
  await recordAwsCalls();
  const createBody = JSON.parse(loadEvent('create-team.json').body ?? '{}') as Record<string, unknown>;
  const freshName = () => `bench-${randomBytes(4).toString('hex')}`;

  const givenTeam = async (groups: string[]) => {
    const name = freshName();
    const body = { ...createBody, name, members: { cognitoGroups: groups } };
    await invoke(createTeam, 'createTeam', requestFor('create-team.json', REQUESTER, undefined, body), 201);
    return name;
  };
  const retire = (name: string) => invoke(deleteTeam, 'deleteTeam', requestFor('delete-team.json', ADMIN, name), 204);

  /** One run: the team made at 0 ms, the operation timed at `latencyMs`, what it made retired at 0 ms. */
  const runOnce = async (spec: OperationSpec, handler: Handler, latencyMs: number) => {
    cloud.sagemaker.setKnobs({ latencyMs: 0 });
    const team = spec.teamGroups ? await givenTeam(spec.teamGroups) : undefined;
    const created = spec.creates ? freshName() : undefined;
    const event = created
      ? requestFor(spec.eventFile, REQUESTER, undefined, { ...createBody, name: created })
      : requestFor(spec.eventFile, REQUESTER, team);

    cloud.sagemaker.setKnobs({ latencyMs });
    takeAwsCalls();
    cloud.sagemaker.resetCallCounts();
    const started = performance.now();
    await invoke(handler, spec.functionName, event, spec.expectedStatus);
    const ms = performance.now() - started;
    const made = takeAwsCalls();
    const calls = { ...sageMakerCounts(cloud), ...countCalls(made, ['DynamoDB', 'SNS', 'Cognito', 'EventBridge']) };
    const sageMaker = made.filter((call) => call.service === 'SageMaker');

    cloud.sagemaker.setKnobs({ latencyMs: 0 });
    const left = created ?? (spec.retires ? undefined : team);
    if (left) await retire(left);
    return { ms, calls, sageMaker };
  };

  const operations: OperationMeasurement[] = [];
  const sageMakerCallMs: number[] = [];
  for (const [index, spec] of OPERATIONS.entries()) {
    const handler = (handlers[index] as { handler: Handler }).handler;
    const measured: OperationMeasurement = {
      route: spec.route,
      ...(spec.goal ? { goal: spec.goal } : {}),
      calls: [],
      times: { 0: [], 50: [] },
      roundTrips: [],
      paths: [],
    };
    for (const latencyMs of [0, LATENCY_MS] as const) {
      await runOnce(spec, handler, latencyMs); // warm: the first call of a client sets up its connection
      for (let run = 0; run < runs; run++) {
        const { ms, calls, sageMaker } = await runOnce(spec, handler, latencyMs);
        measured.times[latencyMs].push(ms);
        measured.calls.push(calls);
        if (latencyMs === LATENCY_MS) {
          measured.roundTrips.push(roundTrips(sageMaker));
          measured.paths.push(criticalPath(sageMaker));
          sageMakerCallMs.push(...sageMaker.map((call) => call.endMs - call.startMs));
        }
      }
    }
    progress(
      `${spec.route}: ${spread(measured.times[LATENCY_MS])} ms at ${LATENCY_MS} ms, ${range(measured.roundTrips)} round trips`,
    );
    operations.push(measured);
  }
  return { runs, operations, sageMakerCallMs };
}

const SERVICES = ['SageMaker', 'DynamoDB', 'SNS', 'Cognito', 'EventBridge'] as const;
const mark = (met: boolean) => (met ? '✓' : '✗');

/** Every run's count of `key` (a `Service Operation`, or a service for its total), one number or a range. */
function callsOf(measured: OperationMeasurement, select: (counts: Counts) => number): { text: string; max: number } {
  const values = measured.calls.map(select);
  return { text: range(values), max: Math.max(...values) };
}

const ofService = (service: string) => (counts: Counts) =>
  total(Object.fromEntries(Object.entries(counts).filter(([key]) => key.startsWith(`${service} `))));

/** The service's calls as `Operation n, Operation m`, in the order they are most made. */
function byOperation(measured: OperationMeasurement, service: string): string {
  const operations = new Set(measured.calls.flatMap((counts) => Object.keys(counts)));
  const cells = [...operations]
    .filter((key) => key.startsWith(`${service} `))
    .map((key) => ({ name: key.slice(service.length + 1), ...callsOf(measured, (counts) => counts[key] ?? 0) }))
    .sort((a, b) => b.max - a.max || a.name.localeCompare(b.name));
  return cells.map((cell) => `${cell.name} ${cell.text}`).join(', ') || '—';
}

/** The operations' tables, in Markdown: calls per service; goals, round trips and wall time. */
export function operationTables({ runs, operations }: OperationsMeasurement): { calls: string[]; goals: string[] } {
  const calls = [
    '| operation | SageMaker | DynamoDB | SNS | Cognito | all |',
    '| --- | --- | --- | --- | --- | ---: |',
    ...operations.map((measured) => {
      const cells = SERVICES.filter((service) => service !== 'EventBridge').map((service) => {
        const count = callsOf(measured, ofService(service)).text;
        return count === '0' ? '0' : `**${count}**: ${byOperation(measured, service)}`;
      });
      const eventBridge = callsOf(measured, ofService('EventBridge')).text;
      const all = callsOf(measured, total).text;
      return `| \`${measured.route}\` | ${cells.join(' | ')} | ${all}${eventBridge === '0' ? '' : ` (EventBridge ${eventBridge})`} |`;
    }),
  ];

  const goals = [
    `| operation | SageMaker calls (goal) | round trips (goal) | SageMaker's critical path | wall ms at ${LATENCY_MS} ms (min / median / max of ${runs}) | local ms (median at 0 ms) | median at ${LATENCY_MS} ms − local | bound: goal round trips × ${LATENCY_MS} ms | goals met |`,
    '| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | :---: |',
    ...operations.map((measured) => {
      const sageMaker = callsOf(measured, ofService('SageMaker'));
      const trips = { text: range(measured.roundTrips), max: Math.max(...measured.roundTrips) };
      const local = median(measured.times[0]);
      const latencyShare = median(measured.times[LATENCY_MS]) - local;
      const { goal } = measured;
      const callsCell = goal
        ? `${sageMaker.text} ${mark(sageMaker.max <= goal.calls)} (≤ ${goal.calls})`
        : `${sageMaker.text} (none set)`;
      const tripsCell = goal
        ? `${trips.text} ${mark(trips.max <= goal.roundTrips)} (≤ ${goal.roundTrips})`
        : `${trips.text} (none set)`;
      const bound = goal ? `${goal.roundTrips * LATENCY_MS}` : '—';
      const met = goal ? mark(sageMaker.max <= goal.calls && trips.max <= goal.roundTrips) : '—';
      return `| \`${measured.route}\` | ${callsCell} | ${tripsCell} | ${commonPaths(measured.paths)} | ${spread(measured.times[LATENCY_MS])} | ${local.toFixed(0)} | ${latencyShare.toFixed(0)} | ${bound} | ${met} |`;
    }),
  ];
  return { calls, goals };
}
