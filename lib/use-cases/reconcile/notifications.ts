/**
 * The SNS side of a pass: the team's topic (ensured, kept, or deleted with the ledger of its confirmation mails)
 * and its e-mail subscriptions, which follow the enabled members of a Cognito team's groups, or the addresses an
 * OIDC team names (`notificationAddresses`); an OIDC team that names none leaves them to its owner. An adopted
 * team's own topic (`foreignTopic`) is none of this: SageMaker keeps pointing at it and nothing here touches it.
 */
import { sameMembers } from '../../domain/members';
import type { TeamRecord } from '../../domain/team';
import { sameAddresses } from '../../domain/team-notifications';
import { syncSubscriptions } from '../email-subscriptions';
import type { ReconcileDeps, ReconcileHints } from './contract';
import { type ApplyAttempt, checkTime, type RunState } from './pass-state';

/** A team's topic is tagged with its team and the stage's managed-by tag, as the team is. */
const topicTags = (deps: ReconcileDeps, team: string) => ({
  workteam: team,
  [deps.managementTag.key]: deps.managementTag.value,
});

/**
 * A change right after an applied version leaves the SNS side as that version left it where it keeps what the
 * SNS side depends on: the topic when notifications stay on (and its ARN is known), the subscriptions when the
 * members stay too, and none of them is known to be gone (an Orphaned team's last group is: its workers go).
 * Drift there (a topic deleted, a user added without an event) is the Cognito sync's, the resync's and the
 * audit's to repair. A topic gone meanwhile fails a pass that syncs its subscriptions, and the next pass ensures
 * it; a pass that keeps the subscriptions makes no SNS call, and the audit reports the topic missing.
 */
export function keptFromApplied(
  record: TeamRecord,
  hints: ReconcileHints,
): { topicKept: boolean; subscriptionsKept: boolean } {
  const { spec, appliedSpec: applied } = record;
  const afterApplied = hints.change === true && applied !== undefined && record.appliedVersion === record.version - 1;
  const topicKept = afterApplied && spec.notifications && applied.notifications && record.topicArn !== undefined;
  const subscriptionsKept =
    topicKept && !record.orphaned && sameMembers(spec.members, applied.members) && sameAddresses(spec, applied);
  return { topicKept, subscriptionsKept };
}

/** The team's topic, and the addresses its subscriptions are to reach (undefined: left as they are). */
interface PreparedNotifications {
  topicArn: string;
  emails: string[] | undefined;
}

/**
 * The topic ensured (unless kept), recorded in the attempt and the run before anything can forget it, and the
 * enabled members of the team's groups listed (the groups no longer in the pool go to `attempt.missingGroups`).
 */
export async function prepareNotifications(
  deps: ReconcileDeps,
  record: TeamRecord,
  attempt: ApplyAttempt,
  run: RunState,
  topicKept: boolean,
): Promise<PreparedNotifications> {
  const { name, spec } = record;
  let topicArn = record.topicArn as string;
  if (!topicKept) {
    run.topicTouched = true;
    topicArn = await deps.topics.ensureTopic(name, topicTags(deps, name));
    attempt.topicArn = topicArn;
    run.topicArn = topicArn;
  }
  let emails: string[] | undefined = [];
  if (record.identity && 'cognitoGroups' in spec.members) {
    ({ emails, missingGroups: attempt.missingGroups } = await deps.directory.emailsOfGroups(
      record.identity.userPool,
      spec.members.cognitoGroups,
    ));
  } else if ('oidcGroups' in spec.members) {
    emails = await oidcSubscribers(deps, record);
  }
  return { topicArn, emails };
}

/**
 * Whom an OIDC team's topic is to reach: the addresses it names. Naming none leaves the subscriptions to its owner
 * (undefined), except once right after it named some: while the ledger still remembers addresses this system
 * asked, they are unsubscribed (an empty list), as a PATCH that removes one address unsubscribes it, and the
 * emptied ledger hands the topic over.
 */
async function oidcSubscribers(deps: ReconcileDeps, record: TeamRecord): Promise<string[] | undefined> {
  if (record.spec.notificationAddresses !== undefined) return record.spec.notificationAddresses;
  const ledger = await deps.ledgers.get(record.name);
  return Object.keys(ledger).length > 0 ? [] : undefined;
}

/**
 * The topic's subscriptions made the prepared addresses. Only once SageMaker has taken the change: a Subscribe
 * mails the worker a confirmation that no rollback can take back (SNS cannot unsubscribe a pending subscription),
 * so a change SageMaker refuses must not have mailed anyone.
 */
export async function subscribe(
  deps: ReconcileDeps,
  name: string,
  prepared: PreparedNotifications,
  attempt: ApplyAttempt,
): Promise<void> {
  if (prepared.emails === undefined) return;
  checkTime();
  attempt.subscriptions = await syncSubscriptions(deps, name, prepared.topicArn, prepared.emails);
}

/**
 * Deletes the team's topic by its recorded ARN, or by name when the ARN was never learnt. The team's own topic
 * (`foreignTopic`: adopted, outside the stage's prefix) is not this system's to delete, and no pass made one of ours.
 */
export async function removeTopic(
  deps: ReconcileDeps,
  record: TeamRecord,
  attempt: ApplyAttempt,
  run: RunState,
): Promise<void> {
  if (record.foreignTopic) return;
  const topicArn = attempt.topicArn ?? run.topicArn ?? record.topicArn;
  if (topicArn) {
    checkTime();
    await deps.topics.deleteTopic(topicArn);
  } else if (record.topicMayExist || run.topicTouched) {
    checkTime();
    await deps.topics.deleteTeamTopic(record.name, topicTags(deps, record.name));
  }
  // Without a topic the ledger of its confirmation mails means nothing: a new topic asks everyone again.
  if (topicArn || record.topicMayExist || run.topicTouched) await deps.ledgers.forget(record.name);
}
