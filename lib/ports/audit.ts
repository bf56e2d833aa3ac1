/**
 * The audit's own ports: where its runs, finding records and real-time claims are kept (DynamoDB,
 * lib/adapters/audit-store.ts), and how other systems hear of findings (EventBridge, lib/adapters/finding-events.ts).
 * They supersede the AuditStore, FindingRecord, FindingEvents and FindingEvent of lib/ports/teams.ts.
 */
import type { RunHeader, TargetRow } from '../domain/audit/fan-out';
import type { Finding, ResolvedBy } from '../domain/audit/findings';
import type { AuditMode, AuditReport, AuditTrigger } from '../domain/audit/report';
import type { Target } from '../domain/target';

type FindingEventType = 'Finding Opened' | 'Finding Resolved';

/**
 * A finding's announcement (its event), claimed on its record by the same conditional write as the step it tells,
 * made, then completed. While a claim stands no other step of the record can be taken, so a finding's events
 * alternate (Opened, Resolved, Opened, ...) however many runs race. A claim a run could not complete (it failed) is
 * taken over by a later run once it is older than the grace period, and made again with the same `id`.
 */
export interface Announcement {
  /** Unique per announcement, and the same when a later run makes it again: consumers deduplicate on it. */
  id: string;
  type: FindingEventType;
  /** The run that holds the claim, and since when. */
  runId: string;
  at: string;
  /** For a resolution: what put the finding right. */
  resolvedBy?: ResolvedBy;
}

/**
 * A finding as kept from the first time a run sees it until its resolution is announced:
 * - `suspected`: a finding of a second-look rule (SECOND_LOOK_RULES) seen, not yet opened: nothing announced;
 * - `open`: opened (its Opened event claimed, then made);
 * - `resolving`: resolved, its Resolved event claimed; the record goes once the event is made.
 */
export interface FindingRecord {
  key: string;
  finding: Finding;
  state: 'suspected' | 'open' | 'resolving';
  /** When a run first saw it (a suspected finding's since; an opened one's opening, unless it was suspected). */
  firstSeenAt: string;
  openedAt?: string;
  openedByRun?: string;
  /** The announcement claimed and not yet completed. */
  announcing?: Announcement;
  /** Set while the opening is still to be told on the operations topic: when it was last taken up. */
  alertClaimedAt?: string;
}

/** A single-team real-time audit of a team, as its claim in the audit table records it. */
export interface TeamAuditClaim {
  team: string;
  /** Who holds it (one invocation). */
  holder: string;
  /** The CloudTrail event that asked for it. */
  eventId: string;
  /** When the run reads SageMaker from: every change made before it is seen by the run. */
  startedAt: string;
  runId?: string;
  finishedAt?: string;
}

/**
 * A run as kept: a run of every team (in one target or several) as its header and the rows of the targets that
 * finished; a single-team run, or a run of every team kept before the fan-out, as its one report.
 */
export type StoredRun = { header: RunHeader; rows: TargetRow[] } | { report: AuditReport };

/**
 * Where audit runs, findings and real-time claims are kept (DynamoDB). A store is one target's: its finding records,
 * claims and single-team runs are that target's alone (two targets' teams of one name never share them); the runs of
 * every team are shared, each target a row of the run. Every step of a finding record is a conditional write that
 * only one caller wins: true when it was made, false when the record was not as read.
 */
export interface AuditStore {
  /** A run of every team starts: its header (with a TTL, as every run's items). */
  startRun(header: RunHeader): Promise<void>;
  /**
   * Keeps a run's report (with a TTL: old runs expire): a single-team run's apart from runs of every team; a run of
   * every team's as this store's target's row of the run, unless the run has that row already (false then: SQS
   * delivered the target's message twice).
   */
  saveRun(report: AuditReport): Promise<boolean>;
  /** A target's row of a run (its report, or why it failed), unless the run has one for the target (false then). */
  recordTarget(runId: string, row: TargetRow): Promise<boolean>;
  /** Whether the run has the target's row already. */
  hasTarget(runId: string, target: Target): Promise<boolean>;
  /**
   * How many targets' rows the run has, as its header counts them: one small read, where `getRun` reads every row
   * whole. Never more than the rows; fewer if a worker stopped between its row and the count.
   */
  recordedTargets(runId: string): Promise<number>;
  /** The latest run of every team, or undefined before the first one. Single-team runs never count. */
  latestRun(): Promise<StoredRun | undefined>;
  /** The latest single-team run of this team in this store's target, or undefined. */
  latestTeamRun(team: string): Promise<AuditReport | undefined>;
  /** Any run by its id, whatever its scope (consistent reads: a run being waited for is read as it is now). */
  getRun(runId: string): Promise<StoredRun | undefined>;

  /**
   * Every finding record, page by page (consistent reads). Records of the first store's format read as open; those
   * it had resolved go without a word.
   */
  findingRecords(): AsyncIterable<FindingRecord[]>;
  /** A second-look finding first seen: recorded suspected unless there is a record. */
  suspectFinding(step: { key: string; finding: Finding; at: string }): Promise<boolean>;
  /** A suspected finding no longer seen is dropped, unless it moved on since `firstSeenAt` was read. */
  dropSuspected(key: string, firstSeenAt: string): Promise<boolean>;
  /**
   * Opens a finding with its Opened announcement claimed and its operations alert due: a new record, or the
   * suspected one first seen at `suspectedSince`.
   */
  openFinding(step: {
    key: string;
    finding: Finding;
    at: string;
    runId: string;
    announcement: Announcement;
    suspectedSince?: string;
  }): Promise<boolean>;
  /** An open record opened at `openedAt` with no announcement in flight turns resolving, its Resolved claimed. */
  resolveFinding(step: { key: string; openedAt: string; at: string; announcement: Announcement }): Promise<boolean>;
  /** A claim another run left (its id and time as read) passes to `runId`, at `at`. */
  takeOverAnnouncement(
    key: string,
    claim: Pick<Announcement, 'id' | 'at'>,
    by: { runId: string; at: string },
  ): Promise<boolean>;
  /** The announcements were made: an Opened claim is cleared, a resolving record goes. */
  completeAnnouncements(done: { key: string; id: string; type: FindingEventType }[]): Promise<void>;
  /** An operations alert another run took up at `claimedAt` and did not send passes to this run. */
  takeOverAlert(key: string, claimedAt: string, at: string): Promise<boolean>;
  /** The operations alert of these openings was sent. */
  alertsSent(sent: { key: string; claimedAt: string }[]): Promise<void>;

  /**
   * Claims the real-time audit of a team starting at `claim.startedAt`, unless a run of the team that is running
   * or finished starts at or after `coveredFrom` (it sees everything the event reports). A running claim older than
   * `staleBefore`, or one of the same event not finished (Lambda's retry), is taken over. Answers the claim that
   * covers the event when it is not claimed.
   */
  claimTeamAudit(
    claim: TeamAuditClaim & { coveredFrom: string; staleBefore: string },
  ): Promise<{ claimed: true } | { claimed: false; covering?: TeamAuditClaim }>;
  finishTeamAudit(team: string, holder: string, runId: string, at: string): Promise<void>;
  /** The run failed: its claim goes, so the events it covered are audited by the next (Lambda retries it). */
  abandonTeamAudit(team: string, holder: string): Promise<void>;
}

/** One target's audit of a run of every target, as its message on the audit's targets queue carries it. */
export interface AuditTargetMessage extends Target {
  runId: string;
  trigger: AuditTrigger;
  triggeredBy?: string;
  mode?: AuditMode;
  dryRun?: boolean;
}

/** Hands each target's audit of a run to a worker (SQS: one message per target, ten to a call). */
export interface AuditDispatch {
  dispatch(messages: AuditTargetMessage[]): Promise<void>;
}

/** Other systems hear of findings opened and resolved (EventBridge, `source: workteam-automation`). */
export interface FindingEvents {
  publish(events: FindingEvent[]): Promise<void>;
}

export interface FindingEvent {
  type: FindingEventType;
  /** Where the finding is: its target's account and region. */
  account: string;
  region: string;
  runId: string;
  key: string;
  finding: Finding;
  /** The announcement's id: the same in an event made again by a later run. */
  announcementId: string;
  resolvedBy?: ResolvedBy;
}
