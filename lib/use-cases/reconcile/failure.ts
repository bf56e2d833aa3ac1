/**
 * What a failed pass means: retry it later (time ran out, AWS said "not yet", the team moved, a young Cognito group
 * SageMaker does not see yet, a topic SageMaker kept although it was asked to remove it), roll back a refusal, or,
 * for anything unexpected, keep the change and report it.
 */
import { topicFacts } from '../../domain/apply-state';
import { UpstreamRejected } from '../../domain/errors';
import { redactEmailAddresses } from '../../domain/privacy';
import type { TeamRecord } from '../../domain/team';
import { isRejection, isSnsNotFound, isTransient, serviceOf } from '../../runtime/aws-errors';
import { outOfTime } from '../../runtime/invocation';
import type { ReconcileDeps, ReconcileOutcome, RunOptions } from './contract';
import { type ApplyAttempt, clock, NoMemberGroupLeft, RaceLost, type RunState, TopicKept } from './pass-state';
import { markFailed, markPending } from './recording';
import { rollBack } from './rollback';

/** Decides what a failed pass means: retry later, roll back a refusal, or (unexpected) keep it and report. */
export async function settleFailure(
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
  if (error instanceof TopicKept) {
    // Not taken as done: the scheduled retry asks SageMaker again, and the audit reports the topic meanwhile.
    deps.log?.warn('SageMaker kept the topic it was asked to remove', { team: record.name, version: record.version });
    return markPending(deps, record, attempt, `${error.message}; it will be retried`);
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
