/**
 * The Cognito sync, a batch at a time: CloudTrail records of changes in the workforce's user pool, buffered by an
 * SQS queue, say *that* groups and users changed; the teams they may touch are reconciled against the pool as it
 * is *now*. However many events a batch holds, each question goes to the pool once (does this group exist, which
 * groups is this user in, who is in this group) and each team is reconciled once. So a duplicate or a storm
 * costs what one change costs, and an add and a remove of the same user, in whatever order and batches they
 * arrive, end in the state the pool holds (reconcile subscribes exactly the enabled members of the team's groups).
 *
 * - A user added to or removed from a group: the managed teams with notifications that include the group.
 * - A user disabled, enabled, deleted, or given another e-mail address (by an admin or by themselves):
 *   CloudTrail names the user only by sub; the teams with one of the user's groups are reconciled, or, for a
 *   user the pool no longer knows (deleted), every managed team with notifications. An event without a sub
 *   that is a UUID concerns nobody.
 * - A group deleted: it leaves every managed team's desired members (a change by the system, in the history),
 *   and the team is reconciled. A team whose last group it was cannot lose it (a team needs a group): it is
 *   marked Orphaned, neither broken nor deleted, and its owner is told on the operations topic, once.
 * - A group created whose name has the policy's auto-provisioning form: it joins the team its name names, which
 *   is created from the policy's defaults when absent.
 * - A group event the pool no longer agrees with (a late DeleteGroup after the group came back) is ignored.
 * Teams this system does not manage are never written to: only registry records are reconciled. What fails is
 * reported by event, so that only the events of the teams that failed are delivered again.
 */

import { type CognitoChange, questionsOf } from '../../domain/cognito-changes';
import { UpstreamRejected } from '../../domain/errors';
import type { TeamRecord } from '../../domain/team';
import { forEachBounded, GROUP_CONCURRENCY, mapBounded, TEAM_CONCURRENCY } from '../../runtime/concurrency';
import { listingEachGroupOnce } from '../group-listings';
import type { TeamDeps } from '../manage-teams';
import { deferWhileBusy } from '../reconcile';
import type { ReconcileDeps } from '../reconcile/contract';
import { syncTeamSubscriptions } from '../subscriptions';
import { withTeamLeases } from '../team-lease';
import { dropDeletedGroup } from './group-deletion';
import { type NotProvisioned, provisionFromGroup } from './provisioning';

interface BatchSyncResult {
  /** What each team concerned came to (`applied`, `pending`, `orphaned`, `refused: <code>`, ...), by name. */
  teams: { name: string; outcome: string }[];
  /** Events that did nothing, and why. */
  ignored: { eventId: string; reason: IgnoredReason }[];
  /** Events whose work failed: they are to be delivered again (the rest of the batch is done). */
  failed: string[];
}

type IgnoredReason =
  | NotProvisioned
  | 'no managed team is concerned'
  | 'the event names no user'
  | 'the pool no longer agrees';

/** The work a batch does on one team, and the events that asked for it. */
interface TeamWork {
  record: TeamRecord;
  /** Groups deleted in Cognito that the team's desired members lose. */
  deletedGroups: Set<string>;
  /** Who is in the team's groups changed: its subscriptions follow. */
  membersChanged: boolean;
  eventIds: Set<string>;
}

export async function syncCognitoChanges(
  deps: TeamDeps,
  userPool: string,
  changes: readonly CognitoChange[],
): Promise<BatchSyncResult> {
  const questions = questionsOf(changes);
  const result: BatchSyncResult = { teams: [], ignored: [], failed: [] };
  const failed = new Set<string>();
  const ignore = (eventIds: readonly string[], reason: IgnoredReason) => {
    for (const eventId of eventIds) result.ignored.push({ eventId, reason });
  };
  ignore(questions.unresolvable, 'the event names no user');
  const work = new Map<string, TeamWork>();
  const addWork = (record: TeamRecord, eventIds: readonly string[], deletedGroup?: string) => {
    const entry = work.get(record.name) ?? {
      record,
      deletedGroups: new Set(),
      membersChanged: false,
      eventIds: new Set(),
    };
    for (const eventId of eventIds) entry.eventIds.add(eventId);
    if (deletedGroup) entry.deletedGroups.add(deletedGroup);
    else entry.membersChanged = true;
    work.set(record.name, entry);
  };
  /** Runs one question; when it fails, the events that asked it fail (and come again), the others go on. */
  const asking = async <T>(eventIds: readonly string[], what: string, ask: () => Promise<T>) => {
    try {
      return await ask();
    } catch (error) {
      deps.log?.error(what, errorDetails(error));
      for (const eventId of eventIds) failed.add(eventId);
      return undefined;
    }
  };

  // Groups created or deleted: the pool says whether each is so now.
  const lifecycle = [...questions.lifecycleGroups];
  const lifecycleEvents = lifecycle.flatMap(([, events]) => [...events.created, ...events.deleted]);
  const missing = await asking(lifecycleEvents, 'could not read the groups created or deleted', () =>
    deps.directory.missingGroups(
      userPool,
      lifecycle.map(([group]) => group),
    ),
  );
  const provisions: { group: string; eventIds: string[] }[] = [];
  const deletedGroups: { group: string; eventIds: string[] }[] = [];
  if (missing) {
    for (const [group, events] of lifecycle) {
      const gone = missing.includes(group);
      ignore(gone ? events.created : events.deleted, 'the pool no longer agrees');
      if (gone && events.deleted.length > 0) deletedGroups.push({ group, eventIds: events.deleted });
      if (!gone && events.created.length > 0) provisions.push({ group, eventIds: events.created });
    }
  }

  // Users, by sub: the groups they are in now, or gone from the pool.
  const subs = [...questions.subs];
  const groupsOfSubs = await mapBounded(subs, GROUP_CONCURRENCY, ([sub, eventIds]) =>
    asking(eventIds, 'could not resolve a changed user', async () => ({
      groups: await deps.directory.groupsOfUser(userPool, sub),
    })),
  );
  const changedGroups = new Map(questions.changedGroups);
  const departed: string[] = [];
  subs.forEach(([, eventIds], index) => {
    const resolved = groupsOfSubs[index];
    if (!resolved) return;
    if (resolved.groups === undefined) departed.push(...eventIds);
    for (const group of resolved.groups ?? [])
      changedGroups.set(group, [...(changedGroups.get(group) ?? []), ...eventIds]);
  });

  // The managed teams each group concerns: with notifications for members and users (nothing else of a team
  // depends on who is in its groups), all of them for a deleted group.
  const byGroup = [
    ...[...changedGroups].map(([group, eventIds]) => ({ group, eventIds, deleted: false })),
    ...deletedGroups.map(({ group, eventIds }) => ({ group, eventIds, deleted: true })),
  ];
  await forEachBounded(byGroup, GROUP_CONCURRENCY, async ({ group, eventIds, deleted }) => {
    const teams = await asking(eventIds, 'could not read the teams of a group', () =>
      deps.registry.listActiveTeamsWithCognitoGroup(userPool, group),
    );
    for (const team of teams ?? []) {
      if (deleted) addWork(team, eventIds, group);
      else if (team.spec.notifications) addWork(team, eventIds);
    }
  });
  if (departed.length > 0) {
    const teams = await asking(departed, 'could not list the teams with notifications', () =>
      activeTeamsWithNotifications(deps, userPool),
    );
    for (const team of teams ?? []) addWork(team, departed);
  }

  // Each team once, whatever the number of events, holding every team's lease (one writer per team); the groups
  // are listed once for the batch, after the leases are held, so no listing is older than the passes using it.
  // One team's failure does not keep the others from their turn.
  await withTeamLeases(deps, [...work.keys()], async ({ busy }) => {
    const perBatch: TeamDeps = { ...deps, directory: listingEachGroupOnce(deps.directory) };
    await forEachBounded(
      [...work.values()],
      TEAM_CONCURRENCY,
      async (entry) => {
        const name = entry.record.name;
        try {
          const outcome = busy.includes(name)
            ? (await deferWhileBusy(deps, name)).outcome
            : await syncTeam(perBatch, entry);
          result.teams.push({ name, outcome });
        } catch (error) {
          deps.log?.error('cognito sync of a team failed', { team: name, ...errorDetails(error) });
          for (const eventId of entry.eventIds) failed.add(eventId);
        }
      },
      { onFailure: 'finish' },
    );
  });

  for (const { group, eventIds } of provisions) {
    try {
      const provisioned = await provisionFromGroup(deps, group);
      if ('ignored' in provisioned) ignore(eventIds, provisioned.ignored);
      else result.teams.push(provisioned.team);
    } catch (error) {
      deps.log?.error('provisioning a team for a new group failed', { group, ...errorDetails(error) });
      for (const eventId of eventIds) failed.add(eventId);
    }
  }

  const concerned = new Set([...work.values()].flatMap((entry) => [...entry.eventIds]));
  for (const change of changes) {
    const { eventId } = change;
    const handled =
      concerned.has(eventId) || failed.has(eventId) || provisions.some((p) => p.eventIds.includes(eventId));
    if (!handled && !result.ignored.some((entry) => entry.eventId === eventId)) {
      result.ignored.push({ eventId, reason: 'no managed team is concerned' });
    }
  }
  result.failed = [...failed];
  result.teams.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  deps.log?.info('cognito changes synced', {
    events: changes.length,
    teams: result.teams.length,
    ignored: result.ignored.length,
    failed: result.failed.length,
  });
  return result;
}

/**
 * One team's share of a batch: the deleted groups leave its desired members (each a change of its own, applied
 * at once), then, if none of those applied it, one reconcile brings its subscriptions in line with the pool.
 * A refusal by SageMaker was rolled back by reconcile: delivering the events again would not change it.
 */
async function syncTeam(deps: TeamDeps, entry: TeamWork): Promise<string> {
  try {
    let outcome: string | undefined;
    for (const group of entry.deletedGroups) {
      const dropped = await dropDeletedGroup(deps, entry.record.name, group);
      if (dropped.outcome !== 'unchanged') outcome = dropped.outcome;
    }
    if (outcome !== undefined) return outcome;
    if (!entry.membersChanged) return 'unchanged';
    return await syncTeamSubscriptions(deps, entry.record.name);
  } catch (error) {
    if (error instanceof UpstreamRejected) return `refused: ${error.details.upstreamCode ?? error.code}`;
    throw error;
  }
}

function errorDetails(error: unknown): { error: string; message?: string } {
  return {
    error: error instanceof Error ? error.name : 'Error',
    message: error instanceof Error ? error.message : undefined,
  };
}

async function activeTeamsWithNotifications(deps: ReconcileDeps, userPool: string): Promise<TeamRecord[]> {
  const teams: TeamRecord[] = [];
  let nextToken: string | undefined;
  do {
    const page = await deps.registry.listActiveTeams({ limit: 100, nextToken });
    teams.push(...page.items.filter((team) => team.spec.notifications && team.identity?.userPool === userPool));
    nextToken = page.nextToken;
  } while (nextToken);
  return teams;
}
