/**
 * The audit of many targets on AWS's own engines, measured on a local cloud of its own: 1, 10 and 100 targets of 25
 * managed teams each, at 50 ms of SageMaker latency and a throttling rate of 0 and 0.2. The scheduled audit
 * function (the dispatcher) and the worker (auditTarget) each run in a process of their own
 * (bench/function-process.ts), so each one's peak memory is its own; the local SQS event source delivers the
 * dispatched messages to the worker as Lambda's pollers do (batch size and maximum concurrency from serverless.yml).
 *
 * Per run: SageMaker calls per team (the emulator's count; the Tagging API's GetResources apart), DescribeWorkteam
 * calls, all AWS calls of both functions (every target's SDK clients counted), wall time from the invocation to the
 * assembled report, against the bound the design sets: ⌈targets ÷ worker concurrency⌉ waves of one target's audit
 * (the worker's median invocation at that size) plus the dispatcher's poll interval; and each function's peak memory.
 *
 *   npx tsx bench/audit-targets.ts [runs per measurement, default 3]
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { CreateWorkforceCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { SQSClient } from '@aws-sdk/client-sqs';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import type { LocalCloud } from '../local/cloud';
import { printServerlessConfig, startLocalEventDelivery } from '../local/event-bus';
import type { PrintedConfig } from '../local/sqs-event-source';
import { EXTERNAL_ID, type LocalTarget, targetRoleArn, targetsSetting } from '../local/targets';
import { type Counts, functionEnvironment, median, progress, range, total, useLocalCloud } from './aws-calls';
import { runWithOwnCloud } from './own-cloud';
import { code, emitSection, paragraph } from './results';

const ROOT = resolve(__dirname, '..');
const SIZES = [1, 10, 100] as const;
const THROTTLES = [0, 0.2] as const;
const TEAMS_PER_TARGET = 25;
const LATENCY_MS = 50;
/** The scheduled run reads the run this often while it waits for the targets' rows (functions/audit.ts). */
const POLL_MS = 500;
/** The goals of the issue: SageMaker calls per team, and wall time against the bound. */
const CALLS_PER_TEAM_GOAL = 0.1;
const WALL_GOAL = 1.25;

/** The benchmark's targets besides the hub: accounts 300000000001…, in the hub's region, reachable. */
const BENCH_TARGETS: LocalTarget[] = Array.from({ length: Math.max(...SIZES) - 1 }, (_, index) => ({
  account: `3${String(index + 1).padStart(11, '0')}`,
  region: 'us-east-1',
  workforce: 'cognito',
  reachable: true,
}));

interface FunctionProcess {
  child: ChildProcess;
  invokeUrl: string;
  controlUrl: string;
}

async function startFunction(
  key: string,
  name: string,
  env: Record<string, string>,
  memoryMb: number,
): Promise<FunctionProcess> {
  const oldSpace = `--max-old-space-size=${Math.floor(memoryMb * 0.9)}`;
  const child = spawn(
    process.execPath,
    [oldSpace, '--expose-gc', '--import', 'tsx', resolve(__dirname, 'function-process.ts'), key, name, '300'],
    { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const ready = await new Promise<string>((done, fail) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const line = out.split('\n').find((candidate) => candidate.startsWith('READY '));
      if (line) done(line);
    });
    child.once('exit', (status) => fail(new Error(`${key} exited (${status}) before it was ready`)));
  });
  const [, invokeUrl = '', controlUrl = ''] = ready.split(' ');
  return { child, invokeUrl, controlUrl };
}

async function control<T>(fn: FunctionProcess, route: 'calls' | 'memory'): Promise<T> {
  return (await (await fetch(`${fn.controlUrl}/${route}`)).json()) as T;
}

interface Memory {
  maxRssMb: number;
  heapUsedMb: number;
  invocations: { ms: number; error?: string }[];
}

interface Run {
  wallMs: number;
  status: string;
  sageMaker: Counts;
  calls: Counts;
  workerMs: number[];
}

export interface SizeMeasurement {
  targets: number;
  throttle: number;
  runs: Run[];
  dispatcherMb: number;
  workerMb: number;
  /** The worker's heap after a full collection, after the row's runs: what it keeps. */
  workerHeapMb: number;
  concurrency: number;
}

/** Every bench target gets a Cognito workforce of the hub's pool, then 25 managed teams; the hub is filled to 25. */
async function fillTargets(cloud: LocalCloud): Promise<void> {
  const { loadConfig, teamsConfigSchema } = await import('../lib/runtime/config');
  const { targetsOf } = await import('../lib/composition/targets');
  const { buildTeamDeps } = await import('../lib/composition/teams');
  const { createTeam } = await import('../lib/use-cases/manage-teams');
  const { actorOf } = await import('../lib/auth/caller');
  const { mapBounded } = await import('../lib/runtime/concurrency');
  const config = loadConfig(teamsConfigSchema());
  const owner = actorOf({
    sub: 'bench-requester',
    username: 'requester',
    groups: 'workteam-requesters',
    isAdmin: false,
    isRequester: true,
  });
  const hubTeams = cloud.seed.teams.length;
  await mapBounded(targetsOf(config).all, 10, async (target) => {
    if (!target.hub) {
      const sagemaker = new SageMakerClient({
        region: target.region,
        credentials: fromTemporaryCredentials({
          params: {
            RoleArn: targetRoleArn(target.account, target.region),
            ExternalId: EXTERNAL_ID,
            RoleSessionName: 'bench',
          },
          clientConfig: { region: cloud.env.AWS_REGION },
        }),
      });
      await sagemaker.send(
        new CreateWorkforceCommand({
          WorkforceName: 'default',
          CognitoConfig: { UserPool: cloud.seed.userPoolId, ClientId: cloud.seed.clientId },
        }),
      );
      sagemaker.destroy();
    }
    const deps = buildTeamDeps(config, target);
    const count = target.hub ? TEAMS_PER_TARGET - hubTeams : TEAMS_PER_TARGET;
    for (let index = 0; index < count; index += 1) {
      await createTeam(deps, owner, {
        name: `bench-${String(index).padStart(2, '0')}`,
        description: 'A team of the audit benchmark',
        members: { cognitoGroups: [index % 2 === 0 ? 'labelers-en' : 'reviewers'] },
        workerAccess: { sourceIp: 'Enabled', vpcSourceIp: 'Disabled' },
        tags: { classification: 'internal', 'cost-center': 'bench' },
      });
    }
  });
}

async function measureSize(
  cloud: LocalCloud,
  config: PrintedConfig,
  size: number,
  runs: number,
): Promise<SizeMeasurement[]> {
  const targets = JSON.stringify(targetsSetting(BENCH_TARGETS.slice(0, size - 1)));
  const named = (key: string) => config.functions?.[key]?.name ?? `workteam-automation-local-${key}`;
  const env = (key: string) => ({ ...functionEnvironment(cloud, config, key), TARGETS: targets });
  const memoryOf = (key: string) => Number(config.functions?.[key]?.memorySize ?? config.provider?.memorySize ?? 1024);
  const worker = await startFunction('auditTarget', named('auditTarget'), env('auditTarget'), memoryOf('auditTarget'));
  const dispatcher = await startFunction('audit', named('audit'), env('audit'), memoryOf('audit'));
  const sqs = new SQSClient({
    endpoint: cloud.env.AWS_ENDPOINT_URL_SQS,
    region: cloud.env.AWS_REGION,
    credentials: { accessKeyId: cloud.env.AWS_ACCESS_KEY_ID ?? 'local', secretAccessKey: 'local' },
  });
  const delivery = await startLocalEventDelivery({ config, lambdaUrl: worker.invokeUrl, sqs, log: () => undefined });
  const scheduled = readFileSync(resolve(ROOT, 'events/audit-schedule.json'), 'utf8');
  const concurrency = Number(
    ((config.functions?.auditTarget?.events ?? []) as { sqs?: { maximumConcurrency?: number } }[])
      .map((event) => event.sqs?.maximumConcurrency)
      .find((value) => value !== undefined) ?? 1,
  );
  const measurements: SizeMeasurement[] = [];
  try {
    for (const throttle of THROTTLES) {
      cloud.sagemaker.setKnobs({ latencyMs: LATENCY_MS, throttleRate: throttle });
      const measured: Run[] = [];
      // One untimed warm-up run: module loads, the roles' sessions.
      for (let run = 0; run <= runs; run += 1) {
        progress(`audit of ${size} targets, throttle ${throttle}: run ${run === 0 ? 'warm-up' : run}`);
        cloud.sagemaker.resetCallCounts();
        await control(dispatcher, 'calls');
        await control(worker, 'calls');
        await control<Memory>(worker, 'memory');
        const started = performance.now();
        const answer = await fetch(`${dispatcher.invokeUrl}/2015-03-31/functions/${named('audit')}/invocations`, {
          method: 'POST',
          body: scheduled,
        });
        const report = (await answer.json()) as { status?: string; targets?: unknown[] };
        const wallMs = performance.now() - started;
        const calls: Counts = {};
        for (const fn of [dispatcher, worker]) {
          for (const [call, n] of Object.entries(await control<Counts>(fn, 'calls')))
            calls[call] = (calls[call] ?? 0) + n;
        }
        const workerMs = (await control<Memory>(worker, 'memory')).invocations.map((invocation) => invocation.ms);
        if (run > 0) {
          measured.push({
            wallMs,
            status: report.status ?? (answer.headers.get('x-amz-function-error') ? 'error' : 'unknown'),
            sageMaker: cloud.sagemaker.callCounts(),
            calls,
            workerMs,
          });
        }
      }
      const workerMemory = await control<Memory>(worker, 'memory');
      measurements.push({
        targets: size,
        throttle,
        runs: measured,
        dispatcherMb: (await control<Memory>(dispatcher, 'memory')).maxRssMb,
        workerMb: workerMemory.maxRssMb,
        workerHeapMb: workerMemory.heapUsedMb,
        concurrency,
      });
    }
  } finally {
    cloud.sagemaker.setKnobs({ latencyMs: 0, throttleRate: 0 });
    await delivery.stop();
    sqs.destroy();
    for (const fn of [dispatcher, worker]) fn.child.kill();
  }
  return measurements;
}

/** The SageMaker calls the functions made (their clients' sends: a call the SDK retried is one call). */
const sageMakerCalls = (calls: Counts) =>
  total(Object.fromEntries(Object.entries(calls).filter(([call]) => call.startsWith('SageMaker '))));
/** The requests SageMaker received: every attempt, the throttled ones and the SDK's retries of them included. */
const sageMakerAttempts = (counts: Counts) =>
  total(Object.fromEntries(Object.entries(counts).filter(([operation]) => operation !== 'GetResources')));

/**
 * The bound a run's wall time is held to: the targets' audits (the worker's invocations, each one target's calls at
 * SageMaker's latency, its pages, its throttling) scheduled as well as the design's concurrency allows, which takes
 * at least their sum ÷ the concurrency and at least the longest of them, plus one poll of the dispatcher. With one
 * target, audited in place, the bound is that audit.
 */
function boundMs(measurement: SizeMeasurement, run: Run): number {
  if (measurement.targets === 1 || run.workerMs.length === 0) return run.wallMs;
  const sum = run.workerMs.reduce((all, ms) => all + ms, 0);
  return Math.max(sum / measurement.concurrency, Math.max(...run.workerMs)) + POLL_MS;
}

export function auditTargetsSection(measurements: SizeMeasurement[], runs: number): string[] {
  const rows = measurements.map((m) => {
    const teams = m.targets * TEAMS_PER_TARGET;
    const perTeam = m.runs.map((run) => sageMakerCalls(run.calls) / teams);
    const attempts = m.runs.map((run) => sageMakerAttempts(run.sageMaker) / teams);
    const describes = m.runs.map((run) => run.sageMaker.DescribeWorkteam ?? 0);
    const all = m.runs.map((run) => total(run.calls));
    const ratios = m.runs.map((run) => run.wallMs / boundMs(m, run));
    const met =
      Math.max(...perTeam) <= CALLS_PER_TEAM_GOAL && Math.max(...describes) === 0 && median(ratios) <= WALL_GOAL;
    return [
      `| ${m.targets} | ${m.throttle} | ${m.runs.map((run) => run.status).join(', ')} | ${range(perTeam.map((x) => Number(x.toFixed(3))))} | ${range(attempts.map((x) => Number(x.toFixed(3))))} | ${range(describes)} | ${range(all)} | ${range(m.runs.map((run) => Math.round(run.wallMs)))} | ${range(m.runs.map((run) => Math.round(boundMs(m, run))))} | ${range(ratios.map((x) => Number(x.toFixed(2))))} | ${m.dispatcherMb.toFixed(0)} | ${m.workerMb.toFixed(0)} | ${m.workerHeapMb.toFixed(0)} | ${met ? 'yes' : 'no'} |`,
    ];
  });
  const operations = new Map<string, number[]>();
  const largest = measurements.filter((m) => m.targets === Math.max(...SIZES) && m.throttle === 0);
  for (const run of largest.flatMap((m) => m.runs)) {
    for (const [call, n] of Object.entries(run.calls)) operations.set(call, [...(operations.get(call) ?? []), n]);
  }
  return [
    `### The audit of 1, 10 and 100 targets of ${TEAMS_PER_TARGET} teams`,
    '',
    ...paragraph(
      `Measured by bench/audit-targets.ts (${runs} timed runs per row after one warm-up; ${code()}). SageMaker at`,
      `${LATENCY_MS} ms a call, throttling 0 or 0.2 of its calls. The scheduled audit dispatches one SQS message per`,
      'target and waits for the rows; the worker audits one target a message, at the maximum concurrency serverless.yml',
      `gives its event source (${measurements[0]?.concurrency ?? '?'}); each runs in a process of its own. Min/median/max.`,
      `Goals: SageMaker calls per team ≤ ${CALLS_PER_TEAM_GOAL} (the calls the functions made: ListWorkteams and`,
      "ListWorkforces per target; the teams' tags come from the Tagging API's GetResources, one call a page; the",
      "requests SageMaker received, every throttled attempt and the SDK's retries of it included, are shown beside),",
      `DescribeWorkteam 0, wall time ≤ ${WALL_GOAL}× the bound: the worker's invocations (each one target's calls at the`,
      'latency, its pages, its throttling) scheduled as the concurrency allows at best, max(their sum ÷ concurrency, the',
      `longest), + ${POLL_MS} ms (the dispatcher's poll interval); with one target the run is audited in place and the`,
      'bound is that audit. Memory: each function runs as Lambda runs Node, its old space held to 90% of its memory',
      "(serverless.yml's memorySize); its peak (maxRSS) across the runs of the row, and the worker's heap after a full",
      'collection once they are done (what it keeps): flat from 10 to 100 targets is the goal (a container keeps the',
      'clients of its last 10 targets, lib/runtime/targets.ts).',
    ),
    '',
    '| targets | throttle | report | SageMaker calls per team | SageMaker requests per team | DescribeWorkteam | all AWS calls | wall ms | bound ms | wall ÷ bound | dispatcher MB | worker MB | worker heap MB | goals met |',
    '| ---: | ---: | --- | --- | --- | --- | --- | --- | --- | --- | ---: | ---: | ---: | --- |',
    ...rows.flat(),
    '',
    `AWS calls of a run of ${Math.max(...SIZES)} targets without throttling, by operation (min/median/max):`,
    '',
    '| call | per run |',
    '| --- | --- |',
    ...[...operations].sort(([a], [b]) => a.localeCompare(b)).map(([call, counts]) => `| ${call} | ${range(counts)} |`),
  ];
}

export async function measureAuditTargets(cloud: LocalCloud, runs: number): Promise<SizeMeasurement[]> {
  useLocalCloud(cloud);
  process.env.TARGETS = JSON.stringify(targetsSetting(BENCH_TARGETS));
  // Filling 100 targets is not what is measured: the quotas are lifted meanwhile, then restored.
  cloud.cloudTrail.quotas.setScale(0);
  cloud.sns.quotas.setScale(0);
  progress(`filling the hub and ${BENCH_TARGETS.length} targets with ${TEAMS_PER_TARGET} managed teams each`);
  await fillTargets(cloud);
  cloud.cloudTrail.quotas.setScale(1);
  cloud.sns.quotas.setScale(1);
  const config = await printServerlessConfig({ root: ROOT, stage: 'local', env: cloud.env });
  const measurements: SizeMeasurement[] = [];
  for (const size of SIZES) measurements.push(...(await measureSize(cloud, config, size, runs)));
  return measurements;
}

if (require.main === module) {
  const runs = Number(process.argv.slice(2).find((arg) => /^\d+$/.test(arg)) ?? 3);
  runWithOwnCloud(
    'audit-targets',
    async (cloud) => emitSection('audit-targets', auditTargetsSection(await measureAuditTargets(cloud, runs), runs)),
    { extraTargets: BENCH_TARGETS },
  );
}
