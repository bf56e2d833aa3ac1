/**
 * Given/then steps shared by the handler tests: a team created through POST /teams (and retired again after
 * each test), and what the registry, SageMaker and SNS hold afterwards, read with the SDK.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeWorkteamCommand } from '@aws-sdk/client-sagemaker';
import { GetTopicAttributesCommand, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { handler as createTeam } from '../../functions/create-team';
import { handler as deleteTeam } from '../../functions/delete-team';
import { clearEmulatorFaultsAndHolds, setEmulatorBehaviour, setEmulatorKnobs } from './sagemaker-emulator-control';
import { ADMIN, ANY_VERSION, call, sagemaker, sns, teamBody, uniqueTeamName } from './teams';

const sm = sagemaker();
const topics = sns();
const registry = DynamoDBDocumentClient.from(new DynamoDBClient({}));

/** Teams a test created; `retireCreatedTeams` deletes them (as an admin) after each test. */
export const createdTeams: string[] = [];

export async function givenTeam(name = uniqueTeamName(), overrides: Record<string, unknown> = {}) {
  const result = await call(createTeam, 'createTeam', 'create-team.json', { body: teamBody(name, overrides) });
  if (result.statusCode !== 201) throw new Error(`could not create ${name}: ${JSON.stringify(result.body)}`);
  createdTeams.push(name);
  return { name, result, etag: result.headers.etag as string };
}

/**
 * For afterEach: the emulator's knobs and behaviour back to normal, what a failed test left armed in it dropped (so the failure
 * shows in its own test, not in the next file of the worker), and every team the test created retired.
 */
export async function retireCreatedTeams(): Promise<void> {
  await setEmulatorKnobs({ throttleRate: 0, serverErrorRate: 0, latencyMs: 0 });
  await setEmulatorBehaviour({ emptyNotificationConfiguration: 'removes-topic' });
  await clearEmulatorFaultsAndHolds();
  while (createdTeams.length > 0) {
    const name = createdTeams.pop() as string;
    await call(deleteTeam, 'deleteTeam', 'delete-team.json', { headers: ANY_VERSION, path: { name }, caller: ADMIN });
  }
}

/** The team's registry item as stored (undefined when there is none). */
export async function registryRecord(name: string) {
  const { Item } = await registry.send(new GetCommand({ TableName: process.env.TEAMS_TABLE, Key: { name } }));
  return Item;
}

/** The team as SageMaker describes it, or undefined when SageMaker has no such team. */
export async function liveTeam(name: string) {
  try {
    return (await sm.send(new DescribeWorkteamCommand({ WorkteamName: name }))).Workteam;
  } catch (error) {
    if (error instanceof Error && /The work team/.test(error.message)) return undefined;
    throw error;
  }
}

/** The ARN the team's notification topic has in the local cloud. */
export const topicArnOf = (name: string) => `arn:aws:sns:us-east-1:000000000000:${process.env.TOPIC_PREFIX}${name}`;

export async function topicExists(name: string): Promise<boolean> {
  try {
    await topics.send(new GetTopicAttributesCommand({ TopicArn: topicArnOf(name) }));
    return true;
  } catch {
    return false;
  }
}

/** A queue subscribed to the operations topic: what the people who run the system are told. */
export async function operationsInbox() {
  const sqs = new SQSClient({});
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: uniqueTeamName('ops') }));
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
  await topics.send(
    new SubscribeCommand({
      TopicArn: process.env.OPERATIONS_TOPIC_ARN,
      Protocol: 'sqs',
      Endpoint: Attributes?.QueueArn,
      Attributes: { RawMessageDelivery: 'true' },
    }),
  );
  const messages = async (): Promise<Record<string, unknown>[]> => {
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
    );
    return (Messages ?? []).map((message) => JSON.parse(message.Body ?? '{}') as Record<string, unknown>);
  };
  return {
    /** What reached the queue since the last read (up to ten messages). */
    messages,
    async alertsAbout(team: string): Promise<Record<string, unknown>[]> {
      return (await messages()).filter((alert) => alert.team === team);
    },
  };
}
