/** The SageMaker-level spec of a desired team: what reconcile applies and compares with the live team. */
import type { CognitoIdentity, DesiredTeam } from './team';
import { isReservedTagKey } from './validation';
import type { MemberDefinition, Tag, WorkteamSpec } from './workteam';

function byKey(left: Tag, right: Tag): number {
  if (left.key === right.key) return 0;
  return left.key < right.key ? -1 : 1;
}

/**
 * The SageMaker-level spec of a desired team, which reconcile applies. Cognito groups become one definition each,
 * with the workforce's user pool and app client (`identity`, required for them); OIDC groups one definition.
 * The topic is set only while the team wants notifications. Tags are sorted by key and always hold the stage's
 * managed-by tag (`managementTag`, lib/domain/management-tag.ts), whatever the stored team holds: creates carry it
 * (IAM requires it) and reconcile adds it to a team that lacks it; a reserved key in the stored team (kept from
 * before the key was reserved) is left out.
 */
export function toWorkteamSpec(
  team: DesiredTeam,
  identity: CognitoIdentity | undefined,
  topicArn: string | undefined,
  managementTag: Tag,
): WorkteamSpec {
  let memberDefinitions: MemberDefinition[];
  if ('cognitoGroups' in team.members) {
    if (identity === undefined) {
      throw new Error(`Work team '${team.name}' has Cognito groups but no Cognito user pool and app client`);
    }
    memberDefinitions = team.members.cognitoGroups.map((userGroup) => ({
      cognito: { userPool: identity.userPool, userGroup, clientId: identity.clientId },
    }));
  } else {
    memberDefinitions = [{ oidc: { groups: [...team.members.oidcGroups] } }];
  }
  return {
    name: team.name,
    description: team.description,
    workforceName: team.workforceName,
    memberDefinitions,
    ...(team.notifications && topicArn !== undefined ? { notificationTopicArn: topicArn } : {}),
    workerAccess: { sourceIp: team.workerAccess.sourceIp, vpcSourceIp: team.workerAccess.vpcSourceIp },
    tags: [
      ...Object.entries(team.tags)
        .filter(([key]) => !isReservedTagKey(key))
        .map(([key, value]) => ({ key, value })),
      { ...managementTag },
    ].sort(byKey),
  };
}
