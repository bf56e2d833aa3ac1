/**
 * One pass's writes: the record's desired state made SageMaker's and SNS's, in the order that keeps a refusal
 * harmless (the topic before SageMaker points at it, SageMaker before anyone is mailed, the topic deleted only
 * once SageMaker no longer points at it), independent steps side by side.
 */
import type { TeamRecord } from '../../domain/team';
import type { ReconcileDeps, ReconcileHints } from './contract';
import { keptFromApplied, prepareNotifications, removeTopic, subscribe } from './notifications';
import { type ApplyAttempt, checkTime, type RunState } from './pass-state';
import { retire } from './retirement';
import { afterApply, applyToWorkteam, confirmTopicRemoved } from './sagemaker';

export async function applyRecord(
  deps: ReconcileDeps,
  record: TeamRecord,
  attempt: ApplyAttempt,
  run: RunState,
  hints: ReconcileHints,
): Promise<void> {
  const { spec, name } = record;
  if (record.lifecycle === 'deleted') {
    await retire(deps, record, attempt, run);
    return;
  }

  // Tags change from the last applied ones: the team need not be read with its tags.
  const tagsFromApplied = hints.change === true && record.appliedSpec !== undefined;
  const { topicKept, subscriptionsKept } = keptFromApplied(record, hints);

  // SageMaker's team and the SNS/Cognito part are independent: read and ensured side by side.
  checkTime();
  const liveRead = hints.absent ? undefined : deps.sagemaker.describeWorkteam(name, { tags: !tagsFromApplied });
  // The team's own topic (adopted, not the stage's) is kept as it is: never ensured, its subscriptions its owner's.
  const notificationsPrepared =
    spec.notifications && !subscriptionsKept && !record.foreignTopic
      ? prepareNotifications(deps, record, attempt, run, topicKept)
      : undefined;
  // Both settle before either's error counts: nothing of this pass goes on unobserved behind its failure.
  const [read, ensured] = await Promise.allSettled([liveRead, notificationsPrepared]);
  if (ensured.status === 'rejected') throw ensured.reason;
  if (read.status === 'rejected') throw read.reason;
  const prepared = ensured.value;
  const topicArn = prepared?.topicArn ?? (spec.notifications ? record.topicArn : undefined);
  const { plan, arn, live } = await applyToWorkteam(deps, record, attempt, run, {
    topicArn,
    read: read.value,
    tagsFromApplied,
    groupsListed: notificationsPrepared !== undefined,
  });

  // The topic goes only once SageMaker no longer points at it: a removal is read back first.
  if (!spec.notifications) {
    await confirmTopicRemoved(deps, name, plan, attempt);
    await removeTopic(deps, record, attempt, run);
  }
  // Subscriptions only once SageMaker has taken the change; they go beside the last read of a team just created.
  const subscribing = prepared ? subscribe(deps, name, prepared, attempt) : undefined;
  const [after, subscribed] = await Promise.allSettled([
    afterApply(deps, record, plan, live, arn, topicArn, attempt.missingGroups),
    subscribing,
  ]);
  if (subscribed.status === 'rejected') throw subscribed.reason;
  if (after.status === 'rejected') throw after.reason;
  attempt.live = after.value;
}
