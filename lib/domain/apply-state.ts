/**
 * The team record's apply-state transitions, as pure functions: what a record becomes once a pass applied it,
 * when a change waits for a retry, when it is given up, and what it says of its topic meanwhile. reconcile writes
 * their results under the version condition (lib/use-cases/reconcile/recording.ts); the rules live here.
 *
 * - Applied: the desired state reached SageMaker and SNS; its version and spec become the applied ones, the retry
 *   and superseded states go, and an out-of-band change the pass put back is recorded in the history as the
 *   system's (nothing is reverted silently).
 * - Pending: kept, with its reason and the next retry (lib/domain/retries.ts), and, when SageMaker kept the topic
 *   a pass asked it to remove, that topic (`topicKeptBySageMaker`, what the audit reports).
 * - Failed: kept, with its reason, out of the retry index, for a person.
 * - Rolled back: SageMaker refused the change; the desired state steps back one version (a new version, Pending
 *   until the undo is applied), or, for a team that never reached SageMaker, the request is closed.
 */
import { redactEmailAddresses } from './privacy';
import type { DesiredTeam, HistoryEntry, TeamRecord } from './team';

/** What a pass learnt that the record carries on. */
interface PassFacts {
  /** The topic the pass ensured, or the one SageMaker's team points at. */
  topicArn?: string;
  /** Cognito groups of the desired members that no longer exist. */
  missingGroups: string[];
  /** Fields of SageMaker's team the pass put back although the desired state was applied already. */
  reverted?: string[];
}

/** A team without notifications has no topic to keep once applied; one with them keeps the facts of it. */
function wantsTopic(record: TeamRecord): boolean {
  return record.lifecycle === 'active' && record.spec.notifications;
}

/** What a pass may learn of the team's topic. */
interface TopicLearnt {
  /** The topic the pass ensured, or the one SageMaker's team points at. */
  topicArn?: string;
  /** The topic SageMaker still showed after the pass asked it to remove it. */
  topicKeptBySageMaker?: string;
}

/** The topic facts a record carries forward: what a pass learnt is never dropped. */
export function topicFacts(
  record: TeamRecord,
  learnt: TopicLearnt,
): Pick<TeamRecord, 'topicArn' | 'topicMayExist' | 'topicKeptBySageMaker'> {
  const topicArn = learnt.topicArn ?? record.topicArn;
  const kept = learnt.topicKeptBySageMaker ?? record.topicKeptBySageMaker;
  return {
    topicArn,
    topicMayExist: record.topicMayExist || topicArn !== undefined || undefined,
    ...(kept === undefined ? {} : { topicKeptBySageMaker: kept }),
  };
}

function missingGroupsNote(missingGroups: readonly string[]): string | undefined {
  if (missingGroups.length === 0) return undefined;
  return `Cognito group(s) ${missingGroups.join(', ')} no longer exist in the user pool; SageMaker keeps the team without them: remove them from the team or create them again`;
}

/**
 * `record` (the version the pass applied) as applied, written over `base` (the stored record, the same version,
 * which another pass may have marked meanwhile). `by` names who asked, for a reverted out-of-band change.
 */
export function appliedRecord(
  record: TeamRecord,
  base: TeamRecord,
  facts: PassFacts,
  now: Date,
  by?: string,
): TeamRecord {
  const keepsTopic = wantsTopic(record);
  const reverted = facts.reverted?.length
    ? [
        {
          version: record.version,
          at: now.toISOString(),
          by: 'system',
          action: 'reconciled' as const,
          summary: `reverted an out-of-band change of ${facts.reverted.join(', ')}${by ? ` (${by})` : ''}`,
        },
      ]
    : [];
  return {
    ...base,
    history: [...base.history, ...reverted],
    applyState: 'Applied',
    appliedVersion: record.version,
    appliedSpec: record.spec,
    supersededSpecs: undefined,
    topicArn: keepsTopic ? (facts.topicArn ?? base.topicArn) : undefined,
    // The team's own topic goes with notifications: turned on again, they get one of the stage's.
    foreignTopic: keepsTopic ? base.foreignTopic : undefined,
    topicMayExist: keepsTopic ? true : undefined,
    // Applied means SageMaker was read holding the desired topic, or none: whatever it kept before is gone.
    topicKeptBySageMaker: undefined,
    pendingReason:
      record.lifecycle === 'active'
        ? missingGroupsNote(facts.missingGroups)
        : record.closedBy === 'rejection'
          ? record.pendingReason
          : undefined,
    retry: undefined,
    updatedAt: now.toISOString(),
  };
}

/** The change kept, to be retried as `retry` says, with why it waits. */
export function pendingRecord(
  record: TeamRecord,
  learnt: TopicLearnt,
  reason: string,
  retry: NonNullable<TeamRecord['retry']>,
  now: Date,
): TeamRecord {
  return {
    ...record,
    ...topicFacts(record, learnt),
    applyState: 'Pending',
    pendingReason: reason,
    retry,
    updatedAt: now.toISOString(),
  };
}

/** Given up: kept as it is, with the reason (never an e-mail address), for a person. */
export function failedRecord(record: TeamRecord, reason: string, now: Date): TeamRecord {
  return { ...record, applyState: 'Failed', pendingReason: redactEmailAddresses(reason), updatedAt: now.toISOString() };
}

/** The desired state was applied already: whatever SageMaker now differs in was changed out of band. */
export function isSteady(record: TeamRecord): boolean {
  return record.applyState === 'Applied' && record.appliedVersion === record.version && record.lifecycle === 'active';
}

/** Where a refused change steps back to; `superseded` when it is a state recorded after the applied one. */
interface RollbackTarget {
  version: number;
  spec: DesiredTeam;
  superseded: boolean;
}

/**
 * One step back: the newest state before the refused one, which may hold changes accepted earlier (202), else the
 * applied one; none for a team that never reached SageMaker.
 */
export function rollbackTarget(record: TeamRecord): RollbackTarget | undefined {
  const previous = record.lifecycle === 'active' ? record.supersededSpecs?.at(-1) : undefined;
  if (previous) return { ...previous, superseded: true };
  if (record.appliedSpec && record.appliedVersion !== undefined) {
    return { version: record.appliedVersion, spec: record.appliedSpec, superseded: false };
  }
  return undefined;
}

function rollbackEntry(record: TeamRecord, now: Date, summary: string, restoredVersion?: number): HistoryEntry {
  return {
    version: record.version + 1,
    at: now.toISOString(),
    by: 'system',
    action: 'rolledBack',
    summary,
    ...(restoredVersion === undefined ? {} : { restoredVersion }),
  };
}

/**
 * The next version after SageMaker refused `record`'s change, Pending until the undo is applied: the desired state
 * of `target` again, or, without one (a team that never reached SageMaker), the request closed.
 */
export function rolledBackRecord(
  record: TeamRecord,
  learnt: { topicArn?: string },
  target: RollbackTarget | undefined,
  refusal: string,
  now: Date,
): TeamRecord {
  const undone: Partial<TeamRecord> = target
    ? {
        spec: target.spec,
        supersededSpecs: target.superseded ? record.supersededSpecs?.slice(0, -1) : undefined,
        pendingReason: 'undoing a refused change',
      }
    : { lifecycle: 'deleted', closedBy: 'rejection', pendingReason: refusal };
  const entry = target
    ? rollbackEntry(record, now, `${refusal}; desired state rolled back to version ${target.version}`, target.version)
    : rollbackEntry(record, now, `${refusal}; the request is closed`);
  return {
    ...record,
    ...topicFacts(record, learnt),
    ...undone,
    version: record.version + 1,
    applyState: 'Pending',
    history: [...record.history, entry],
    updatedAt: now.toISOString(),
  };
}

/** The version at which the team's current incarnation was requested (its latest `created` history entry). */
function createdVersion(record: TeamRecord): number | undefined {
  return record.history.filter((entry) => entry.action === 'created').at(-1)?.version;
}

/**
 * Whether someone may have been told the team was accepted: only the request that recorded the creation may close
 * it, and only before any answer said 202 (a later version, a PATCH, exists only because someone was told).
 */
export function creationAnnounced(record: TeamRecord): boolean {
  return record.version !== createdVersion(record) || (record.retry?.attempts ?? 0) > 0;
}
