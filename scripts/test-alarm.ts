/**
 * `npm run ops:test-alarm -- --stage prod [--region eu-west-1] [--dry-run]`: checks that an alarm really reaches
 * the operations topic and the people subscribed to it. It sets the stage's alarm on the audit's dead-letter queue
 * (infra/alarms.yml) to ALARM with `aws cloudwatch set-alarm-state`: the topic gets the alarm's message at once
 * and, when CloudWatch next evaluates the alarm (within 5 minutes; the queue is empty), its OK message. Nothing
 * else changes. It runs the AWS CLI with the shell's credentials, which need cloudwatch:SetAlarmState on that
 * alarm; `--dry-run` prints the command instead.
 */
import { execFileSync } from 'node:child_process';

const SERVICE = 'workteam-automation';

/** The alarm a test fires: one whose metric is at rest, so CloudWatch soon turns it OK again by itself. */
export function testAlarmName(stage: string): string {
  return `${SERVICE}-${stage}-audit-dead-letters`;
}

/** The AWS CLI's arguments for the test alarm of `stage`. */
export function testAlarmCommand(stage: string, region?: string): string[] {
  return [
    'cloudwatch',
    'set-alarm-state',
    '--alarm-name',
    testAlarmName(stage),
    '--state-value',
    'ALARM',
    '--state-reason',
    'Test of the operations topic (npm run ops:test-alarm): no action needed; OK follows within 5 minutes',
    ...(region ? ['--region', region] : []),
  ];
}

function option(args: string[], name: string): string | undefined {
  const index = args.indexOf(name);
  return index === -1 ? undefined : args[index + 1];
}

function main(args: string[]): void {
  const stage = option(args, '--stage');
  if (!stage) {
    console.error('ops:test-alarm needs --stage <name> (e.g. npm run ops:test-alarm -- --stage prod)');
    process.exit(1);
  }
  const command = testAlarmCommand(stage, option(args, '--region'));
  if (args.includes('--dry-run')) {
    console.log(['aws', ...command].map((arg) => (/\s/.test(arg) ? JSON.stringify(arg) : arg)).join(' '));
    return;
  }
  execFileSync('aws', command, { stdio: 'inherit' });
  console.log(
    `${testAlarmName(stage)} set to ALARM: the operations topic's subscribers get its message now, OK soon after`,
  );
}

if (require.main === module) main(process.argv.slice(2));
