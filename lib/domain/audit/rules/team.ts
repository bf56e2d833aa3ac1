/**
 * The team rules: a managed team SageMaker no longer has, orphaned or stripped of its managed-by tag, drifted from
 * its desired state, with worker access below the policy or a VPC its workforce lacks, naming Cognito groups that
 * are gone; and, through notifications.ts, its topic and subscriptions (`auditTeam`).
 */
import { toWorkteamSpec } from '../../desired-spec';
import type { LiveWorkteam } from '../../live';
import { differences, togglesOf } from '../../plan';
import { ownValue, type Policy, requiredToggles } from '../../policy';
import { redactDeep } from '../../privacy';
import type { DesiredTeam, TeamRecord } from '../../team';
import type { WorkteamSpec } from '../../workteam';
import type { Finding, GroupState, RuleId, TeamAuditInput } from '../findings';
import { finding, quoted, type Scope } from './finding';
import { liveGroupStates, notificationsNotConfigured, topicFindings } from './notifications';
import {
  carriesManagedTag,
  cognitoGroupsOf,
  managedRecordOf,
  mayRemediate,
  remediableWhen,
  restoreRemedy,
  type TeamContext,
} from './team-context';

function isMissing(groups: Record<string, GroupState>, group: string): boolean {
  return ownValue(groups, group)?.exists === false;
}

/** Recorded but never created yet: SageMaker is not expected to have it. */
function awaitsCreation(record: TeamRecord): boolean {
  return record.applyState === 'Pending' && record.appliedVersion === undefined;
}

/**
 * Every finding about one team. A team SageMaker does not have yields `team.missing` (when it is managed and was
 * created) and nothing else.
 */
export function auditTeam(input: TeamAuditInput, policy: Policy): Finding[] {
  const record = managedRecordOf(input);
  const scope: Scope = { resource: `team/${input.name}`, team: input.name };
  if (input.live === undefined) {
    return record === undefined || awaitsCreation(record) ? [] : [teamMissing(input, record, scope)];
  }
  const tags = record === undefined ? input.liveTags : record.spec.tags;
  const classification = ownValue(tags ?? {}, policy.classificationTag);
  const context: TeamContext = { input, live: input.live, scope, record, classification, policy };
  return [
    ...teamOrphaned(context),
    ...managedTagRemoved(context),
    ...drift(context),
    ...workerAccessBelowPolicy(context),
    ...vpcWithoutVpcConfig(context),
    ...groupsMissing(context),
    ...notificationsNotConfigured(context),
    ...topicFindings(context),
  ];
}

const DRIFT_RULES: readonly RuleId[] = ['team.drift', 'worker-access.drift'];
const SUBSCRIPTION_RULES: readonly RuleId[] = [
  'notifications.workers-unsubscribed',
  'notifications.stale-subscriptions',
  'notifications.pending-leaver',
];

/**
 * The team rules whose answer for this input is unknown, so that a run keeps their open findings instead of
 * resolving them: the drift rules of a managed team whose expected spec cannot be built (a Cognito team without its
 * pool and client); `team.managed-tag-removed` when a managed team's tags were not read; the subscription rules
 * when the team's topic exists but one of its Cognito groups was not read. Every other team rule that yields
 * nothing for the input holds.
 */
export function rulesNotEvaluated(input: TeamAuditInput): RuleId[] {
  const record = managedRecordOf(input);
  const driftUnknown = record !== undefined && expectedSpec(record.spec, record, input) === undefined;
  const tagsUnknown = record !== undefined && input.live !== undefined && input.liveTags === undefined;
  const subscriptionsUnknown =
    input.live !== undefined && input.topic?.exists === true && liveGroupStates(input.live, input.groups) === undefined;
  return [
    ...(driftUnknown ? DRIFT_RULES : []),
    ...(tagsUnknown ? (['team.managed-tag-removed'] as const) : []),
    ...(subscriptionsUnknown ? SUBSCRIPTION_RULES : []),
  ];
}

function unique(values: Iterable<string>): string[] {
  return [...new Set(values)].sort();
}

function teamMissing(input: TeamAuditInput, record: TeamRecord, scope: Scope): Finding {
  const { name } = input;
  return finding('team.missing', scope, {
    message: `Managed work team '${name}' no longer exists in SageMaker (deleted outside this system): ${restoreRemedy(record, input, 'create it again')}, or delete it through the API if it should be gone.`,
    desired: { exists: true },
    actual: { exists: false },
    remediable: remediableWhen(record, input, true),
  });
}

function teamOrphaned({ record, scope, input }: TeamContext): Finding[] {
  if (record?.orphaned === undefined) return [];
  const { group, at } = record.orphaned;
  return [
    finding('team.orphaned', scope, {
      message: `Work team '${input.name}' is orphaned: its last Cognito group '${group}' was deleted, so nobody can work in it. Give the team an existing group, or delete the team.`,
      desired: { orphaned: false },
      actual: { orphaned: true, group, since: at },
      remediable: false,
    }),
  ];
}

function managedTagRemoved({ record, scope, input }: TeamContext): Finding[] {
  if (record === undefined || input.liveTags === undefined || carriesManagedTag(input)) return [];
  const { key, value: own } = input.managementTag;
  const value = ownValue(input.liveTags, key);
  const now = value === undefined ? 'no longer carries it' : `carries it with another value`;
  return [
    finding('team.managed-tag-removed', scope, {
      message: `Managed work team '${input.name}' must carry the tag ${key}: ${own} in SageMaker, but ${now} (changed outside this system), so this system's role can no longer change, remediate or delete it. Put the tag back by hand (sagemaker add-tags) if the team is still to be managed here; a remediation cannot, by design.`,
      desired: { tags: { [key]: own } },
      actual: redactDeep({ tags: { [key]: value ?? null } }),
      remediable: false,
    }),
  ];
}

/**
 * `spec` as SageMaker should hold it for the managed team, leaving out Cognito groups that no longer exist
 * (`members.group-missing` reports those); undefined when it cannot be built (Cognito groups without a pool).
 */
function expectedSpec(
  spec: DesiredTeam,
  record: TeamRecord,
  { groups, managementTag }: Pick<TeamAuditInput, 'groups' | 'managementTag'>,
): WorkteamSpec | undefined {
  if (!('cognitoGroups' in spec.members)) return toWorkteamSpec(spec, record.identity, record.topicArn, managementTag);
  if (record.identity === undefined) return undefined;
  const cognitoGroups = spec.members.cognitoGroups.filter((group) => !isMissing(groups, group));
  return toWorkteamSpec({ ...spec, members: { cognitoGroups } }, record.identity, record.topicArn, managementTag);
}

/**
 * The other states a Pending team may rightly be in while its change is being applied: the one last applied, and
 * those superseded before they were applied (a pass may have taken one of them to SageMaker before it lost the
 * race). Empty for a team that is not Pending: it should be as desired.
 */
function statesInTransit(record: TeamRecord, input: TeamAuditInput): WorkteamSpec[] {
  if (record.applyState !== 'Pending') return [];
  const earlier = [record.appliedSpec, ...(record.supersededSpecs ?? []).map(({ spec }) => spec)];
  return earlier.flatMap((spec) => {
    const built = spec === undefined ? undefined : expectedSpec(spec, record, input);
    return built === undefined ? [] : [built];
  });
}

const TEAM_DRIFT_FIELDS = ['description', 'members', 'notificationTopicArn'];

/**
 * The topic SageMaker still shows on a managed team whose notifications are meant off, after SageMaker kept it when
 * reconcile removed it (`topicKeptBySageMaker`). Drift whatever the team's apply state: a Pending team's state last
 * applied (with the topic) would otherwise explain it, and the change is not in transit but stuck on SageMaker.
 */
function topicKeptBySageMaker(record: TeamRecord, live: LiveWorkteam): string | undefined {
  if (record.topicKeptBySageMaker === undefined || record.spec.notifications) return undefined;
  return live.notificationTopicArn || undefined;
}

function topicKeptMessage(record: TeamRecord, input: TeamAuditInput, topicArn: string): string {
  return `Work team '${input.name}' still has notification topic ${topicArn} in SageMaker although its notifications are turned off: SageMaker kept it when this system removed it (UpdateWorkteam with an empty NotificationConfiguration, the team read back after the update), so SageMaker may still mail its workers. ${restoreRemedy(record, input, 'ask SageMaker to remove the topic again')}; should SageMaker keep it, turn the team's notifications on again through the API, or delete the team and create it anew (docs/api.md, "Turning notifications off").`;
}

/**
 * Drift of a managed team in any state (Applied, Pending, Failed, Orphaned) against its desired state. A Pending
 * team's field drifts only when its live value is none of the values the team's states in transit give it: a field
 * the pending change touches may hold the old value or the new one; a field it does not touch must hold the one
 * value every state agrees on. So an out-of-band change of a field the pending change leaves alone is found at once.
 * A topic SageMaker kept when notifications were turned off is reported in any state, and said to be that.
 */
function drift({ record, live, input, scope }: TeamContext): Finding[] {
  if (record === undefined) return [];
  const expected = expectedSpec(record.spec, record, input);
  if (expected === undefined) return [];
  // A missing group still listed by SageMaker is no drift either.
  const memberDefinitions = live.memberDefinitions.filter(
    (definition) => definition.cognito === undefined || !isMissing(input.groups, definition.cognito.userGroup),
  );
  const seen = { ...live, memberDefinitions, tags: undefined };
  const inTransit = statesInTransit(record, input).map(
    (spec) => new Set(differences(spec, seen).map(({ field }) => field)),
  );
  const found = differences(expected, seen).filter(({ field }) => inTransit.every((fields) => fields.has(field)));
  const kept = topicKeptBySageMaker(record, live);
  if (kept !== undefined && !found.some(({ field }) => field === 'notificationTopicArn')) {
    found.push({ field: 'notificationTopicArn', desired: null, live: kept });
  }
  const pending = record.applyState === 'Pending';
  const how = pending
    ? 'changed outside this system: neither its pending change nor the state last applied explains it'
    : 'changed outside this system';
  const findings: Finding[] = [];

  const accessFields = found.filter(({ field }) => field.startsWith('workerAccess.'));
  if (accessFields.length > 0) {
    const changed = accessFields.map(({ field, desired, live: actual }) => `${field} ${actual}, desired ${desired}`);
    findings.push(
      finding('worker-access.drift', scope, {
        message: `Worker access of work team '${input.name}' was ${how} (${changed.join('; ')}): ${restoreRemedy(record, input, 'restore its desired worker access')}, or change it through the API if the change was meant.`,
        desired: togglesOf(expected.workerAccess),
        actual: togglesOf(live.workerAccess),
        remediable: mayRemediate(record, input),
      }),
    );
  }

  const teamFields = found.filter(({ field }) => TEAM_DRIFT_FIELDS.includes(field));
  if (teamFields.length > 0) {
    // The topic SageMaker kept is no out-of-band change: it is said apart, after any field that is one.
    const changed = teamFields.filter(({ field }) => kept === undefined || field !== 'notificationTopicArn');
    const messages = [
      ...(changed.length > 0
        ? [
            `Work team '${input.name}' differs from its desired state in ${changed.map(({ field }) => field).join(', ')} (${how}): ${restoreRemedy(record, input, 'restore it')}, or change it through the API if the change was meant.`,
          ]
        : []),
      ...(kept === undefined ? [] : [topicKeptMessage(record, input, kept)]),
    ];
    findings.push(
      finding('team.drift', scope, {
        message: messages.join(' '),
        desired: redactDeep(Object.fromEntries(teamFields.map(({ field, desired }) => [field, desired]))),
        actual: redactDeep(Object.fromEntries(teamFields.map(({ field, live: actual }) => [field, actual]))),
        remediable: mayRemediate(record, input),
      }),
    );
  }
  return findings;
}

function workerAccessBelowPolicy({ record, live, classification, policy, scope, input }: TeamContext): Finding[] {
  const required = requiredToggles(policy, classification);
  const actual = togglesOf(live.workerAccess);
  const below = required.filter((field) => actual[field] !== 'Enabled');
  if (below.length === 0) return [];
  const desiredMeetsMinimum =
    record !== undefined && required.every((field) => record.spec.workerAccess[field] === 'Enabled');
  let remedy: string;
  if (desiredMeetsMinimum) remedy = restoreRemedy(record, input, 'restore its desired worker access');
  else if (record !== undefined)
    remedy = `update the team's workerAccess through the API to enable ${below.join(', ')}`;
  else remedy = `enable ${below.join(', ')} in the team's WorkerAccessConfiguration (the team is not managed here)`;
  return [
    finding('worker-access.below-policy', scope, {
      message: `Work team '${input.name}' is classified '${classification}', and policy ${policy.version} needs worker access ${below.map((field) => `${field} Enabled`).join(', ')}, but it is Disabled: ${remedy}.`,
      desired: Object.fromEntries(required.map((field) => [field, 'Enabled'])),
      actual,
      remediable: remediableWhen(record, input, desiredMeetsMinimum),
    }),
  ];
}

function vpcWithoutVpcConfig({ record, live, input, scope }: TeamContext): Finding[] {
  const { workforce } = input;
  if (togglesOf(live.workerAccess).vpcSourceIp !== 'Enabled' || workforce === undefined || workforce.vpc) return [];
  const desiredDisables = record !== undefined && record.spec.workerAccess.vpcSourceIp === 'Disabled';
  let remedy: string;
  if (desiredDisables)
    remedy = restoreRemedy(record, input, 'restore its desired worker access (vpcSourceIp Disabled)');
  else if (record !== undefined) remedy = 'update the team with vpcSourceIp Disabled, or give the workforce a VPC';
  else remedy = 'disable VpcSourceIp on the team, or give the workforce a WorkforceVpcConfig';
  return [
    finding('worker-access.vpc-without-vpc-config', scope, {
      message: `Work team '${input.name}' has VpcSourceIp Enabled, but workforce '${workforce.name}' has no WorkforceVpcConfig, so its workers' tasks cannot render (VpcSourceIp only works from a worker portal inside a VPC): ${remedy}.`,
      desired: { vpcSourceIp: 'Disabled' },
      actual: { vpcSourceIp: 'Enabled', workforceVpcConfig: false },
      remediable: remediableWhen(record, input, desiredDisables),
    }),
  ];
}

function groupsMissing({ record, live, input, scope }: TeamContext): Finding[] {
  const desiredGroups =
    record !== undefined && 'cognitoGroups' in record.spec.members ? record.spec.members.cognitoGroups : [];
  const named = unique([...cognitoGroupsOf(live.memberDefinitions), ...desiredGroups]);
  const missing = named.filter((group) => isMissing(input.groups, group));
  if (missing.length === 0) return [];
  return [
    finding('members.group-missing', scope, {
      message: `Work team '${input.name}' names Cognito groups that no longer exist (${quoted(missing)}): restore the groups in the user pool, or remove them from the team.`,
      desired: { missing: [] },
      actual: redactDeep({ missing }),
      remediable: false,
    }),
  ];
}
