/**
 * What an audit costs, read from the SageMaker emulator's call counter and counted in process for DynamoDB, SNS
 * and Cognito: the calls grow with pages, distinct groups and topics, never with a DescribeWorkteam per team.
 */
import { CreateWorkteamCommand, DeleteWorkteamCommand } from '@aws-sdk/client-sagemaker';
import type { AuditReport } from '#lib/domain/audit/report';
import { cognitoClient } from '#lib/runtime/clients/cognito';
import { dynamoClient } from '#lib/runtime/clients/dynamodb';
import { snsClient } from '#lib/runtime/clients/sns';
import { handler as startAudit } from '../../functions/start-audit';
import { clear, countCommands } from '../support/in-flight';
import { emulatorCalls, resetEmulatorCalls } from '../support/sagemaker-emulator-control';
import { givenTeam, retireCreatedTeams } from '../support/steps';
import { hubTarget } from '../support/targets';
import { ADMIN, call, sagemaker, uniqueTeamName } from '../support/teams';

const config = { AWS_REGION: process.env.AWS_REGION ?? 'us-east-1', AWS_MAX_ATTEMPTS: 3 };
const counters: Record<string, Record<string, number>> = {};

beforeAll(() => {
  counters.sns = countCommands(snsClient(config, hubTarget()), 'sns');
  counters.cognito = countCommands(cognitoClient(config, hubTarget()), 'cognito');
  counters.dynamodb = countCommands(dynamoClient(config), 'dynamodb');
});

/** The calls counted since the last `clear`, as `service:Operation`. */
function counted(): Record<string, number> {
  return Object.fromEntries(
    Object.entries(counters).flatMap(([service, calls]) =>
      Object.entries(calls).map(([operation, count]) => [`${service}:${operation}`, count]),
    ),
  );
}

const unmanaged: string[] = [];
afterAll(async () => {
  await retireCreatedTeams();
  for (const name of unmanaged) await sagemaker().send(new DeleteWorkteamCommand({ WorkteamName: name }));
});

async function measuredAudit(): Promise<{
  report: AuditReport;
  sagemakerCalls: Record<string, number>;
  calls: Record<string, number>;
}> {
  await resetEmulatorCalls();
  for (const calls of Object.values(counters)) clear(calls);
  // The hub's run of every team, in place (POST /audit naming the hub): one target's cost.
  const result = await call(startAudit, 'startAudit', 'start-audit.json', {
    caller: ADMIN,
    body: { account: '000000000000', region: 'us-east-1' },
  });
  const report = result.body as unknown as AuditReport;
  return { report, sagemakerCalls: await emulatorCalls(), calls: counted() };
}

async function teamCount(): Promise<number> {
  return (await measuredAudit()).report.counts.teamsAudited;
}

describe('the cost of an audit', () => {
  it('makes one ListWorkteams, one ListWorkforces and one GetResources call and no DescribeWorkteam or ListTags, with few teams and with 25', async () => {
    // Prepare: the region's teams now (the seeded four and whatever other tests keep), then filled to SageMaker's
    // limit of 25 with managed teams and (the last two) unmanaged ones.
    const small = await measuredAudit();
    while ((await teamCount()) < 23) await givenTeam();
    const { UserPool, ClientId } = {
      UserPool: process.env.USER_POOL_ID as string,
      ClientId: process.env.CLIENT_ID as string,
    };
    while ((await teamCount()) < 25) {
      const name = uniqueTeamName('unmanaged');
      await sagemaker().send(
        new CreateWorkteamCommand({
          WorkteamName: name,
          Description: 'Created by hand, outside the system',
          MemberDefinitions: [{ CognitoMemberDefinition: { UserPool, ClientId, UserGroup: 'reviewers' } }],
          Tags: [{ Key: 'classification', Value: 'public' }],
        }),
      );
      unmanaged.push(name);
    }

    // Act
    const full = await measuredAudit();

    // Assess
    expect(full.report.counts.teamsAudited).toBe(25);
    for (const run of [small, full]) {
      expect(run.sagemakerCalls.DescribeWorkteam ?? 0).toBe(0);
      expect(run.sagemakerCalls.ListWorkteams).toBe(1);
      expect(run.sagemakerCalls.ListWorkforces).toBe(1);
      // A page's tags in one call of the Tagging API (an unmanaged team's classification, a managed team's
      // managed-by tag), never a ListTags a team: every managed team's tag is there to be seen.
      expect(run.sagemakerCalls.GetResources).toBe(1);
      expect(run.sagemakerCalls.ListTags ?? 0).toBe(0);
      // The registry's active teams and the open findings: one page each; the run's rows, read back to answer.
      expect(run.calls['dynamodb:Query']).toBe(3);
    }
    // Each Cognito group once, however many teams name it: the new teams name groups already named.
    expect(full.calls['cognito:ListUsersInGroup']).toBe(small.calls['cognito:ListUsersInGroup']);
    process.stdout.write(
      `audit calls: ${small.report.counts.teamsAudited} teams ${JSON.stringify({ sagemaker: small.sagemakerCalls, ...small.calls })}; ` +
        `25 teams ${JSON.stringify({ sagemaker: full.sagemakerCalls, ...full.calls })}\n`,
    );
  }, 120_000);
});
