/**
 * SageMaker refused the change. With an applied version to go back to, the desired state goes back to it, and
 * one more apply undoes what SNS already got. A team that never reached SageMaker is closed only when SageMaker
 * has no team of that name and no earlier answer said the change was accepted (202); otherwise it is `Failed`
 * and left as it is: a rollback never deletes what another attempt created or what someone was told exists.
 */
import { creationAnnounced, rollbackTarget, rolledBackRecord, topicFacts } from '../../domain/apply-state';
import { redactEmailAddresses } from '../../domain/privacy';
import type { TeamRecord } from '../../domain/team';
import { isRejection, isTransient } from '../../runtime/aws-errors';
import { outOfTime } from '../../runtime/invocation';
import { applyRecord } from './apply';
import type { ReconcileDeps } from './contract';
import { type ApplyAttempt, clock, type RunState } from './pass-state';
import { markApplied, markFailed, markPending, writeIfUnchanged } from './recording';

export async function rollBack(
  deps: ReconcileDeps,
  record: TeamRecord,
  attempt: ApplyAttempt,
  error: Error,
  run: RunState,
): Promise<void> {
  const now = clock(deps)();
  const refusal = redactEmailAddresses(`refused by SageMaker (${error.name}): ${error.message}`);
  const target = rollbackTarget(record);
  if (!target && (creationAnnounced(record) || run.created || (await teamMayExist(deps, record.name)))) {
    await markFailed(deps, { ...record, ...topicFacts(record, attempt) }, refusal);
    return;
  }
  const written = await writeIfUnchanged(deps, rolledBackRecord(record, attempt, target, refusal, now), record.version);
  if (!written) return;
  const undo: ApplyAttempt = { missingGroups: [] };
  try {
    await applyRecord(deps, written, undo, run, {});
    await markApplied(deps, written, undo, clock(deps)());
  } catch (undoError) {
    if (isTransient(undoError) || outOfTime()) {
      await markPending(deps, written, undo, 'undoing a refused change; it will be retried');
    } else if (target?.superseded && isRejection(undoError)) {
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

/** Whether SageMaker has the team; when it cannot tell (throttled), it may. */
async function teamMayExist(deps: ReconcileDeps, name: string): Promise<boolean> {
  try {
    return (await deps.sagemaker.describeWorkteam(name)) !== undefined;
  } catch {
    return true;
  }
}
