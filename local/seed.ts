/**
 * Seed data for the local cloud: a Cognito workforce (user pool, app client, groups, users with e-mail), its
 * SageMaker private workforce, a few work teams with notification topics whose workers have confirmed their e-mail
 * subscriptions (through the local SNS's control route, as each worker would click the mail's link), and three local
 * JWTs: an admin, a requester (may request teams) and a labeler (may only read). Then the target accounts'
 * workforces and team (local/seed-targets.ts).
 * One team (`medical-annotators`) carries `classification=restricted` without the SourceIp constraint that
 * the policy demands for it, so the audit has something to find.
 * The workforce admits the documentation range 192.0.2.0/24 only, inside the policy's allowed ranges, so the audit
 * finds nothing else. The DynamoDB tables (team registry, idempotency, audit) are created from
 * infra/tables.json, the same definitions serverless.yml deploys.
 * The user pool has the id the events/cognito-*.json samples name, and the labeler `ana` the sub they name, so a
 * sample run against the local stack concerns its pool and a user of it: cognito-local gives a pool the name of its
 * database file (written before it starts, `userPoolDatabase`), and takes a sub given at AdminCreateUser.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
  CreateGroupCommand,
  CreateUserPoolClientCommand,
  InitiateAuthCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DynamoDBClient,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { CreateWorkforceCommand, CreateWorkteamCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { CreateTopicCommand, SetTopicAttributesCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { type SeededTarget, seedTargets } from './seed-targets';

export interface SeedEnvironment {
  AWS_REGION: string;
  AWS_ACCESS_KEY_ID: string;
  AWS_SECRET_ACCESS_KEY: string;
  AWS_ENDPOINT_URL_SAGEMAKER: string;
  AWS_ENDPOINT_URL_SNS: string;
  AWS_ENDPOINT_URL_DYNAMODB: string;
  cognitoUrl: string;
  /** The local SNS's control routes (LOCAL_SNS_CONTROL_URL): where a worker confirms a subscription. */
  snsControlUrl: string;
}

export interface SeedResult {
  userPoolId: string;
  clientId: string;
  workforceName: string;
  adminGroup: string;
  /** Members may request teams; the seed's `requester` user is one. */
  requestersGroup: string;
  groups: string[];
  teams: string[];
  /** The team registry table, the idempotency table and the audit's table. */
  teamsTable: string;
  idempotencyTable: string;
  auditTable: string;
  adminToken: string;
  /** The `requester` user's: a member of the requesters group. */
  userToken: string;
  /** The labeler `ana`'s: a worker of the workforce, who may read but not request teams. */
  workerToken: string;
  /** The operations topic (what serverless.yml creates as OperationsTopic). */
  operationsTopicArn: string;
  /** The target accounts and regions (local/targets.ts), each with what it holds (local/seed-targets.ts). */
  targets: SeededTarget[];
}

export const SEED_PASSWORD = 'Local-Passw0rd!';
/** The workforce's user pool: the id the events/cognito-*.json samples name. */
export const USER_POOL_ID = 'us-east-1_AbCdEf123';
export const USER_POOL_NAME = 'labeling-workforce';
/** The sub of the user the events/cognito-*.json samples name (CloudTrail names users by sub): the labeler `ana`. */
export const SAMPLE_USER_SUB = '5c1e8a72-90b4-4f3e-b7d2-8e6a41f0c9d3';
export const ADMIN_GROUP = 'workteam-admins';
export const REQUESTERS_GROUP = 'workteam-requesters';
export const LOCAL_TABLES = {
  teamsTable: 'workteam-automation-local-teams',
  idempotencyTable: 'workteam-automation-local-idempotency',
  auditTable: 'workteam-automation-local-audit',
} as const;

const GROUPS = ['labelers-en', 'labelers-de', 'reviewers', ADMIN_GROUP, REQUESTERS_GROUP];

const USERS: { username: string; email: string; groups: string[]; sub?: string }[] = [
  { username: 'ana', email: 'ana@example.com', groups: ['labelers-en'], sub: SAMPLE_USER_SUB },
  { username: 'ben', email: 'ben@example.com', groups: ['labelers-en', 'labelers-de'] },
  { username: 'chloe', email: 'chloe@example.com', groups: ['reviewers'] },
  { username: 'platform-admin', email: 'platform-admin@example.com', groups: [ADMIN_GROUP] },
  { username: 'requester', email: 'requester@example.com', groups: [REQUESTERS_GROUP] },
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
  const dynamo = new DynamoDBClient({ ...common, endpoint: env.AWS_ENDPOINT_URL_DYNAMODB });

  await createLocalTables(dynamo);

  // The pool exists from cognito-local's start (userPoolDatabase): CreateUserPool would choose another id.
  const userPoolId = USER_POOL_ID;
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
          ...(user.sub ? [{ Name: 'sub', Value: user.sub }] : []),
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
      SourceIpConfig: { Cidrs: ['192.0.2.0/24'] },
    }),
  );

  for (const team of TEAMS) {
    const topicArn = await createNotificationTopic(sns, team, env.snsControlUrl);
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
    requestersGroup: REQUESTERS_GROUP,
    groups: GROUPS,
    teams: TEAMS.map((team) => team.name),
    ...LOCAL_TABLES,
    adminToken: await signIn('platform-admin'),
    userToken: await signIn('requester'),
    workerToken: await signIn('ana'),
    // serverless.yml's OperationsTopic, named as it names it for the local stage.
    operationsTopicArn: required(
      (await sns.send(new CreateTopicCommand({ Name: 'workteam-automation-operations-local' }))).TopicArn,
      'operations topic arn',
    ),
    targets: await seedTargets(env),
  };
  for (const sdkClient of [cognito, sagemaker, sns, dynamo]) sdkClient.destroy();
  return result;
}

/**
 * cognito-local's database file of the workforce's pool, `<id>.json` in its data directory (`.cognito/db`): at
 * start it takes every such file for a pool of that id. The options are those CreateUserPool gives a pool created
 * with this name and `AutoVerifiedAttributes: ['email']` (cognito-local's defaults, sign-in by user name), with an
 * ARN of its account (the hub's, or a target's: local/seed-targets.ts).
 */
export function userPoolDatabase(options: {
  region: string;
  accountId: string;
  now?: Date;
  /** Default: the hub's workforce pool (USER_POOL_ID, USER_POOL_NAME). */
  id?: string;
  name?: string;
}): {
  fileName: string;
  content: string;
} {
  const now = options.now ?? new Date();
  // cognito-local's own module (its lib/, not the product's): the defaults CreateUserPool starts from.
  const { USER_POOL_AWS_DEFAULTS } = require('cognito-local/lib/services/cognitoService') as {
    USER_POOL_AWS_DEFAULTS: Record<string, unknown>;
  };
  const id = options.id ?? USER_POOL_ID;
  const pool = {
    ...USER_POOL_AWS_DEFAULTS,
    UsernameAttributes: [],
    Id: id,
    Name: options.name ?? USER_POOL_NAME,
    Arn: `arn:aws:cognito-idp:${options.region}:${options.accountId}:userpool/${id}`,
    AutoVerifiedAttributes: ['email'],
    CreationDate: now,
    LastModifiedDate: now,
  };
  return { fileName: `${id}.json`, content: JSON.stringify({ Users: {}, Options: pool }, null, 2) };
}

/** The CloudFormation `Properties` of a table in infra/tables.json, as far as CreateTable takes them. */
export type TableProperties = Pick<
  CreateTableCommandInput,
  'AttributeDefinitions' | 'KeySchema' | 'BillingMode' | 'GlobalSecondaryIndexes'
>;

export interface TableDefinitions {
  TeamsTable: TableProperties;
  IdempotencyTable: TableProperties;
  AuditTable: TableProperties;
}

/** Read from the file, not imported: local/ stays independent of lib/ and of the bundler's JSON handling. */
export function readTableDefinitions(): TableDefinitions {
  const parsed: unknown = JSON.parse(readFileSync(join(__dirname, '..', 'infra', 'tables.json'), 'utf8'));
  const tables = parsed as Partial<Record<keyof TableDefinitions, TableProperties>>;
  if (!tables.TeamsTable?.KeySchema || !tables.IdempotencyTable?.KeySchema || !tables.AuditTable?.KeySchema) {
    throw new Error('infra/tables.json must define TeamsTable, IdempotencyTable and AuditTable, each with a KeySchema');
  }
  return { TeamsTable: tables.TeamsTable, IdempotencyTable: tables.IdempotencyTable, AuditTable: tables.AuditTable };
}

/**
 * Creates a table from its infra/tables.json properties and waits until it is active. Point-in-time recovery,
 * SSE and TTL are left out: they are separate settings that dynalite does not know.
 */
export async function createTableFromDefinition(
  dynamo: DynamoDBClient,
  tableName: string,
  properties: TableProperties,
): Promise<void> {
  await dynamo.send(
    new CreateTableCommand({
      TableName: tableName,
      AttributeDefinitions: properties.AttributeDefinitions,
      KeySchema: properties.KeySchema,
      BillingMode: properties.BillingMode,
      GlobalSecondaryIndexes: properties.GlobalSecondaryIndexes,
    }),
  );
  await waitUntilTableExists({ client: dynamo, minDelay: 1, maxDelay: 1, maxWaitTime: 30 }, { TableName: tableName });
}

export async function createLocalTables(dynamo: DynamoDBClient): Promise<void> {
  const definitions = readTableDefinitions();
  await createTableFromDefinition(dynamo, LOCAL_TABLES.teamsTable, definitions.TeamsTable);
  await createTableFromDefinition(dynamo, LOCAL_TABLES.idempotencyTable, definitions.IdempotencyTable);
  await createTableFromDefinition(dynamo, LOCAL_TABLES.auditTable, definitions.AuditTable);
}

async function createNotificationTopic(sns: SNSClient, team: SeedTeam, snsControlUrl: string): Promise<string> {
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
    // The seeded workers have clicked their confirmation links: the account starts with confirmed subscriptions.
    const confirmed = await fetch(`${snsControlUrl}/confirm`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ address: email, topicArn }),
    });
    if (!confirmed.ok) throw new Error(`the local SNS did not confirm a seeded subscription: ${confirmed.status}`);
  }
  return topicArn;
}

function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`the local cloud did not return the ${what} while seeding`);
  return value;
}
