/** The account of a change to a desired team that its history keeps. */

import { memberGroups, memberKindOf } from './members';
import { redactEmailAddresses } from './privacy';
import type { DesiredTeam } from './team';
import { describeAddressesChange } from './team-notifications';

function transition(field: string, before: unknown, after: unknown): string[] {
  return before === after ? [] : [`${field}: ${String(before)}→${String(after)}`];
}

/**
 * A short account of what changed, for the team's history: field names, toggles, group names and tag keys,
 * never a description or a tag value; e-mail addresses are masked, and notification addresses only counted. ''
 * when nothing changed.
 */
export function describeChange(before: DesiredTeam, after: DesiredTeam): string {
  const beforeGroups = memberGroups(before.members);
  const afterGroups = memberGroups(after.members);
  const tagKeys = [...new Set([...Object.keys(before.tags), ...Object.keys(after.tags)])].sort();
  const parts = [
    ...(before.name === after.name ? [] : ['name']),
    ...(before.workforceName === after.workforceName ? [] : ['workforceName']),
    ...(before.description === after.description ? [] : ['description']),
    ...transition('notifications', before.notifications, after.notifications),
    ...[describeAddressesChange(before, after)].filter((part) => part !== ''),
    ...transition('workerAccess.sourceIp', before.workerAccess.sourceIp, after.workerAccess.sourceIp),
    ...transition('workerAccess.vpcSourceIp', before.workerAccess.vpcSourceIp, after.workerAccess.vpcSourceIp),
    ...(memberKindOf(before.members) === memberKindOf(after.members)
      ? []
      : [`members: ${memberKindOf(before.members)}→${memberKindOf(after.members)}`]),
    ...afterGroups.filter((group) => !beforeGroups.includes(group)).map((group) => `+group ${group}`),
    ...beforeGroups.filter((group) => !afterGroups.includes(group)).map((group) => `-group ${group}`),
    ...tagKeys.flatMap((key) => {
      const inBefore = Object.hasOwn(before.tags, key);
      const inAfter = Object.hasOwn(after.tags, key);
      if (!inBefore) return [`+tag ${key}`];
      if (!inAfter) return [`-tag ${key}`];
      return before.tags[key] === after.tags[key] ? [] : [`~tag ${key}`];
    }),
  ];
  return redactEmailAddresses(parts.join(', '));
}
