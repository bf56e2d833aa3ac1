/**
 * A Cognito group deleted, as the sync and the resync apply it to one team: the group leaves the team's desired
 * members (a change by the system, in the history, applied at once); a team whose last group it was cannot lose
 * it (a team needs a group): it is marked Orphaned, neither broken nor deleted, and its owner is told, once.
 */
import type { TeamRecord } from '../../domain/team';
import { RegistryConflict } from '../../ports/teams';
import type { ReconcileDeps } from '../reconcile/contract';
import { applyChange, writeNextVersion } from '../team-writes';

/** The deleted group leaves the team's desired members, or, as its last group, makes the team Orphaned. */
export async function dropDeletedGroup(
  deps: ReconcileDeps,
  name: string,
  group: string,
): Promise<{ outcome: string; subscriptions?: { subscribed: number; unsubscribed: number } }> {
  const now = (deps.now ?? (() => new Date()))();
  let orphanedNow = false;
  const { record, written } = await writeNextVersion(
    deps,
    { kind: 'system', reason: `Cognito group '${group}' was deleted` },
    name,
    async (current) => {
      // Built again after a conflict: decided afresh from the latest record every time.
      orphanedNow = false;
      const members = current.spec.members;
      if (!('cognitoGroups' in members) || !members.cognitoGroups.includes(group)) return undefined;
      const remaining = members.cognitoGroups.filter((member) => member !== group);
      if (remaining.length > 0) {
        return {
          changes: { spec: { ...current.spec, members: { cognitoGroups: remaining } } },
          action: 'memberRemoved',
          summary: `-group ${group} (deleted in Cognito)`,
        };
      }
      orphanedNow = current.orphaned === undefined;
      if (!orphanedNow) return undefined;
      return {
        changes: { orphaned: { group, at: now.toISOString() } },
        action: 'orphaned',
        summary: `last group ${group} deleted in Cognito`,
      };
    },
  );
  await tellOwnerIfOrphaned(deps, written ? record : await deps.registry.get(name));
  if (!written) return { outcome: 'unchanged' };
  const result = await applyChange(deps, name, record.version);
  return { outcome: orphanedNow ? 'orphaned' : result.outcome, subscriptions: result.subscriptions };
}

/**
 * The owner of an Orphaned team is told once: the alert goes out until the record says it went (a failed alert
 * fails the event, which EventBridge delivers again); the mark is an apply-state write, not a new version.
 */
async function tellOwnerIfOrphaned(deps: ReconcileDeps, record: TeamRecord | undefined): Promise<void> {
  if (!record?.orphaned || record.orphaned.ownerTold) return;
  const { group } = record.orphaned;
  await deps.alerts.teamOrphaned({ name: record.name, owner: record.owner, version: record.version, group });
  try {
    await deps.registry.put({ ...record, orphaned: { ...record.orphaned, ownerTold: true } }, record.version);
  } catch (error) {
    if (!(error instanceof RegistryConflict)) throw error;
  }
}
