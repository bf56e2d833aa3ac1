/**
 * A managed team's status, as GET /teams/{name} shows it, and the differences behind it: `Orphaned` when its last
 * Cognito group is gone; `Pending` or `Failed` while its record is not applied; otherwise `Drifted` when SageMaker
 * differs from the desired state (a pending change is not drift: SageMaker has not been asked yet), else `InSync`.
 */
import { toWorkteamSpec } from './desired-spec';
import type { LiveWorkteam } from './live';
import { differences } from './plan';
import type { Difference, TeamRecord, TeamStatus } from './team';
import type { Tag } from './workteam';

export function teamStatus(
  record: TeamRecord,
  live: LiveWorkteam | undefined,
  /** The stage's managed-by tag (management-tag.ts): a team without it differs from its desired state. */
  managementTag: Tag,
): { status: TeamStatus; differences: Difference[] } {
  const diff =
    record.applyState === 'Pending'
      ? []
      : differences(toWorkteamSpec(record.spec, record.identity, record.topicArn, managementTag), live);
  const status: TeamStatus = record.orphaned
    ? 'Orphaned'
    : record.applyState !== 'Applied'
      ? record.applyState
      : diff.length > 0
        ? 'Drifted'
        : 'InSync';
  return { status, differences: diff };
}
