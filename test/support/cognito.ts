/**
 * Given steps in the test run's cognito-local pool: fresh groups and users, made with the SDK. They go around the
 * local Cognito (COGNITO_LOCAL_URL): preparing a test takes nothing from the request-rate quotas the product's
 * calls meet there, and records nothing. `cognito` goes through it, for the changes a test makes as the world
 * would (an administrator's), whose CloudTrail events the sync then receives.
 */
import { randomUUID } from 'node:crypto';
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminGetUserCommand,
  CognitoIdentityProviderClient,
  CreateGroupCommand,
} from '@aws-sdk/client-cognito-identity-provider';

export const cognito = new CognitoIdentityProviderClient({});
/** Around the local Cognito: for preparing what a test needs (no quotas, no CloudTrail events). */
export const setup = new CognitoIdentityProviderClient({ endpoint: process.env.COGNITO_LOCAL_URL });
export const pool = () => process.env.USER_POOL_ID as string;

export async function givenGroup(prefix = 'group'): Promise<string> {
  const group = `${prefix}-${randomUUID().slice(0, 8)}`;
  await setup.send(new CreateGroupCommand({ UserPoolId: pool(), GroupName: group }));
  return group;
}

/** A user with an e-mail address at example.com, in the given groups. */
export async function givenUser(groups: string[] = []): Promise<{ username: string; email: string }> {
  const username = `worker-${randomUUID().slice(0, 8)}`;
  const email = `${username}@example.com`;
  await setup.send(
    new AdminCreateUserCommand({
      UserPoolId: pool(),
      Username: username,
      MessageAction: 'SUPPRESS',
      UserAttributes: [{ Name: 'email', Value: email }],
    }),
  );
  for (const group of groups) {
    await setup.send(new AdminAddUserToGroupCommand({ UserPoolId: pool(), Username: username, GroupName: group }));
  }
  return { username, email };
}

/** The user's sub: the only name CloudTrail gives a user. */
export async function subOf(username: string): Promise<string> {
  const { UserAttributes } = await setup.send(new AdminGetUserCommand({ UserPoolId: pool(), Username: username }));
  return UserAttributes?.find((attribute) => attribute.Name === 'sub')?.Value ?? '';
}
