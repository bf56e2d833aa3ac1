/**
 * reconcileTeam: make SageMaker and SNS match the registry's desired state for one team — create, update
 * only what differs, delete, or nothing. Idempotent and safe to run twice or concurrently:
 *
 * - every pass ends in a write conditional on the version it applied; when the desired state moved meanwhile
 *   the write fails and the next pass applies the latest one, so the last writer's state wins;
 * - an error of an attempt that is already outdated is no answer: the latest desired state is applied instead;
 * - `ResourceInUse` on a create means another attempt created the team first: it is read and the pass goes on;
 * - a rollback never deletes a team in SageMaker: a refused creation closes the record only when no team
 *   exists and no answer ever said it was accepted; otherwise the team is marked `Failed` and left alone;
 * - every SNS topic is recorded before anything can forget it (`topicMayExist`, set with the change itself).
 */

import { appliedRecord, failedRecord, pendingRecord, topicFacts } from '../domain/apply-state';
import { toWorkteamSpec } from '../domain/desired-spec';
import { UpstreamRejected } from '../domain/errors';
import type { LiveWorkteam } from '../domain/live';
import { sameMembers } from '../domain/members';
import { planWorkteam, type WorkteamPlan } from '../domain/plan';
import { redactEmailAddresses } from '../domain/privacy';
import { afterFailedAttempt, DEFAULT_RETRY_BUDGET_MS } from '../domain/retries';
import type { DesiredTeam, TeamRecord } from '../domain/team';
import { MANAGED_BY_TAG } from '../domain/validation';
import {
  type NotificationTopics,
  type OperationsAlerts,
  RegistryConflict,
  type SubscriptionLedgers,
  type TeamLeases,
  type TeamRegistry,
  type WorkforceDirectory,
  type WorkteamWriter,
} from '../ports/teams';
import { isRejection, isResourceInUse, isSnsNotFound, isTransient, serviceOf } from '../runtime/aws-errors';
import { outOfTime } from '../runtime/invocation';
import { syncSubscriptions } from './email-subscriptions';
import { TeamBusy, withTeamLeases } from './team-lease';

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

export const TOPIC_TAGS = (team: string) => ({ workteam: team, [MANAGED_BY_TAG.key]: MANAGED_BY_TAG.value });

const MAX_PASSES = 5;

/** The live state moved under this pass (a team created or deleted by another attempt): run the pass again. */
class RaceLost extends Error {
  override readonly name = 'RaceLost';
}

/** Every Cognito group of a team was deleted before SageMaker could create it: nothing can be created. */
class NoMemberGroupLeft extends Error {
  override readonly name = 'NoMemberGroupLeft';
}

/** What one pass did, for the record it then writes. */
interface ApplyAttempt {
  topicArn?: string;
  live?: LiveWorkteam;
  missingGroups: string[];
  subscriptions?: { subscribed: number; unsubscribed: number };
  /** What of SageMaker this pass put back although the desired state was applied already (an out-of-band change). */
  reverted?: string[];
}

/** What the whole reconcile run did across its passes. */
interface RunState {
  /** This run created the team in SageMaker. */
  created: boolean;
  /**
   * This run ensured the team's topic (and its ARN): a later pass, for a newer version that wants no topic,
   * deletes it even though that version's record never learnt of it (a stale pass recreated it).
   */
  topicArn?: string;
  topicTouched?: boolean;
}

function clock(deps: ReconcileDeps): () => Date {
  return deps.now ?? (() => new Date());
}

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

export async function reconcileTeam(
  deps: ReconcileDeps,
  name: string,
  hints: ReconcileHints = {},
  options: RunOptions = {},
): Promise<ReconcileOutcome> {
  // One writer per team: everything below reads and writes holding the team's lease. A pass that had to wait for
  // it starts from nothing it knew before (another pass may have moved the team meanwhile).
  return withTeamLeases(deps, [name], async ({ busy, waited }) => {
    if (busy.length > 0) return deferWhileBusy(deps, name);
    return reconcileHolding(deps, name, waited ? {} : hints, options);
  });
}

/** Another pass held the team for longer than this one could wait: the change is kept, and retried. */
export async function deferWhileBusy(deps: ReconcileDeps, name: string): Promise<ReconcileOutcome> {
  const record = await deps.registry.get(name);
  if (!record) return { outcome: 'unmanaged' };
  deps.log?.info('apply deferred: another pass of the team is running', { team: name, version: record.version });
  return markPending(deps, record, {}, `${new TeamBusy(name).message}; it will be retried`);
}

async function reconcileHolding(
  deps: ReconcileDeps,
  name: string,
  hints: ReconcileHints,
  options: RunOptions,
): Promise<ReconcileOutcome> {
  const run: RunState = { created: false };
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    const record = pass === 0 && hints.record?.name === name ? hints.record : await deps.registry.get(name);
    // An unmanaged team is never written to.
    if (!record) return { outcome: 'unmanaged' };
    const attempt: ApplyAttempt = { missingGroups: [] };
    try {
      await applyRecord(deps, record, attempt, run, pass === 0 ? hints : {});
      const applied = await markApplied(deps, record, attempt, clock(deps)(), options.by);
      if (applied) {
        return {
          outcome: 'applied',
          record: applied,
          live: attempt.live,
          subscriptions: attempt.subscriptions,
          ...(attempt.reverted?.length ? { reverted: attempt.reverted } : {}),
        };
      }
    } catch (error) {
      const latest = await deps.registry.get(name);
      if (!latest) return { outcome: 'unmanaged' };
      // An error of an outdated attempt (a retirement raced this change, say) is no answer: apply the latest.
      if (latest.version !== record.version) continue;
      if ((error instanceof RaceLost || isSnsNotFound(error)) && pass < MAX_PASSES - 1) continue;
      return await settleFailure(deps, latest, { ...runFacts(run), ...attempt }, error, run, options);
    }
  }
  // Still moving after every pass: the writers' own reconciles, or the scheduled retry, finish it.
  const latest = await deps.registry.get(name);
  if (!latest) return { outcome: 'unmanaged' };
  return markPending(deps, latest, runFacts(run), 'the team kept changing while it was applied; it will be retried');
}

/** Decides what a failed pass means: retry later, roll back a refusal, or (unexpected) keep it and report. */
async function settleFailure(
  deps: ReconcileDeps,
  record: TeamRecord,
  attempt: ApplyAttempt,
  error: unknown,
  run: RunState,
  options: RunOptions,
): Promise<ReconcileOutcome> {
  const errorName = error instanceof Error ? error.name : 'Error';
  if (outOfTime()) {
    deps.log?.warn('apply cut short by the time limit', { team: record.name, version: record.version });
    return markPending(deps, record, attempt, 'the change did not finish within the time limit; it will be retried');
  }
  if (isTransient(error) || error instanceof RaceLost || isSnsNotFound(error)) {
    const service = serviceOf(error);
    deps.log?.info('apply deferred', { team: record.name, version: record.version, error: errorName, service });
    const why = isSnsNotFound(error)
      ? "the team's SNS topic went away meanwhile"
      : error instanceof RaceLost
        ? 'the team changed while it was applied'
        : `${service ?? 'AWS'} did not accept the change yet`;
    return markPending(deps, record, attempt, `${errorName}: ${why}; it will be retried`);
  }
  if (isRejection(error) && record.lifecycle === 'deleted') {
    // SageMaker refuses to delete the team: nothing to roll back to (the DELETE was answered); it needs a person.
    await markFailed(
      deps,
      { ...record, ...topicFacts(record, attempt) },
      redactEmailAddresses(`SageMaker refused the retirement (${error.name}): ${error.message}`),
    );
    throw new UpstreamRejected('the retirement', { code: error.name, message: error.message }, { cause: error });
  }
  if (isRejection(error) || error instanceof NoMemberGroupLeft) {
    const settling = error.name === 'ValidationException' ? await groupsStillSettling(deps, record) : [];
    if (settling.length > 0) {
      const reason = `SageMaker does not see the new Cognito group(s) ${settling.join(', ')} yet; it will be retried`;
      return markPending(deps, record, attempt, reason);
    }
    const refused = new UpstreamRejected('the change', { code: error.name, message: error.message }, { cause: error });
    // Remediation asks SageMaker for the desired state as it stands: nothing to roll back to, nothing to record.
    if (options.onRefusal === 'keep' && record.lifecycle === 'active') throw refused;
    await rollBack(deps, record, attempt, error, run);
    throw refused;
  }
  // Anything else (a permission missing, a bug): the desired state stays, retried with growing backoff.
  deps.log?.error('apply failed unexpectedly', { team: record.name, version: record.version, error: errorName });
  await markPending(deps, record, attempt, `${errorName}: the change could not be applied; it will be retried`);
  throw error;
}

/**
 * Right after a Cognito group is created SageMaker can refuse a team that uses it for a while (the Terraform
 * provider retries CreateWorkteam for two minutes). Only a ValidationException, and only while one of the groups
 * this change adds is that young, is treated as "not yet"; any other refusal stands.
 */
const DEFAULT_GROUP_SETTLING_MS = 2 * 60_000;

async function groupsStillSettling(deps: ReconcileDeps, record: TeamRecord): Promise<string[]> {
  if (record.lifecycle !== 'active' || !record.identity || !('cognitoGroups' in record.spec.members)) return [];
  const window = deps.groupSettlingMs ?? DEFAULT_GROUP_SETTLING_MS;
  if (window <= 0) return [];
  const before = record.appliedSpec?.members;
  const appliedGroups = before && 'cognitoGroups' in before ? before.cognitoGroups : [];
  const added = record.spec.members.cognitoGroups.filter((group) => !appliedGroups.includes(group));
  if (added.length === 0) return [];
  const since = new Date(clock(deps)().getTime() - window);
  try {
    return await deps.directory.groupsCreatedSince(record.identity.userPool, added, since);
  } catch {
    // Cognito unreachable: the refusal stands on its own.
    return [];
  }
}

/** A step is started only while the invocation has time left; a cut-short change is recorded as Pending. */
function checkTime(): void {
  if (outOfTime()) throw Object.assign(new Error('the invocation ran out of time'), { name: 'AbortError' });
}

async function applyRecord(
  deps: ReconcileDeps,
  record: TeamRecord,
  attempt: ApplyAttempt,
  run: RunState,
  hints: ReconcileHints,
): Promise<void> {
  const { spec, name } = record;
  if (record.lifecycle === 'deleted') {
    // A retirement deletes the team; a record closed because SageMaker refused to create it deletes no team,
    // except one this very run created before it learnt of the refusal (nobody was told it exists).
    if (record.closedBy !== 'rejection' || run.created) {
      // A stale pass of an old retirement must not delete the next team of the same name: the name is only
      // taken again once this record is Applied, and then its revision has changed.
      if ((await deps.registry.get(name))?.revision !== record.revision) throw new RaceLost(`'${name}' moved on`);
      checkTime();
      await deps.sagemaker.deleteWorkteam(name);
    }
    await removeTopic(deps, record, attempt, run);
    return;
  }

  const groups = record.identity && 'cognitoGroups' in spec.members ? spec.members.cognitoGroups : undefined;
  const applied = record.appliedSpec;
  // Tags change from the last applied ones: the team need not be read with its tags.
  const tagsFromApplied = hints.change === true && applied !== undefined;
  // A change right after an applied version leaves the SNS side as that version left it where it keeps what the
  // SNS side depends on: the topic when notifications stay on (and its ARN is known), the subscriptions when the
  // members stay too, and none of them is known to be gone (an Orphaned team's last group is: its workers go).
  // Drift there (a topic deleted, a user added without an event) is the Cognito sync's, the resync's and the
  // audit's to repair. A topic gone meanwhile fails a pass that syncs its subscriptions, and the next pass ensures
  // it; a pass that keeps the subscriptions makes no SNS call, and the audit reports the topic missing.
  const afterApplied = hints.change === true && applied !== undefined && record.appliedVersion === record.version - 1;
  const topicKept = afterApplied && spec.notifications && applied.notifications && record.topicArn !== undefined;
  const subscriptionsKept = topicKept && !record.orphaned && sameMembers(spec.members, applied.members);

  // SageMaker's team and the SNS/Cognito part are independent: read and ensured side by side.
  checkTime();
  const liveRead = hints.absent ? undefined : deps.sagemaker.describeWorkteam(name, { tags: !tagsFromApplied });
  const notificationsPrepared =
    spec.notifications && !subscriptionsKept
      ? (async () => {
          let topicArn = record.topicArn as string;
          if (!topicKept) {
            run.topicTouched = true;
            topicArn = await deps.topics.ensureTopic(name, TOPIC_TAGS(name));
            attempt.topicArn = topicArn;
            run.topicArn = topicArn;
          }
          let emails: string[] = [];
          if (groups && record.identity) {
            ({ emails, missingGroups: attempt.missingGroups } = await deps.directory.emailsOfGroups(
              record.identity.userPool,
              groups,
            ));
          }
          return { topicArn, emails };
        })()
      : undefined;
  // Both settle before either's error counts: nothing of this pass goes on unobserved behind its failure.
  const [read, ensured] = await Promise.allSettled([liveRead, notificationsPrepared]);
  if (ensured.status === 'rejected') throw ensured.reason;
  if (read.status === 'rejected') throw read.reason;
  let live = read.value;
  const prepared = ensured.value;
  const topicArn = prepared?.topicArn ?? (spec.notifications ? record.topicArn : undefined);
  const assumed = (current: LiveWorkteam | undefined) =>
    current && tagsFromApplied && current.tags === undefined && applied
      ? { ...current, tags: toWorkteamSpec(applied, record.identity, topicArn).tags }
      : current;
  const groupsListed = notificationsPrepared !== undefined;
  const created = await createIfNeeded(deps, record, attempt, run, topicArn, live, assumed, groupsListed);
  const { plan, arn } = created;
  live = created.live;
  attempt.reverted = steady(record) ? revertedFields(plan) : undefined;
  // The update and the tag changes touch different things of the team: side by side.
  checkTime();
  const teamArn = arn;
  const outcomes = await Promise.allSettled([
    plan.action === 'update' && plan.update ? deps.sagemaker.updateWorkteam(plan.update) : undefined,
    teamArn && plan.tagKeysToRemove.length > 0 ? deps.sagemaker.deleteTags(teamArn, plan.tagKeysToRemove) : undefined,
    teamArn && plan.tagsToAdd.length > 0 ? deps.sagemaker.addTags(teamArn, plan.tagsToAdd) : undefined,
  ]);
  for (const outcome of outcomes) if (outcome.status === 'rejected') throw outcome.reason;

  // The topic goes only once SageMaker no longer points at it.
  if (!spec.notifications) await removeTopic(deps, record, attempt, run);
  // Subscriptions only once SageMaker has taken the change: a Subscribe mails the worker a confirmation that no
  // rollback can take back (SNS cannot unsubscribe a pending subscription), so a change SageMaker refuses must
  // not have mailed anyone. They go beside the last read of a team just created.
  const subscribing = prepared
    ? (async () => {
        checkTime();
        attempt.subscriptions = await syncSubscriptions(deps, name, prepared.topicArn, prepared.emails);
      })()
    : undefined;
  const [after, subscribed] = await Promise.allSettled([
    afterApply(deps, record, plan, live, arn, topicArn, attempt.missingGroups),
    subscribing,
  ]);
  if (subscribed.status === 'rejected') throw subscribed.reason;
  if (after.status === 'rejected') throw after.reason;
  attempt.live = after.value;
}

/**
 * The team as this pass left it, built from what was applied where SageMaker's answer is known (an update of a
 * team read just now); a team this pass created is read once (SageMaker gives it its subdomain and dates).
 */
async function afterApply(
  deps: ReconcileDeps,
  record: TeamRecord,
  plan: WorkteamPlan,
  live: LiveWorkteam | undefined,
  arn: string | undefined,
  topicArn: string | undefined,
  missingGroups: string[],
): Promise<LiveWorkteam | undefined> {
  const desired = toWorkteamSpec(
    missingGroups.length > 0 && 'cognitoGroups' in record.spec.members
      ? {
          ...record.spec,
          members: {
            cognitoGroups: record.spec.members.cognitoGroups.filter((group) => !missingGroups.includes(group)),
          },
        }
      : record.spec,
    record.identity,
    topicArn,
  );
  if (plan.action === 'create' || !live || !arn) {
    const created = await deps.sagemaker.describeWorkteam(record.name, { tags: false });
    return created && { ...created, tags: desired.tags };
  }
  if (plan.action === 'none') return live.tags === undefined ? { ...live, tags: desired.tags } : live;
  const update = plan.update;
  return {
    ...live,
    ...(update?.description !== undefined ? { description: update.description } : {}),
    ...(update?.memberDefinitions !== undefined ? { memberDefinitions: update.memberDefinitions } : {}),
    ...(update?.notificationTopicArn !== undefined
      ? { notificationTopicArn: update.notificationTopicArn ?? undefined }
      : {}),
    ...(update?.workerAccess !== undefined ? { workerAccess: update.workerAccess } : {}),
    tags: desired.tags,
    ...(update ? { updatedAt: clock(deps)() } : {}),
  };
}

/** Plans the pass and, when SageMaker has no team yet, creates it: what the update step then starts from. */
async function createIfNeeded(
  deps: ReconcileDeps,
  record: TeamRecord,
  attempt: ApplyAttempt,
  run: RunState,
  topicArn: string | undefined,
  read: LiveWorkteam | undefined,
  assumed: (current: LiveWorkteam | undefined) => LiveWorkteam | undefined,
  groupsListed: boolean,
): Promise<{ plan: WorkteamPlan; arn: string | undefined; live: LiveWorkteam | undefined }> {
  const { name, spec } = record;
  let live = read;
  const groups = record.identity && 'cognitoGroups' in spec.members ? spec.members.cognitoGroups : undefined;
  let plan = planFor(record, topicArn, attempt.missingGroups, assumed(live));
  if (!groupsListed && groups && record.identity && writesMembers(plan)) {
    // The groups were not listed (no notifications, or subscriptions kept): check them only when the members are written.
    attempt.missingGroups = await deps.directory.missingGroups(record.identity.userPool, groups);
    plan = planFor(record, topicArn, attempt.missingGroups, assumed(live));
  }

  let arn = live?.arn;
  if (plan.action === 'create' && plan.create) {
    // A team that reached SageMaker before and is gone now was retired meanwhile, by a DELETE racing this change,
    // or deleted out of band: recreate it only if the desired state is still this one.
    if (record.appliedVersion !== undefined && (await deps.registry.get(name))?.version !== record.version) {
      throw new RaceLost(`'${name}' changed while it was re-created`);
    }
    checkTime();
    try {
      arn = await deps.sagemaker.createWorkteam(plan.create);
      run.created = true;
    } catch (error) {
      if (!isResourceInUse(error)) throw error;
      // Another attempt created it first (the registry owns the name): read it and go on from what it holds.
      live = await deps.sagemaker.describeWorkteam(name);
      if (!live) throw new RaceLost(`'${name}' was in use, then gone`);
      plan = planFor(record, topicArn, attempt.missingGroups, live);
      arn = live.arn;
    }
  }
  return { plan, arn, live };
}

/** The desired state was applied already: whatever SageMaker now differs in was changed out of band. */
function steady(record: TeamRecord): boolean {
  return record.applyState === 'Applied' && record.appliedVersion === record.version && record.lifecycle === 'active';
}

/** The fields a plan puts back (for the history): never an address, only field names. */
function revertedFields(plan: WorkteamPlan): string[] {
  if (plan.action === 'create') return ['the team itself (deleted out of band)'];
  const fields = Object.keys(plan.update ?? {}).filter((field) => field !== 'name');
  if (plan.tagsToAdd.length > 0 || plan.tagKeysToRemove.length > 0) fields.push('tags');
  return fields;
}

function writesMembers(plan: WorkteamPlan): boolean {
  return plan.action === 'create' || plan.update?.memberDefinitions !== undefined;
}

/**
 * The plan for the desired state as far as SageMaker can take it: Cognito groups deleted since the team named
 * them cannot stay members. With none left, a live team keeps its members; a team not yet created cannot be.
 */
function planFor(
  record: TeamRecord,
  topicArn: string | undefined,
  missingGroups: string[],
  live: LiveWorkteam | undefined,
): WorkteamPlan {
  let spec: DesiredTeam = record.spec;
  let noGroupLeft = false;
  if (missingGroups.length > 0 && 'cognitoGroups' in spec.members) {
    const remaining = spec.members.cognitoGroups.filter((group) => !missingGroups.includes(group));
    noGroupLeft = remaining.length === 0;
    if (!noGroupLeft) spec = { ...spec, members: { cognitoGroups: remaining } };
  }
  const plan = planWorkteam(toWorkteamSpec(spec, record.identity, topicArn), live);
  if (!noGroupLeft) return plan;
  if (plan.action === 'create') {
    throw new NoMemberGroupLeft(`every Cognito group of '${record.name}' was deleted: ${missingGroups.join(', ')}`);
  }
  if (!plan.update?.memberDefinitions) return plan;
  const { memberDefinitions: _keepLiveMembers, ...update } = plan.update;
  const fieldsDiffer = Object.keys(update).length > 1;
  const tagsDiffer = plan.tagsToAdd.length > 0 || plan.tagKeysToRemove.length > 0;
  return {
    ...plan,
    action: fieldsDiffer || tagsDiffer ? 'update' : 'none',
    update: fieldsDiffer ? update : undefined,
  };
}

/** Deletes the team's topic by its recorded ARN, or by name when the ARN was never learnt. */
async function removeTopic(
  deps: ReconcileDeps,
  record: TeamRecord,
  attempt: ApplyAttempt,
  run: RunState,
): Promise<void> {
  const topicArn = attempt.topicArn ?? run.topicArn ?? record.topicArn;
  if (topicArn) {
    checkTime();
    await deps.topics.deleteTopic(topicArn);
  } else if (record.topicMayExist || run.topicTouched) {
    checkTime();
    await deps.topics.deleteTeamTopic(record.name, TOPIC_TAGS(record.name));
  }
  // Without a topic the ledger of its confirmation mails means nothing: a new topic asks everyone again.
  if (topicArn || record.topicMayExist || run.topicTouched) await deps.ledgers.forget(record.name);
}

/** What the run learnt of the topic, for a record written after a pass that did not learn it itself. */
function runFacts(run: RunState): ApplyAttempt {
  return { missingGroups: [], ...(run.topicArn ? { topicArn: run.topicArn } : {}) };
}

async function markApplied(
  deps: ReconcileDeps,
  record: TeamRecord,
  attempt: ApplyAttempt,
  now: Date,
  by?: string,
): Promise<TeamRecord | undefined> {
  let base = record;
  for (let round = 0; round < 3; round++) {
    // Nothing silent: an out-of-band change this pass undid is in the history, as the system's, with who asked.
    const applied = appliedRecord(
      record,
      base,
      { ...attempt, topicArn: attempt.live?.notificationTopicArn ?? attempt.topicArn },
      now,
      by,
    );
    const written = await writeIfUnchanged(deps, applied, record.version);
    if (written) return written;
    // Someone wrote since we read. Another version: the caller applies that one. The same version (another
    // attempt recorded its own outcome of this very version): this pass applied it too, so record that.
    const latest = await deps.registry.get(record.name);
    if (!latest || latest.version !== record.version) return undefined;
    if (latest.applyState === 'Applied') return latest;
    base = latest;
  }
  return undefined;
}

/**
 * Keeps the change and schedules a retry with backoff; once the change has been retried for longer than the
 * retry budget the team is `Failed` instead (out of the retry index, the operations topic told once). Returns
 * what the record now says.
 */
async function markPending(
  deps: ReconcileDeps,
  record: TeamRecord,
  attempt: Partial<ApplyAttempt>,
  reason: string,
): Promise<Extract<ReconcileOutcome, { outcome: 'pending' | 'failed' }>> {
  const now = clock(deps)();
  const next = afterFailedAttempt(record, now, deps.retryBudgetMs ?? DEFAULT_RETRY_BUDGET_MS);
  const facts = topicFacts(record, attempt);
  if (next.giveUp) {
    const failedReason = `${reason.replace(/; it will be retried$/, '')}; gave up after ${next.retry.attempts} attempts in ${next.triedFor}`;
    return markFailed(deps, { ...record, ...facts, retry: next.retry }, failedReason);
  }
  const pending = pendingRecord(record, attempt, reason, next.retry, now);
  const written = await writeIfUnchanged(deps, pending, record.version);
  return { outcome: 'pending', record: written ?? record, reason };
}

async function markFailed(
  deps: ReconcileDeps,
  record: TeamRecord,
  reason: string,
): Promise<Extract<ReconcileOutcome, { outcome: 'failed' }>> {
  const failed = failedRecord(record, reason, clock(deps)());
  const written = await writeIfUnchanged(deps, failed, record.version);
  // Told once: only the writer that turned the record Failed tells the operations topic.
  if (written && record.applyState !== 'Failed') {
    deps.log?.error('team failed', { team: record.name, version: record.version, reason: failed.pendingReason });
    try {
      await deps.alerts.teamFailed({
        name: record.name,
        owner: record.owner,
        version: record.version,
        reason: failed.pendingReason ?? reason,
      });
    } catch (error) {
      deps.log?.error('could not tell the operations topic', {
        team: record.name,
        error: error instanceof Error ? error.name : 'Error',
      });
    }
  }
  return { outcome: 'failed', record: written ?? record, reason: failed.pendingReason ?? reason };
}

/**
 * SageMaker refused the change. With an applied version to go back to, the desired state goes back to it, and
 * one more apply undoes what SNS already got. A team that never reached SageMaker is closed only when SageMaker
 * has no team of that name and no earlier answer said the change was accepted (202); otherwise it is `Failed`
 * and left as it is: a rollback never deletes what another attempt created or what someone was told exists.
 */
async function rollBack(
  deps: ReconcileDeps,
  record: TeamRecord,
  attempt: ApplyAttempt,
  error: Error,
  run: RunState,
): Promise<void> {
  const now = clock(deps)();
  const refusal = redactEmailAddresses(`refused by SageMaker (${error.name}): ${error.message}`);
  const entry = (summary: string, restoredVersion?: number) => ({
    version: record.version + 1,
    at: now.toISOString(),
    by: 'system',
    action: 'rolledBack' as const,
    summary,
    ...(restoredVersion === undefined ? {} : { restoredVersion }),
  });
  // One step back: the newest state before the refused one, which may hold changes accepted earlier (202).
  const previous = record.lifecycle === 'active' ? record.supersededSpecs?.at(-1) : undefined;
  const target =
    previous ??
    (record.appliedSpec && record.appliedVersion !== undefined
      ? { version: record.appliedVersion, spec: record.appliedSpec }
      : undefined);
  let next: TeamRecord;
  if (target) {
    next = {
      ...record,
      ...topicFacts(record, attempt),
      spec: target.spec,
      supersededSpecs: previous ? record.supersededSpecs?.slice(0, -1) : undefined,
      version: record.version + 1,
      applyState: 'Pending',
      pendingReason: 'undoing a refused change',
      history: [
        ...record.history,
        entry(`${refusal}; desired state rolled back to version ${target.version}`, target.version),
      ],
      updatedAt: now.toISOString(),
    };
  } else {
    // Only the request that recorded the creation may close it, and only before any answer said 202: a later
    // version (a PATCH) exists only because someone was told the team was accepted.
    const announced = record.version !== createdVersion(record) || (record.retry?.attempts ?? 0) > 0;
    const exists = announced || run.created || (await teamMayExist(deps, record.name));
    if (exists) {
      await markFailed(deps, { ...record, ...topicFacts(record, attempt) }, refusal);
      return;
    }
    next = {
      ...record,
      ...topicFacts(record, attempt),
      lifecycle: 'deleted',
      closedBy: 'rejection',
      version: record.version + 1,
      applyState: 'Pending',
      pendingReason: refusal,
      history: [...record.history, entry(`${refusal}; the request is closed`)],
      updatedAt: now.toISOString(),
    };
  }
  const written = await writeIfUnchanged(deps, next, record.version);
  if (!written) return;
  const undo: ApplyAttempt = { missingGroups: [] };
  try {
    await applyRecord(deps, written, undo, run, {});
    await markApplied(deps, written, undo, clock(deps)());
  } catch (undoError) {
    if (isTransient(undoError) || outOfTime()) {
      await markPending(deps, written, undo, 'undoing a refused change; it will be retried');
    } else if (previous && isRejection(undoError)) {
      // The state one step back is refused too: step back once more (the list is finite, then the applied one).
      await rollBack(deps, written, undo, undoError, run);
    } else {
      // The undo itself is refused (the team was deleted out of band and cannot be re-created, say): a person.
      const name = undoError instanceof Error ? undoError.name : 'Error';
      await markFailed(
        deps,
        { ...written, ...topicFacts(written, undo) },
        `${refusal}; undoing it failed too (${name})`,
      );
    }
  }
}

/** The version at which the team's current incarnation was requested (its latest `created` history entry). */
function createdVersion(record: TeamRecord): number | undefined {
  return record.history.filter((entry) => entry.action === 'created').at(-1)?.version;
}

/** Whether SageMaker has the team; when it cannot tell (throttled), it may. */
async function teamMayExist(deps: ReconcileDeps, name: string): Promise<boolean> {
  try {
    return (await deps.sagemaker.describeWorkteam(name)) !== undefined;
  } catch {
    return true;
  }
}

async function writeIfUnchanged(
  deps: ReconcileDeps,
  record: TeamRecord,
  expectedVersion: number,
): Promise<TeamRecord | undefined> {
  try {
    return await deps.registry.put(record, expectedVersion);
  } catch (error) {
    // Someone changed the desired state meanwhile: their own reconcile (or ours, on the next pass) takes over.
    if (error instanceof RegistryConflict) return undefined;
    throw error;
  }
}
