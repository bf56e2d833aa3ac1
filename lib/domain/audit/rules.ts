/**
 * The compliance audit's rules: pure functions from what the audit read (SageMaker, SNS, Cognito, the registry)
 * and the policy to findings. The audit use case does the reading, keeps the open findings of the rules
 * `rulesNotEvaluated` names, and decides with `remediationFor` what a run does with each finding.
 */
import { cidrWithin, maskAddress, mergeAddresses, parseCidr } from '../addresses';
import { toWorkteamSpec } from '../desired-spec';
import { redactEmailAddresses } from '../errors';
import type { LiveWorkforce, LiveWorkteam } from '../live';
import { differences, togglesOf } from '../plan';
import { AUDIT_DEFAULTS, ownValue, type Policy, type RemediationMode, requiredToggles } from '../policy';
import type { TeamRecord } from '../team';
import { type MemberDefinition, WORKTEAM_LIMITS, type WorkteamSpec } from '../workteam';
import type { Finding, GroupState, RuleId, Severity, TeamAuditInput, TopicState } from './findings';

/** Every rule: its severity (a finding may be graver, as `account.team-limit` at the limit) and what it checks. */
export const RULES: Record<RuleId, { severity: Severity; description: string }> = {
  'team.missing': {
    severity: 'high',
    description: 'A managed team that SageMaker no longer has (deleted outside this system).',
  },
  'team.drift': {
    severity: 'medium',
    description: 'A managed team whose description, member groups or notification topic differ from its desired state.',
  },
  'worker-access.drift': {
    severity: 'high',
    description: 'A managed team whose worker access (SourceIp, VpcSourceIp) differs from its desired state.',
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
  'notifications.workers-unsubscribed': {
    severity: 'medium',
    description: "Workers of the team's Cognito groups who are not subscribed to its topic.",
  },
  'notifications.stale-subscriptions': {
    severity: 'medium',
    description: "Addresses subscribed to the team's topic of people in none of its Cognito groups.",
  },
  'members.group-missing': {
    severity: 'high',
    description: 'The team names Cognito groups that no longer exist.',
  },
  'team.orphaned': {
    severity: 'high',
    description: 'A managed team left orphaned: its last Cognito group was deleted, so nobody can work in it.',
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
};

/** At most this many (masked) addresses are listed in a subscription finding; its count is the whole number. */
export const LISTED_ADDRESSES_MAX = 20;

const SAGEMAKER_PRINCIPAL = 'sagemaker.amazonaws.com';

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

/** Every string in a JSON value with the e-mail addresses in it masked. */
function redacted(value: unknown): unknown {
  if (typeof value === 'string') return redactEmailAddresses(value);
  if (Array.isArray(value)) return value.map(redacted);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, redacted(entry)]));
  }
  return value;
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
 * Managed, and its desired state applied. Only a steady team is judged for drift: a Pending team is being changed,
 * and a Failed one differs because our own apply failed (the operations topic was told), not because someone
 * changed it outside this system. Only a steady team is remediable: a reconcile of a Pending or Failed team could
 * roll back its desired state, and remediation must change nothing in it.
 */
function isSteady(record: TeamRecord | undefined): boolean {
  return record?.lifecycle === 'active' && record.applyState === 'Applied';
}

/** Whether reconciling makes a finding right: the team is steady and its desired state itself satisfies the rule. */
function remediableWhen(record: TeamRecord | undefined, desiredSatisfies: boolean): boolean {
  return desiredSatisfies && isSteady(record);
}

/**
 * The remedy for a managed team whose desired state itself satisfies the rule: a reconcile when the team is steady;
 * otherwise its change has to be applied first, by the retries (Pending) or by its next change (Failed).
 */
function restoreRemedy(record: TeamRecord, reconcileTo: string): string {
  if (isSteady(record)) return `reconcile the team to ${reconcileTo}`;
  if (record.applyState === 'Pending') return 'let its pending change be applied, then audit again';
  return "fix what made its last change fail (the team's pendingReason) and change the team through the API again, which applies its desired state";
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
    return record === undefined || awaitsCreation(record) ? [] : [teamMissing(input.name, record, scope)];
  }
  const tags = record === undefined ? input.liveTags : record.spec.tags;
  const classification = ownValue(tags ?? {}, policy.classificationTag);
  const context: TeamContext = { input, live: input.live, scope, record, classification, policy };
  return [
    ...teamOrphaned(context),
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
];

/**
 * The team rules whose answer for this input is unknown, so that a run keeps their open findings instead of
 * resolving them: the drift rules of a managed team that is not steady (Pending or Failed) or whose expected spec
 * cannot be built (a Cognito team without its pool and client); the subscription rules when the team's topic exists
 * but one of its Cognito groups was not read. Every other team rule that yields nothing for the input holds.
 */
export function rulesNotEvaluated(input: TeamAuditInput): RuleId[] {
  const record = managedRecordOf(input);
  const driftUnknown = record !== undefined && (!isSteady(record) || expectedSpec(record, input.groups) === undefined);
  const subscriptionsUnknown =
    input.live !== undefined && input.topic?.exists === true && liveGroupStates(input.live, input.groups) === undefined;
  return [...(driftUnknown ? DRIFT_RULES : []), ...(subscriptionsUnknown ? SUBSCRIPTION_RULES : [])];
}

function teamMissing(name: string, record: TeamRecord, scope: Scope): Finding {
  return finding('team.missing', scope, {
    message: `Managed work team '${name}' no longer exists in SageMaker (deleted outside this system): ${restoreRemedy(record, 'create it again')}, or delete it through the API if it should be gone.`,
    desired: { exists: true },
    actual: { exists: false },
    remediable: remediableWhen(record, true),
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

/**
 * The managed team's desired spec as SageMaker should hold it, leaving out Cognito groups that no longer exist
 * (`members.group-missing` reports those); undefined when it cannot be built (Cognito groups without a pool).
 */
function expectedSpec(record: TeamRecord, groups: Record<string, GroupState>): WorkteamSpec | undefined {
  const { spec } = record;
  if (!('cognitoGroups' in spec.members)) return toWorkteamSpec(spec, record.identity, record.topicArn);
  if (record.identity === undefined) return undefined;
  const cognitoGroups = spec.members.cognitoGroups.filter((group) => !isMissing(groups, group));
  return toWorkteamSpec({ ...spec, members: { cognitoGroups } }, record.identity, record.topicArn);
}

const TEAM_DRIFT_FIELDS = ['description', 'members', 'notificationTopicArn'];

/** Judged for steady teams only (`isSteady`). */
function drift({ record, live, input, scope }: TeamContext): Finding[] {
  if (record === undefined || !isSteady(record)) return [];
  const expected = expectedSpec(record, input.groups);
  if (expected === undefined) return [];
  // A missing group still listed by SageMaker is no drift either.
  const memberDefinitions = live.memberDefinitions.filter(
    (definition) => definition.cognito === undefined || !isMissing(input.groups, definition.cognito.userGroup),
  );
  const found = differences(expected, { ...live, memberDefinitions, tags: undefined });
  const findings: Finding[] = [];

  const accessFields = found.filter(({ field }) => field.startsWith('workerAccess.'));
  if (accessFields.length > 0) {
    const changed = accessFields.map(({ field, desired, live: actual }) => `${field} ${actual}, desired ${desired}`);
    findings.push(
      finding('worker-access.drift', scope, {
        message: `Worker access of work team '${input.name}' was changed outside this system (${changed.join('; ')}): reconcile the team to restore its desired worker access, or change it through the API if the change was meant.`,
        desired: togglesOf(expected.workerAccess),
        actual: togglesOf(live.workerAccess),
        remediable: true,
      }),
    );
  }

  const teamFields = found.filter(({ field }) => TEAM_DRIFT_FIELDS.includes(field));
  if (teamFields.length > 0) {
    findings.push(
      finding('team.drift', scope, {
        message: `Work team '${input.name}' differs from its desired state in ${teamFields.map(({ field }) => field).join(', ')} (changed outside this system): reconcile the team to restore it, or change it through the API if the change was meant.`,
        desired: redacted(Object.fromEntries(teamFields.map(({ field, desired }) => [field, desired]))),
        actual: redacted(Object.fromEntries(teamFields.map(({ field, live: actual }) => [field, actual]))),
        remediable: true,
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
  if (desiredMeetsMinimum) remedy = restoreRemedy(record, 'restore its desired worker access');
  else if (record !== undefined)
    remedy = `update the team's workerAccess through the API to enable ${below.join(', ')}`;
  else remedy = `enable ${below.join(', ')} in the team's WorkerAccessConfiguration (the team is not managed here)`;
  return [
    finding('worker-access.below-policy', scope, {
      message: `Work team '${input.name}' is classified '${classification}', and policy ${policy.version} needs worker access ${below.map((field) => `${field} Enabled`).join(', ')}, but it is Disabled: ${remedy}.`,
      desired: Object.fromEntries(required.map((field) => [field, 'Enabled'])),
      actual,
      remediable: remediableWhen(record, desiredMeetsMinimum),
    }),
  ];
}

function vpcWithoutVpcConfig({ record, live, input, scope }: TeamContext): Finding[] {
  const { workforce } = input;
  if (togglesOf(live.workerAccess).vpcSourceIp !== 'Enabled' || workforce === undefined || workforce.vpc) return [];
  const desiredDisables = record !== undefined && record.spec.workerAccess.vpcSourceIp === 'Disabled';
  let remedy: string;
  if (desiredDisables) remedy = restoreRemedy(record, 'restore its desired worker access (vpcSourceIp Disabled)');
  else if (record !== undefined) remedy = 'update the team with vpcSourceIp Disabled, or give the workforce a VPC';
  else remedy = 'disable VpcSourceIp on the team, or give the workforce a WorkforceVpcConfig';
  return [
    finding('worker-access.vpc-without-vpc-config', scope, {
      message: `Work team '${input.name}' has VpcSourceIp Enabled, but workforce '${workforce.name}' has no WorkforceVpcConfig, so its workers' tasks cannot render (VpcSourceIp only works from a worker portal inside a VPC): ${remedy}.`,
      desired: { vpcSourceIp: 'Disabled' },
      actual: { vpcSourceIp: 'Enabled', workforceVpcConfig: false },
      remediable: remediableWhen(record, desiredDisables),
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
      actual: redacted({ missing }),
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
    message = `Work team '${input.name}' has no notification topic although its desired state wants notifications, so its workers hear of no new tasks: ${restoreRemedy(record, 'set its topic again')}.`;
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
      remediable: remediableWhen(record, wanted),
    }),
  ];
}

function topicFindings(context: TeamContext): Finding[] {
  const { topic } = context.input;
  if (topic === undefined) return [];
  if (!topic.exists) return [topicMissing(context, topic)];
  return [...publishDenied(context, topic), ...subscriptionFindings(context, topic)];
}

function topicMissing({ record, input, scope }: TeamContext, topic: TopicState): Finding {
  const wanted = wantsNotifications(record);
  const remedy = wanted
    ? restoreRemedy(record, 'create it again and subscribe its workers')
    : "create the topic, or remove the team's notification configuration";
  return finding('notifications.topic-missing', scope, {
    message: `The notification topic of work team '${input.name}' does not exist, so its workers hear of no new tasks: ${remedy}.`,
    desired: { topicArn: topic.arn, exists: true },
    actual: { topicArn: topic.arn, exists: false },
    remediable: remediableWhen(record, wanted),
  });
}

function publishDenied({ record, input, scope }: TeamContext, topic: TopicState): Finding[] {
  if (allowsSageMakerPublish(topic.policy, topic.arn)) return [];
  const wanted = wantsNotifications(record);
  const remedy = wanted
    ? restoreRemedy(record, "restore the topic's policy")
    : `allow ${SAGEMAKER_PRINCIPAL} sns:Publish on the topic in its access policy`;
  return [
    finding('notifications.publish-denied', scope, {
      message: `The access policy of the notification topic of work team '${input.name}' does not let ${SAGEMAKER_PRINCIPAL} publish, so its workers hear of no new tasks: ${remedy}.`,
      desired: { topicArn: topic.arn, sageMakerMayPublish: true },
      actual: { topicArn: topic.arn, sageMakerMayPublish: false },
      remediable: remediableWhen(record, wanted),
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
 * stays unconfirmed.
 */
function subscriptionFindings({ record, live, input, scope }: TeamContext, topic: TopicState): Finding[] {
  const states = liveGroupStates(live, input.groups);
  if (states === undefined) return [];
  const expected = mergeAddresses(states.filter(({ exists }) => exists).map(({ emails }) => emails));
  const confirmed = mergeAddresses([topic.emailEndpoints]);
  const subscribed = mergeAddresses([topic.emailEndpoints, topic.pendingEmailEndpoints]);
  const expectedMailboxes = new Set(expected.map((address) => address.toLowerCase()));
  const subscribedMailboxes = new Set(subscribed.map((address) => address.toLowerCase()));
  const unsubscribed = expected.filter((address) => !subscribedMailboxes.has(address.toLowerCase()));
  const stale = confirmed.filter((address) => !expectedMailboxes.has(address.toLowerCase()));
  const wanted = wantsNotifications(record);
  const remediable = remediableWhen(record, wanted);
  const none = maskedList([]);

  const findings: Finding[] = [];
  if (unsubscribed.length > 0) {
    const remedy = wanted
      ? restoreRemedy(record, 'subscribe them')
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
    const remedy = wanted ? restoreRemedy(record, 'unsubscribe them') : 'unsubscribe them from the topic';
    findings.push(
      finding('notifications.stale-subscriptions', scope, {
        message: `${stale.length} address(es) subscribed to the notification topic of work team '${input.name}' belong to nobody in its Cognito groups and still hear of its tasks: ${remedy}.`,
        desired: none,
        actual: maskedList(stale),
        remediable,
      }),
    );
  }
  return findings;
}

// ---------------------------------------------------------------------------------------------------------------
// Topic access policy

type Json = Record<string, unknown>;

function isJsonObject(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** An IAM element that is a string or a list of strings; anything else names nothing. */
function stringsOf(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

/** IAM wildcards: `*` any run of characters, `?` one character. */
function matchesWildcard(pattern: string, value: string, ignoreCase: boolean): boolean {
  const source = pattern
    .split('')
    .map((character) => {
      if (character === '*') return '.*';
      if (character === '?') return '.';
      return character.replace(/[\\^$.|+()[\]{}]/g, '\\$&');
    })
    .join('');
  return new RegExp(`^${source}$`, ignoreCase ? 'is' : 's').test(value);
}

function namesSageMaker(principal: unknown): boolean {
  if (principal === '*') return true;
  if (!isJsonObject(principal)) return false;
  return (
    stringsOf(principal.AWS).includes('*') ||
    stringsOf(principal.Service).some((service) => service.toLowerCase() === SAGEMAKER_PRINCIPAL)
  );
}

/** Whether a statement's Principal / NotPrincipal, Action / NotAction and Resource / NotResource cover the call. */
function coversSageMakerPublish(statement: Json, topicArn: string): boolean {
  let principal: boolean;
  if ('Principal' in statement) principal = namesSageMaker(statement.Principal);
  else if ('NotPrincipal' in statement) principal = !namesSageMaker(statement.NotPrincipal);
  else principal = false;

  // Action names are case-insensitive; ARNs are not.
  const publish = (pattern: string) => matchesWildcard(pattern, 'sns:Publish', true);
  let action: boolean;
  if ('Action' in statement) action = stringsOf(statement.Action).some(publish);
  else if ('NotAction' in statement) action = !stringsOf(statement.NotAction).some(publish);
  else action = false;

  const topic = (pattern: string) => matchesWildcard(pattern, topicArn, false);
  let resource = true;
  if ('Resource' in statement) resource = stringsOf(statement.Resource).some(topic);
  else if ('NotResource' in statement) resource = !stringsOf(statement.NotResource).some(topic);

  return principal && action && resource;
}

function statementsOf(policyJson: string | undefined): Json[] {
  if (policyJson === undefined) return [];
  let document: unknown;
  try {
    document = JSON.parse(policyJson);
  } catch {
    return [];
  }
  if (!isJsonObject(document)) return [];
  const statements: unknown[] = Array.isArray(document.Statement) ? document.Statement : [document.Statement];
  return statements.filter(isJsonObject);
}

/**
 * Whether a topic's access policy lets SageMaker publish to it: an Allow statement covers `sns:Publish` by
 * `sagemaker.amazonaws.com` on the topic, and no Deny statement does. Conditions are taken to hold for SageMaker's
 * own calls on an Allow (such as the project's `aws:SourceAccount`) and not to on a Deny (such as the common
 * `aws:SecureTransport: false`): only an unconditional Deny counts. An absent or unreadable policy allows nothing.
 */
export function allowsSageMakerPublish(policyJson: string | undefined, topicArn: string): boolean {
  const covering = statementsOf(policyJson).filter((statement) => coversSageMakerPublish(statement, topicArn));
  const allowed = covering.some((statement) => statement.Effect === 'Allow');
  const denied = covering.some((statement) => statement.Effect === 'Deny' && statement.Condition === undefined);
  return allowed && !denied;
}

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
        actual: redacted({
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

// ---------------------------------------------------------------------------------------------------------------
// Remediation

/** What a run does with a finding: 'remediate' only for remediable findings whose rule the policy (or the run's override) sets to remediate. */
export function remediationFor(finding: Finding, policy: Policy, override?: RemediationMode): RemediationMode {
  if (!finding.remediable) return 'report';
  if (override !== undefined) return override;
  return ownValue(policy.audit?.remediation ?? {}, finding.rule) ?? AUDIT_DEFAULTS.remediation;
}
