/**
 * What the benchmarks share: the local cloud's environment for the functions, and a record of every AWS call the
 * functions' singleton SDK clients make (service, operation, when it started and ended), from which calls are
 * counted and SageMaker's round trips on the critical path are found.
 *
 * Nothing here imports lib/ or functions/ at load time: they read their configuration when imported, so the
 * environment goes first (`useLocalCloud`), then `recordAwsCalls` (which imports the clients).
 */
import type { LocalCloud } from '../local/cloud';
import type { PrintedConfig } from '../local/sqs-event-source';

export type Counts = Record<string, number>;

export interface AwsCall {
  service: string;
  operation: string;
  /** performance.now() when the client was asked to send the command, and when its answer (or error) came. */
  startMs: number;
  endMs: number;
}

/** The functions' environment in the local cloud, with Powertools quiet and no settling window for new groups. */
export function useLocalCloud(cloud: LocalCloud): void {
  Object.assign(process.env, cloud.env, {
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    POWERTOOLS_METRICS_DISABLED: 'true',
    POWERTOOLS_TRACE_ENABLED: 'false',
    GROUP_SETTLING_SECONDS: '0',
  });
}

/**
 * The environment one function gets as serverless.yml gives it (the printed configuration's provider and function
 * `environment`, string values), on the local cloud's, with Powertools quiet: for a handler invoked in process.
 */
export function useFunctionEnvironment(cloud: LocalCloud, config: PrintedConfig, functionKey: string): void {
  Object.assign(process.env, functionEnvironment(cloud, config, functionKey));
}

/** That environment, for a function run in a process of its own (bench/function-process.ts). */
export function functionEnvironment(
  cloud: LocalCloud,
  config: PrintedConfig,
  functionKey: string,
): Record<string, string> {
  const strings = (values: unknown) =>
    Object.fromEntries(
      Object.entries((values ?? {}) as Record<string, unknown>).filter(
        (entry): entry is [string, string] => typeof entry[1] === 'string',
      ),
    );
  return {
    ...cloud.env,
    ...strings(config.provider?.environment),
    ...strings(config.functions?.[functionKey]?.environment),
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    POWERTOOLS_METRICS_DISABLED: 'true',
    POWERTOOLS_TRACE_ENABLED: 'false',
  };
}

type Next = (args: unknown) => Promise<unknown>;
type Middleware = (next: Next, context: { commandName?: string }) => Next;
/** What of an SDK client's middleware stack is used: its overloads, typed per client, all take this. */
type MiddlewareStack = { add(middleware: Middleware, options: { step: 'initialize'; name: string }): void };

const recorded: AwsCall[] = [];
let installed: Promise<void> | undefined;

/**
 * Records every call of the functions' SageMaker, DynamoDB, SNS, Cognito and EventBridge clients (the singletons of
 * lib/runtime/clients/*, which the functions build at import: import them first, so the clients carry their configuration).
 * Installed once per process; later calls only wait for it.
 */
export function recordAwsCalls(): Promise<void> {
  installed ??= (async () => {
    const { targetsConfigSchema, loadConfig } = await import('../lib/runtime/config');
    const config = loadConfig(targetsConfigSchema());
    const hub = (await import('../lib/composition/targets')).targetsOf(config).hub;
    const clients: [string, { middlewareStack: unknown }][] = [
      ['SageMaker', (await import('../lib/runtime/clients/sagemaker')).sageMakerClient(config, hub)],
      ['DynamoDB', (await import('../lib/runtime/clients/dynamodb')).dynamoClient(config)],
      ['SNS', (await import('../lib/runtime/clients/sns')).snsClient(config, hub)],
      ['Cognito', (await import('../lib/runtime/clients/cognito')).cognitoClient(config, hub)],
      ['EventBridge', (await import('../lib/runtime/clients/eventbridge')).eventBridgeClient(config)],
    ];
    for (const [service, client] of clients) {
      (client.middlewareStack as MiddlewareStack).add(
        (next, context) => async (args) => {
          const call = {
            service,
            operation: (context.commandName ?? '?').replace(/Command$/, ''),
            startMs: performance.now(),
            endMs: Number.NaN,
          };
          try {
            return await next(args);
          } finally {
            call.endMs = performance.now();
            recorded.push(call);
          }
        },
        { step: 'initialize', name: `bench-record-${service}` },
      );
    }
  })();
  return installed;
}

/** The calls recorded since the last take, oldest answer first; the record starts empty again. */
export function takeAwsCalls(): AwsCall[] {
  return recorded.splice(0);
}

/** `{ 'DynamoDB GetItem': 2, ... }` for the calls of the services given (all when none). */
export function countCalls(calls: AwsCall[], services?: string[]): Counts {
  const counts: Counts = {};
  for (const call of calls) {
    if (services && !services.includes(call.service)) continue;
    const key = `${call.service} ${call.operation}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

/**
 * The calls in waves: a call's wave is one more than the latest wave of the calls that had ended when it started.
 * Calls made side by side (Promise.all) share a wave; a call made after another's answer is in a later one. The
 * number of waves is the round trips on the critical path: the longest chain of calls each of which started after
 * the one before it ended.
 */
export function waves(calls: AwsCall[]): AwsCall[][] {
  const byStart = [...calls].sort((a, b) => a.startMs - b.startMs);
  const waveOf: number[] = [];
  const result: AwsCall[][] = [];
  byStart.forEach((call, index) => {
    let wave = 0;
    for (let earlier = 0; earlier < index; earlier++) {
      const before = byStart[earlier] as AwsCall;
      if (before.endMs <= call.startMs) wave = Math.max(wave, (waveOf[earlier] ?? 0) + 1);
    }
    waveOf.push(wave);
    result[wave] = [...(result[wave] ?? []), call];
  });
  return result;
}

export const roundTrips = (calls: AwsCall[]): number => waves(calls).length;

/** `DescribeWorkteam → AddTags ‖ UpdateWorkteam`: the waves, side-by-side calls joined by ‖ (`ListTags ×4`). */
export function criticalPath(calls: AwsCall[]): string {
  return waves(calls)
    .map((wave) => {
      const counts = countCalls(wave);
      return Object.keys(counts)
        .sort()
        .map((key) => `${key.slice(key.indexOf(' ') + 1)}${(counts[key] ?? 0) > 1 ? ` ×${counts[key]}` : ''}`)
        .join(' ‖ ');
    })
    .join(' → ');
}

/** The paths the runs took, the most frequent first, each with how many runs took it when they differ. */
export function commonPaths(paths: string[]): string {
  const tally = new Map<string, number>();
  for (const path of paths) tally.set(path, (tally.get(path) ?? 0) + 1);
  const sorted = [...tally].sort((a, b) => b[1] - a[1]);
  if (sorted.length === 1) return sorted[0]?.[0] ?? '';
  return sorted.map(([path, count]) => `${path} (${count} of ${paths.length})`).join('; ');
}

/** SageMaker's calls as the emulator counted them, keyed like `countCalls`. */
export function sageMakerCounts(cloud: LocalCloud): Counts {
  return Object.fromEntries(
    Object.entries(cloud.sagemaker.callCounts()).map(([operation, count]) => [`SageMaker ${operation}`, count]),
  );
}

export const total = (counts: Counts): number => Object.values(counts).reduce((sum, count) => sum + count, 0);

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** `min / median / max`, in whole milliseconds. */
export function spread(values: number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  return `${sorted[0]?.toFixed(0)} / ${median(sorted).toFixed(0)} / ${sorted.at(-1)?.toFixed(0)}`;
}

/** One number when every run agrees, else `low–high`. */
export function range(values: number[]): string {
  const low = Math.min(...values);
  const high = Math.max(...values);
  return low === high ? String(low) : `${low}–${high}`;
}

export function progress(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

/** The AWS calls of several runs, by operation (`low–high` where runs differ), with their total. */
export function callsTable(what: string, runs: { calls: Counts }[]): string[] {
  const operations = [...new Set(runs.flatMap((run) => Object.keys(run.calls)))].sort();
  return [
    `| ${what} (${runs.length === 1 ? 'one run' : `min–max of ${runs.length} runs`}) | calls |`,
    '| --- | ---: |',
    ...operations.map((operation) => `| ${operation} | ${range(runs.map((run) => run.calls[operation] ?? 0))} |`),
    `| **all** | **${range(runs.map((run) => total(run.calls)))}** |`,
  ];
}
