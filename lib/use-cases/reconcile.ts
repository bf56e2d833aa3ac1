/**
 * reconcileTeam: make SageMaker and SNS match the registry's desired state for one team — create, update
 * only what differs, delete, or nothing. Idempotent and safe to run twice or concurrently: every run ends by
 * re-reading the record and goes again if the desired state moved while it applied.
 */

import { isRejection, isTransient } from '../adapters/aws-errors';
import { UpstreamRejected } from '../domain/errors';
import type { LiveWorkteam } from '../domain/live';
import { planWorkteam } from '../domain/plan';
import { toWorkteamSpec } from '../domain/requests';
import type { TeamRecord } from '../domain/team';
import {
  type NotificationTopics,
  RegistryConflict,
  type TeamRegistry,
  type WorkforceDirectory,
  type WorkteamWriter,
} from '../ports';

export interface ReconcileDeps {
  registry: TeamRegistry;
  sagemaker: WorkteamWriter;
  topics: NotificationTopics;
  directory: WorkforceDirectory;
  now?: () => Date;
  /** How long after a Cognito group's creation a SageMaker refusal of a team using it means "not yet". */
  groupSettlingMs?: number;
  log?: (message: string, details: Record<string, unknown>) => void;
}

export type ReconcileOutcome =
  | { outcome: 'applied'; record: TeamRecord; live?: LiveWorkteam }
  | { outcome: 'pending'; record: TeamRecord; reason: string }
  | { outcome: 'unmanaged' };

/** Backoff for pending retries: 1, 2, 4, ... minutes, at most an hour. */
export function nextAttemptAt(now: Date, attempts: number): string {
  const minutes = Math.min(60, 2 ** Math.max(0, attempts - 1));
  return new Date(now.getTime() + minutes * 60_000).toISOString();
}

const MAX_PASSES = 5;

export async function reconcileTeam(deps: ReconcileDeps, name: string): Promise<ReconcileOutcome> {
  const now = deps.now ?? (() => new Date());
  let result: ReconcileOutcome = { outcome: 'unmanaged' };
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    const record = await deps.registry.get(name);
    // An unmanaged team is never written to.
    if (!record) return { outcome: 'unmanaged' };
    // What this attempt created, so that a refused creation can clean it up.
    const attempt: ApplyAttempt = {};
    try {
      const live = await applyRecord(deps, record, attempt);
      const applied = await markApplied(deps, record, live, now());
      result = { outcome: 'applied', record: applied ?? record, live };
    } catch (error) {
      const settling = isRejection(error) ? await groupsStillSettling(deps, record, now()) : [];
      if (isTransient(error) || settling.length > 0) {
        const reason =
          settling.length > 0
            ? `SageMaker does not see the new Cognito group(s) ${settling.join(', ')} yet; it will be retried`
            : `${(error as Error).name}: SageMaker or SNS did not accept the change yet; it will be retried`;
        deps.log?.('apply deferred', { team: name, version: record.version, error: (error as Error).name });
        const pending = await markPending(deps, record, reason, now());
        return { outcome: 'pending', record: pending ?? record, reason };
      }
      if (isRejection(error)) {
        await rollBack(deps, { ...record, topicArn: record.topicArn ?? attempt.topicArn }, error, now());
        throw new UpstreamRejected('the change', { code: error.name, message: error.message }, { cause: error });
      }
      // Anything else (a permission missing, a bug): the desired state stays, retried with growing backoff.
      const errorName = error instanceof Error ? error.name : 'Error';
      await markPending(deps, record, `${errorName}: the change could not be applied; it will be retried`, now());
      throw error;
    }

    // Did the desired state move while we applied? Then go again, so the last writer's state wins.
    const latest = await deps.registry.get(name);
    if (!latest || latest.version === record.version) return result;
  }
  return result;
}

/**
 * Right after a Cognito group is created SageMaker can refuse a team that uses it for a while (the Terraform
 * provider retries CreateWorkteam for two minutes). A refusal while one of the team's groups is that young is
 * treated as "not yet", not as "never".
 */
const DEFAULT_GROUP_SETTLING_MS = 2 * 60_000;

async function groupsStillSettling(deps: ReconcileDeps, record: TeamRecord, now: Date): Promise<string[]> {
  if (record.lifecycle !== 'active' || !record.identity || !('cognitoGroups' in record.spec.members)) return [];
  const window = deps.groupSettlingMs ?? DEFAULT_GROUP_SETTLING_MS;
  if (window <= 0) return [];
  const since = new Date(now.getTime() - window);
  try {
    return await deps.directory.groupsCreatedSince(record.identity.userPool, record.spec.members.cognitoGroups, since);
  } catch {
    // Cognito unreachable: the refusal stands on its own.
    return [];
  }
}

interface ApplyAttempt {
  topicArn?: string;
}

async function applyRecord(
  deps: ReconcileDeps,
  record: TeamRecord,
  attempt: ApplyAttempt = {},
): Promise<LiveWorkteam | undefined> {
  const { spec, name } = record;
  if (record.lifecycle === 'deleted') {
    await deps.sagemaker.deleteWorkteam(name);
    if (record.topicArn) await deps.topics.deleteTopic(record.topicArn);
    return undefined;
  }

  let topicArn: string | undefined;
  if (spec.notifications) {
    topicArn = await deps.topics.ensureTopic(name, { workteam: name, 'managed-by': 'workteam-automation' });
    attempt.topicArn = topicArn;
    const emails =
      record.identity && 'cognitoGroups' in spec.members
        ? await deps.directory.emailsOfGroups(record.identity.userPool, spec.members.cognitoGroups)
        : [];
    await deps.topics.syncEmailSubscriptions(topicArn, emails);
  }

  const desired = toWorkteamSpec(spec, record.identity, topicArn);
  const live = await deps.sagemaker.describeWorkteam(name);
  const plan = planWorkteam(desired, live);
  let arn = live?.arn;
  if (plan.action === 'create' && plan.create) arn = await deps.sagemaker.createWorkteam(plan.create);
  if (plan.action === 'update' && plan.update) await deps.sagemaker.updateWorkteam(plan.update);
  if (arn && plan.tagKeysToRemove.length > 0) await deps.sagemaker.deleteTags(arn, plan.tagKeysToRemove);
  if (arn && plan.tagsToAdd.length > 0) await deps.sagemaker.addTags(arn, plan.tagsToAdd);

  // The topic goes only once SageMaker no longer points at it.
  if (!spec.notifications && record.topicArn) await deps.topics.deleteTopic(record.topicArn);
  return plan.action === 'none' ? live : await deps.sagemaker.describeWorkteam(name);
}

function topicOf(record: TeamRecord, live: LiveWorkteam | undefined): string | undefined {
  if (record.lifecycle === 'deleted' || !record.spec.notifications) return undefined;
  return live?.notificationTopicArn ?? record.topicArn;
}

async function markApplied(
  deps: ReconcileDeps,
  record: TeamRecord,
  live: LiveWorkteam | undefined,
  now: Date,
): Promise<TeamRecord | undefined> {
  const applied: TeamRecord = {
    ...record,
    applyState: 'Applied',
    appliedVersion: record.version,
    appliedSpec: record.spec,
    topicArn: topicOf(record, live),
    pendingReason: undefined,
    retry: undefined,
    updatedAt: now.toISOString(),
  };
  return writeIfUnchanged(deps, applied, record.version);
}

async function markPending(
  deps: ReconcileDeps,
  record: TeamRecord,
  reason: string,
  now: Date,
): Promise<TeamRecord | undefined> {
  const attempts = (record.retry?.attempts ?? 0) + 1;
  const pending: TeamRecord = {
    ...record,
    applyState: 'Pending',
    pendingReason: reason,
    retry: { attempts, nextAttemptAt: nextAttemptAt(now, attempts) },
    updatedAt: now.toISOString(),
  };
  return writeIfUnchanged(deps, pending, record.version);
}

/**
 * SageMaker refused the change: the desired state goes back to the last applied version (or, for a team that
 * never reached SageMaker, the record is closed), and what SNS already got is undone by one more reconcile.
 */
async function rollBack(deps: ReconcileDeps, record: TeamRecord, error: Error, now: Date): Promise<void> {
  const summary = `refused by SageMaker (${error.name}); desired state rolled back to version ${record.appliedVersion ?? 0}`;
  const entry = {
    version: record.version + 1,
    at: now.toISOString(),
    by: 'system',
    action: 'rolledBack' as const,
    summary,
  };
  const rolledBack: TeamRecord = record.appliedSpec
    ? {
        ...record,
        spec: record.appliedSpec,
        version: record.version + 1,
        applyState: 'Pending',
        history: [...record.history, entry],
      }
    : {
        ...record,
        lifecycle: 'deleted',
        version: record.version + 1,
        applyState: 'Pending',
        history: [...record.history, entry],
      };
  const written = await writeIfUnchanged(deps, { ...rolledBack, updatedAt: now.toISOString() }, record.version);
  if (!written) return;
  try {
    const live = await applyRecord(deps, written);
    await markApplied(deps, written, live, now);
  } catch (undoError) {
    if (!isTransient(undoError)) throw undoError;
    await markPending(deps, written, 'undoing a refused change', now);
  }
}

async function writeIfUnchanged(
  deps: ReconcileDeps,
  record: TeamRecord,
  expectedVersion: number,
): Promise<TeamRecord | undefined> {
  try {
    await deps.registry.put(record, expectedVersion);
    return record;
  } catch (error) {
    // Someone changed the desired state meanwhile: their own reconcile (or ours, on the next pass) takes over.
    if (error instanceof RegistryConflict) return undefined;
    throw error;
  }
}

/** The scheduled retry of teams left Pending (throttling, an outage, a crash mid-apply), due ones first. */
export async function retryPendingTeams(
  deps: ReconcileDeps,
  limit = 25,
): Promise<{ applied: string[]; pending: string[]; failed: string[] }> {
  const now = deps.now ?? (() => new Date());
  const due = await deps.registry.listDuePending(now(), limit);
  const summary = { applied: [] as string[], pending: [] as string[], failed: [] as string[] };
  for (const record of due) {
    try {
      const result = await reconcileTeam(deps, record.name);
      if (result.outcome === 'pending') summary.pending.push(record.name);
      else summary.applied.push(record.name);
    } catch (error) {
      deps.log?.('retry failed', { team: record.name, error: error instanceof Error ? error.name : 'unknown' });
      summary.failed.push(record.name);
    }
  }
  return summary;
}
