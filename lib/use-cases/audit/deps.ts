/** What the audit's use cases are given: its ports and settings (AuditDeps), and what a run is asked (AuditRequest). */
import type { AuditTarget } from '../../domain/audit/fan-out';
import type { AuditMode, AuditTrigger } from '../../domain/audit/report';
import type { Policy } from '../../domain/policy';
import type { Tag } from '../../domain/workteam';
import type { AuditStore, FindingEvents } from '../../ports/audit';
import type {
  AuditReader,
  OperationsAlerts,
  TeamRegistry,
  TopicInspector,
  TrailInspector,
  WorkforceDirectory,
} from '../../ports/teams';
import type { Log, ReconcileOutcome } from '../reconcile';

export interface AuditDeps {
  /** The account and region audited: every port below is that target's (the store its records' alone). */
  target: AuditTarget;
  reader: AuditReader;
  topics: TopicInspector;
  /**
   * Whether a trail logs the region's management write events of SageMaker and Cognito (`account.no-trail`),
   * asked by a full run only: a single-team run judges no account rule it would need CloudTrail for.
   */
  trails: TrailInspector;
  directory: WorkforceDirectory;
  registry: TeamRegistry;
  store: AuditStore;
  events: FindingEvents;
  alerts: OperationsAlerts;
  policy: Policy;
  /** The stage's managed-by tag (lib/domain/management-tag.ts): a team is this stage's only while it carries it. */
  managementTag: Tag;
  /**
   * Remediation: reconcile one managed team, as the system (`by` names the run, for the team's history). It lists
   * the team's groups afresh under the team's lease, never from the run's listings: a user removed since the audit
   * read the group is not subscribed again. A refusal by SageMaker leaves the desired state and its version as
   * they are (nothing is rolled back), and the finding stays open.
   */
  reconcile: (name: string, by: string) => Promise<ReconcileOutcome>;
  /** How long a second-look finding waits before a run that still sees it opens it (default 15 minutes). */
  subscriptionGraceMs?: number;
  now?: () => Date;
  /** Waits (the real-time audit waits until it may read); setTimeout by default. */
  sleep?: (ms: number) => Promise<void>;
  log?: Log;
}

export interface AuditRequest {
  /** The run this target's audit is part of (a run of every target); a run id of its own when absent. */
  runId?: string;
  trigger: AuditTrigger;
  /** The CloudTrail event id or the caller's sub. */
  triggeredBy?: string;
  /** Audit this team only (and the workforce and the team count). */
  team?: string;
  /** Overrides the policy's per-rule remediation for this run. */
  mode?: AuditMode;
  dryRun?: boolean;
}
