/**
 * The nightly resync, invoked as the schedule (and `serverless invoke local -f resync`) invokes it: changes made
 * in Cognito that no event reached are repaired, and each group is listed once per run.
 */
import { randomUUID } from 'node:crypto';
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminDisableUserCommand,
  CognitoIdentityProviderClient,
  CreateGroupCommand,
  DeleteGroupCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { ListSubscriptionsByTopicCommand } from '@aws-sdk/client-sns';
import { buildTeamDeps } from '#lib/deps';
import type { WorkforceDirectory } from '#lib/ports';
import { resyncTeams } from '#lib/use-cases/sync-cognito';
import { handler as resync } from '../../functions/resync';
import { lambdaContext, loadEvent } from '../support/invoke';
import { givenTeam, registryRecord, retireCreatedTeams, topicArnOf } from '../support/steps';
import { emulatorCalls, resetEmulatorCalls, sns, uniqueTeamName } from '../support/teams';

const cognito = new CognitoIdentityProviderClient({});
const topics = sns();
const pool = () => process.env.USER_POOL_ID as string;

afterEach(retireCreatedTeams);

async function givenGroup(members = 0): Promise<{ group: string; emails: string[] }> {
  const group = `resync-${randomUUID().slice(0, 8)}`;
  await cognito.send(new CreateGroupCommand({ UserPoolId: pool(), GroupName: group }));
  const emails: string[] = [];
  for (let index = 0; index < members; index++) emails.push((await givenUserIn(group)).email);
  return { group, emails };
}

async function givenUserIn(group: string): Promise<{ username: string; email: string }> {
  const username = `worker-${randomUUID().slice(0, 8)}`;
  const email = `${username}@example.com`;
  await cognito.send(
    new AdminCreateUserCommand({
      UserPoolId: pool(),
      Username: username,
      MessageAction: 'SUPPRESS',
      UserAttributes: [{ Name: 'email', Value: email }],
    }),
  );
  await cognito.send(new AdminAddUserToGroupCommand({ UserPoolId: pool(), Username: username, GroupName: group }));
  return { username, email };
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
    const { group } = await givenGroup();
    const { group: doomed } = await givenGroup();
    const stays = await givenUserIn(group);
    const team = await givenTeam(uniqueTeamName('resync'), { members: { cognitoGroups: [group, doomed] } });
    const joiner = await givenUserIn(group);
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
    });
    expect(JSON.stringify(summary)).not.toMatch(/@example\.com/);
  });

  it('lists each group once however many teams share it: 3 teams, 2 groups of 50 users', async () => {
    // Prepare: two groups of 50 workers, three teams sharing them, already in step
    const [first, second] = [await givenGroup(50), await givenGroup(50)];
    const names = [uniqueTeamName('shared'), uniqueTeamName('shared'), uniqueTeamName('shared')];
    await givenTeam(names[0], { members: { cognitoGroups: [first.group] } });
    await givenTeam(names[1], { members: { cognitoGroups: [first.group, second.group] } });
    await givenTeam(names[2], { members: { cognitoGroups: [second.group] } });
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
});
