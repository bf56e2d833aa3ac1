/**
 * The one write path of a managed team, whoever changes it: an HTTP caller (`user`) or the system itself (the
 * Cognito sync, remediation, with a reason). A change is built from the latest record, written under the version
 * (and revision) it was read with, recorded in the history with who made it, and reconciled. When another change
 * landed first it starts again from that one, so changes merge instead of overwriting each other. Who may change
 * a team (owner, If-Match) is the caller's concern: it hands a `guard` that sees the record first. A record's first
 * version after a create is written by `createTeam`; after an adoption by `openRecord`.
 */
import { type Actor, actorName } from '../domain/actor';
import { TeamNotFound, TeamNotManaged, UpstreamRejected } from '../domain/errors';
import type { LiveWorkteam } from '../domain/live';
import { redactEmailAddresses } from '../domain/privacy';
import { supersede, type TeamAction, type TeamRecord } from '../domain/team';
import { RegistryConflict } from '../ports/teams';
import { reconcileTeam } from './reconcile';
import type { ReconcileDeps, ReconcileHints } from './reconcile/contract';

interface NextVersion {
  changes: Partial<TeamRecord>;
  action: TeamAction;
  summary: string;
  /**
   * Nothing of it is for reconcile to apply (a release: SageMaker and SNS keep what they hold), so it is written
   * Applied, never Pending: no retry ever reconciles it.
   */
  settled?: boolean;
}

/** The versions a caller says it read (If-Match): any, or one of a list (an empty list matches none). */
export type ExpectedVersions = 'any' | number[];

interface WriteOptions {
  /** Sees the latest record before the change is built; throws to refuse (who may change it, If-Match). */
  guard?: (record: TeamRecord) => void;
  /** A DELETE takes up a retirement that is not finished (Pending, or Failed after every retry). */
  retirementUnfinished?: 'retry';
}

/** A record that is being applied: retried by the schedule if this invocation dies before it is done. */
export function pendingFrom(
  at: Date,
  reason: string,
): Pick<TeamRecord, 'applyState' | 'pendingReason' | 'retry' | 'updatedAt'> {
  return {
    applyState: 'Pending',
    pendingReason: reason,
    retry: { attempts: 0, nextAttemptAt: new Date(at.getTime() + 60_000).toISOString() },
    updatedAt: at.toISOString(),
  };
}

/** A record whose version `version` needs nothing applied: SageMaker and SNS hold it as it is. */
function appliedAt(
  at: Date,
  version: number,
  spec: TeamRecord['spec'],
): Pick<TeamRecord, 'applyState' | 'pendingReason' | 'retry' | 'appliedVersion' | 'appliedSpec' | 'updatedAt'> {
  return {
    applyState: 'Applied',
    pendingReason: undefined,
    retry: undefined,
    appliedVersion: version,
    appliedSpec: spec,
    updatedAt: at.toISOString(),
  };
}

/**
 * Builds the next version from the latest record and writes it. Undefined from `build`: nothing to change (the
 * record is returned as read). A team nobody here manages, or one already retired, is refused before `build`.
 */
export async function writeNextVersion(
  deps: ReconcileDeps,
  actor: Actor,
  name: string,
  build: (record: TeamRecord) => Promise<NextVersion | undefined>,
  options: WriteOptions = {},
): Promise<{ record: TeamRecord; written: boolean }> {
  const now = deps.now ?? (() => new Date());
  for (let attempt = 0; attempt < 20; attempt++) {
    const record = await deps.registry.get(name);
    // A team this system retired (its deletion perhaps still under way in SageMaker) is gone, not unmanaged.
    const retryable = options.retirementUnfinished === 'retry' && record?.applyState !== 'Applied';
    if (record?.lifecycle === 'deleted' && !retryable) throw new TeamNotFound(name);
    if (!record) {
      // An unmanaged team is never written to.
      if (await deps.sagemaker.describeWorkteam(name)) throw new TeamNotManaged(name);
      throw new TeamNotFound(name);
    }
    options.guard?.(record);
    const next = await build(record);
    if (!next) return { record, written: false };
    const version = record.version + 1;
    const at = now();
    const changed = { ...record, ...next.changes };
    const written: TeamRecord = {
      ...changed,
      supersededSpecs: next.settled ? undefined : supersede(record),
      ...(next.settled
        ? appliedAt(at, version, changed.spec)
        : pendingFrom(at, next.action === 'deleted' ? 'being deleted' : 'being applied')),
      // Recorded with the change itself, before any SNS call: a topic this version may create is never forgotten.
      topicMayExist: next.settled
        ? changed.topicMayExist
        : changed.topicMayExist || changed.spec.notifications || undefined,
      version,
      history: [
        ...record.history,
        { version, at: at.toISOString(), by: actorName(actor), action: next.action, summary: next.summary },
      ],
    };
    let stored: TeamRecord;
    try {
      stored = await deps.registry.put(written, record.version);
    } catch (error) {
      if (!(error instanceof RegistryConflict)) throw error;
      // Jitter keeps a crowd of concurrent writers from colliding again on the next round.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 25 * (attempt + 1)));
      continue;
    }
    deps.log?.info('team changed', {
      team: name,
      version,
      by: actorName(actor),
      ...(actor.kind === 'system' ? { reason: redactEmailAddresses(actor.reason) } : {}),
      action: next.action,
      summary: redactEmailAddresses(next.summary),
    });
    return { record: stored, written: true };
  }
  throw new RegistryConflict(name);
}

/** What an adopted team's first version holds besides what every record does. */
interface FirstVersion {
  spec: TeamRecord['spec'];
  identity?: TeamRecord['identity'];
  owner: string;
  /** The topic the team already has, kept as its own. */
  topicArn?: string;
  /** True when that topic is not one of the stage's: kept, never managed (TeamRecord.foreignTopic). */
  foreignTopic?: true;
  /** True when SageMaker already holds `spec` as it is (nothing to wire): the version is written Applied. */
  applied: boolean;
}

/**
 * Opens a record for a team SageMaker has (an adoption): its first version, numbered on from the name's closed
 * record (whose history it keeps, so that no earlier ETag matches it), written only if nobody wrote the name since
 * `existing` was read (RegistryConflict otherwise). A version that still needs wiring is written Pending, with
 * `topicMayExist` set before any SNS call, as every change is.
 */
export async function openRecord(
  deps: ReconcileDeps,
  actor: Actor,
  existing: TeamRecord | undefined,
  first: FirstVersion,
  entry: { action: TeamAction; summary: string },
): Promise<TeamRecord> {
  const at = (deps.now ?? (() => new Date()))();
  const version = (existing?.version ?? 0) + 1;
  const { spec } = first;
  const record: TeamRecord = {
    name: spec.name,
    spec,
    identity: first.identity,
    owner: first.owner,
    version,
    lifecycle: 'active',
    ...(first.applied ? appliedAt(at, version, spec) : pendingFrom(at, 'being applied')),
    topicArn: first.topicArn,
    ...(first.foreignTopic ? { foreignTopic: true as const } : {}),
    topicMayExist: (!first.applied && spec.notifications) || undefined,
    createdAt: at.toISOString(),
    updatedAt: at.toISOString(),
    history: [
      ...(existing?.history ?? []),
      { version, at: at.toISOString(), by: actorName(actor), action: entry.action, summary: entry.summary },
    ],
  };
  const stored = await deps.registry.put(record, existing?.version);
  deps.log?.info('team changed', {
    team: spec.name,
    version,
    by: actorName(actor),
    action: entry.action,
    summary: redactEmailAddresses(entry.summary),
  });
  return stored;
}

export interface ChangeResult {
  /** 'applied': SageMaker and SNS match; 'pending': kept and retried later; 'failed': kept, but retries ran out. */
  outcome: 'applied' | 'pending' | 'failed';
  record: TeamRecord;
  /** The live team where this invocation read it (after applying); undefined when it did not. */
  live?: LiveWorkteam;
  /** What applying it changed of the topic's e-mail subscriptions. */
  subscriptions?: { subscribed: number; unsubscribed: number };
}

/**
 * Reconciles the version this change recorded and says what became of it. When a refused change rolled the team
 * back past that version (another change refused while this one was applied with it), this change is gone too:
 * `UpstreamRejected`, never an answer that shows the team without it. A team closed meanwhile: refused by
 * SageMaker (`UpstreamRejected`) or retired (`TeamNotFound`).
 */
export async function applyChange(
  deps: ReconcileDeps,
  name: string,
  version: number,
  hints: ReconcileHints = { change: true },
): Promise<ChangeResult> {
  let result: Awaited<ReturnType<typeof reconcileTeam>>;
  try {
    result = await reconcileTeam(deps, name, hints);
  } catch (error) {
    // The pass that applied this change may have gone on to a later one (one writer per team: it applies the
    // latest), which SageMaker refused and which was rolled back. That refusal is this change's answer only if
    // the rollback undid this change too (the checks below); otherwise this change stands as the record says.
    if (!(error instanceof UpstreamRejected)) throw error;
    const latest = await deps.registry.get(name);
    if (!latest || latest.version <= version || latest.lifecycle !== 'active' || rollbackOf(latest, version)) {
      throw error;
    }
    result = { outcome: latest.applyState === 'Applied' ? 'applied' : 'pending', record: latest } as typeof result;
  }
  if (result.outcome === 'unmanaged') throw new TeamNotFound(name);
  const { record } = result;
  const rollback = rollbackOf(record, version);
  if (rollback && record.lifecycle === 'active') {
    throw new UpstreamRejected('the change', {
      code: 'RolledBack',
      message: `it was rolled back with a change SageMaker refused (${rollback.summary}); read the team and retry`,
    });
  }
  if (record.lifecycle === 'deleted') {
    if (record.closedBy === 'rejection') {
      throw new UpstreamRejected('the team', { message: record.pendingReason ?? 'the team could not be created' });
    }
    throw new TeamNotFound(name);
  }
  return {
    outcome: result.outcome,
    record,
    ...(result.outcome === 'applied' ? { live: result.live, subscriptions: result.subscriptions } : {}),
  };
}

/** The rollback that undid `version` (a step back to a version before it), if one did. */
function rollbackOf(record: TeamRecord, version: number) {
  return record.history.find(
    (entry) => entry.action === 'rolledBack' && entry.version > version && (entry.restoredVersion ?? 0) < version,
  );
}
