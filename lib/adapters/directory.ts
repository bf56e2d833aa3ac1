/**
 * The workforce's Cognito user pool, read only: which groups exist, and the e-mail addresses of the enabled
 * users in them (the workers a team's notification topic must reach).
 */
import {
  type CognitoIdentityProviderClient,
  GetGroupCommand,
  ListUsersCommand,
  paginateAdminListGroupsForUser,
  paginateListUsersInGroup,
} from '@aws-sdk/client-cognito-identity-provider';
import { mergeAddresses } from '../domain/addresses';
import type { WorkforceDirectory } from '../ports';

export type { WorkforceDirectory } from '../ports';

export function createWorkforceDirectory(cognito: CognitoIdentityProviderClient): WorkforceDirectory {
  return {
    async missingGroups(userPoolId, groups) {
      const missing: string[] = [];
      for (const group of new Set(groups)) {
        try {
          await cognito.send(new GetGroupCommand({ UserPoolId: userPoolId, GroupName: group }));
        } catch (error) {
          if (!isGroupNotFound(error)) throw error;
          missing.push(group);
        }
      }
      return missing;
    },

    async groupsCreatedSince(userPoolId, groups, since) {
      const fresh: string[] = [];
      // Cognito reports creation dates in whole seconds: compare at that resolution.
      const sinceSecond = Math.floor(since.getTime() / 1000) * 1000;
      for (const group of new Set(groups)) {
        try {
          const { Group } = await cognito.send(new GetGroupCommand({ UserPoolId: userPoolId, GroupName: group }));
          if (Group?.CreationDate && Group.CreationDate.getTime() >= sinceSecond) fresh.push(group);
        } catch (error) {
          if (!isGroupNotFound(error)) throw error;
        }
      }
      return fresh;
    },

    async emailsOfGroups(userPoolId, groups) {
      const emails: string[] = [];
      const missingGroups: string[] = [];
      for (const group of new Set(groups)) {
        const pages = paginateListUsersInGroup({ client: cognito }, { UserPoolId: userPoolId, GroupName: group });
        try {
          for await (const page of pages) {
            for (const user of page.Users ?? []) {
              if (user.Enabled !== true) continue;
              const email = user.Attributes?.find((attribute) => attribute.Name === 'email')?.Value;
              if (email) emails.push(email);
            }
          }
        } catch (error) {
          // A group deleted in Cognito since the team named it: it has no workers, and the caller decides.
          if (!isGroupNotFound(error)) throw error;
          missingGroups.push(group);
        }
      }
      // One subscription per mailbox, whatever case each user typed.
      return { emails: mergeAddresses([emails]), missingGroups };
    },

    async groupsOfUser(userPoolId, sub) {
      // A sub is a UUID; anything else cannot name a user (and must not reach the filter expression).
      if (!/^[0-9a-fA-F-]{1,64}$/.test(sub)) return undefined;
      const { Users } = await cognito.send(
        new ListUsersCommand({ UserPoolId: userPoolId, Filter: `sub = "${sub}"`, Limit: 1 }),
      );
      const username = Users?.[0]?.Username;
      if (!username) return undefined;
      const groups: string[] = [];
      const pages = paginateAdminListGroupsForUser({ client: cognito }, { UserPoolId: userPoolId, Username: username });
      for await (const page of pages) {
        for (const group of page.Groups ?? []) if (group.GroupName) groups.push(group.GroupName);
      }
      return groups;
    },
  };
}

function isGroupNotFound(error: unknown): boolean {
  return error instanceof Error && error.name === 'ResourceNotFoundException';
}
