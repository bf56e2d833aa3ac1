/** Given steps in the test run's cognito-local pool: fresh groups and users, made with the SDK. */
import { randomUUID } from 'node:crypto';
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminGetUserCommand,
  CognitoIdentityProviderClient,
  CreateGroupCommand,
} from '@aws-sdk/client-cognito-identity-provider';

export const cognito = new CognitoIdentityProviderClient({});
export const pool = () => process.env.USER_POOL_ID as string;

export async function givenGroup(prefix = 'group'): Promise<string> {
  const group = `${prefix}-${randomUUID().slice(0, 8)}`;
  await cognito.send(new CreateGroupCommand({ UserPoolId: pool(), GroupName: group }));
  return group;
}

/** A user with an e-mail address at example.com, in the given groups. */
export async function givenUser(groups: string[] = []): Promise<{ username: string; email: string }> {
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
  for (const group of groups) {
    await cognito.send(new AdminAddUserToGroupCommand({ UserPoolId: pool(), Username: username, GroupName: group }));
  }
  return { username, email };
}

/** The user's sub: the only name CloudTrail gives a user. */
export async function subOf(username: string): Promise<string> {
  const { UserAttributes } = await cognito.send(new AdminGetUserCommand({ UserPoolId: pool(), Username: username }));
  return UserAttributes?.find((attribute) => attribute.Name === 'sub')?.Value ?? '';
}
