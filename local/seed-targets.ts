/**
 * Seed data of the target accounts (local/targets.ts), made as each account's own administrator would make it: with
 * a temporary key of that account (`ASIA<account>SEED`, which every local service files under that account) signing
 * in the target's region.
 * - 111111111111 / us-east-1: a Cognito workforce of its own user pool (`us-east-1_Target111`, in cognito-local
 *   from its start: `targetUserPool`), two groups with users under example.com, and one work team
 *   (`target-annotators`) with a notification topic its workers confirmed;
 * - 111111111111 / eu-west-1: an OIDC workforce (https://idp.example.com) and no team;
 * - 222222222222 / eu-west-1: an OIDC workforce, in an account whose role trusts nobody: the hub cannot reach it.
 * The hub's seed (local/seed.ts) is apart; nothing here is recorded by CloudTrail (the seed is the accounts as
 * they were before the stack).
 */
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  CognitoIdentityProviderClient,
  CreateGroupCommand,
  CreateUserPoolClientCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { CreateWorkforceCommand, CreateWorkteamCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { LOCAL_TARGETS, type LocalTarget, targetsSetting } from './targets';

export interface TargetSeedEnvironment {
  AWS_ENDPOINT_URL_SAGEMAKER: string;
  AWS_ENDPOINT_URL_SNS: string;
  cognitoUrl: string;
  snsControlUrl: string;
}

/** A seeded target: where it is, how the hub reaches it, and what it holds. */
export interface SeededTarget {
  account: string;
  region: string;
  roleArn: string;
  externalId: string;
  /** False: its role trusts nobody. */
  reachable: boolean;
  workforceName: string;
  /** A Cognito workforce's pool and app client. */
  userPoolId?: string;
  clientId?: string;
  teams: string[];
}

/** The user pool of account 111111111111's Cognito workforce. */
export const TARGET_USER_POOL_ID = 'us-east-1_Target111';
const TARGET_USER_POOL_NAME = 'vendor-workforce';
const TARGET_GROUPS = ['vendor-annotators', 'vendor-reviewers'];
const TARGET_USERS = [
  { username: 'dana', email: 'dana@example.com', groups: ['vendor-annotators'] },
  { username: 'eli', email: 'eli@example.com', groups: ['vendor-annotators', 'vendor-reviewers'] },
];
const TARGET_TEAM = 'target-annotators';
/** The OIDC provider of the OIDC workforces (never called: SageMaker only stores it). */
const OIDC_CONFIG = {
  ClientId: 'local-oidc-client',
  ClientSecret: 'local-oidc-client-secret',
  Issuer: 'https://idp.example.com',
  AuthorizationEndpoint: 'https://idp.example.com/oauth2/authorize',
  TokenEndpoint: 'https://idp.example.com/oauth2/token',
  UserInfoEndpoint: 'https://idp.example.com/oauth2/userinfo',
  LogoutEndpoint: 'https://idp.example.com/logout',
  JwksUri: 'https://idp.example.com/.well-known/jwks.json',
};

/** A temporary key of the account, as its administrator would sign with (no session of the local STS). */
export const seedKeyOf = (account: string): string => `ASIA${account}SEED`;

/**
 * The pool of the target with a Cognito workforce: cognito-local holds it from its start (local/cloud.ts writes its
 * database file with local/seed.ts's userPoolDatabase), as the hub's.
 */
export function targetUserPool(): { id: string; name: string; account: string; region: string } {
  const target = LOCAL_TARGETS.find((candidate) => candidate.workforce === 'cognito');
  if (!target) throw new Error('no seeded target has a Cognito workforce');
  return { id: TARGET_USER_POOL_ID, name: TARGET_USER_POOL_NAME, account: target.account, region: target.region };
}

export async function seedTargets(env: TargetSeedEnvironment): Promise<SeededTarget[]> {
  const seeded: SeededTarget[] = [];
  const settings = targetsSetting();
  for (const target of LOCAL_TARGETS) {
    const setting = settings.find((s) => s.account === target.account && s.region === target.region);
    if (!setting) throw new Error(`no TARGETS entry for ${target.account}/${target.region}`);
    const made =
      target.workforce === 'cognito' ? await seedCognitoTarget(env, target) : await seedOidcTarget(env, target);
    seeded.push({ ...setting, reachable: target.reachable, ...made });
  }
  return seeded;
}

function clientsOf(env: TargetSeedEnvironment, target: LocalTarget) {
  const common = {
    region: target.region,
    credentials: { accessKeyId: seedKeyOf(target.account), secretAccessKey: 'local' },
  };
  return {
    sagemaker: new SageMakerClient({ ...common, endpoint: env.AWS_ENDPOINT_URL_SAGEMAKER }),
    sns: new SNSClient({ ...common, endpoint: env.AWS_ENDPOINT_URL_SNS }),
    cognito: new CognitoIdentityProviderClient({ ...common, endpoint: env.cognitoUrl }),
  };
}

async function seedOidcTarget(env: TargetSeedEnvironment, target: LocalTarget) {
  const { sagemaker, sns, cognito } = clientsOf(env, target);
  const workforceName = 'oidc-workforce';
  await sagemaker.send(new CreateWorkforceCommand({ WorkforceName: workforceName, OidcConfig: OIDC_CONFIG }));
  for (const client of [sagemaker, sns, cognito]) client.destroy();
  return { workforceName, teams: [] };
}

async function seedCognitoTarget(env: TargetSeedEnvironment, target: LocalTarget) {
  const { sagemaker, sns, cognito } = clientsOf(env, target);
  const userPoolId = TARGET_USER_POOL_ID;
  const client = await cognito.send(
    new CreateUserPoolClientCommand({ UserPoolId: userPoolId, ClientName: 'sagemaker-workforce' }),
  );
  const clientId = client.UserPoolClient?.ClientId;
  if (!clientId) throw new Error('cognito-local returned no app client id for the target pool');
  for (const group of TARGET_GROUPS) {
    await cognito.send(new CreateGroupCommand({ UserPoolId: userPoolId, GroupName: group }));
  }
  for (const user of TARGET_USERS) {
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
  const topic = await sns.send(new CreateTopicCommand({ Name: `workteam-${TARGET_TEAM}` }));
  const topicArn = topic.TopicArn;
  if (!topicArn) throw new Error('the local SNS returned no topic ARN for the target team');
  const group = TARGET_GROUPS[0] ?? '';
  for (const user of TARGET_USERS.filter((candidate) => candidate.groups.includes(group))) {
    await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'email', Endpoint: user.email }));
    const confirmed = await fetch(`${env.snsControlUrl}/confirm`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ address: user.email, topicArn }),
    });
    if (!confirmed.ok) throw new Error(`the local SNS did not confirm a target's subscription: ${confirmed.status}`);
  }
  await sagemaker.send(
    new CreateWorkteamCommand({
      WorkteamName: TARGET_TEAM,
      WorkforceName: workforceName,
      Description: "A vendor's annotators, in the vendor's own account",
      MemberDefinitions: [{ CognitoMemberDefinition: { UserPool: userPoolId, ClientId: clientId, UserGroup: group } }],
      NotificationConfiguration: { NotificationTopicArn: topicArn },
      Tags: [{ Key: 'cost-center', Value: 'vendor' }],
    }),
  );
  for (const sdkClient of [sagemaker, sns, cognito]) sdkClient.destroy();
  return { workforceName, userPoolId, clientId, teams: [TARGET_TEAM] };
}
