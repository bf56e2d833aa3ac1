/**
 * Reconcile's pure half: what SageMaker calls turn the live work team into the desired one, and how they differ.
 * Both functions read the same comparisons, so a plan of 'none' and an empty list of differences go together.
 */
import type { WorkteamChange } from '../ports/teams';
import type { LiveWorkteam } from './live';
import { sameMemberKeys } from './members';
import type { Difference } from './team';
import { isReservedTagKey } from './validation';
import {
  type MemberDefinition,
  type Tag,
  WORKER_ACCESS_FIELDS,
  type WorkerAccess,
  type WorkerAccessToggles,
  type WorkteamSpec,
} from './workteam';

export interface WorkteamPlan {
  /** 'update' may carry tag changes only (then `update` is absent): UpdateWorkteam cannot change tags. */
  action: 'create' | 'update' | 'none';
  /** CreateWorkteam's input, tags included. */
  create?: WorkteamSpec;
  /** UpdateWorkteam's input: the name and only the fields that differ. */
  update?: WorkteamChange;
  /** AddTags: desired tags that the live team lacks or holds with another value. */
  tagsToAdd: Tag[];
  /** DeleteTags: live tag keys that are not desired; never a key that AWS reserves (`aws:`). */
  tagKeysToRemove: string[];
}

/** An absent toggle (or configuration) is `Disabled`, on either side. */
export function togglesOf(access: WorkerAccess | undefined): WorkerAccessToggles {
  return { sourceIp: access?.sourceIp ?? 'Disabled', vpcSourceIp: access?.vpcSourceIp ?? 'Disabled' };
}

/** One key per member group: a Cognito group with its pool and app client, or an OIDC group. */
function memberKeys(definitions: MemberDefinition[]): string[] {
  return definitions.flatMap((definition) => [
    ...(definition.cognito === undefined
      ? []
      : [
          JSON.stringify([
            'cognito',
            definition.cognito.userPool,
            definition.cognito.clientId,
            definition.cognito.userGroup,
          ]),
        ]),
    ...(definition.oidc?.groups ?? []).map((group) => JSON.stringify(['oidc', group])),
  ]);
}

/** Order does not count: SageMaker may list the definitions in another order than they were given. */
function sameMemberDefinitions(desired: MemberDefinition[], live: MemberDefinition[]): boolean {
  return sameMemberKeys(memberKeys(desired), memberKeys(live));
}

/** The groups of a team, as the API shows them. */
function groupNames(definitions: MemberDefinition[]): string[] {
  return definitions.flatMap((definition) => [
    ...(definition.cognito === undefined ? [] : [definition.cognito.userGroup]),
    ...(definition.oidc?.groups ?? []),
  ]);
}

/** SageMaker reports "no topic" as an absent ARN; an empty one means the same. */
function topicOf(arn: string | undefined): string | undefined {
  return arn === undefined || arn === '' ? undefined : arn;
}

function tagChanges(desired: Tag[], live: Tag[] | undefined): Pick<WorkteamPlan, 'tagsToAdd' | 'tagKeysToRemove'> {
  if (live === undefined) return { tagsToAdd: [], tagKeysToRemove: [] };
  const liveValues = new Map(live.map(({ key, value }) => [key, value]));
  const desiredKeys = new Set(desired.map(({ key }) => key));
  return {
    tagsToAdd: desired
      .filter(({ key, value }) => liveValues.get(key) !== value)
      .map(({ key, value }) => ({ key, value })),
    tagKeysToRemove: live.filter(({ key }) => !desiredKeys.has(key) && !isReservedTagKey(key)).map(({ key }) => key),
  };
}

/**
 * The calls that make SageMaker hold `desired`. No live team: create it whole. Otherwise an update with only the
 * fields that differ: the full desired member list when the groups differ (UpdateWorkteam replaces the list),
 * `notificationTopicArn: null` to remove a topic, both worker-access toggles when either differs. Tags are
 * compared only when the live team was read with them (`live.tags` defined).
 */
export function planWorkteam(desired: WorkteamSpec, live: LiveWorkteam | undefined): WorkteamPlan {
  if (live === undefined) return { action: 'create', create: desired, tagsToAdd: [], tagKeysToRemove: [] };

  const change: WorkteamChange = { name: desired.name };
  if (desired.description !== live.description) change.description = desired.description;
  if (!sameMemberDefinitions(desired.memberDefinitions, live.memberDefinitions)) {
    change.memberDefinitions = desired.memberDefinitions;
  }
  const desiredTopic = topicOf(desired.notificationTopicArn);
  const liveTopic = topicOf(live.notificationTopicArn);
  if (desiredTopic !== liveTopic) change.notificationTopicArn = desiredTopic ?? null;
  const desiredAccess = togglesOf(desired.workerAccess);
  const liveAccess = togglesOf(live.workerAccess);
  if (WORKER_ACCESS_FIELDS.some((field) => desiredAccess[field] !== liveAccess[field]))
    change.workerAccess = desiredAccess;

  const tags = tagChanges(desired.tags, live.tags);
  const fieldsDiffer = Object.keys(change).length > 1;
  const tagsDiffer = tags.tagsToAdd.length > 0 || tags.tagKeysToRemove.length > 0;
  return {
    action: fieldsDiffer || tagsDiffer ? 'update' : 'none',
    ...(fieldsDiffer ? { update: change } : {}),
    ...tags,
  };
}

/**
 * Whether the plan takes the team's topic away (`notificationTopicArn: null`, sent to UpdateWorkteam as an empty
 * NotificationConfiguration). No public source documents that SageMaker removes a topic so (docs/api.md, "Turning
 * notifications off"): reconcile reads the team back after such an update and asks `topicKeptAfter`.
 */
export function removesTopic(plan: WorkteamPlan): boolean {
  return plan.action === 'update' && plan.update?.notificationTopicArn === null;
}

/**
 * The topic SageMaker still shows on the team read back after an update that was to remove it; undefined when it
 * shows none (or the team is gone: nothing points at the topic any more).
 */
export function topicKeptAfter(readBack: LiveWorkteam | undefined): string | undefined {
  return topicOf(readBack?.notificationTopicArn);
}

/**
 * Where the live team differs from the desired one, one entry per field, with values as the API shows them
 * (group lists, 'Enabled' / 'Disabled', `null` for absent): `team` (no live team), `description`, `members`,
 * `notificationTopicArn`, `workerAccess.sourceIp`, `workerAccess.vpcSourceIp`, `tags.<key>`.
 */
export function differences(desired: WorkteamSpec, live: LiveWorkteam | undefined): Difference[] {
  if (live === undefined) return [{ field: 'team', desired: desired.name, live: null }];

  const result: Difference[] = [];
  if (desired.description !== live.description) {
    result.push({ field: 'description', desired: desired.description, live: live.description });
  }
  if (!sameMemberDefinitions(desired.memberDefinitions, live.memberDefinitions)) {
    result.push({
      field: 'members',
      desired: groupNames(desired.memberDefinitions),
      live: groupNames(live.memberDefinitions),
    });
  }
  const desiredTopic = topicOf(desired.notificationTopicArn);
  const liveTopic = topicOf(live.notificationTopicArn);
  if (desiredTopic !== liveTopic) {
    result.push({ field: 'notificationTopicArn', desired: desiredTopic ?? null, live: liveTopic ?? null });
  }
  const desiredAccess = togglesOf(desired.workerAccess);
  const liveAccess = togglesOf(live.workerAccess);
  for (const field of WORKER_ACCESS_FIELDS) {
    if (desiredAccess[field] !== liveAccess[field]) {
      result.push({ field: `workerAccess.${field}`, desired: desiredAccess[field], live: liveAccess[field] });
    }
  }
  if (live.tags !== undefined) {
    const liveValues = new Map(live.tags.map(({ key, value }) => [key, value]));
    const desiredValues = new Map(desired.tags.map(({ key, value }) => [key, value]));
    for (const { key, value } of desired.tags) {
      const liveValue = liveValues.get(key);
      if (liveValue !== value) result.push({ field: `tags.${key}`, desired: value, live: liveValue ?? null });
    }
    for (const { key, value } of live.tags) {
      if (!desiredValues.has(key) && !isReservedTagKey(key)) {
        result.push({ field: `tags.${key}`, desired: null, live: value });
      }
    }
  }
  return result;
}
