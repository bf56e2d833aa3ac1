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
import { mergeAddresses } from '../domain/email-addresses';
import type { WorkforceDirectory } from '../ports/teams';
import { GROUP_CONCURRENCY, mapBounded } from '../runtime/concurrency';

export type { WorkforceDirectory } from '../ports/teams';

/** The most users ListUsersInGroup answers a page. */
const USERS_PAGE = 60;

export function createWorkforceDirectory(cognito: CognitoIdentityProviderClient): WorkforceDirectory {
  return {
    async missingGroups(userPoolId, groups) {
      const found = await mapBounded([...new Set(groups)], GROUP_CONCURRENCY, async (group) => {
        try {
          await cognito.send(new GetGroupCommand({ UserPoolId: userPoolId, GroupName: group }));
          return undefined;
        } catch (error) {
          if (!isGroupNotFound(error)) throw error;
          return group;
        }
      });
      return found.filter((group): group is string => group !== undefined);
    },

    async groupsCreatedSince(userPoolId, groups, since) {
      // Cognito reports creation dates in whole seconds: compare at that resolution.
      const sinceSecond = Math.floor(since.getTime() / 1000) * 1000;
      const fresh = await mapBounded([...new Set(groups)], GROUP_CONCURRENCY, async (group) => {
        try {
          const { Group } = await cognito.send(new GetGroupCommand({ UserPoolId: userPoolId, GroupName: group }));
          return Group?.CreationDate && Group.CreationDate.getTime() >= sinceSecond ? group : undefined;
        } catch (error) {
          if (!isGroupNotFound(error)) throw error;
          return undefined;
        }
      });
      return fresh.filter((group): group is string => group !== undefined);
    },

    async emailsOfGroups(userPoolId, groups) {
      // Each group's pages in sequence (each page names the next), the groups side by side.
      const perGroup = await mapBounded([...new Set(groups)], GROUP_CONCURRENCY, async (group) => {
        const emails: string[] = [];
        // Cognito's largest page (60; without a Limit it answers 25): a group of n users costs ceil(n / 60) calls.
        const pages = paginateListUsersInGroup(
          { client: cognito, pageSize: USERS_PAGE },
          { UserPoolId: userPoolId, GroupName: group },
        );
        try {
          for await (const page of pages) {
            for (const user of page.Users ?? []) {
              if (user.Enabled !== true) continue;
              const email = user.Attributes?.find((attribute) => attribute.Name === 'email')?.Value;
              if (email) emails.push(email);
            }
          }
          return { group, emails, missing: false };
        } catch (error) {
          // A group deleted in Cognito since the team named it: it has no workers, and the caller decides.
          if (!isGroupNotFound(error)) throw error;
          return { group, emails: [], missing: true };
        }
      });
      return {
        // One subscription per mailbox, whatever case each user typed.
        emails: mergeAddresses(perGroup.map((entry) => entry.emails)),
        missingGroups: perGroup.filter((entry) => entry.missing).map((entry) => entry.group),
      };
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
