/**
 * The member groups of a desired team and the rules for changing them: which identity provider a team's groups
 * belong to, how many it may hold, and how groups are added and removed. No HTTP here: the bodies that carry
 * groups are parsed in lib/http/requests.ts, and anything that changes a team's groups (the API, a Cognito sync)
 * goes through these rules.
 */
import { LastMemberGroup, type MemberKind, MemberKindMismatch, MemberLimitExceeded, MemberNotFound } from './errors';
import type { DesiredTeam, Members } from './team';
import { WORKTEAM_LIMITS } from './workteam';

/** How many groups a team of each kind may hold, as SageMaker allows. */
export const MEMBER_GROUP_LIMIT: Record<MemberKind, number> = {
  cognito: WORKTEAM_LIMITS.memberDefinitionsMax,
  oidc: WORKTEAM_LIMITS.oidcGroupsMax,
};

/**
 * `.` and `..` are valid Cognito and OIDC group names, and so is `x/../..`, but a member group is removed by
 * `DELETE /teams/{name}/members/{group}`, and clients that build that path without encoding the group, as well as
 * gateways, normalise dot segments away: `/teams/T/members/..` becomes `/teams/T`. A group with a `.` or `..`
 * segment could never be removed safely, so it is never taken.
 */
export function hasDotSegment(group: string): boolean {
  return group.split('/').some((segment) => segment === '.' || segment === '..');
}

export function memberKindOf(members: Members): MemberKind {
  return 'cognitoGroups' in members ? 'cognito' : 'oidc';
}

export function memberGroups(members: Members): string[] {
  return 'cognitoGroups' in members ? [...members.cognitoGroups] : [...members.oidcGroups];
}

/**
 * Whether two lists name the same member groups, in whatever order (and however often): the one comparison of
 * members, whether of desired teams (`sameMembers`) or of SageMaker's member definitions (plan.ts), each list
 * given as one key per group.
 */
export function sameMemberKeys(a: readonly string[], b: readonly string[]): boolean {
  const left = new Set(a);
  const right = new Set(b);
  return left.size === right.size && [...right].every((key) => left.has(key));
}

/** The same groups of the same identity provider, in whatever order. */
export function sameMembers(a: Members, b: Members): boolean {
  return memberKindOf(a) === memberKindOf(b) && sameMemberKeys(memberGroups(a), memberGroups(b));
}

function membersOf(kind: MemberKind, groups: string[]): Members {
  return kind === 'cognito' ? { cognitoGroups: groups } : { oidcGroups: groups };
}

/**
 * The team with `add`'s groups joined: every existing group stays where it is, new ones are appended, groups it
 * already has are ignored. Throws `MemberKindMismatch` for groups of the other identity provider and
 * `MemberLimitExceeded` when the team would hold more groups than SageMaker allows.
 */
export function addMembers(team: DesiredTeam, add: Members): DesiredTeam {
  const kind = memberKindOf(team.members);
  const addKind = memberKindOf(add);
  if (kind !== addKind) throw new MemberKindMismatch(team.name, kind, addKind);
  const groups = memberGroups(team.members);
  for (const group of memberGroups(add)) {
    if (!groups.includes(group)) groups.push(group);
  }
  const limit = MEMBER_GROUP_LIMIT[kind];
  if (groups.length > limit) throw new MemberLimitExceeded(team.name, groups.length, limit);
  return { ...team, members: membersOf(kind, groups) };
}

/** The team without `group`. Throws `MemberNotFound` if it has no such group, `LastMemberGroup` if it is the only one. */
export function removeMember(team: DesiredTeam, group: string): DesiredTeam {
  const groups = memberGroups(team.members);
  if (!groups.includes(group)) throw new MemberNotFound(team.name, group);
  if (groups.length === 1) throw new LastMemberGroup(team.name, group);
  return {
    ...team,
    members: membersOf(
      memberKindOf(team.members),
      groups.filter((member) => member !== group),
    ),
  };
}
