/**
 * The compliance audit's rules: pure functions from what the audit read (SageMaker, SNS, Cognito, the registry)
 * and the policy to findings. The audit use case does the reading, keeps the open findings of the rules
 * `rulesNotEvaluated` names, and decides with `remediationFor` what a run does with each finding.
 */
import { cidrWithin, maskAddress, mergeAddresses, parseCidr } from '../addresses';
import { toWorkteamSpec } from '../desired-spec';
import type { LiveWorkforce, LiveWorkteam } from '../live';
import { differences, togglesOf } from '../plan';
import { AUDIT_DEFAULTS, ownValue, type Policy, type RemediationMode, requiredToggles } from '../policy';
import { redactDeep, redactEmailAddresses } from '../privacy';
import type { DesiredTeam, TeamRecord } from '../team';
import { MANAGED_BY_TAG } from '../validation';
import { type MemberDefinition, WORKTEAM_LIMITS, type WorkteamSpec } from '../workteam';
import {
  type Finding,
  FOLLOWED_EVENT_SOURCES,
  type GroupState,
  type RuleId,
  type Severity,
  type TeamAuditInput,
  type TopicState,
  type TrailState,
} from './findings';
import {
  accountOf,
  isAwsManagedSnsKey,
  openAccessOf,
  SAGEMAKER_PRINCIPAL,
  sageMakerPublishVerdict,
} from './topic-policy';

/** Every rule: its severity (a finding may be graver, as `account.team-limit` at the limit) and what it checks. */
export const RULES: Record<RuleId, { severity: Severity; description: string }> = {
  'team.missing': {
    severity: 'high',
    description: 'A managed team that SageMaker no longer has (deleted outside this system).',
  },
  'team.drift': {
    severity: 'medium',
    description:
      'A managed team whose description, member groups or notification topic differ from its desired state (a Pending team: from every state it may be in).',
  },
  'worker-access.drift': {
    severity: 'high',
    description:
      'A managed team whose worker access (SourceIp, VpcSourceIp) differs from its desired state (a Pending team: from every state it may be in).',
  },
  'worker-access.below-policy': {
    severity: 'high',
    description: "A team whose worker access is below the policy's minimum for its classification.",
  },
  'worker-access.vpc-without-vpc-config': {
    severity: 'high',
    description: 'VpcSourceIp Enabled on a team whose workforce has no WorkforceVpcConfig: its tasks cannot render.',
  },
  'notifications.not-configured': {
    severity: 'medium',
    description:
      'A team without a notification topic where its classification (policy) or its desired state wants one.',
  },
  'notifications.topic-missing': {
    severity: 'high',
    description: "The team's notification topic does not exist.",
  },
  'notifications.publish-denied': {
    severity: 'high',
    description: "The topic's access policy does not let sagemaker.amazonaws.com publish to it.",
  },
  'notifications.topic-open': {
    severity: 'high',
    description:
      'The topic\'s access policy lets anyone (Principal "*") subscribe to it or publish to it, without a condition confining it to the account or organisation.',
  },
  'notifications.kms-key-unusable': {
    severity: 'high',
    description:
      'The topic is encrypted with the AWS managed key alias/aws/sns, whose key policy cannot let SageMaker use it: SageMaker cannot publish.',
  },
  'notifications.workers-unsubscribed': {
    severity: 'medium',
    description: "Workers of the team's Cognito groups who are not subscribed to its topic.",
  },
  'notifications.stale-subscriptions': {
    severity: 'medium',
    description: "Addresses subscribed to the team's topic of people in none of its Cognito groups.",
  },
  'notifications.pending-leaver': {
    severity: 'low',
    description:
      "Subscriptions pending confirmation of people in none of the team's Cognito groups: SNS cannot remove them; they lapse unless confirmed.",
  },
  'members.group-missing': {
    severity: 'high',
    description: 'The team names Cognito groups that no longer exist.',
  },
  'team.orphaned': {
    severity: 'high',
    description: 'A managed team left orphaned: its last Cognito group was deleted, so nobody can work in it.',
  },
  'team.managed-tag-removed': {
    severity: 'high',
    description:
      "A managed team whose managed-by: workteam-automation tag was removed in SageMaker: this system's role can no longer change or delete it.",
  },
  'workforce.not-active': {
    severity: 'critical',
    description: "The workforce's Status is not Active.",
  },
  'workforce.source-ip-missing': {
    severity: 'high',
    description: 'The workforce has no SourceIpConfig CIDRs: its worker portal is open to any address.',
  },
  'workforce.source-ip-outside-policy': {
    severity: 'high',
    description: "Workforce CIDRs outside the policy's allowed ranges.",
  },
  'account.team-limit': {
    severity: 'medium',
    description: "The region's work teams near SageMaker's limit of 25 (from the policy's warning share); high at 25.",
  },
  'account.no-trail': {
    severity: 'high',
    description:
      "No trail logs the region's management write events of SageMaker and Cognito: the Cognito sync and the real-time audit receive no events.",
  },
};

/** At most this many (masked) addresses are listed in a subscription finding; its count is the whole number. */
export const LISTED_ADDRESSES_MAX = 20;

interface Scope {
  resource: string;
  team?: string;
}

interface Details {
  message: string;
  desired: unknown;
  actual: unknown;
  remediable: boolean;
  severity?: Severity;
}

/** Messages quote names that people typed (groups, descriptions): an address among them is masked. */
function finding(rule: RuleId, scope: Scope, details: Details): Finding {
  return {
    rule,
    severity: details.severity ?? RULES[rule].severity,
    ...scope,
    message: redactEmailAddresses(details.message),
    desired: details.desired,
    actual: details.actual,
    remediable: details.remediable,
  };
}

function unique(values: Iterable<string>): string[] {
  return [...new Set(values)].sort();
}

function quoted(names: readonly string[]): string {
  return names.map((name) => `'${name}'`).join(', ');
}

// ---------------------------------------------------------------------------------------------------------------
// Teams

interface TeamContext {
  input: TeamAuditInput;
  live: LiveWorkteam;
  scope: Scope;
  /** The registry's record, when the team is managed (an active record). */
  record: TeamRecord | undefined;
  classification: string | undefined;
  policy: Policy;
}

/** The registry's record of the team when this system manages it (an active record). */
function managedRecordOf(input: TeamAuditInput): TeamRecord | undefined {
  return input.record?.lifecycle === 'active' ? input.record : undefined;
}

/**
 * Whether the live team still carries `managed-by: workteam-automation`: this system's role may write only to teams
 * that do (IAM conditions on the tag). Tags not read count as carried.
 */
function carriesManagedTag(input: TeamAuditInput): boolean {
  return input.liveTags === undefined || ownValue(input.liveTags, MANAGED_BY_TAG.key) === MANAGED_BY_TAG.value;
}

/**
 * Whether a reconcile may be run to put the team right: it is managed, its desired state is not Pending (its change
 * is being applied by the retries, which reconcile the whole team anyway), and this system may still write to it.
 * A Failed team may be: a remediation is one more reconcile of its desired state, and a refusal leaves that state
 * and its version as they are.
 */
function mayRemediate(record: TeamRecord | undefined, input: TeamAuditInput): record is TeamRecord {
  return record?.lifecycle === 'active' && record.applyState !== 'Pending' && carriesManagedTag(input);
}

/** Whether reconciling makes a finding right: the team may be reconciled and its desired state satisfies the rule. */
function remediableWhen(record: TeamRecord | undefined, input: TeamAuditInput, desiredSatisfies: boolean): boolean {
  return desiredSatisfies && mayRemediate(record, input);
}

/** The remedy for a managed team whose desired state itself satisfies the rule, by the state of the team. */
function restoreRemedy(record: TeamRecord, input: TeamAuditInput, reconcileTo: string): string {
  if (!carriesManagedTag(input)) {
    return `put the team's ${MANAGED_BY_TAG.key}: ${MANAGED_BY_TAG.value} tag back first (this system may only write to teams carrying it), then reconcile the team to ${reconcileTo}`;
  }
  if (record.applyState === 'Pending') {
    return 'let its pending change be applied (the retries apply its whole desired state, this included), then audit again';
  }
  if (record.applyState === 'Failed') {
    return `reconcile the team to ${reconcileTo} (its last change failed, see its pendingReason: a reconcile applies its desired state again)`;
  }
  return `reconcile the team to ${reconcileTo}`;
}

function isMissing(groups: Record<string, GroupState>, group: string): boolean {
  return ownValue(groups, group)?.exists === false;
}

function cognitoGroupsOf(definitions: readonly MemberDefinition[]): string[] {
  return definitions.flatMap((definition) => (definition.cognito === undefined ? [] : [definition.cognito.userGroup]));
}

function hasTopic(live: LiveWorkteam): boolean {
  return live.notificationTopicArn !== undefined && live.notificationTopicArn !== '';
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
  const driftUnknown = record !== undefined && expectedSpec(record.spec, record, input.groups) === undefined;
  const tagsUnknown = record !== undefined && input.live !== undefined && input.liveTags === undefined;
  const subscriptionsUnknown =
    input.live !== undefined && input.topic?.exists === true && liveGroupStates(input.live, input.groups) === undefined;
  return [
    ...(driftUnknown ? DRIFT_RULES : []),
    ...(tagsUnknown ? (['team.managed-tag-removed'] as const) : []),
    ...(subscriptionsUnknown ? SUBSCRIPTION_RULES : []),
  ];
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
  const value = ownValue(input.liveTags, MANAGED_BY_TAG.key);
  const now = value === undefined ? 'no longer carries it' : `carries it with another value`;
  return [
    finding('team.managed-tag-removed', scope, {
      message: `Managed work team '${input.name}' must carry the tag ${MANAGED_BY_TAG.key}: ${MANAGED_BY_TAG.value} in SageMaker, but ${now} (changed outside this system), so this system's role can no longer change, remediate or delete it. Put the tag back by hand (sagemaker add-tags) if the team is still to be managed here; a remediation cannot, by design.`,
      desired: { tags: { [MANAGED_BY_TAG.key]: MANAGED_BY_TAG.value } },
      actual: redactDeep({ tags: { [MANAGED_BY_TAG.key]: value ?? null } }),
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
  groups: Record<string, GroupState>,
): WorkteamSpec | undefined {
  if (!('cognitoGroups' in spec.members)) return toWorkteamSpec(spec, record.identity, record.topicArn);
  if (record.identity === undefined) return undefined;
  const cognitoGroups = spec.members.cognitoGroups.filter((group) => !isMissing(groups, group));
  return toWorkteamSpec({ ...spec, members: { cognitoGroups } }, record.identity, record.topicArn);
}

/**
 * The other states a Pending team may rightly be in while its change is being applied: the one last applied, and
 * those superseded before they were applied (a pass may have taken one of them to SageMaker before it lost the
 * race). Empty for a team that is not Pending: it should be as desired.
 */
function statesInTransit(record: TeamRecord, groups: Record<string, GroupState>): WorkteamSpec[] {
  if (record.applyState !== 'Pending') return [];
  const earlier = [record.appliedSpec, ...(record.supersededSpecs ?? []).map(({ spec }) => spec)];
  return earlier.flatMap((spec) => {
    const built = spec === undefined ? undefined : expectedSpec(spec, record, groups);
    return built === undefined ? [] : [built];
  });
}

const TEAM_DRIFT_FIELDS = ['description', 'members', 'notificationTopicArn'];

/**
 * Drift of a managed team in any state (Applied, Pending, Failed, Orphaned) against its desired state. A Pending
 * team's field drifts only when its live value is none of the values the team's states in transit give it: a field
 * the pending change touches may hold the old value or the new one; a field it does not touch must hold the one
 * value every state agrees on. So an out-of-band change of a field the pending change leaves alone is found at once.
 */
function drift({ record, live, input, scope }: TeamContext): Finding[] {
  if (record === undefined) return [];
  const expected = expectedSpec(record.spec, record, input.groups);
  if (expected === undefined) return [];
  // A missing group still listed by SageMaker is no drift either.
  const memberDefinitions = live.memberDefinitions.filter(
    (definition) => definition.cognito === undefined || !isMissing(input.groups, definition.cognito.userGroup),
  );
  const seen = { ...live, memberDefinitions, tags: undefined };
  const inTransit = statesInTransit(record, input.groups).map(
    (spec) => new Set(differences(spec, seen).map(({ field }) => field)),
  );
  const found = differences(expected, seen).filter(({ field }) => inTransit.every((fields) => fields.has(field)));
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
    findings.push(
      finding('team.drift', scope, {
        message: `Work team '${input.name}' differs from its desired state in ${teamFields.map(({ field }) => field).join(', ')} (${how}): ${restoreRemedy(record, input, 'restore it')}, or change it through the API if the change was meant.`,
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

/** Reconcile restores a managed team's topic, its policy and its subscriptions only while it wants notifications. */
function wantsNotifications(record: TeamRecord | undefined): record is TeamRecord {
  return record?.spec.notifications === true;
}

function notificationsNotConfigured({ record, live, classification, policy, input, scope }: TeamContext): Finding[] {
  if (hasTopic(live)) return [];
  const requiredFor = policy.audit?.notificationsRequiredFor ?? AUDIT_DEFAULTS.notificationsRequiredFor;
  const byPolicy = classification !== undefined && requiredFor.includes(classification);
  const wanted = wantsNotifications(record);
  if (!byPolicy && !wanted) return [];
  let message: string;
  if (wanted) {
    message = `Work team '${input.name}' has no notification topic although its desired state wants notifications, so its workers hear of no new tasks: ${restoreRemedy(record, input, 'set its topic again')}.`;
  } else if (record !== undefined) {
    message = `Work team '${input.name}' is classified '${classification}', for which policy ${policy.version} requires notifications, but it has none: update the team through the API with notifications true.`;
  } else {
    message = `Work team '${input.name}' is classified '${classification}', for which policy ${policy.version} requires notifications, but it has no NotificationConfiguration: give it an SNS topic that sagemaker.amazonaws.com may publish to (the team is not managed here).`;
  }
  return [
    finding('notifications.not-configured', scope, {
      message,
      desired: { notifications: true },
      actual: { notifications: false },
      remediable: remediableWhen(record, input, wanted),
    }),
  ];
}

function topicFindings(context: TeamContext): Finding[] {
  const { topic } = context.input;
  if (topic === undefined) return [];
  if (!topic.exists) return [topicMissing(context, topic)];
  return [
    ...publishDenied(context, topic),
    ...topicOpen(context, topic),
    ...kmsKeyUnusable(context, topic),
    ...subscriptionFindings(context, topic),
  ];
}

function topicMissing({ record, input, scope }: TeamContext, topic: TopicState): Finding {
  const wanted = wantsNotifications(record);
  const remedy = wanted
    ? restoreRemedy(record, input, 'create it again and subscribe its workers')
    : "create the topic, or remove the team's notification configuration";
  return finding('notifications.topic-missing', scope, {
    message: `The notification topic of work team '${input.name}' does not exist, so its workers hear of no new tasks: ${remedy}.`,
    desired: { topicArn: topic.arn, exists: true },
    actual: { topicArn: topic.arn, exists: false },
    remediable: remediableWhen(record, input, wanted),
  });
}

/**
 * SageMaker's publish judged as SNS would judge it (lib/domain/audit/topic-policy.ts): denied is high; a policy whose
 * answer turns on a condition the audit cannot evaluate is reported as medium, saying which, never passed.
 */
function publishDenied({ record, live, input, scope }: TeamContext, topic: TopicState): Finding[] {
  const verdict = sageMakerPublishVerdict(topic.policy, topic.arn, accountOf(live.arn) ?? accountOf(topic.arn));
  if (verdict.mayPublish === true) return [];
  const wanted = wantsNotifications(record);
  const remedy = wanted
    ? restoreRemedy(record, input, "restore the topic's policy")
    : `allow ${SAGEMAKER_PRINCIPAL} sns:Publish on the topic in its access policy`;
  if (verdict.mayPublish === 'unknown') {
    return [
      finding('notifications.publish-denied', scope, {
        severity: 'medium',
        message: `The audit cannot tell whether the access policy of the notification topic of work team '${input.name}' lets ${SAGEMAKER_PRINCIPAL} publish: statement(s) ${quoted(verdict.undecidedStatements)} decide it on condition key(s) ${verdict.undecidedKeys.join(', ')}, which it cannot evaluate for SageMaker's request. Check them against SageMaker's publish, or ${remedy}.`,
        desired: { topicArn: topic.arn, sageMakerMayPublish: true },
        actual: redactDeep({
          topicArn: topic.arn,
          sageMakerMayPublish: 'cannot tell',
          undecidedStatements: verdict.undecidedStatements,
          undecidedKeys: verdict.undecidedKeys,
        }),
        remediable: remediableWhen(record, input, wanted),
      }),
    ];
  }
  const deniedBy = verdict.denyingStatements;
  return [
    finding('notifications.publish-denied', scope, {
      message: `The access policy of the notification topic of work team '${input.name}' does not let ${SAGEMAKER_PRINCIPAL} publish${deniedBy.length > 0 ? ` (denied by ${quoted(deniedBy)})` : ''}, so its workers hear of no new tasks: ${remedy}.`,
      desired: { topicArn: topic.arn, sageMakerMayPublish: true },
      actual: redactDeep({
        topicArn: topic.arn,
        sageMakerMayPublish: false,
        ...(deniedBy.length > 0 ? { deniedBy } : {}),
      }),
      remediable: remediableWhen(record, input, wanted),
    }),
  ];
}

function topicOpen({ record, input, scope }: TeamContext, topic: TopicState): Finding[] {
  const open = openAccessOf(topic.policy, topic.arn);
  if (open === undefined) return [];
  const risks = [
    ...(open.actions.includes('sns:Subscribe') ? ['anyone can subscribe and read its task notifications'] : []),
    ...(open.actions.includes('sns:Publish')
      ? ['anyone can publish to it and mail its workers as if SageMaker did']
      : []),
  ];
  const wanted = wantsNotifications(record);
  const remedy = wanted
    ? restoreRemedy(record, input, "restore the topic's policy (SageMaker's publish only)")
    : 'remove those statements, or confine them with a condition on aws:SourceAccount or aws:PrincipalOrgID';
  return [
    finding('notifications.topic-open', scope, {
      message: `The access policy of the notification topic of work team '${input.name}' lets anyone (Principal "*") call ${open.actions.join(' and ')} in statement(s) ${quoted(open.statements)}, with no condition confining it to this account or organisation: ${risks.join('; ')}. ${remedy.charAt(0).toUpperCase()}${remedy.slice(1)}.`,
      desired: { topicArn: topic.arn, openTo: [] },
      actual: redactDeep({ topicArn: topic.arn, openTo: open.actions, statements: open.statements }),
      remediable: remediableWhen(record, input, wanted),
    }),
  ];
}

/**
 * Only the AWS managed key is judged: a customer managed key's policy can only be read with KMS calls (GetKeyPolicy,
 * and DescribeKey to resolve an alias) that the audit does not make.
 */
function kmsKeyUnusable({ input, scope }: TeamContext, topic: TopicState): Finding[] {
  if (!isAwsManagedSnsKey(topic.kmsMasterKeyId)) return [];
  return [
    finding('notifications.kms-key-unusable', scope, {
      message: `The notification topic of work team '${input.name}' is encrypted with the AWS managed key alias/aws/sns, whose key policy cannot let ${SAGEMAKER_PRINCIPAL} use it, so SageMaker cannot publish and its workers hear of no new tasks: encrypt the topic with a customer managed key whose key policy lets ${SAGEMAKER_PRINCIPAL} call kms:GenerateDataKey* and kms:Decrypt, or remove its KmsMasterKeyId (a remediation does not change a topic's encryption).`,
      desired: { topicArn: topic.arn, kmsMasterKeyId: 'none, or a customer managed key SageMaker may use' },
      actual: { topicArn: topic.arn, kmsMasterKeyId: topic.kmsMasterKeyId },
      remediable: false,
    }),
  ];
}

/** A list of addresses as a finding shows it: the whole count, the first few addresses masked. */
function maskedList(addresses: readonly string[]): { count: number; addresses: string[] } {
  return { count: addresses.length, addresses: addresses.slice(0, LISTED_ADDRESSES_MAX).map(maskAddress) };
}

/**
 * The states of the live team's Cognito groups; undefined when one of them was not read, and the subscription
 * rules cannot tell who should be subscribed: the audit does not guess.
 */
function liveGroupStates(live: LiveWorkteam, groups: Record<string, GroupState>): GroupState[] | undefined {
  const states = cognitoGroupsOf(live.memberDefinitions).map((group) => ownValue(groups, group));
  return states.every((state) => state !== undefined) ? states : undefined;
}

/**
 * Who should be subscribed: the enabled workers of the live team's Cognito groups that exist. A subscription
 * pending confirmation counts as subscribed and is never stale: nobody can unsubscribe it, and SNS drops it if it
 * stays unconfirmed; a pending one of somebody in none of the groups is reported apart (`pending-leaver`, low).
 */
function subscriptionFindings({ record, live, input, scope }: TeamContext, topic: TopicState): Finding[] {
  const states = liveGroupStates(live, input.groups);
  if (states === undefined) return [];
  const expected = mergeAddresses(states.filter(({ exists }) => exists).map(({ emails }) => emails));
  const confirmed = mergeAddresses([topic.emailEndpoints]);
  const subscribed = mergeAddresses([topic.emailEndpoints, topic.pendingEmailEndpoints]);
  const expectedMailboxes = new Set(expected.map((address) => address.toLowerCase()));
  const subscribedMailboxes = new Set(subscribed.map((address) => address.toLowerCase()));
  const confirmedMailboxes = new Set(confirmed.map((address) => address.toLowerCase()));
  const unsubscribed = expected.filter((address) => !subscribedMailboxes.has(address.toLowerCase()));
  const stale = confirmed.filter((address) => !expectedMailboxes.has(address.toLowerCase()));
  const pendingLeavers = mergeAddresses([topic.pendingEmailEndpoints]).filter(
    (address) => !expectedMailboxes.has(address.toLowerCase()) && !confirmedMailboxes.has(address.toLowerCase()),
  );
  const wanted = wantsNotifications(record);
  const remediable = remediableWhen(record, input, wanted);
  const none = maskedList([]);

  const findings: Finding[] = [];
  if (unsubscribed.length > 0) {
    const remedy = wanted
      ? restoreRemedy(record, input, 'subscribe them')
      : "subscribe their e-mail addresses to the team's topic";
    findings.push(
      finding('notifications.workers-unsubscribed', scope, {
        message: `${unsubscribed.length} worker(s) of work team '${input.name}' are not subscribed to its notification topic and hear of no new tasks: ${remedy}.`,
        desired: none,
        actual: maskedList(unsubscribed),
        remediable,
      }),
    );
  }
  if (stale.length > 0) {
    const remedy = wanted ? restoreRemedy(record, input, 'unsubscribe them') : 'unsubscribe them from the topic';
    findings.push(
      finding('notifications.stale-subscriptions', scope, {
        message: `${stale.length} address(es) subscribed to the notification topic of work team '${input.name}' belong to nobody in its Cognito groups and still hear of its tasks: ${remedy}.`,
        desired: none,
        actual: maskedList(stale),
        remediable,
      }),
    );
  }
  if (pendingLeavers.length > 0) {
    findings.push(
      finding('notifications.pending-leaver', scope, {
        message: `${pendingLeavers.length} subscription(s) to the notification topic of work team '${input.name}' still pending confirmation belong to nobody in its Cognito groups: SNS cannot remove a subscription before it is confirmed. It lapses on its own unless its owner confirms it; once confirmed, the Cognito sync or a remediation unsubscribes it (notifications.stale-subscriptions reports it meanwhile). Nothing to do unless it stays.`,
        desired: none,
        actual: maskedList(pendingLeavers),
        remediable: false,
      }),
    );
  }
  return findings;
}

/** Whether SageMaker may publish to a topic under this access policy, for certain (see topic-policy.ts). */
export { allowsSageMakerPublish } from './topic-policy';

// ---------------------------------------------------------------------------------------------------------------
// Workforce and account

/** Every finding about the region's private workforce. */
export function auditWorkforce(workforce: LiveWorkforce, policy: Policy): Finding[] {
  const scope: Scope = { resource: `workforce/${workforce.name}` };
  const findings: Finding[] = [];
  if (workforce.status !== undefined && workforce.status !== 'Active') {
    const reason = workforce.failureReason === undefined ? '' : ` (${workforce.failureReason})`;
    findings.push(
      finding('workforce.not-active', scope, {
        message: `Workforce '${workforce.name}' is ${workforce.status}${reason}, not Active, so its workers may not reach their tasks: wait if it is still being created or updated, otherwise fix the cause its failure reason names.`,
        desired: { status: 'Active' },
        actual: redactDeep({
          status: workforce.status,
          ...(workforce.failureReason === undefined ? {} : { failureReason: workforce.failureReason }),
        }),
        remediable: false,
      }),
    );
  }

  const allowed = policy.audit?.workforceSourceCidrs;
  if (workforce.sourceIpCidrs.length === 0) {
    const within = allowed === undefined ? '' : ` within ${allowed.join(', ')}`;
    findings.push(
      finding('workforce.source-ip-missing', scope, {
        message: `Workforce '${workforce.name}' has no SourceIpConfig CIDRs, so its worker portal is open to any address: set SourceIpConfig.Cidrs (UpdateWorkforce) to the ranges your workers work from${within}.`,
        desired: allowed === undefined ? { cidrs: 'one to ten CIDRs' } : { within: allowed },
        actual: { cidrs: [] },
        remediable: false,
      }),
    );
  } else if (allowed !== undefined) {
    const outside = workforce.sourceIpCidrs.filter((cidr) => !withinAny(cidr, allowed));
    if (outside.length > 0) {
      findings.push(
        finding('workforce.source-ip-outside-policy', scope, {
          message: `Workforce '${workforce.name}' lets workers in from ${outside.join(', ')}, outside the ranges policy ${policy.version} allows: narrow SourceIpConfig.Cidrs (UpdateWorkforce) to ranges within ${allowed.join(', ')}.`,
          desired: { within: allowed },
          actual: { cidrs: workforce.sourceIpCidrs, outside },
          remediable: false,
        }),
      );
    }
  }
  return findings;
}

/** A CIDR that cannot be read lies within nothing. */
function withinAny(cidr: string, ranges: readonly string[]): boolean {
  const inner = parseCidr(cidr);
  if (inner === undefined) return false;
  return ranges.some((range) => {
    const outer = parseCidr(range);
    return outer !== undefined && cidrWithin(inner, outer);
  });
}

/** The region's number of work teams against SageMaker's limit of 25. */
export function auditTeamCount(count: number, policy: Policy): Finding[] {
  const limit = WORKTEAM_LIMITS.workteamsPerRegion;
  const percent = policy.audit?.teamLimitWarningPercent ?? AUDIT_DEFAULTS.teamLimitWarningPercent;
  const warnFrom = Math.ceil((limit * percent) / 100);
  if (count < warnFrom) return [];
  const atLimit = count >= limit;
  const consequence = atLimit
    ? 'SageMaker refuses any further team (ResourceLimitExceeded)'
    : 'SageMaker will refuse teams beyond that';
  return [
    finding(
      'account.team-limit',
      { resource: 'account' },
      {
        message: `The region holds ${count} of SageMaker's ${limit} work teams, and ${consequence}: delete the teams nobody uses any more, or ask AWS for a higher quota.`,
        desired: { limit, warnFrom },
        actual: { count },
        remediable: false,
        severity: atLimit ? 'high' : RULES['account.team-limit'].severity,
      },
    ),
  ];
}

/**
 * `account.no-trail`: no trail logs the region's management write events of SageMaker and Cognito, so EventBridge
 * receives no "AWS API Call via CloudTrail" event of them and the Cognito sync and the real-time audit hear of
 * nothing. Nothing when a trail logs them, nor when CloudTrail could not tell (`accountRulesNotEvaluated`).
 */
export function auditTrails(state: TrailState): Finding[] {
  if (state === 'cannot tell' || state.logged) return [];
  const { trails } = state;
  const which =
    trails.length === 0
      ? 'no trail applies to this region'
      : `the trail(s) that apply to this region, ${trails.join(', ')}, are stopped or select other events`;
  return [
    finding(
      'account.no-trail',
      { resource: 'account' },
      {
        message: `No CloudTrail trail logs this region's management write events of SageMaker and Cognito (${which}), so EventBridge receives none of their "AWS API Call via CloudTrail" events: the Cognito sync and the real-time audit receive no events without one, and only the nightly resync and the scheduled audit catch up. Log them with an organisation trail (or a trail of this account, of this region or multi-region, logging management write events), or deploy the stack with CREATE_TRAIL=true (or --param="createTrail=true") so that it creates its own trail.`,
        desired: { managementWriteEventsLogged: true, eventSources: FOLLOWED_EVENT_SOURCES },
        actual: { managementWriteEventsLogged: false, trails },
        remediable: false,
      },
    ),
  ];
}

/**
 * The account rules a run could not judge, whose open findings it leaves as they are: `account.no-trail` when
 * CloudTrail was not asked (a single-team run) or could not tell (a trail it may not read, a selector it cannot
 * judge, CloudTrail throttling past the retries).
 */
export function accountRulesNotEvaluated(trails: TrailState | undefined): RuleId[] {
  return trails === undefined || trails === 'cannot tell' ? ['account.no-trail'] : [];
}

// ---------------------------------------------------------------------------------------------------------------
// Remediation

/** What a run does with a finding: 'remediate' only for remediable findings whose rule the policy (or the run's override) sets to remediate. */
export function remediationFor(finding: Finding, policy: Policy, override?: RemediationMode): RemediationMode {
  if (!finding.remediable) return 'report';
  if (override !== undefined) return override;
  return ownValue(policy.audit?.remediation ?? {}, finding.rule) ?? AUDIT_DEFAULTS.remediation;
}
