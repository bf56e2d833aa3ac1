/**
 * The desired state of a team this system manages, as the registry keeps it and the API speaks it.
 * `toWorkteamSpec` turns it into the SageMaker-level model that reconcile applies.
 */
import type { WorkerAccessToggles } from './workteam';

export type Members = { cognitoGroups: string[] } | { oidcGroups: string[] };

export interface DesiredTeam {
  name: string;
  description: string;
  /** The workforce the team belongs to (the region's private workforce). */
  workforceName: string;
  members: Members;
  /** When true (the default) the team has an SNS topic that SageMaker publishes to and its workers get. */
  notifications: boolean;
  /**
   * An OIDC team's subscribers, given with the team (nobody here can list an OIDC provider's group members): its
   * topic is subscribed to exactly these. Absent (never empty): the topic's subscriptions are its owner's; always
   * absent on Cognito teams and without notifications (lib/domain/team-notifications.ts). Never logged or answered
   * unmasked.
   */
  notificationAddresses?: string[];
  workerAccess: WorkerAccessToggles;
  tags: Record<string, string>;
}

/** Where a Cognito team's groups live: the workforce's user pool and app client. */
export interface CognitoIdentity {
  userPool: string;
  clientId: string;
}

/**
 * `Pending`: a change is recorded and being applied or retried; `Failed`: retries ran out, or SageMaker refused a
 * change that could not be rolled back (the reason says which); `Drifted`: SageMaker differs from the desired state.
 */
export type TeamStatus = 'InSync' | 'Pending' | 'Drifted' | 'Failed' | 'Orphaned';

export type TeamAction =
  | 'created'
  | 'updated'
  | 'membersAdded'
  | 'memberRemoved'
  | 'deleted'
  | 'rolledBack'
  | 'reconciled'
  | 'orphaned'
  | 'adopted'
  | 'released';

export interface HistoryEntry {
  version: number;
  at: string;
  /** The JWT subject (never an e-mail address) or `system`. */
  by: string;
  action: TeamAction;
  /** A short, e-mail-free account of what changed (field names, group names). */
  summary: string;
  /** For `rolledBack`: the version whose desired state was restored. */
  restoredVersion?: number;
}

/** The registry's record of a managed team. */
export interface TeamRecord {
  name: string;
  spec: DesiredTeam;
  /** Cognito pool and client of the team's workforce, resolved once at creation; absent for OIDC teams. */
  identity?: CognitoIdentity;
  owner: string;
  version: number;
  /** `deleted` records keep their history; a new team of the same name starts a new record. */
  lifecycle: 'active' | 'deleted';
  /**
   * Why a record was closed: `request` (a DELETE: the team goes from SageMaker too), `rejection` (SageMaker
   * refused to create it: nothing of SageMaker's is ever deleted for it) or `release` (POST .../release: the team
   * and its topic stay as they are, only this system's tag goes). Absent on older records: `request`.
   */
  closedBy?: 'request' | 'rejection' | 'release';
  /**
   * Stored apply state: `Pending` until SageMaker and SNS match `spec` at `version`; `Failed` once retries ran out
   * (out of the retry index: the next change of the team starts again).
   */
  applyState: 'Applied' | 'Pending' | 'Failed';
  /** Why the team is not (yet) as desired: a pending retry, a failure, or Cognito groups that no longer exist. */
  pendingReason?: string;
  /** The last version that reached SageMaker and SNS, and its spec (what a refused change rolls back to). */
  appliedVersion?: number;
  appliedSpec?: DesiredTeam;
  /**
   * The desired states of versions recorded after `appliedVersion` and superseded before they were applied,
   * oldest first (at most SUPERSEDED_LIMIT). A refused change steps back one version at a time, so a change
   * accepted before it (202) is not undone with it.
   */
  supersededSpecs?: { version: number; spec: DesiredTeam }[];
  /**
   * The notification topic this system created for the team, recorded as soon as it is known; with `foreignTopic`,
   * the topic an adopted team already had.
   */
  topicArn?: string;
  /**
   * True when `topicArn` is the team's own topic, not one of this stage's (adopted with a topic whose name lies
   * outside the stage's prefix, which the stage's roles may not touch): SageMaker keeps pointing at it, but it is
   * never ensured, its subscriptions never synced and it is never deleted. Goes with the topic once notifications
   * are turned off (applied) or the team is retired.
   */
  foreignTopic?: true;
  /**
   * True from the first version that wants notifications until the topic is known to be gone: set by the same
   * conditional write that records the change, before any SNS call, so that a topic whose ARN was never
   * recorded (a crash, a fault, a change racing the create) is still found and deleted.
   */
  topicMayExist?: boolean;
  /**
   * The topic SageMaker still showed when a pass read the team back after asking it to remove it (UpdateWorkteam
   * with an empty NotificationConfiguration, how notifications are turned off: docs/api.md). Until a pass sees the
   * topic gone the change stays Pending (then Failed) and the audit reports the topic as kept by SageMaker.
   */
  topicKeptBySageMaker?: string;
  /**
   * Set when the last Cognito group of the team was deleted: SageMaker keeps the team as it was (a team needs a
   * group), nobody can work in it, and its owner was told. Cleared by the next change of its members.
   */
  orphaned?: { group: string; at: string; ownerTold?: boolean };
  /** Fingerprint of the create request, so an identical replay answers 200 with the same team. */
  createFingerprint?: string;
  /**
   * The retries of a change that could not be applied yet: how many attempts failed, when the next is due, and
   * since when it has been retried (its first failed attempt: what the retry budget counts from).
   */
  retry?: { attempts: number; nextAttemptAt: string; since?: string };
  /**
   * Kept by the registry: a new value on every write. A write of a record read with a revision succeeds only if
   * nothing was written since (not even a change of its apply state at the same version).
   */
  revision?: string;
  createdAt: string;
  updatedAt: string;
  history: HistoryEntry[];
}

const SUPERSEDED_LIMIT = 10;

/** The record's superseded states with `record`'s own spec added: what a next version keeps to step back to. */
export function supersede(record: TeamRecord): TeamRecord['supersededSpecs'] {
  if (record.lifecycle !== 'active' || record.applyState === 'Applied') return record.supersededSpecs;
  return [...(record.supersededSpecs ?? []), { version: record.version, spec: record.spec }].slice(-SUPERSEDED_LIMIT);
}

/** One field where the live team differs from the desired spec. */
export interface Difference {
  field: string;
  desired: unknown;
  live: unknown;
}
