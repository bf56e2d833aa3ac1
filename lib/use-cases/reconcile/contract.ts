/**
 * What reconcileTeam (lib/use-cases/reconcile.ts) takes and answers: the ports it drives, what its caller already
 * knows, how the run behaves, and what it came to.
 */
import type { LiveWorkteam } from '../../domain/live';
import type { TeamRecord } from '../../domain/team';
import type { Tag } from '../../domain/workteam';
import type {
  NotificationTopics,
  OperationsAlerts,
  SubscriptionLedgers,
  TeamLeases,
  TeamRegistry,
  WorkforceDirectory,
  WorkteamWriter,
} from '../../ports/teams';

export interface Log {
  info(message: string, details?: Record<string, unknown>): void;
  warn(message: string, details?: Record<string, unknown>): void;
  error(message: string, details?: Record<string, unknown>): void;
}

export interface ReconcileDeps {
  registry: TeamRegistry;
  leases: TeamLeases;
  ledgers: SubscriptionLedgers;
  sagemaker: WorkteamWriter;
  topics: NotificationTopics;
  directory: WorkforceDirectory;
  alerts: OperationsAlerts;
  /**
   * The stage's managed-by tag (lib/domain/management-tag.ts), which every team and topic this stage manages carries:
   * IAM lets the stage's roles write only to teams carrying it.
   */
  managementTag: Tag;
  /**
   * How long a change that cannot be applied is retried before the team is `Failed` and the operations topic is
   * told (lib/domain/retries.ts); DEFAULT_RETRY_BUDGET_MS when not given.
   */
  retryBudgetMs?: number;
  /** How long an unanswered confirmation mail keeps its address from being asked again (lib/domain/subscription-ledger.ts). */
  askAgainAfterMs?: number;
  now?: () => Date;
  /** How long after a Cognito group's creation a SageMaker refusal of a team using it means "not yet". */
  groupSettlingMs?: number;
  log?: Log;
}

export type ReconcileOutcome =
  | {
      outcome: 'applied';
      record: TeamRecord;
      live?: LiveWorkteam;
      /** What the last pass changed of the topic's e-mail subscriptions. */
      subscriptions?: { subscribed: number; unsubscribed: number };
      /**
       * The fields of SageMaker's team the run put back to the desired state that was already applied: an
       * out-of-band change undone (recorded in the history as the system's, with `RunOptions.by`).
       */
      reverted?: string[];
    }
  | { outcome: 'pending'; record: TeamRecord; reason: string }
  | { outcome: 'failed'; record: TeamRecord; reason: string }
  | { outcome: 'unmanaged' };

/**
 * What the caller already knows, for the first pass only (a later pass reads everything again):
 * - `change`: the run applies one API change of this very version, so its tags change from the last applied ones
 *   instead of being read first; the Cognito sync, the resync, retries and remediation read the team's tags and
 *   put any drift in them right.
 * - `absent`: SageMaker was listed without the team just before the record was written (a create), so the pass
 *   creates it without reading it first. Should the team exist after all (created out of band in between), the
 *   create's ResourceInUse makes the pass read it and go on from what it holds, as it does for a racing create.
 * - `record`: the record as the caller has just written it, which the pass starts from instead of reading it again.
 *   Every write of the pass is conditional on its version and revision, so a write by anyone since makes the
 *   pass read the latest, exactly as if it had read the record a moment before that write.
 */
export interface ReconcileHints {
  change?: boolean;
  absent?: boolean;
  record?: TeamRecord;
}

/** How the whole run behaves, whoever asked for it. */
export interface RunOptions {
  /**
   * What a SageMaker refusal does: `rollBack` (the default: the desired state steps back, the change is undone) or
   * `keep` (remediation: the desired state, its version and apply state stay as they are; the refusal is thrown).
   */
  onRefusal?: 'rollBack' | 'keep';
  /** Who the system acts for, in the history entry of an out-of-band change it reverts (`the nightly resync`). */
  by?: string;
}
