/**
 * A team's e-mail subscriptions brought in line with who is in its Cognito groups now, for the Cognito sync: the
 * only part of a team a change of group members touches. A team whose desired state is applied and whose topic
 * is known needs nothing else (no SageMaker call, no topic made again); any other team, or one whose topic or
 * groups turn out to be gone, or whose subscriptions could not be synced, gets a whole reconcile, which records
 * what it could not do (Pending, retried) instead of failing the event.
 */
import { syncSubscriptions } from './email-subscriptions';
import { type ReconcileDeps, reconcileTeam } from './reconcile';

export async function syncTeamSubscriptions(deps: ReconcileDeps, name: string): Promise<string> {
  // Read under the team's lease (the caller holds it): what a DELETE or a change wrote before it is seen here.
  const record = await deps.registry.get(name);
  if (!record) return 'unmanaged';
  const steady =
    record.lifecycle === 'active' &&
    record.applyState === 'Applied' &&
    record.appliedVersion === record.version &&
    record.spec.notifications &&
    record.topicArn !== undefined &&
    record.orphaned === undefined &&
    record.identity !== undefined &&
    'cognitoGroups' in record.spec.members;
  if (steady && record.topicArn && record.identity && 'cognitoGroups' in record.spec.members) {
    try {
      const { emails, missingGroups } = await deps.directory.emailsOfGroups(
        record.identity.userPool,
        record.spec.members.cognitoGroups,
      );
      if (missingGroups.length === 0) {
        await syncSubscriptions(deps, name, record.topicArn, emails);
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
