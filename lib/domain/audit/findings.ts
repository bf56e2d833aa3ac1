/**
 * What the compliance audit reports: findings of pure rules over the live state (SageMaker, SNS, Cognito), the
 * desired state (the registry) and the organisation's policy. A finding's resource, rule and severity are its
 * identity across runs (`findingKey`), so a run can tell new findings from those already open and resolved ones
 * from those still there. A finding whose severity changes is a new one (the old one is resolved): one that gets
 * worse is told again.
 */
import type { LiveWorkforce, LiveWorkteam } from '../live';
import type { HistoryEntry, TeamRecord } from '../team';
import type { Tag } from '../workteam';

/** The audit's rules; what each checks, and its severity, are in `RULES` (rules/catalogue.ts). */
export const RULE_IDS = [
  'team.missing',
  'team.drift',
  'worker-access.drift',
  'worker-access.below-policy',
  'worker-access.vpc-without-vpc-config',
  'notifications.not-configured',
  'notifications.topic-missing',
  'notifications.publish-denied',
  'notifications.topic-open',
  'notifications.kms-key-unusable',
  'notifications.workers-unsubscribed',
  'notifications.stale-subscriptions',
  'notifications.pending-leaver',
  'members.group-missing',
  'team.orphaned',
  'team.managed-tag-removed',
  'workforce.not-active',
  'workforce.source-ip-missing',
  'workforce.source-ip-outside-policy',
  'account.team-limit',
  'account.no-trail',
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
   * team is managed and not Pending (Applied, or Failed: a remediation is one more reconcile, and a refusal leaves
   * its desired state as it is), it still carries the `managed-by` tag this system's role needs to write to it, and
   * its desired state itself satisfies the rule. Never true for an unmanaged team, nor for a Pending one, whose
   * change the retries are applying.
   */
  remediable: boolean;
}

/**
 * Rules whose finding opens only at a second look: the Cognito sync follows a burst of group changes within
 * seconds to minutes, and until it has caught up, subscriptions legitimately lag the groups. Such a finding is
 * first recorded as suspected, with the time it was first seen, and opened (announced) by a run at least the
 * subscription grace period later that still sees it.
 */
export const SECOND_LOOK_RULES: readonly RuleId[] = [
  'notifications.workers-unsubscribed',
  'notifications.stale-subscriptions',
  'notifications.pending-leaver',
];

/** What put a finding right, as its `Finding Resolved` event tells it. */
export type ResolvedBy =
  /** An audit run's remediation (a reconcile as the system) made it right. */
  | { kind: 'remediation'; runId: string }
  /** A reconcile by the system put back an out-of-band change: the team's history says which (the summary). */
  | { kind: 'system'; by: string }
  /** Nothing this system did: someone put it right by hand, or what the rule looks at went away. */
  | { kind: 'out-of-band' };

/** An audit run's id: its start time, to the millisecond, and eight hex digits (`20261128T184055123Z-1a2b3c4d`). */
const RUN_ID = String.raw`\d{8}T\d{9}Z-[0-9a-f]{8}`;

/** A whole audit run id, as `GET /audit/runs/{id}` takes it. */
export const RUN_ID_PATTERN = new RegExp(`^${RUN_ID}$`);

const REMEDIATION_BY = 'remediation by audit run';

/** Who the reconcile of a run's remediation is by, as the team's history names it (and `resolvedByOf` reads it). */
export function remediationBy(runId: string): string {
  return `${REMEDIATION_BY} ${runId}`;
}

const REMEDIATION_BY_RUN = new RegExp(String.raw`\(${REMEDIATION_BY} (${RUN_ID})\)`);

/**
 * What resolved a team's finding opened at `openedAt`, read from the team's history: the latest `reconciled` entry
 * since then (the system reverting an out-of-band change: the nightly resync, the Cognito sync, a retry, an audit
 * run's remediation, which its summary names), else out of band.
 */
export function resolvedByOf(history: readonly HistoryEntry[] | undefined, openedAt: string | undefined): ResolvedBy {
  const since = openedAt === undefined ? Number.NEGATIVE_INFINITY : Date.parse(openedAt);
  const entry = [...(history ?? [])]
    .reverse()
    .find(
      (candidate) =>
        candidate.action === 'reconciled' && candidate.by === 'system' && Date.parse(candidate.at) >= since,
    );
  if (entry === undefined) return { kind: 'out-of-band' };
  const run = REMEDIATION_BY_RUN.exec(entry.summary);
  return run?.[1] ? { kind: 'remediation', runId: run[1] } : { kind: 'system', by: entry.summary };
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
  /** The topic's `KmsMasterKeyId` (a key id, key ARN, alias name or alias ARN) when it is encrypted. */
  kmsMasterKeyId?: string;
  /** The e-mail endpoints of confirmed subscriptions. */
  emailEndpoints: string[];
  /**
   * The e-mail endpoints of subscriptions pending confirmation (SubscriptionArn `PendingConfirmation`). Nobody can
   * unsubscribe those (SNS drops one that stays unconfirmed), so the audit counts them as subscribed, never as stale.
   */
  pendingEmailEndpoints: string[];
}

/**
 * Whether a trail logs, in this region, the management write events of SageMaker and Cognito that EventBridge hands
 * the real-time paths (the TrailInspector's answer, lib/ports/teams.ts): `logged` with the trails that do; not `logged`
 * with the trails that apply here but do not (none: the region has no trail); 'cannot tell' when none is known to
 * log them and one could not be read.
 */
export type TrailState = { logged: boolean; trails: string[] } | 'cannot tell';

/**
 * Whose management write events the real-time paths follow (the Cognito sync's, the real-time audit's): a trail
 * must log them all (`TrailState`, the TrailInspector, `account.no-trail`).
 */
export const FOLLOWED_EVENT_SOURCES: readonly string[] = ['sagemaker.amazonaws.com', 'cognito-idp.amazonaws.com'];

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
  /**
   * The live team's tags (ListTags), read for every team SageMaker lists: an unmanaged team's classification is
   * only there, and a managed team must still carry the stage's `managementTag` (its classification comes from its
   * record). Absent: not read.
   */
  liveTags?: Record<string, string>;
  /**
   * The tag of this stage's teams (lib/domain/management-tag.ts): IAM lets this stage write only to teams carrying
   * it. A team tagged for another stage is not this stage's: it has no record here, and a record's team that carries
   * another value is reported as having lost its tag.
   */
  managementTag: Tag;
  /** The team's workforce (the region's private workforce), when known. */
  workforce?: LiveWorkforce;
  /** The live team's topic, when it has one. */
  topic?: TopicState;
  /** The Cognito groups the live team's member definitions (and a managed team's desired members) name. */
  groups: Record<string, GroupState>;
}
