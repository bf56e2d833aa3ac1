/**
 * What an audit costs, measured on the local cloud: AWS calls per service and operation for the seeded 4 teams and
 * for 25 (21 managed teams added through the createTeam use case), SageMaker round trips on its critical path, and
 * the audit function's wall time at 0 and 50 ms of SageMaker latency, as min/median/max of repeated runs.
 * SageMaker calls come from the emulator's counter; DynamoDB, SNS, Cognito and EventBridge are counted in process.
 * `npm run bench` runs it with the rest; alone, on a local cloud of its own (free ports):
 *
 *   npx tsx bench/audit.ts [runs per size, default 5]
 */

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { actorOf } from '../lib/auth/caller';
import type { LocalCloud } from '../local/cloud';
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
  useLocalCloud,
} from './aws-calls';
import { runWithOwnCloud } from './own-cloud';

/** SageMaker's latency for the timed runs, and the round trips the audit's critical path should take at most. */
const LATENCY_MS = 50;
/**
 * ListWorkforces ‖ registry Query ‖ ListWorkteams (one page: the reader asks for 100 teams a page, SageMaker allows
 * 25 a region), then each team's reads side by side, five teams at a time: ListTags (only for a team nobody
 * manages) ‖ SNS ‖ Cognito. With at most five teams nobody manages (the seeded 4), five workers can have every
 * ListTags of a run in flight together, so two SageMaker round trips are enough however many managed teams; the rest (DynamoDB, SNS, Cognito, the findings' writes) is local
 * time, measured by the same run at 0 ms of latency.
 */
export const AUDIT_ROUND_TRIPS_GOAL = 2;

export interface AuditSize {
  teams: number;
  /** Calls per run, by `Service Operation`, as the last timed run made them (the runs agree: see `totals`). */
  calls: Counts;
  /** All calls of each timed run. */
  totals: number[];
  /** Wall time of each timed run, by SageMaker latency. */
  times: { 0: number[]; 50: number[] };
  /** SageMaker round trips on the critical path of each run at 50 ms, and the path itself. */
  roundTrips: number[];
  paths: string[];
}

export interface AuditMeasurement {
  runs: number;
  small: AuditSize;
  full: AuditSize;
}

/**
 * Measures the audit on a running local cloud whose environment the process already has (`useLocalCloud`):
 * first with the teams the account holds, then filled to 25 with managed teams (left in place).
 */
export async function measureAudit(cloud: LocalCloud, runs = 5): Promise<AuditMeasurement> {
  const { buildTeamDeps } = await import('../lib/composition/teams');
  const { createTeam } = await import('../lib/use-cases/manage-teams');
  const { handler } = await import('../functions/audit');
  await recordAwsCalls();
  const scheduled = JSON.parse(readFileSync(resolve(__dirname, '../events/audit-schedule.json'), 'utf8'));
  const context = () => ({
    functionName: 'workteam-automation-bench-audit',
    awsRequestId: `bench-${Math.random().toString(16).slice(2)}`,
    getRemainingTimeInMillis: () => 300_000,
  });

  const runAudit = async () => {
    takeAwsCalls();
    cloud.sagemaker.resetCallCounts();
    const started = performance.now();
    const report = (await handler(scheduled, context() as never)) as { counts: { teamsAudited: number } };
    const ms = performance.now() - started;
    const made = takeAwsCalls();
    const calls = { ...sageMakerCounts(cloud), ...countCalls(made, ['DynamoDB', 'SNS', 'Cognito', 'EventBridge']) };
    const sageMaker = made.filter((call) => call.service === 'SageMaker');
    return {
      ms,
      teams: report.counts.teamsAudited,
      calls,
      roundTrips: roundTrips(sageMaker),
      path: criticalPath(sageMaker),
    };
  };

  const measure = async (): Promise<AuditSize> => {
    const size: AuditSize = { teams: 0, calls: {}, totals: [], times: { 0: [], 50: [] }, roundTrips: [], paths: [] };
    for (const latencyMs of [0, LATENCY_MS] as const) {
      cloud.sagemaker.setKnobs({ latencyMs });
      await runAudit(); // warm: the open findings are in place, as on every run but the first
      for (let run = 0; run < runs; run++) {
        const result = await runAudit();
        size.times[latencyMs].push(result.ms);
        size.totals.push(total(result.calls));
        size.calls = result.calls;
        size.teams = result.teams;
        if (latencyMs === LATENCY_MS) {
          size.roundTrips.push(result.roundTrips);
          size.paths.push(result.path);
        }
      }
      progress(`audit of ${size.teams} teams at ${latencyMs} ms: ${spread(size.times[latencyMs])} ms`);
    }
    cloud.sagemaker.setKnobs({ latencyMs: 0 });
    return size;
  };

  const small = await measure();
  const deps = buildTeamDeps();
  const caller = {
    sub: 'bench-requester',
    username: 'requester',
    groups: 'workteam-requesters',
    isAdmin: false,
    isRequester: true,
  };
  progress(`adding ${25 - small.teams} managed teams for the audit of 25`);
  for (let index = small.teams; index < 25; index++) {
    await createTeam(deps, actorOf(caller), {
      name: `bench-team-${String(index).padStart(2, '0')}`,
      description: 'A team of the audit benchmark',
      members: { cognitoGroups: [index % 2 === 0 ? 'labelers-en' : 'reviewers'] },
      workerAccess: { sourceIp: 'Enabled', vpcSourceIp: 'Disabled' },
      tags: { classification: 'internal', 'cost-center': 'bench' },
    });
  }
  const full = await measure();
  return { runs, small, full };
}

const mark = (met: boolean) => (met ? '✓' : '✗');

/** The audit's tables, in Markdown. */
export function auditTables({ runs, small, full }: AuditMeasurement): string[] {
  const operations = [...new Set([...Object.keys(small.calls), ...Object.keys(full.calls)])].sort();
  const both = (cell: (size: AuditSize) => string) => `| ${cell(small)} | ${cell(full)} |`;
  const local = (size: AuditSize) => median(size.times[0]);
  const bound = (size: AuditSize) => AUDIT_ROUND_TRIPS_GOAL * LATENCY_MS + local(size);
  const trips = (size: AuditSize) => Math.max(...size.roundTrips);
  return [
    `| calls per audit run | ${small.teams} teams | ${full.teams} teams |`,
    '| --- | ---: | ---: |',
    ...operations.map((operation) => `| ${operation} ${both((size) => String(size.calls[operation] ?? 0))}`),
    `| **all** ${both((size) => `**${range(size.totals)}**`)}`,
    `| all, per team audited ${both((size) => (total(size.calls) / size.teams).toFixed(1))}`,
    '',
    `| the audit function, ms (min / median / max of ${runs}) | ${small.teams} teams | ${full.teams} teams |`,
    '| --- | ---: | ---: |',
    `| wall time at SageMaker latency 0 ms (local time) ${both((size) => spread(size.times[0]))}`,
    `| wall time at SageMaker latency ${LATENCY_MS} ms ${both((size) => spread(size.times[LATENCY_MS]))}`,
    `| SageMaker round trips on the critical path (goal ≤ ${AUDIT_ROUND_TRIPS_GOAL}) ${both(
      (size) => `${range(size.roundTrips)} ${mark(trips(size) <= AUDIT_ROUND_TRIPS_GOAL)}`,
    )}`,
    `| SageMaker's critical path ${both((size) => commonPaths(size.paths))}`,
    `| bound: ${AUDIT_ROUND_TRIPS_GOAL} × ${LATENCY_MS} ms + local time (median at 0 ms) ${both((size) => bound(size).toFixed(0))}`,
    `| median at ${LATENCY_MS} ms within the bound ${both((size) => {
      // In whole milliseconds, as the table shows them: a run a fraction of a millisecond over is at the bound.
      const over = Math.round(median(size.times[LATENCY_MS]) - bound(size));
      if (over === 0) return '✓ (at the bound)';
      return over < 0 ? `✓ (${-over} ms under)` : `✗ (${over} ms over)`;
    })}`,
  ];
}

if (require.main === module) {
  const runs = Number(process.argv[2] ?? 5);
  runWithOwnCloud('audit', async (cloud) => {
    useLocalCloud(cloud);
    process.stdout.write(`${auditTables(await measureAudit(cloud, runs)).join('\n')}\n`);
  });
}
