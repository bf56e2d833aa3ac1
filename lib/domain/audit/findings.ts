/**
 * What the compliance audit reports: findings of pure rules over the live state (SageMaker, SNS, Cognito), the
 * desired state (the registry) and the organisation's policy. A finding's resource, rule and severity are its
 * identity across runs (`findingKey`), so a run can tell new findings from those already open and resolved ones
 * from those still there. A finding whose severity changes is a new one (the old one is resolved): one that gets
 * worse is told again.
 */
import type { LiveWorkforce, LiveWorkteam } from '../live';
import type { TeamRecord } from '../team';

/** The audit's rules; what each checks, and its severity, are in `RULES` (rules.ts). */
export const RULE_IDS = [
  'team.missing',
  'team.drift',
  'worker-access.drift',
  'worker-access.below-policy',
  'worker-access.vpc-without-vpc-config',
  'notifications.not-configured',
  'notifications.topic-missing',
  'notifications.publish-denied',
  'notifications.workers-unsubscribed',
  'notifications.stale-subscriptions',
  'members.group-missing',
  'team.orphaned',
  'workforce.not-active',
  'workforce.source-ip-missing',
  'workforce.source-ip-outside-policy',
  'account.team-limit',
] as const;

export type RuleId = (typeof RULE_IDS)[number];

export type Severity = 'critical' | 'high' | 'medium' | 'low';

export interface Finding {
  rule: RuleId;
  severity: Severity;
  /** What it is about: `team/<name>`, `workforce/<name>` or `account`. */
  resource: string;
  /** The team, for team findings. */
  team?: string;
  /** Says what is wrong and what to do. Never an e-mail address. */
  message: string;
  /** JSON-safe; e-mail addresses masked (`maskAddress`). */
  desired: unknown;
  actual: unknown;
  /**
   * Reconciling the team (the system actor, desired state unchanged) makes SageMaker and SNS right again: the
   * team is steady (managed, its desired state Applied) and its desired state itself satisfies the rule. Never true
   * for an unmanaged team, nor for a Pending or Failed one, whose reconcile could roll back its desired state.
   */
  remediable: boolean;
}

/**
 * A finding's identity across runs. The severity is part of it: `account.team-limit` turning from medium (20 teams)
 * to high (25) resolves the medium finding and opens a high one, so the worse state is told as new.
 */
export function findingKey(finding: Pick<Finding, 'resource' | 'rule' | 'severity'>): string {
  return `${finding.resource}#${finding.rule}#${finding.severity}`;
}

/** A notification topic as the audit read it (GetTopicAttributes and ListSubscriptionsByTopic). */
export interface TopicState {
  arn: string;
  exists: boolean;
  /** The topic's access policy (JSON text) when it exists. */
  policy?: string;
  /** The e-mail endpoints of confirmed subscriptions. */
  emailEndpoints: string[];
  /**
   * The e-mail endpoints of subscriptions pending confirmation (SubscriptionArn `PendingConfirmation`). Nobody can
   * unsubscribe those (SNS drops one that stays unconfirmed), so the audit counts them as subscribed, never as stale.
   */
  pendingEmailEndpoints: string[];
}

/** A Cognito group as the audit read it: whether it exists, and its enabled users' e-mail addresses. */
export interface GroupState {
  exists: boolean;
  emails: string[];
}

/** Everything the team rules look at for one team; absent parts were not read because they do not apply. */
export interface TeamAuditInput {
  name: string;
  /** As ListWorkteams returned it (WorkerAccessConfiguration inline, no tags); absent: SageMaker has no such team. */
  live?: LiveWorkteam;
  /** The registry's record; absent: nobody manages the team. */
  record?: TeamRecord;
  /** The live team's tags (ListTags), read for unmanaged teams only: a managed team's come from its record. */
  liveTags?: Record<string, string>;
  /** The team's workforce (the region's private workforce), when known. */
  workforce?: LiveWorkforce;
  /** The live team's topic, when it has one. */
  topic?: TopicState;
  /** The Cognito groups the live team's member definitions (and a managed team's desired members) name. */
  groups: Record<string, GroupState>;
}
