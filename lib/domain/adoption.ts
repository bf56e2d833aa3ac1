/**
 * Adopting a team nobody manages (`POST /teams/{name}/adopt`): whose the live team is by its managed-by tag, and
 * the desired state its live state becomes. Pure: the use case (lib/use-cases/adopt-release.ts) reads and writes.
 */
import type { LiveWorkteam } from './live';
import { MANAGED_BY_KEY, UNSTAGED_MANAGED_BY_VALUE } from './management-tag';
import { togglesOf } from './plan';
import { AUDIT_DEFAULTS, ownValue, type Policy } from './policy';
import type { CognitoIdentity, DesiredTeam, Members } from './team';
import { isReservedTagKey } from './validation';
import type { Tag } from './workteam';

/**
 * Whose a live team is, by its managed-by tag: `ours` (this stage's value), `nobody` (no such tag, or the value of
 * a version before stages apart, which belongs to no stage now), or `another` (another stage's, or anyone else's).
 */
export function managementOf(tags: readonly Tag[] | undefined, managementTag: Tag): 'ours' | 'nobody' | 'another' {
  const value = tags?.find((tag) => tag.key.toLowerCase() === MANAGED_BY_KEY)?.value;
  if (value === undefined || value === UNSTAGED_MANAGED_BY_VALUE) return 'nobody';
  return value === managementTag.value ? 'ours' : 'another';
}

/** The workforce's name in a workforce ARN (`arn:…:workforce/<name>`). */
export function workforceNameOf(workforceArn: string | undefined): string | undefined {
  const name = workforceArn?.split(':workforce/')[1];
  return name === undefined || name === '' ? undefined : name;
}

/** What an adopted team starts from: its desired state, the Cognito pool and client of its groups, its topic. */
export interface Adoption {
  team: DesiredTeam;
  identity?: CognitoIdentity;
  /** The topic the team already has: kept, recorded as the team's. */
  topicArn?: string;
  /** True when that topic is not one of the stage's (see `isStageTopic`): kept, but never managed. */
  foreignTopic?: true;
}

/**
 * Whether a topic is one of the stage's: its name (the ARN's last part) starts with the stage's topic prefix, the
 * only topics the stage's roles may write to or delete (serverless.yml). A topic made by hand is not.
 */
export function isStageTopic(topicArn: string, topicPrefix: string): boolean {
  return (topicArn.split(':').at(-1) ?? '').startsWith(topicPrefix);
}

/**
 * The live team as a desired state: its description, workforce, member groups, worker access and own tags (the
 * reserved ones left out). It wants notifications when it has a topic (kept as it is) or when the policy requires
 * them for its classification (a topic is then wired as for a new team); otherwise it stays without. A topic
 * outside the stage's prefix is marked `foreignTopic`: the team's own, which the stage's roles may not touch.
 */
export function adoptionOf(live: LiveWorkteam, workforceName: string, policy: Policy, topicPrefix: string): Adoption {
  const cognito = live.memberDefinitions.flatMap((definition) => (definition.cognito ? [definition.cognito] : []));
  const members: Members =
    cognito.length > 0
      ? { cognitoGroups: cognito.map((definition) => definition.userGroup) }
      : { oidcGroups: live.memberDefinitions.flatMap((definition) => definition.oidc?.groups ?? []) };
  const tags = Object.fromEntries(
    (live.tags ?? []).filter((tag) => !isReservedTagKey(tag.key)).map((tag) => [tag.key, tag.value]),
  );
  const classification = ownValue(tags, policy.classificationTag);
  const requiredFor = policy.audit?.notificationsRequiredFor ?? AUDIT_DEFAULTS.notificationsRequiredFor;
  const byPolicy = classification !== undefined && requiredFor.includes(classification);
  const first = cognito[0];
  return {
    team: {
      name: live.name,
      description: live.description,
      workforceName,
      members,
      notifications: live.notificationTopicArn !== undefined || byPolicy,
      workerAccess: togglesOf(live.workerAccess),
      tags,
    },
    ...(first ? { identity: { userPool: first.userPool, clientId: first.clientId } } : {}),
    ...(live.notificationTopicArn ? { topicArn: live.notificationTopicArn } : {}),
    ...(live.notificationTopicArn && !isStageTopic(live.notificationTopicArn, topicPrefix)
      ? { foreignTopic: true as const }
      : {}),
  };
}
