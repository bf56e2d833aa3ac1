/**
 * A pass of a closed record: the team goes from SageMaker (when it is this record's to delete), then its topic. A
 * released team is no longer this system's: a pass that meets its record (one under way when it was released)
 * leaves the team and its topic alone.
 */
import type { TeamRecord } from '../../domain/team';
import type { ReconcileDeps } from './contract';
import { removeTopic } from './notifications';
import { type ApplyAttempt, checkTime, RaceLost, type RunState } from './pass-state';

export async function retire(
  deps: ReconcileDeps,
  record: TeamRecord,
  attempt: ApplyAttempt,
  run: RunState,
): Promise<void> {
  const { name } = record;
  if (record.closedBy === 'release') return;
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
}
