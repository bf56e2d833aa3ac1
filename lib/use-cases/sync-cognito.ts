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

import type { Actor } from '../domain/actor';
import { mergeAddresses } from '../domain/addresses';
import { type CognitoChange, questionsOf } from '../domain/cognito-changes';
import { isDomainError, TeamExists, UpstreamRejected } from '../domain/errors';
import type { TeamRecord } from '../domain/team';
import type { WorkforceDirectory } from '../ports/teams';
import { RegistryConflict } from '../ports/teams';
import { forEachBounded, GROUP_CONCURRENCY, mapBounded } from '../runtime/concurrency';
import { addTeamMembers, createTeam, type TeamDeps } from './manage-teams';
import { deferWhileBusy, reconcileTeam } from './reconcile';
import type { ReconcileDeps } from './reconcile/contract';
import { syncTeamSubscriptions } from './subscriptions';
import { withTeamLeases } from './team-lease';
import { applyChange, writeNextVersion } from './team-writes';

export interface BatchSyncResult {
  /** What each team concerned came to (`applied`, `pending`, `orphaned`, `refused: <code>`, ...), by name. */
  teams: { name: string; outcome: string }[];
  /** Events that did nothing, and why. */
  ignored: { eventId: string; reason: IgnoredReason }[];
  /** Events whose work failed: they are to be delivered again (the rest of the batch is done). */
  failed: string[];
}

export type IgnoredReason =
  | 'no managed team is concerned'
  | 'the event names no user'
  | 'not a group the policy provisions a team for'
  | 'a team of that name exists and is not managed here'
  | 'the pool no longer agrees';

/** How many teams one batch (or the resync) reconciles at a time. */
export const TEAM_CONCURRENCY = 4;

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

/** The system, asking for a team through the same use cases as people. */
const PROVISIONING: Actor = { kind: 'system', reason: 'a Cognito group the policy provisions a team for' };

/**
 * A group created whose name has the policy's auto-provisioning form joins the team its name names; the team is
 * created from the policy's defaults (owned by the system, so only admins change it) when it does not exist.
 * Refusals (the policy, SageMaker's 25 teams, a team of 10 groups) are logged and answered, not retried: the
 * same event would be refused again. A team of that name that this system does not manage is left alone.
 */
async function provisionFromGroup(
  deps: TeamDeps,
  group: string,
): Promise<{ ignored: IgnoredReason } | { team: { name: string; outcome: string } }> {
  const rule = deps.policy.autoProvisioning;
  const name = rule ? new RegExp(rule.groupPattern, 'u').exec(group)?.groups?.team : undefined;
  if (!rule || !name) return { ignored: 'not a group the policy provisions a team for' };
  const join = async () => ({
    team: { name, outcome: (await addTeamMembers(deps, PROVISIONING, name, { cognitoGroups: [group] })).outcome },
  });
  try {
    const existing = await deps.registry.get(name);
    if (existing?.lifecycle === 'active') return await join();
    const created = await createTeam(deps, PROVISIONING, {
      name,
      description: rule.description.replaceAll('{group}', group),
      members: { cognitoGroups: [group] },
      notifications: rule.notifications,
      workerAccess: rule.workerAccess,
      tags: rule.tags,
    });
    deps.log?.info('team provisioned for a new Cognito group', { team: name, group });
    return { team: { name, outcome: created.outcome } };
  } catch (error) {
    if (error instanceof TeamExists) {
      // Another event created it first (join it); an earlier team of the name still being retired (try again:
      // the event fails and is delivered again); or SageMaker has a team of that name nobody here manages.
      const latest = await deps.registry.get(name);
      if (latest?.lifecycle === 'active') return await join();
      if (latest && latest.applyState !== 'Applied') throw new Error(`team '${name}' is still being retired`);
      return { ignored: 'a team of that name exists and is not managed here' };
    }
    if (!isDomainError(error) || error.status >= 500) throw error;
    deps.log?.warn('a team for a new Cognito group was refused', {
      team: name,
      group,
      code: error.code,
    });
    return { team: { name, outcome: `refused: ${error.code}` } };
  }
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

/**
 * The directory, listing each group once for the lifetime of this object (one event): teams sharing a group
 * share its listing. Addresses are merged by the same rule as the directory (mergeAddresses).
 */
export function listingEachGroupOnce(directory: WorkforceDirectory): WorkforceDirectory {
  const listings = new Map<string, Promise<{ emails: string[]; missingGroups: string[] }>>();
  return {
    ...directory,
    async emailsOfGroups(userPoolId, groups) {
      const results = await mapBounded([...new Set(groups)], GROUP_CONCURRENCY, (group) => {
        const key = JSON.stringify([userPoolId, group]);
        let listing = listings.get(key);
        if (!listing) {
          listing = directory.emailsOfGroups(userPoolId, [group]);
          listings.set(key, listing);
        }
        return listing;
      });
      return {
        emails: mergeAddresses(results.map((result) => result.emails)),
        missingGroups: results.flatMap((result) => result.missingGroups),
      };
    },
  };
}

export interface ResyncSummary {
  teams: {
    name: string;
    outcome: string;
    /** Groups deleted in Cognito that the resync took out of the team (or that made it Orphaned). */
    groupsRemoved: string[];
    subscribed: number;
    unsubscribed: number;
    /** Fields of SageMaker's team put back to the desired state (an out-of-band change; in the team's history). */
    reverted: string[];
  }[];
  /** Due, but left for the next run: the invocation's time ran out, or another pass held the team too long. */
  skipped: string[];
}

/**
 * The nightly resync: every managed Cognito team of the workforce's pool is rebuilt from the pool as it is now,
 * for the events CloudTrail never delivered: groups deleted in Cognito leave the team's desired members (or make
 * it Orphaned), and its topic's subscriptions become exactly the enabled members of its groups. Each group is
 * listed once per run however many teams share it, and teams are read page by page.
 */
export async function resyncTeams(
  deps: ReconcileDeps,
  workforceUserPool: string,
  options: { outOfTime?: () => boolean } = {},
): Promise<ResyncSummary> {
  const summary: ResyncSummary = { teams: [], skipped: [] };
  let nextToken: string | undefined;
  do {
    const page = await deps.registry.listActiveTeams({ limit: 100, nextToken });
    const teams = page.items.filter((team) => team.identity?.userPool === workforceUserPool);
    // A page's teams are leased together and their groups listed once, after the leases are held (one writer per
    // team; no listing older than the passes using it). One team's fault does not keep the others from their
    // resync; the run fails after them (and alarms).
    await withTeamLeases(
      deps,
      teams.map((team) => team.name),
      async ({ busy }) => {
        const perPage: ReconcileDeps = { ...deps, directory: listingEachGroupOnce(deps.directory) };
        await forEachBounded(
          teams,
          TEAM_CONCURRENCY,
          async (team) => {
            if (options.outOfTime?.() || busy.includes(team.name)) {
              summary.skipped.push(team.name);
              return;
            }
            await loggingFailure(deps, 'resync of a team failed', team.name, async () => {
              summary.teams.push(await resyncTeam(perPage, team));
            });
          },
          { onFailure: 'finish' },
        );
      },
    );
    nextToken = page.nextToken;
  } while (nextToken);
  summary.teams.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return summary;
}

/** Runs one team's work; a failure is logged with the team's name (never an address), then goes on up. */
async function loggingFailure(deps: ReconcileDeps, what: string, team: string, work: () => Promise<void>) {
  try {
    await work();
  } catch (error) {
    deps.log?.error(what, {
      team,
      error: error instanceof Error ? error.name : 'Error',
      message: error instanceof Error ? error.message : undefined,
    });
    throw error;
  }
}

async function resyncTeam(deps: ReconcileDeps, team: TeamRecord): Promise<ResyncSummary['teams'][number]> {
  const groups = 'cognitoGroups' in team.spec.members ? team.spec.members.cognitoGroups : [];
  const pool = team.identity?.userPool ?? '';
  const { missingGroups } = await deps.directory.emailsOfGroups(pool, groups);
  const groupsRemoved: string[] = [];
  let orphaned = false;
  let subscribed = 0;
  let unsubscribed = 0;
  for (const group of missingGroups) {
    const dropped = await dropDeletedGroup(deps, team.name, group);
    if (dropped.outcome !== 'unchanged') groupsRemoved.push(group);
    orphaned ||= dropped.outcome === 'orphaned';
    subscribed += dropped.subscriptions?.subscribed ?? 0;
    unsubscribed += dropped.subscriptions?.unsubscribed ?? 0;
  }
  const result = await reconcileTeam(deps, team.name, {}, { by: 'the nightly resync' });
  if (result.outcome === 'applied') {
    subscribed += result.subscriptions?.subscribed ?? 0;
    unsubscribed += result.subscriptions?.unsubscribed ?? 0;
  }
  return {
    name: team.name,
    outcome: orphaned ? 'orphaned' : result.outcome,
    groupsRemoved,
    subscribed,
    unsubscribed,
    reverted: result.outcome === 'applied' ? (result.reverted ?? []) : [],
  };
}
