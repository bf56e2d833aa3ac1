/**
 * Seed data for the local cloud: a Cognito workforce (user pool, app client, groups, users with e-mail), its
 * SageMaker private workforce, a few work teams with notification topics, and two local JWTs.
 * One team (`medical-annotators`) carries `classification=restricted` without the SourceIp constraint that
 * the policy demands for it, so the audit has something to find.
 */
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
  CreateGroupCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  InitiateAuthCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { CreateWorkforceCommand, CreateWorkteamCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { CreateTopicCommand, SetTopicAttributesCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';

export interface SeedEnvironment {
  AWS_REGION: string;
  AWS_ACCESS_KEY_ID: string;
  AWS_SECRET_ACCESS_KEY: string;
  AWS_ENDPOINT_URL_SAGEMAKER: string;
  AWS_ENDPOINT_URL_SNS: string;
  cognitoUrl: string;
}

export interface SeedResult {
  userPoolId: string;
  clientId: string;
  workforceName: string;
  adminGroup: string;
  groups: string[];
  teams: string[];
  adminToken: string;
  userToken: string;
}

export const SEED_PASSWORD = 'Local-Passw0rd!';
export const ADMIN_GROUP = 'workteam-admins';

const GROUPS = ['labelers-en', 'labelers-de', 'reviewers', ADMIN_GROUP];

const USERS: { username: string; email: string; groups: string[] }[] = [
  { username: 'ana', email: 'ana@example.com', groups: ['labelers-en'] },
  { username: 'ben', email: 'ben@example.com', groups: ['labelers-en', 'labelers-de'] },
  { username: 'chloe', email: 'chloe@example.com', groups: ['reviewers'] },
  { username: 'platform-admin', email: 'platform-admin@example.com', groups: [ADMIN_GROUP] },
  { username: 'requester', email: 'requester@example.com', groups: [] },
];

interface SeedTeam {
  name: string;
  description: string;
  groups: string[];
  sourceIp?: 'Enabled' | 'Disabled';
  tags: Record<string, string>;
}

const TEAMS: SeedTeam[] = [
  {
    name: 'image-labelers',
    description: 'Bounding boxes for the retail image catalogue',
    groups: ['labelers-en'],
    sourceIp: 'Enabled',
    tags: { classification: 'internal', 'cost-center': 'ml-platform' },
  },
  {
    name: 'translation-reviewers',
    description: 'Reviews machine translations into German',
    groups: ['labelers-de', 'reviewers'],
    sourceIp: 'Enabled',
    tags: { classification: 'internal', 'cost-center': 'localisation' },
  },
  {
    name: 'medical-annotators',
    description: 'Annotates de-identified radiology reports',
    groups: ['reviewers'],
    sourceIp: 'Disabled',
    tags: { classification: 'restricted', 'cost-center': 'health' },
  },
  {
    name: 'sentiment-raters',
    description: 'Rates the sentiment of support tickets',
    groups: ['labelers-en'],
    tags: { classification: 'public', 'cost-center': 'support' },
  },
];

export async function seedLocalCloud(env: SeedEnvironment): Promise<SeedResult> {
  const credentials = { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY };
  const common = { region: env.AWS_REGION, credentials };
  const cognito = new CognitoIdentityProviderClient({ ...common, endpoint: env.cognitoUrl });
  const sagemaker = new SageMakerClient({ ...common, endpoint: env.AWS_ENDPOINT_URL_SAGEMAKER });
  const sns = new SNSClient({ ...common, endpoint: env.AWS_ENDPOINT_URL_SNS });

  const pool = await cognito.send(
    new CreateUserPoolCommand({ PoolName: 'labeling-workforce', AutoVerifiedAttributes: ['email'] }),
  );
  const userPoolId = required(pool.UserPool?.Id, 'user pool id');
  const client = await cognito.send(
    new CreateUserPoolClientCommand({
      UserPoolId: userPoolId,
      ClientName: 'workteam-automation',
      ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
    }),
  );
  const clientId = required(client.UserPoolClient?.ClientId, 'app client id');

  for (const group of GROUPS) {
    await cognito.send(new CreateGroupCommand({ UserPoolId: userPoolId, GroupName: group }));
  }
  for (const user of USERS) {
    await cognito.send(
      new AdminCreateUserCommand({
        UserPoolId: userPoolId,
        Username: user.username,
        MessageAction: 'SUPPRESS',
        UserAttributes: [
          { Name: 'email', Value: user.email },
          { Name: 'email_verified', Value: 'true' },
        ],
      }),
    );
    await cognito.send(
      new AdminSetUserPasswordCommand({
        UserPoolId: userPoolId,
        Username: user.username,
        Password: SEED_PASSWORD,
        Permanent: true,
      }),
    );
    for (const group of user.groups) {
      await cognito.send(
        new AdminAddUserToGroupCommand({ UserPoolId: userPoolId, Username: user.username, GroupName: group }),
      );
    }
  }

  const workforceName = 'default';
  await sagemaker.send(
    new CreateWorkforceCommand({
      WorkforceName: workforceName,
      CognitoConfig: { UserPool: userPoolId, ClientId: clientId },
    }),
  );

  for (const team of TEAMS) {
    const topicArn = await createNotificationTopic(sns, team);
    await sagemaker.send(
      new CreateWorkteamCommand({
        WorkteamName: team.name,
        WorkforceName: workforceName,
        Description: team.description,
        MemberDefinitions: team.groups.map((group) => ({
          CognitoMemberDefinition: { UserPool: userPoolId, ClientId: clientId, UserGroup: group },
        })),
        NotificationConfiguration: { NotificationTopicArn: topicArn },
        WorkerAccessConfiguration: team.sourceIp
          ? { S3Presign: { IamPolicyConstraints: { SourceIp: team.sourceIp, VpcSourceIp: 'Disabled' } } }
          : undefined,
        Tags: Object.entries(team.tags).map(([Key, Value]) => ({ Key, Value })),
      }),
    );
  }

  const signIn = async (username: string) => {
    const auth = await cognito.send(
      new InitiateAuthCommand({
        AuthFlow: 'USER_PASSWORD_AUTH',
        ClientId: clientId,
        AuthParameters: { USERNAME: username, PASSWORD: SEED_PASSWORD },
      }),
    );
    return required(auth.AuthenticationResult?.IdToken, `id token of ${username}`);
  };

  const result: SeedResult = {
    userPoolId,
    clientId,
    workforceName,
    adminGroup: ADMIN_GROUP,
    groups: GROUPS,
    teams: TEAMS.map((team) => team.name),
    adminToken: await signIn('platform-admin'),
    userToken: await signIn('requester'),
  };
  for (const sdkClient of [cognito, sagemaker, sns]) sdkClient.destroy();
  return result;
}

async function createNotificationTopic(sns: SNSClient, team: SeedTeam): Promise<string> {
  const topic = await sns.send(
    new CreateTopicCommand({
      Name: `workteam-${team.name}`,
      Tags: [{ Key: 'workteam', Value: team.name }],
    }),
  );
  const topicArn = required(topic.TopicArn, 'topic arn');
  const policy = {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'AllowSageMakerToPublish',
        Effect: 'Allow',
        Principal: { Service: 'sagemaker.amazonaws.com' },
        Action: 'sns:Publish',
        Resource: topicArn,
      },
    ],
  };
  await sns.send(
    new SetTopicAttributesCommand({
      TopicArn: topicArn,
      AttributeName: 'Policy',
      AttributeValue: JSON.stringify(policy),
    }),
  );
  const emails = USERS.filter((user) => user.groups.some((group) => team.groups.includes(group))).map(
    (user) => user.email,
  );
  for (const email of emails) {
    await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'email', Endpoint: email }));
  }
  return topicArn;
}

function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`the local cloud did not return the ${what} while seeding`);
  return value;
}
