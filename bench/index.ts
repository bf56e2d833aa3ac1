/**
 * The benchmark anyone can rerun: in one run, the AWS calls, SageMaker round trips and wall time of every HTTP
 * operation on teams, every function's bundle size and module load, the audit of 4 and 25 teams and of 1, 10 and
 * 100 targets, and the event-driven half under AWS's quotas (the Cognito storm, the resync of 25 teams), written to bench/RESULTS.md
 * (progress on stderr). Bundles load in fresh processes first; the storm and the resync run in child processes,
 * each with a local cloud of its own; the rest runs in this process against a local cloud of its own (free
 * ports), stopped at the end.
 *
 *   npm run bench [-- runs, default 7]
 */
import { writeFileSync } from 'node:fs';
import { arch, cpus, platform, release, totalmem } from 'node:os';
import { EPHEMERAL_PORTS, startLocalCloud } from '../local/cloud';
import { AUDIT_ROUND_TRIPS_GOAL, auditTables, measureAudit } from './audit';
import { median, progress, useLocalCloud } from './aws-calls';
import { COLD_START_RUNS, coldStartTable, measureColdStarts } from './cold-start';
import { LATENCY_MS, measureOperations, operationTables } from './operations';
import { code, EVENT_DRIVEN_HEADING, marked, paragraph, RESULTS, sectionFromChild } from './results';

/** Storm runs (each makes 3 of SageMaker's 25 teams a region in its own local cloud). */
const STORM_RUNS = 3;

function machine(): string {
  const processors = cpus();
  const model = processors[0]?.model.trim() ?? 'unknown CPU';
  const memory = `${(totalmem() / 1024 ** 3).toFixed(0)} GiB`;
  return `${platform()} ${release()} (${arch()}), ${processors.length} × ${model}, ${memory}, Node ${process.version}`;
}

async function main(runs: number): Promise<void> {
  const started = new Date();
  progress(`bundling every function and loading each ${COLD_START_RUNS} times`);
  const coldStarts = await measureColdStarts(COLD_START_RUNS);
  progress(`the Cognito storm, ${STORM_RUNS} runs, in a child process with a local cloud of its own`);
  const storm = sectionFromChild('storm.ts', [String(STORM_RUNS)]);
  progress('the resync of 25 teams, in a child process with a local cloud of its own');
  const resync = sectionFromChild('resync.ts');
  progress('the audit of 1, 10 and 100 targets, in a child process with a local cloud of its own');
  const auditTargets = sectionFromChild('audit-targets.ts');

  progress('starting the local cloud');
  const cloud = await startLocalCloud({ ports: EPHEMERAL_PORTS, apiUrl: 'http://127.0.0.1:0' });
  // Interrupted, it still stops the local cloud: cognito-local is a child process that would outlive it.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      progress(`${signal}: stopping the local cloud`);
      cloud.stop().finally(() => process.exit(130));
    });
  }
  try {
    // Before anything imports lib/ or functions/: they read their configuration at import.
    useLocalCloud(cloud);
    // The operations first: they leave the account's teams as they found them (the seeded 4), which the audit's
    // first size is; the audit then fills the account to SageMaker's 25.
    const operations = await measureOperations(cloud, runs);
    const audit = await measureAudit(cloud, runs);
    const tables = operationTables(operations);

    const callMs = operations.sageMakerCallMs;
    const lines = [
      '# Benchmark results',
      '',
      `Written by \`npm run bench\` (bench/index.ts) on ${started.toISOString()}; rerun it to regenerate this file.`,
      '',
      `- Code: ${code()}`,
      `- Machine: ${machine()}`,
      `- N = ${runs} timed runs per measurement (after one untimed warm-up run); module loads: ${COLD_START_RUNS} per bundle`,
      ...paragraph(
        '- Everything against the in-process local cloud (local/cloud.ts): our SageMaker emulator, dynalite, fauxqs,',
        "cognito-local. SageMaker calls are the emulator's count; DynamoDB, SNS, Cognito and EventBridge calls are",
        "counted by a middleware on the functions' own SDK clients.",
      ),
      '',
      '## AWS calls per HTTP operation',
      '',
      ...paragraph(
        "Each handler invoked in process with its events/ file, as `serverless invoke local` does, by the team's owner",
        '(a requester); each run on a fresh team where the operation needs one, made and retired outside the measured',
        "part. `POST /teams` carries an Idempotency-Key (its record: DynamoDB calls) and the file's body",
        '(notifications on: a topic and its subscriptions); `GET /teams` asks for `limit=2`.',
      ),
      '',
      ...tables.calls,
      '',
      `## Round trips and wall time at ${LATENCY_MS} ms of SageMaker latency`,
      '',
      ...paragraph(
        'Goals: `POST /teams` ≤ 4 SageMaker calls and ≤ 3 round trips on its critical path; `PATCH` and member',
        'changes ≤ 3 calls and ≤ 2 round trips; `GET /teams/{name}` ≤ 2 calls (2 round trips: ListTags needs the ARN DescribeWorkteam answers); none set for',
        '`DELETE /teams/{name}` and `GET /teams`. "Goals met" is both: calls and round trips.',
      ),
      '',
      ...paragraph(
        'Round trips are measured, not inferred: each SageMaker call is timed in process (start and end, as the',
        "function's client sees it), and the round trips are the waves of the longest chain of calls each started",
        'after the one before it ended; calls made side by side (‖) share a wave (→ separates waves). The bound is the',
        `goal's round trips × ${LATENCY_MS} ms. What SageMaker's latency added to an operation is its median wall time at`,
        `${LATENCY_MS} ms minus its median at 0 ms (its local time: DynamoDB, SNS, Cognito, the emulator's own work);`,
        'local work done while a SageMaker call is in flight hides in it, so it can come out under the bound. Above',
        `it, besides extra round trips: a SageMaker call at ${LATENCY_MS} ms of latency took ${median(callMs).toFixed(1)} ms here`,
        `(median of the ${callMs.length} timed; min ${Math.min(...callMs).toFixed(1)}, max ${Math.max(...callMs).toFixed(1)}):`,
        "the emulator runs in this process, so its timers and HTTP share the functions' event loop.",
      ),
      '',
      ...tables.goals,
      '',
      '## Bundle size and module load per function',
      '',
      ...paragraph(
        "Each function bundled as serverless-esbuild bundles it (serverless.yml's `custom.esbuild`), then required in",
        'a fresh Node process with its environment; the ratio is to the median of a bare handler that only builds a',
        '`SageMakerClient`, bundled as the project bundled before (see bench/cold-start.ts).',
      ),
      '',
      ...coldStartTable(coldStarts, COLD_START_RUNS),
      '',
      '## The audit of 4 and 25 teams',
      '',
      ...paragraph(
        'The audit function invoked with events/audit-schedule.json on the seeded 4 teams (none managed), then with 21',
        "managed teams added (25, SageMaker's limit a region). Its critical path: ListWorkforces ‖ registry Query ‖",
        "ListWorkteams (one page: the reader asks for 100 a page), then each team's reads, five teams at a time:",
        'ListTags (only for a team nobody manages) ‖ SNS ‖ Cognito. With at most five teams nobody manages (here the',
        'seeded 4), five workers can have every ListTags in flight at once, so',
        `${AUDIT_ROUND_TRIPS_GOAL} SageMaker round trips suffice for either size: the bound is ${AUDIT_ROUND_TRIPS_GOAL} × ${LATENCY_MS} ms plus`,
        "the run's local time (its median at 0 ms of latency). A SageMaker call takes a few ms more than",
        `${LATENCY_MS} here (see above), and the local time varies from run to run (its min and max), so a run exactly at`,
        'the goal can come out a few ms over the bound: the round trips are the firm measure.',
      ),
      '',
      ...auditTables(audit),
      '',
      ...marked('audit-targets', auditTargets),
      '',
      EVENT_DRIVEN_HEADING,
      '',
      ...marked('storm', storm),
      '',
      ...marked('resync', resync),
      '',
    ];
    writeFileSync(RESULTS, lines.join('\n'));
    progress(`wrote ${RESULTS}`);
  } finally {
    progress('stopping the local cloud');
    await cloud.stop();
  }
}

main(Number(process.argv[2] ?? 7)).then(
  () => process.exit(0),
  (error: Error) => {
    process.stderr.write(`bench failed: ${error.stack ?? error.message}\n`);
    process.exit(1);
  },
);
