import { AdminDisableUserCommand, DeleteGroupCommand } from '@aws-sdk/client-cognito-identity-provider';
import { DescribeWorkteamCommand, UpdateWorkteamCommand } from '@aws-sdk/client-sagemaker';
import { ListSubscriptionsByTopicCommand } from '@aws-sdk/client-sns';
import { buildTeamDeps } from '#lib/composition/teams';
import type { WorkforceDirectory } from '#lib/ports/teams';
import { TEAM_CONCURRENCY } from '#lib/runtime/concurrency';
import { resyncTeams } from '#lib/use-cases/cognito-sync/resync';
import { handler as resync } from '../../functions/resync';
import { cognito, givenGroup, givenUser, pool } from '../support/cognito';
import { lambdaContext, loadEvent } from '../support/invoke';
import { confirmSubscriptions, withQuotaScale } from '../support/mailbox';
import { emulatorCalls, resetEmulatorCalls } from '../support/sagemaker-emulator-control';
import { givenTeam, registryRecord, retireCreatedTeams, topicArnOf } from '../support/steps';
import { sagemaker, sns, uniqueTeamName } from '../support/teams';

const topics = sns();

afterEach(retireCreatedTeams);

async function givenGroupOf(members = 0): Promise<{ group: string; emails: string[] }> {
  const group = await givenGroup('resync');
  const emails: string[] = [];
  for (let index = 0; index < members; index++) emails.push((await givenUser([group])).email);
  return { group, emails };
}

async function subscribed(team: string): Promise<string[]> {
  const emails: string[] = [];
  let NextToken: string | undefined;
  do {
    const page = await topics.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArnOf(team), NextToken }));
    emails.push(...(page.Subscriptions ?? []).filter((s) => s.Protocol === 'email').map((s) => s.Endpoint ?? ''));
    NextToken = page.NextToken;
  } while (NextToken);
  return emails.sort();
}

describe('resync', () => {
  it('repairs what no event reached: joiners subscribed, leavers unsubscribed, deleted groups removed', async () => {
    // Prepare: teams in step with the pool, then changes in Cognito that no event reports
    const { group } = await givenGroupOf();
    const { group: doomed } = await givenGroupOf();
    const stays = await givenUser([group]);
    const team = await givenTeam(uniqueTeamName('resync'), { members: { cognitoGroups: [group, doomed] } });
    await confirmSubscriptions(topicArnOf(team.name), [stays.email]); // SNS cannot unsubscribe the leaver while the subscription is pending
    const joiner = await givenUser([group]);
    await cognito.send(new AdminDisableUserCommand({ UserPoolId: pool(), Username: stays.username }));
    await cognito.send(new DeleteGroupCommand({ UserPoolId: pool(), GroupName: doomed }));

    // Act
    const summary = (await resync(loadEvent('resync.json') as never, lambdaContext('resync'))) as Awaited<
      ReturnType<typeof resyncTeams>
    >;

    // Assess
    expect(await subscribed(team.name)).toEqual([joiner.email]);
    expect((await registryRecord(team.name))?.spec.members).toEqual({ cognitoGroups: [group] });
    expect(summary.teams.find((entry) => entry.name === team.name)).toEqual({
      name: team.name,
      outcome: 'applied',
      groupsRemoved: [doomed],
      subscribed: 1,
      unsubscribed: 1,
      reverted: [],
    });
    expect(JSON.stringify(summary)).not.toMatch(/@example\.com/);
  });

  it("puts back an out-of-band change of worker access, and says so: in its answer and in the team's history", async () => {
    // Prepare: a steady team whose worker access someone turned off in SageMaker
    const team = await givenTeam(uniqueTeamName('resync'), {
      workerAccess: { sourceIp: 'Enabled', vpcSourceIp: 'Disabled' },
    });
    await sagemaker().send(
      new UpdateWorkteamCommand({
        WorkteamName: team.name,
        WorkerAccessConfiguration: {
          S3Presign: { IamPolicyConstraints: { SourceIp: 'Disabled', VpcSourceIp: 'Disabled' } },
        },
      }),
    );

    // Act
    const summary = await resyncTeams(buildTeamDeps(), pool());

    // Assess
    expect(summary.teams.find((entry) => entry.name === team.name)).toMatchObject({ reverted: ['workerAccess'] });
    const live = await sagemaker().send(new DescribeWorkteamCommand({ WorkteamName: team.name }));
    expect(live.Workteam?.WorkerAccessConfiguration?.S3Presign?.IamPolicyConstraints?.SourceIp).toBe('Enabled');
    expect((await registryRecord(team.name))?.history.at(-1)).toMatchObject({
      by: 'system',
      action: 'reconciled',
      summary: 'reverted an out-of-band change of workerAccess (the nightly resync)',
    });
  });

  it('lists each group once however many teams share it: 3 teams, 2 groups of 50 users', async () => {
    // Prepare: two groups of 50 workers, three teams sharing them, already in step
    const [first, second] = [await givenGroupOf(50), await givenGroupOf(50)];
    const names = [uniqueTeamName('shared'), uniqueTeamName('shared'), uniqueTeamName('shared')];
    // 200 Subscribe calls in a moment are over SNS's 100 a second: the set-up is not what this test is about.
    await withQuotaScale(0, async () => {
      await givenTeam(names[0], { members: { cognitoGroups: [first.group] } });
      await givenTeam(names[1], { members: { cognitoGroups: [first.group, second.group] } });
      await givenTeam(names[2], { members: { cognitoGroups: [second.group] } });
    });
    const deps = buildTeamDeps();
    const listings: string[] = [];
    const counted: WorkforceDirectory = {
      ...deps.directory,
      async emailsOfGroups(userPool, groups) {
        listings.push(...groups);
        return deps.directory.emailsOfGroups(userPool, groups);
      },
    };
    await resetEmulatorCalls();

    // Act
    const summary = await resyncTeams({ ...deps, directory: counted }, pool());
    const sageMakerCalls = await emulatorCalls();

    // Assess
    const ours = summary.teams.filter((team) => names.includes(team.name));
    expect(ours.map((team) => [team.name, team.subscribed, team.unsubscribed])).toEqual(
      [...names].sort().map((name) => [name, 0, 0]),
    );
    expect(listings.filter((group) => group === first.group)).toHaveLength(1);
    expect(listings.filter((group) => group === second.group)).toHaveLength(1);
    expect(await subscribed(names[1] as string)).toEqual([...first.emails, ...second.emails].sort());
    // Printed for the closing note: SageMaker calls of the whole run (every managed team in the stack).
    console.log(`resync of ${summary.teams.length} teams: SageMaker calls ${JSON.stringify(sageMakerCalls)}`);
  }, 60_000);

  it("still resyncs every other team when one team's topic cannot be synced, then fails the run", async () => {
    // Prepare: one team more than resync at a time, the failing one first by name, whose new worker no event
    // reported; SNS refuses the first team's subscriptions, and the others' wait until it has refused
    const { group } = await givenGroupOf();
    const broken = await givenTeam(uniqueTeamName('a0-resync'), { members: { cognitoGroups: [group] } });
    const healthy: string[] = [];
    for (let index = 0; index < TEAM_CONCURRENCY; index++) {
      healthy.push((await givenTeam(uniqueTeamName('zresync'), { members: { cognitoGroups: [group] } })).name);
    }
    const joiner = await givenUser([group]);
    const deps = buildTeamDeps();
    let refused: () => void = () => undefined;
    const hasRefused = new Promise<void>((resolve) => {
      refused = resolve;
    });
    const refusing = {
      ...deps,
      topics: {
        ...deps.topics,
        async syncEmailSubscriptions(topicArn: string, emails: string[]) {
          if (topicArn === topicArnOf(broken.name)) {
            refused();
            throw Object.assign(new Error('Access denied'), { name: 'AuthorizationErrorException' });
          }
          if (healthy.some((name) => topicArn === topicArnOf(name))) await hasRefused;
          return deps.topics.syncEmailSubscriptions(topicArn, emails);
        },
      },
    };

    // Act
    const outcome = await resyncTeams(refusing, pool()).then(
      () => 'resolved',
      (error: Error) => error.name,
    );

    // Assess: the last team by name started only after the failure, and was synced all the same
    expect(outcome).toBe('AuthorizationErrorException');
    for (const name of healthy) expect(await subscribed(name)).toEqual([joiner.email]);
    expect(await subscribed(broken.name)).toEqual([]);
  });
});
