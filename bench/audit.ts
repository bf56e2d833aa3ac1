/**
 * What an audit costs, measured on a local cloud of its own (free ports): AWS calls per service and operation for
 * the seeded 4 teams and for 25 (21 managed teams added through the createTeam use case), and the audit
 * function's wall time at 0 and 50 ms of SageMaker latency, as min/median/max of repeated runs.
 * SageMaker calls come from the emulator's counter; DynamoDB, SNS, Cognito and EventBridge are counted in process.
 *
 *   npx tsx bench/audit.ts [runs per size, default 5]
 */
import { EPHEMERAL_PORTS, startLocalCloud } from '../local/cloud';

const RUNS = Number(process.argv[2] ?? 5);

type Counts = Record<string, number>;

function summarise(values: number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
  return `${sorted[0]?.toFixed(0)} / ${median.toFixed(0)} / ${sorted.at(-1)?.toFixed(0)}`;
}

async function main(): Promise<void> {
  const cloud = await startLocalCloud({ ports: EPHEMERAL_PORTS, apiUrl: 'http://127.0.0.1:0' });
  try {
    Object.assign(process.env, cloud.env, {
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      POWERTOOLS_METRICS_DISABLED: 'true',
      POWERTOOLS_TRACE_ENABLED: 'false',
      GROUP_SETTLING_SECONDS: '0',
    });
    // Imported once the environment is there: the functions read their configuration at cold start.
    const { cognitoClient } = await import('../lib/clients/cognito');
    const { eventBridgeClient } = await import('../lib/clients/eventbridge');
    const { snsClient } = await import('../lib/clients/sns');
    const { buildTeamDeps } = await import('../lib/deps');
    const { dynamoClient } = await import('../lib/clients/dynamodb');
    const { createTeam } = await import('../lib/use-cases/manage-teams');
    const { handler } = await import('../functions/audit');
    const scheduled = JSON.parse(
      (await import('node:fs')).readFileSync(new URL('../events/audit-schedule.json', `file://${__filename}`), 'utf8'),
    );

    const counted: Counts = {};
    const config = { AWS_REGION: cloud.env.AWS_REGION as string, AWS_MAX_ATTEMPTS: 3 };
    const clients: [string, { middlewareStack: { add: (...args: never[]) => void } }][] = [
      ['SNS', snsClient(config) as never],
      ['Cognito', cognitoClient(config) as never],
      ['DynamoDB', dynamoClient(config) as never],
      ['EventBridge', eventBridgeClient(config) as never],
    ];
    for (const [service, client] of clients) {
      (client.middlewareStack.add as (middleware: unknown, options: unknown) => void)(
        (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => async (args: unknown) => {
          const key = `${service} ${(context.commandName ?? '?').replace(/Command$/, '')}`;
          counted[key] = (counted[key] ?? 0) + 1;
          return next(args);
        },
        { step: 'initialize', name: `bench-count-${service}` },
      );
    }

    const context = () => ({
      functionName: 'workteam-automation-bench-audit',
      awsRequestId: `bench-${Math.random().toString(16).slice(2)}`,
      getRemainingTimeInMillis: () => 300_000,
    });
    const runAudit = async () => {
      for (const key of Object.keys(counted)) delete counted[key];
      cloud.sagemaker.resetCallCounts();
      const started = performance.now();
      const report = (await handler(scheduled, context() as never)) as { counts: { teamsAudited: number } };
      const ms = performance.now() - started;
      const sagemaker = Object.fromEntries(
        Object.entries(cloud.sagemaker.callCounts()).map(([operation, count]) => [`SageMaker ${operation}`, count]),
      );
      return { ms, teams: report.counts.teamsAudited, calls: { ...sagemaker, ...counted } as Counts };
    };

    const measure = async (label: string) => {
      const times: Record<number, number[]> = { 0: [], 50: [] };
      let calls: Counts = {};
      let teams = 0;
      for (const latencyMs of [0, 50]) {
        cloud.sagemaker.setKnobs({ latencyMs });
        await runAudit(); // warm: the open findings are in place, as on every run but the first
        for (let run = 0; run < RUNS; run++) {
          const result = await runAudit();
          times[latencyMs]?.push(result.ms);
          calls = result.calls;
          teams = result.teams;
        }
      }
      cloud.sagemaker.setKnobs({ latencyMs: 0 });
      return { label, teams, calls, times };
    };

    const small = await measure('seeded');
    const deps = buildTeamDeps();
    const caller = {
      sub: 'bench-requester',
      username: 'requester',
      groups: 'workteam-requesters',
      isAdmin: false,
      isRequester: true,
    };
    for (let index = small.teams; index < 25; index++) {
      await createTeam(deps, caller, {
        name: `bench-team-${String(index).padStart(2, '0')}`,
        description: 'A team of the audit benchmark',
        members: { cognitoGroups: [index % 2 === 0 ? 'labelers-en' : 'reviewers'] },
        workerAccess: { sourceIp: 'Enabled', vpcSourceIp: 'Disabled' },
        tags: { classification: 'internal', 'cost-center': 'bench' },
      });
    }
    const full = await measure('full');

    const operations = [...new Set([...Object.keys(small.calls), ...Object.keys(full.calls)])].sort();
    const lines = [
      `| calls per audit run | ${small.teams} teams | ${full.teams} teams |`,
      '| --- | ---: | ---: |',
      ...operations.map(
        (operation) => `| ${operation} | ${small.calls[operation] ?? 0} | ${full.calls[operation] ?? 0} |`,
      ),
      `| **all** | ${Object.values(small.calls).reduce((a, b) => a + b, 0)} | ${Object.values(full.calls).reduce((a, b) => a + b, 0)} |`,
      '',
      `| wall time of the audit function, ms (min / median / max of ${RUNS}) | ${small.teams} teams | ${full.teams} teams |`,
      '| --- | ---: | ---: |',
      `| SageMaker latency 0 ms | ${summarise(small.times[0] ?? [])} | ${summarise(full.times[0] ?? [])} |`,
      `| SageMaker latency 50 ms | ${summarise(small.times[50] ?? [])} | ${summarise(full.times[50] ?? [])} |`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await cloud.stop();
  }
}

main().then(
  () => process.exit(0),
  (error: Error) => {
    process.stderr.write(`bench/audit failed: ${error.stack ?? error.message}\n`);
    process.exit(1);
  },
);
