/**
 * Taking a team nobody manages under management (adopt), and letting one go without touching it (release), for
 * administrators. Adoption tags the team with the stage's managed-by tag first (the one right its role has over a
 * team without it), then records its live state as its desired state; a release closes the record, then removes
 * the tag. Either way round, a failure halfway leaves a state the same request, sent again, finishes.
 */
import { type Actor, actorName, mustBeAdmin } from '../domain/actor';
import { type Adoption, adoptionOf, managementOf, workforceNameOf } from '../domain/adoption';
import {
  PreconditionFailed,
  TeamAlreadyManaged,
  TeamNotFound,
  TeamNotManaged,
  ValidationFailed,
} from '../domain/errors';
import type { LiveWorkteam } from '../domain/live';
import { memberGroups } from '../domain/members';
import type { TeamRecord } from '../domain/team';
import { validateDesiredTeam } from '../domain/team-commands';
import { RegistryConflict } from '../ports/teams';
import type { TeamDeps, TeamResult } from './manage-teams';
import { applyChange, type ExpectedVersions, openRecord, writeNextVersion } from './team-writes';

/** `POST /teams/{name}/adopt`: the team, and who is to own it (the caller when not given). */
export interface AdoptTeamCommand {
  name: string;
  owner?: string;
}

/** `POST /teams/{name}/release`: the team, and the versions the caller read (If-Match, required). */
interface ReleaseTeamCommand {
  name: string;
  expected: ExpectedVersions;
}

/**
 * Adopts a team SageMaker has and nobody manages: 409 when this stage manages it (or is still retiring it) or it
 * carries another stage's managed-by tag, 404 when SageMaker has no such team. The team is tagged, then recorded at
 * the version after the name's closed record (1 for a team never managed), owned by `owner` (default the caller).
 * It keeps its topic (a topic outside the stage's prefix as `foreignTopic`: kept, never managed); one is wired as
 * for a new team only when the policy wants notifications and it has none.
 */
export async function adoptTeam(deps: TeamDeps, actor: Actor, command: AdoptTeamCommand): Promise<TeamResult> {
  mustBeAdmin(actor, 'adopt teams');
  const { name } = command;
  const [existing, live] = await Promise.all([deps.registry.get(name), deps.sagemaker.describeWorkteam(name)]);
  if (existing?.lifecycle === 'active') throw new TeamAlreadyManaged(name, 'this system manages it already');
  if (existing && existing.applyState !== 'Applied') {
    throw new TeamAlreadyManaged(name, 'this system is still retiring its earlier team of that name');
  }
  if (!live) throw new TeamNotFound(name);
  const whose = managementOf(live.tags, deps.managementTag);
  if (whose === 'another') {
    throw new TeamAlreadyManaged(name, `its ${deps.managementTag.key} tag names another stage or system`);
  }
  const workforceName =
    workforceNameOf(live.workforceArn) ?? (await deps.sagemaker.describeWorkforce(undefined))?.name ?? 'default';
  const adoption = adoptionOf(live, workforceName, deps.policy, deps.topicPrefix);
  const violations = validateDesiredTeam(adoption.team);
  if (violations.length > 0) throw new ValidationFailed(violations);

  // The tag first: a record is never written for a team this stage's roles cannot write to. A team left tagged
  // but unrecorded (this invocation died in between) is adopted by the next request, which skips the tagging.
  if (whose === 'nobody') await deps.sagemaker.addTags(live.arn, [{ ...deps.managementTag }]);
  const wire = adoption.team.notifications && adoption.topicArn === undefined;
  let record: TeamRecord;
  try {
    record = await openRecord(
      deps,
      actor,
      existing,
      {
        spec: adoption.team,
        identity: adoption.identity,
        owner: command.owner ?? actorName(actor),
        topicArn: adoption.topicArn,
        foreignTopic: adoption.foreignTopic,
        applied: !wire,
      },
      { action: 'adopted', summary: adoptionSummary(adoption, wire) },
    );
  } catch (error) {
    if (error instanceof RegistryConflict) throw new TeamAlreadyManaged(name, 'another request adopted it first');
    throw error;
  }
  if (!wire) return { outcome: 'applied', record, live: withTag(live, deps.managementTag) };
  return applyChange(deps, name, record.version, { record });
}

function adoptionSummary(adoption: Adoption, wire: boolean): string {
  const notifications = adoption.foreignTopic
    ? 'its own topic kept (not managed here)'
    : adoption.topicArn
      ? 'its topic kept'
      : wire
        ? 'a topic wired'
        : 'no notifications';
  return `adopted with ${memberGroups(adoption.team.members).length} group(s), ${notifications}`;
}

/** The live team as it is once tagged (read before the tag was added). */
function withTag(live: LiveWorkteam, tag: { key: string; value: string }): LiveWorkteam {
  const others = (live.tags ?? []).filter((existing) => existing.key.toLowerCase() !== tag.key);
  return { ...live, tags: [...others, { ...tag }] };
}

/**
 * Stops managing a team without changing it in SageMaker: the record is closed (history `released`, settled at
 * once: nothing is applied, no retry ever deletes the team), then the stage's managed-by tag is removed; the topic
 * stays the team's. 404 when SageMaker has no such team (DELETE retires a managed one), 409 when nobody here manages
 * it. A release whose tag removal failed is finished by the same request sent again. Answers the team as SageMaker
 * then holds it.
 */
export async function releaseTeam(deps: TeamDeps, actor: Actor, command: ReleaseTeamCommand): Promise<LiveWorkteam> {
  mustBeAdmin(actor, 'release teams');
  const { name, expected } = command;
  const [record, live] = await Promise.all([deps.registry.get(name), deps.sagemaker.describeWorkteam(name)]);
  if (!live) throw new TeamNotFound(name);
  const carriesOurs = managementOf(live.tags, deps.managementTag) === 'ours';
  if (record?.lifecycle === 'deleted' && record.closedBy === 'release') {
    if (carriesOurs) return untag(deps, live);
    throw new TeamNotManaged(name);
  }
  await writeNextVersion(
    deps,
    actor,
    name,
    async () => ({
      changes: {
        lifecycle: 'deleted',
        closedBy: 'release',
        // The topic is the team's now: nothing of this system deletes it, nor does a later team of the name inherit it.
        topicArn: undefined,
        topicMayExist: undefined,
        foreignTopic: undefined,
        orphaned: undefined,
      },
      action: 'released',
      summary: 'released: no longer managed here; the team and its topic stay as they are in SageMaker',
      settled: true,
    }),
    {
      guard: (current) => {
        if (expected !== 'any' && !expected.includes(current.version)) {
          throw new PreconditionFailed(`'${name}' is at version ${current.version}, not the one this request read`);
        }
      },
    },
  );
  return carriesOurs ? untag(deps, live) : live;
}

/** Removes the stage's managed-by tag from the team; the team as it is then. */
async function untag(deps: TeamDeps, live: LiveWorkteam): Promise<LiveWorkteam> {
  const { key } = deps.managementTag;
  await deps.sagemaker.deleteTags(live.arn, [key]);
  return { ...live, tags: (live.tags ?? []).filter((tag) => tag.key.toLowerCase() !== key) };
}
