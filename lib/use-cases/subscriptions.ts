/**
 * A team's e-mail subscriptions brought in line with who is in its Cognito groups now, for the Cognito sync: the
 * only part of a team a change of group members touches. A team whose desired state is applied and whose topic
 * is known needs nothing else (no SageMaker call, no topic made again); any other team, or one whose topic or
 * groups turn out to be gone, or whose subscriptions could not be synced, gets a whole reconcile, which records
 * what it could not do (Pending, retried) instead of failing the event.
 */
import { syncSubscriptions } from './email-subscriptions';
import { reconcileTeam } from './reconcile';
import type { ReconcileDeps } from './reconcile/contract';

export async function syncTeamSubscriptions(deps: ReconcileDeps, name: string): Promise<string> {
  // Read under the team's lease (the caller holds it): what a DELETE or a change wrote before it is seen here.
  const record = await deps.registry.get(name);
  if (!record) return 'unmanaged';
  const { topicArn, identity, spec } = record;
  // Steady: the desired state applied, its topic known, its groups Cognito's: only the subscriptions can differ.
  const steady =
    record.lifecycle === 'active' &&
    record.applyState === 'Applied' &&
    record.appliedVersion === record.version &&
    spec.notifications &&
    record.orphaned === undefined;
  if (steady && topicArn && identity && 'cognitoGroups' in spec.members) {
    try {
      const { emails, missingGroups } = await deps.directory.emailsOfGroups(
        identity.userPool,
        spec.members.cognitoGroups,
      );
      if (missingGroups.length === 0) {
        // The team's own topic (adopted, not the stage's): its subscriptions are its owner's business.
        if (!record.foreignTopic) await syncSubscriptions(deps, name, topicArn, emails);
        return 'applied';
      }
    } catch (error) {
      deps.log?.info('subscriptions not synced alone; reconciling the team', {
        team: record.name,
        error: error instanceof Error ? error.name : 'Error',
      });
    }
  }
  return (await reconcileTeam(deps, name, {}, { by: 'the Cognito sync' })).outcome;
}
