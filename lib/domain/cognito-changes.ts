/**
 * What a batch of Cognito changes asks of the sync, decided without I/O. A CloudTrail record says *that* a group
 * or a user changed, never what the pool holds now; so a batch of any size comes down to a few questions to the
 * pool: which of the groups created or deleted exist now, which groups the changed users are in, and which
 * groups' members changed. Each is asked once per batch, however many events ask it.
 */

/** Group lifecycle: the pool says whether the group exists now. */
export const GROUP_EVENTS = ['CreateGroup', 'DeleteGroup'] as const;
/** Membership: the group's members changed. */
export const MEMBERSHIP_EVENTS = ['AdminAddUserToGroup', 'AdminRemoveUserFromGroup'] as const;
/**
 * A user changed (enabled, disabled, deleted, another e-mail address): CloudTrail names the user only by sub. The
 * self-service calls (a signed-in user with an access token) change the same things as their Admin* twins.
 */
const USER_EVENTS = [
  'AdminDisableUser',
  'AdminEnableUser',
  'AdminDeleteUser',
  'AdminUpdateUserAttributes',
  'AdminDeleteUserAttributes',
  'UpdateUserAttributes',
  'DeleteUserAttributes',
  'DeleteUser',
] as const;
export const COGNITO_EVENTS = [...GROUP_EVENTS, ...MEMBERSHIP_EVENTS, ...USER_EVENTS] as const;

/** One CloudTrail record, as the sync reads it. */
export type CognitoChange =
  | { eventId: string; eventName: (typeof GROUP_EVENTS)[number]; groupName: string }
  | { eventId: string; eventName: (typeof MEMBERSHIP_EVENTS)[number]; groupName: string }
  | { eventId: string; eventName: (typeof USER_EVENTS)[number]; sub?: string };

/** A Cognito sub is a UUID; anything else names nobody (and must never widen a change to every team). */
const SUB = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function isSub(value: unknown): value is string {
  return typeof value === 'string' && SUB.test(value);
}

function isGroupEvent(
  change: CognitoChange,
): change is Extract<CognitoChange, { eventName: 'CreateGroup' | 'DeleteGroup' }> {
  return (GROUP_EVENTS as readonly string[]).includes(change.eventName);
}

function isMembershipEvent(
  change: CognitoChange,
): change is Extract<CognitoChange, { eventName: (typeof MEMBERSHIP_EVENTS)[number] }> {
  return (MEMBERSHIP_EVENTS as readonly string[]).includes(change.eventName);
}

/** The questions a batch asks the pool, each once, with the events that asked it. */
interface BatchQuestions {
  /** Groups created or deleted: whether each exists now decides what its events mean. */
  lifecycleGroups: Map<string, { created: string[]; deleted: string[] }>;
  /** Groups whose members changed. */
  changedGroups: Map<string, string[]>;
  /** Users that changed, by sub. */
  subs: Map<string, string[]>;
  /** Events that can concern nobody: a user event without a sub (or with one that is no UUID). */
  unresolvable: string[];
}

/** Groups the batch's events into the questions to ask; duplicates of an event (same eventId) count once. */
export function questionsOf(changes: readonly CognitoChange[]): BatchQuestions {
  const questions: BatchQuestions = {
    lifecycleGroups: new Map(),
    changedGroups: new Map(),
    subs: new Map(),
    unresolvable: [],
  };
  const seen = new Set<string>();
  const add = (map: Map<string, string[]>, key: string, eventId: string) => {
    map.set(key, [...(map.get(key) ?? []), eventId]);
  };
  for (const change of changes) {
    if (seen.has(change.eventId)) continue;
    seen.add(change.eventId);
    if (isGroupEvent(change)) {
      const entry = questions.lifecycleGroups.get(change.groupName) ?? { created: [], deleted: [] };
      (change.eventName === 'CreateGroup' ? entry.created : entry.deleted).push(change.eventId);
      questions.lifecycleGroups.set(change.groupName, entry);
    } else if (isMembershipEvent(change)) {
      add(questions.changedGroups, change.groupName, change.eventId);
    } else if (isSub(change.sub)) {
      add(questions.subs, change.sub.toLowerCase(), change.eventId);
    } else {
      questions.unresolvable.push(change.eventId);
    }
  }
  return questions;
}
