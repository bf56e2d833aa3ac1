/**
 * The notification rules of a team: no topic where its classification or desired state wants one, a topic that is
 * gone, that SageMaker may not publish to, that anyone may subscribe or publish to, or encrypted with a key SageMaker
 * cannot use; workers not subscribed, and subscriptions of people in none of its Cognito groups, or, for a managed
 * OIDC team that names its subscribers, not among them (except on a managed team's own topic, whose subscriptions
 * are its owner's). Who is in an OIDC provider's groups cannot be listed: an OIDC team that names nobody gets no
 * subscription finding.
 */
import { mergeAddresses } from '../../email-addresses';
import type { LiveWorkteam } from '../../live';
import { AUDIT_DEFAULTS, ownValue } from '../../policy';
import { maskAddress, redactDeep } from '../../privacy';
import type { TeamRecord } from '../../team';
import type { Finding, GroupState, TopicState } from '../findings';
import {
  accountOf,
  isAwsManagedSnsKey,
  openAccessOf,
  SAGEMAKER_PRINCIPAL,
  sageMakerPublishVerdict,
} from '../topic-policy';
import { finding, quoted } from './finding';
import { cognitoGroupsOf, remediableWhen, restoreRemedy, type TeamContext } from './team-context';

/** At most this many (masked) addresses are listed in a subscription finding; its count is the whole number. */
export const LISTED_ADDRESSES_MAX = 20;

/** Reconcile restores a managed team's topic, its policy and its subscriptions only while it wants notifications. */
function wantsNotifications(record: TeamRecord | undefined): record is TeamRecord {
  return record?.spec.notifications === true;
}

/**
 * An adopted team's own topic (outside the stage's prefix, `foreignTopic`): reconcile keeps SageMaker pointing at
 * it but never changes it, so whatever is wrong with it is its owner's to put right.
 */
function ownTopic(record: TeamRecord | undefined): boolean {
  return record?.foreignTopic === true;
}

/**
 * A notification finding's remedy, and whether a remediation makes it right: while the managed team wants
 * notifications on a topic of the stage's, a reconcile restores its topic, policy and subscriptions
 * (`reconcileTo`); otherwise (no notifications wanted, or the team's own topic) `byHand`.
 */
function notificationRemedy(
  { record, input }: TeamContext,
  reconcileTo: string,
  byHand: string,
): { remedy: string; remediable: boolean } {
  const wanted = wantsNotifications(record) && !ownTopic(record);
  return {
    remedy: wanted ? restoreRemedy(record, input, reconcileTo) : byHand,
    remediable: remediableWhen(record, input, wanted),
  };
}

function hasTopic(live: LiveWorkteam): boolean {
  return live.notificationTopicArn !== undefined && live.notificationTopicArn !== '';
}

export function notificationsNotConfigured({
  record,
  live,
  classification,
  policy,
  input,
  scope,
}: TeamContext): Finding[] {
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

export function topicFindings(context: TeamContext): Finding[] {
  const { topic } = context.input;
  if (topic === undefined) return [];
  if (!topic.exists) return [topicMissing(context, topic)];
  return [
    ...publishDenied(context, topic),
    ...topicOpen(context, topic),
    ...kmsKeyUnusable(context, topic),
    // Who is subscribed to a managed team's own topic is its owner's business: reconcile never syncs it.
    ...(ownTopic(context.record) ? [] : subscriptionFindings(context, topic)),
  ];
}

function topicMissing(context: TeamContext, topic: TopicState): Finding {
  const { input, scope } = context;
  const { remedy, remediable } = notificationRemedy(
    context,
    'create it again and subscribe its workers',
    "create the topic, or remove the team's notification configuration",
  );
  return finding('notifications.topic-missing', scope, {
    message: `The notification topic of work team '${input.name}' does not exist, so its workers hear of no new tasks: ${remedy}.`,
    desired: { topicArn: topic.arn, exists: true },
    actual: { topicArn: topic.arn, exists: false },
    remediable,
  });
}

/**
 * SageMaker's publish judged as SNS would judge it (lib/domain/audit/topic-policy.ts): denied is high; a policy whose
 * answer turns on a condition the audit cannot evaluate is reported as medium, saying which, never passed.
 */
function publishDenied(context: TeamContext, topic: TopicState): Finding[] {
  const { live, input, scope } = context;
  const verdict = sageMakerPublishVerdict(topic.policy, topic.arn, accountOf(live.arn) ?? accountOf(topic.arn));
  if (verdict.mayPublish === true) return [];
  const { remedy, remediable } = notificationRemedy(
    context,
    "restore the topic's policy",
    `allow ${SAGEMAKER_PRINCIPAL} sns:Publish on the topic in its access policy`,
  );
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
        remediable,
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
      remediable,
    }),
  ];
}

function topicOpen(context: TeamContext, topic: TopicState): Finding[] {
  const { input, scope } = context;
  const open = openAccessOf(topic.policy, topic.arn);
  if (open === undefined) return [];
  const risks = [
    ...(open.actions.includes('sns:Subscribe') ? ['anyone can subscribe and read its task notifications'] : []),
    ...(open.actions.includes('sns:Publish')
      ? ['anyone can publish to it and mail its workers as if SageMaker did']
      : []),
  ];
  const { remedy, remediable } = notificationRemedy(
    context,
    "restore the topic's policy (SageMaker's publish only)",
    'remove those statements, or confine them with a condition on aws:SourceAccount or aws:PrincipalOrgID',
  );
  return [
    finding('notifications.topic-open', scope, {
      message: `The access policy of the notification topic of work team '${input.name}' lets anyone (Principal "*") call ${open.actions.join(' and ')} in statement(s) ${quoted(open.statements)}, with no condition confining it to this account or organisation: ${risks.join('; ')}. ${remedy.charAt(0).toUpperCase()}${remedy.slice(1)}.`,
      desired: { topicArn: topic.arn, openTo: [] },
      actual: redactDeep({ topicArn: topic.arn, openTo: open.actions, statements: open.statements }),
      remediable,
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
export function liveGroupStates(live: LiveWorkteam, groups: Record<string, GroupState>): GroupState[] | undefined {
  const states = cognitoGroupsOf(live.memberDefinitions).map((group) => ownValue(groups, group));
  return states.every((state) => state !== undefined) ? states : undefined;
}

/**
 * Who should be subscribed, and how a finding names them: the enabled workers of a Cognito team's groups that
 * exist (undefined when one of the groups was not read: the audit does not guess); the addresses a managed OIDC
 * team names (lib/domain/team-notifications.ts); for any other OIDC team nobody can tell (undefined).
 */
function expectedSubscribers(context: TeamContext): { expected: string[]; whose: string } | undefined {
  const { live, input, record } = context;
  if (live.memberDefinitions.some((definition) => definition.oidc !== undefined)) {
    const named = record?.spec.notificationAddresses;
    return named === undefined
      ? undefined
      : { expected: mergeAddresses([named]), whose: 'none of the addresses it names' };
  }
  const states = liveGroupStates(live, input.groups);
  if (states === undefined) return undefined;
  return {
    expected: mergeAddresses(states.filter(({ exists }) => exists).map(({ emails }) => emails)),
    whose: 'nobody in its Cognito groups',
  };
}

/**
 * Who should be subscribed (`expectedSubscribers`) against who is. A subscription pending confirmation counts as
 * subscribed and is never stale: nobody can unsubscribe it, and SNS drops it if it stays unconfirmed; a pending one
 * of somebody not expected is reported apart (`pending-leaver`, low).
 */
function subscriptionFindings(context: TeamContext, topic: TopicState): Finding[] {
  const { input, scope } = context;
  const subscribers = expectedSubscribers(context);
  if (subscribers === undefined) return [];
  const { expected, whose } = subscribers;
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
  const none = maskedList([]);

  const findings: Finding[] = [];
  if (unsubscribed.length > 0) {
    const { remedy, remediable } = notificationRemedy(
      context,
      'subscribe them',
      "subscribe their e-mail addresses to the team's topic",
    );
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
    const { remedy, remediable } = notificationRemedy(context, 'unsubscribe them', 'unsubscribe them from the topic');
    findings.push(
      finding('notifications.stale-subscriptions', scope, {
        message: `${stale.length} address(es) subscribed to the notification topic of work team '${input.name}' belong to ${whose} and still hear of its tasks: ${remedy}.`,
        desired: none,
        actual: maskedList(stale),
        remediable,
      }),
    );
  }
  if (pendingLeavers.length > 0) {
    findings.push(
      finding('notifications.pending-leaver', scope, {
        message: `${pendingLeavers.length} subscription(s) to the notification topic of work team '${input.name}' still pending confirmation belong to ${whose}: SNS cannot remove a subscription before it is confirmed. It lapses on its own unless its owner confirms it; once confirmed, the Cognito sync or a remediation unsubscribes it (notifications.stale-subscriptions reports it meanwhile). Nothing to do unless it stays.`,
        desired: none,
        actual: maskedList(pendingLeavers),
        remediable: false,
      }),
    );
  }
  return findings;
}
