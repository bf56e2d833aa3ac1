/**
 * What the compliance audit reports: findings of pure rules over the live state (SageMaker, SNS, Cognito), the
 * desired state (the registry) and the organisation's policy. A finding names its resource and rule; the pair is
 * its identity across runs (`findingKey`), so a run can tell new findings from those already open and resolved
 * ones from those still there.
 */
import type { LiveWorkforce, LiveWorkteam } from '../live';
import type { TeamRecord } from '../team';

export const RULE_IDS = [
  /** A managed team that SageMaker no longer has (deleted out of band). */
  'team.missing',
  /** A managed team whose description, member groups or topic differ from its desired state. */
  'team.drift',
  /** A managed team whose WorkerAccessConfiguration differs from its desired state. */
  'worker-access.drift',
  /** Any team whose worker access is below the policy's minimum for its classification tag. */
  'worker-access.below-policy',
  /** `VpcSourceIp: Enabled` on a workforce without WorkforceVpcConfig: tasks cannot render. */
  'worker-access.vpc-without-vpc-config',
  /** No NotificationConfiguration where the policy (classification) or the desired state wants one. */
  'notifications.not-configured',
  /** The team's notification topic does not exist. */
  'notifications.topic-missing',
  /** The topic's policy does not let `sagemaker.amazonaws.com` publish. */
  'notifications.publish-denied',
  /** Workers of the team's groups who are not subscribed to its topic. */
  'notifications.workers-unsubscribed',
  /** Subscribed addresses of people in none of the team's groups. */
  'notifications.stale-subscriptions',
  /** Member definitions naming Cognito groups that no longer exist. */
  'members.group-missing',
  /** A managed team left Orphaned (its last Cognito group was deleted). */
  'team.orphaned',
  /** The workforce's Status is not Active. */
  'workforce.not-active',
  /** The workforce has no SourceIpConfig.Cidrs: the portal is open to any address. */
  'workforce.source-ip-missing',
  /** Workforce CIDRs outside the policy's allowed ranges. */
  'workforce.source-ip-outside-policy',
  /** The region's work-team count is near (from 80%) or at SageMaker's limit of 25. */
  'account.team-limit',
] as const;

export type RuleId = (typeof RULE_IDS)[number];

export type Severity = 'critical' | 'high' | 'medium' | 'low';

export const SEVERITIES: readonly Severity[] = ['critical', 'high', 'medium', 'low'];

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
   * team is managed and its desired state itself satisfies the rule. Never true for an unmanaged team.
   */
  remediable: boolean;
}

/** A finding's identity across runs. */
export function findingKey(finding: Pick<Finding, 'resource' | 'rule'>): string {
  return `${finding.resource}#${finding.rule}`;
}

/** A notification topic as the audit read it (GetTopicAttributes and ListSubscriptionsByTopic). */
export interface TopicState {
  arn: string;
  exists: boolean;
  /** The topic's access policy (JSON text) when it exists. */
  policy?: string;
  /** The e-mail endpoints subscribed (confirmed or pending confirmation). */
  emailEndpoints: string[];
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
