/**
 * SageMaker's side of a pass: the plan for the desired state as far as SageMaker can take it, the team created
 * when it has none (or read, when another attempt created it first), the update and the tag changes, and the team
 * as the pass left it.
 */
import { isSteady } from '../../domain/apply-state';
import { toWorkteamSpec } from '../../domain/desired-spec';
import type { LiveWorkteam } from '../../domain/live';
import { planWorkteam, removesTopic, topicKeptAfter, type WorkteamPlan } from '../../domain/plan';
import type { DesiredTeam, TeamRecord } from '../../domain/team';
import { isResourceInUse } from '../../runtime/aws-errors';
import type { ReconcileDeps } from './contract';
import {
  type ApplyAttempt,
  checkTime,
  clock,
  NoMemberGroupLeft,
  RaceLost,
  type RunState,
  TopicKept,
} from './pass-state';

/** What the pass knows of SageMaker's team before it writes to it. */
interface WorkteamStart {
  /** The topic the team is to point at (none when the team wants no notifications). */
  topicArn: string | undefined;
  /** The team as read, without its tags when they were not read (`tagsFromApplied`); undefined when absent. */
  read: LiveWorkteam | undefined;
  /** Tags change from the last applied ones: the team was read without them. */
  tagsFromApplied: boolean;
  /** The team's groups were listed already (with the addresses of their members). */
  groupsListed: boolean;
}

/**
 * Makes SageMaker's team the desired one: created when absent, otherwise updated where it differs, its tags
 * changed beside the update (UpdateWorkteam cannot change them). Answers the plan it applied and the team it
 * started from.
 */
export async function applyToWorkteam(
  deps: ReconcileDeps,
  record: TeamRecord,
  attempt: ApplyAttempt,
  run: RunState,
  start: WorkteamStart,
): Promise<{ plan: WorkteamPlan; arn: string | undefined; live: LiveWorkteam | undefined }> {
  const applied = record.appliedSpec;
  const assumed = (current: LiveWorkteam | undefined) =>
    current && start.tagsFromApplied && current.tags === undefined && applied
      ? { ...current, tags: toWorkteamSpec(applied, record.identity, start.topicArn, deps.managementTag).tags }
      : current;
  const created = await createIfNeeded(deps, record, attempt, run, start, assumed);
  const { plan, arn } = created;
  attempt.reverted = isSteady(record) ? revertedFields(plan) : undefined;
  // The update and the tag changes touch different things of the team: side by side.
  checkTime();
  const outcomes = await Promise.allSettled([
    plan.action === 'update' && plan.update ? deps.sagemaker.updateWorkteam(plan.update) : undefined,
    arn && plan.tagKeysToRemove.length > 0 ? deps.sagemaker.deleteTags(arn, plan.tagKeysToRemove) : undefined,
    arn && plan.tagsToAdd.length > 0 ? deps.sagemaker.addTags(arn, plan.tagsToAdd) : undefined,
  ]);
  for (const outcome of outcomes) if (outcome.status === 'rejected') throw outcome.reason;
  return created;
}

/**
 * A plan that took the team's topic away is checked by reading the team back: no public source documents that an
 * empty NotificationConfiguration removes it (docs/api.md, "Turning notifications off"). While SageMaker still
 * shows the topic, the pass stops here (`TopicKept`): the topic is not deleted under a team that points at it, and
 * the change waits Pending for the scheduled retry.
 */
export async function confirmTopicRemoved(
  deps: ReconcileDeps,
  name: string,
  plan: WorkteamPlan,
  attempt: ApplyAttempt,
): Promise<void> {
  if (!removesTopic(plan)) return;
  checkTime();
  const kept = topicKeptAfter(await deps.sagemaker.describeWorkteam(name, { tags: false }));
  if (kept === undefined) return;
  attempt.topicKeptBySageMaker = kept;
  throw new TopicKept(kept);
}

/**
 * The team as this pass left it, built from what was applied where SageMaker's answer is known (an update of a
 * team read just now); a team this pass created is read once (SageMaker gives it its subdomain and dates).
 */
export async function afterApply(
  deps: ReconcileDeps,
  record: TeamRecord,
  plan: WorkteamPlan,
  live: LiveWorkteam | undefined,
  arn: string | undefined,
  topicArn: string | undefined,
  missingGroups: string[],
): Promise<LiveWorkteam | undefined> {
  const desired = toWorkteamSpec(
    missingGroups.length > 0 && 'cognitoGroups' in record.spec.members
      ? {
          ...record.spec,
          members: {
            cognitoGroups: record.spec.members.cognitoGroups.filter((group) => !missingGroups.includes(group)),
          },
        }
      : record.spec,
    record.identity,
    topicArn,
    deps.managementTag,
  );
  if (plan.action === 'create' || !live || !arn) {
    const created = await deps.sagemaker.describeWorkteam(record.name, { tags: false });
    return created && { ...created, tags: desired.tags };
  }
  if (plan.action === 'none') return live.tags === undefined ? { ...live, tags: desired.tags } : live;
  const update = plan.update;
  return {
    ...live,
    ...(update?.description !== undefined ? { description: update.description } : {}),
    ...(update?.memberDefinitions !== undefined ? { memberDefinitions: update.memberDefinitions } : {}),
    ...(update?.notificationTopicArn !== undefined
      ? { notificationTopicArn: update.notificationTopicArn ?? undefined }
      : {}),
    ...(update?.workerAccess !== undefined ? { workerAccess: update.workerAccess } : {}),
    tags: desired.tags,
    ...(update ? { updatedAt: clock(deps)() } : {}),
  };
}

/** Plans the pass and, when SageMaker has no team yet, creates it: what the update step then starts from. */
async function createIfNeeded(
  deps: ReconcileDeps,
  record: TeamRecord,
  attempt: ApplyAttempt,
  run: RunState,
  { topicArn, read, groupsListed }: WorkteamStart,
  assumed: (current: LiveWorkteam | undefined) => LiveWorkteam | undefined,
): Promise<{ plan: WorkteamPlan; arn: string | undefined; live: LiveWorkteam | undefined }> {
  const { name, spec } = record;
  let live = read;
  const groups = record.identity && 'cognitoGroups' in spec.members ? spec.members.cognitoGroups : undefined;
  let plan = planFor(deps, record, topicArn, attempt.missingGroups, assumed(live));
  if (!groupsListed && groups && record.identity && writesMembers(plan)) {
    // The groups were not listed (no notifications, subscriptions kept, or the team's own topic): check them only when the members are written.
    attempt.missingGroups = await deps.directory.missingGroups(record.identity.userPool, groups);
    plan = planFor(deps, record, topicArn, attempt.missingGroups, assumed(live));
  }

  let arn = live?.arn;
  if (plan.action === 'create' && plan.create) {
    // A team that reached SageMaker before and is gone now was retired meanwhile, by a DELETE racing this change,
    // or deleted out of band: recreate it only if the desired state is still this one.
    if (record.appliedVersion !== undefined && (await deps.registry.get(name))?.version !== record.version) {
      throw new RaceLost(`'${name}' changed while it was re-created`);
    }
    checkTime();
    try {
      arn = await deps.sagemaker.createWorkteam(plan.create);
      run.created = true;
    } catch (error) {
      if (!isResourceInUse(error)) throw error;
      // Another attempt created it first (the registry owns the name): read it and go on from what it holds.
      live = await deps.sagemaker.describeWorkteam(name);
      if (!live) throw new RaceLost(`'${name}' was in use, then gone`);
      plan = planFor(deps, record, topicArn, attempt.missingGroups, live);
      arn = live.arn;
    }
  }
  return { plan, arn, live };
}

/** The fields a plan puts back (for the history): never an address, only field names. */
function revertedFields(plan: WorkteamPlan): string[] {
  if (plan.action === 'create') return ['the team itself (deleted out of band)'];
  const fields = Object.keys(plan.update ?? {}).filter((field) => field !== 'name');
  if (plan.tagsToAdd.length > 0 || plan.tagKeysToRemove.length > 0) fields.push('tags');
  return fields;
}

function writesMembers(plan: WorkteamPlan): boolean {
  return plan.action === 'create' || plan.update?.memberDefinitions !== undefined;
}

/**
 * The plan for the desired state as far as SageMaker can take it: Cognito groups deleted since the team named
 * them cannot stay members. With none left, a live team keeps its members; a team not yet created cannot be.
 */
function planFor(
  deps: ReconcileDeps,
  record: TeamRecord,
  topicArn: string | undefined,
  missingGroups: string[],
  live: LiveWorkteam | undefined,
): WorkteamPlan {
  let spec: DesiredTeam = record.spec;
  let noGroupLeft = false;
  if (missingGroups.length > 0 && 'cognitoGroups' in spec.members) {
    const remaining = spec.members.cognitoGroups.filter((group) => !missingGroups.includes(group));
    noGroupLeft = remaining.length === 0;
    if (!noGroupLeft) spec = { ...spec, members: { cognitoGroups: remaining } };
  }
  const plan = planWorkteam(toWorkteamSpec(spec, record.identity, topicArn, deps.managementTag), live);
  if (!noGroupLeft) return plan;
  if (plan.action === 'create') {
    throw new NoMemberGroupLeft(`every Cognito group of '${record.name}' was deleted: ${missingGroups.join(', ')}`);
  }
  if (!plan.update?.memberDefinitions) return plan;
  const { memberDefinitions: _keepLiveMembers, ...update } = plan.update;
  const fieldsDiffer = Object.keys(update).length > 1;
  const tagsDiffer = plan.tagsToAdd.length > 0 || plan.tagKeysToRemove.length > 0;
  return {
    ...plan,
    action: fieldsDiffer || tagsDiffer ? 'update' : 'none',
    update: fieldsDiffer ? update : undefined,
  };
}
