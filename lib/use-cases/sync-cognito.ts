/**
 * The Cognito sync, event by event: a CloudTrail record of a change in the workforce's user pool says *that*
 * something changed; the teams it may touch are reconciled against the pool as it is *now*. So a duplicate
 * delivery has no second effect, and an add and a remove of the same user, in whatever order they arrive, end
 * in the state the pool holds (reconcile subscribes exactly the enabled members of the team's groups).
 *
 * - A user added to or removed from a group: the managed teams that include the group.
 * - A user disabled, enabled, deleted, or given another e-mail address: CloudTrail names the user only by sub;
 *   the teams with one of the user's groups (resolved from the sub) are reconciled, or, for a user the pool no
 *   longer knows (deleted), every managed team with notifications; each group is listed once per event.
 * - A group deleted: it leaves every managed team's desired members (a change by the system, in the history),
 *   and the team is reconciled. A team whose last group it was cannot lose it (a team needs a group): it is
 *   marked Orphaned, neither broken nor deleted, and its owner is told on the operations topic, once.
 * - A group created whose name has the policy's auto-provisioning form: it joins the team its name names, which
 *   is created from the policy's defaults when absent.
 * Teams this system does not manage are never written to: only registry records are reconciled.
 */

import type { Caller } from '../auth/caller';
import { forEachBounded, GROUP_CONCURRENCY, mapBounded } from '../concurrency';
import { mergeAddresses } from '../domain/addresses';
import { isDomainError, redactEmailAddresses, TeamExists } from '../domain/errors';
import type { TeamRecord } from '../domain/team';
import type { WorkforceDirectory } from '../ports';
import { RegistryConflict } from '../ports';
import { addTeamMembers, createTeam, type TeamDeps } from './manage-teams';
import { type ReconcileDeps, reconcileTeam } from './reconcile';
import { applyChange, writeNextVersion } from './team-writes';

export const MEMBERSHIP_EVENTS = [
  'AdminAddUserToGroup',
  'AdminRemoveUserFromGroup',
  'DeleteGroup',
  'CreateGroup',
] as const;
export const USER_EVENTS = [
  'AdminDisableUser',
  'AdminEnableUser',
  'AdminDeleteUser',
  'AdminUpdateUserAttributes',
] as const;
export type CognitoEventName = (typeof MEMBERSHIP_EVENTS)[number] | (typeof USER_EVENTS)[number];

export interface CognitoChange {
  eventId: string;
  eventName: CognitoEventName;
  userPoolId: string;
  /** For group events. */
  groupName?: string;
  /** For user events: the user's sub (CloudTrail hides the name). */
  sub?: string;
}

export interface SyncResult {
  /** Why nothing was done, when nothing was. */
  ignored?:
    | 'another user pool'
    | 'no managed team is concerned'
    | 'the call failed'
    | 'not a group the policy provisions a team for'
    | 'a team of that name exists and is not managed here'
    | 'the pool no longer agrees';
  teams: { name: string; outcome: string }[];
}

/** How many teams one event (or the resync) reconciles at a time. */
export const TEAM_CONCURRENCY = 4;

export async function syncCognitoChange(
  deps: TeamDeps,
  workforceUserPool: string,
  change: CognitoChange,
): Promise<SyncResult> {
  if (change.userPoolId !== workforceUserPool) return { ignored: 'another user pool', teams: [] };
  // A group event says that a group was created or deleted; the pool says whether it is so now (a late or
  // repeated delivery after the opposite change must not undo it).
  if ((change.eventName === 'CreateGroup' || change.eventName === 'DeleteGroup') && change.groupName) {
    const gone = (await deps.directory.missingGroups(change.userPoolId, [change.groupName])).length > 0;
    if (change.eventName === 'CreateGroup' && gone) return { ignored: 'the pool no longer agrees', teams: [] };
    if (change.eventName === 'DeleteGroup' && !gone) return { ignored: 'the pool no longer agrees', teams: [] };
  }
  if (change.eventName === 'CreateGroup' && change.groupName) return provisionFromGroup(deps, change.groupName);
  const teams = change.groupName
    ? await deps.registry.listActiveTeamsWithCognitoGroup(change.userPoolId, change.groupName)
    : await teamsOfUser(deps, change.userPoolId, change.sub);
  if (teams.length === 0) return { ignored: 'no managed team is concerned', teams: [] };

  const perEvent: ReconcileDeps = { ...deps, directory: listingEachGroupOnce(deps.directory) };
  const results: SyncResult['teams'] = [];
  // Every team concerned gets its turn even when one fails; then the event fails, and its redelivery finds the
  // teams already done unchanged.
  await forEachBounded(
    teams,
    TEAM_CONCURRENCY,
    (team) =>
      loggingFailure(deps, 'cognito sync of a team failed', team.name, async () => {
        if (change.eventName === 'DeleteGroup' && change.groupName) {
          const dropped = await dropDeletedGroup(perEvent, team.name, change.groupName);
          results.push({ name: team.name, outcome: dropped.outcome });
          return;
        }
        const result = await reconcileTeam(perEvent, team.name);
        results.push({ name: team.name, outcome: result.outcome });
      }),
    { onFailure: 'finish' },
  );
  results.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  deps.log?.info('cognito change synced', {
    eventId: change.eventId,
    eventName: change.eventName,
    teams: results.length,
  });
  return { teams: results };
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

/** Who the system is when it asks for a team through the same use cases as people: an admin of no group. */
const SYSTEM_CALLER: Caller = { sub: 'system', username: 'system', groups: '', isAdmin: true };

/**
 * A group created whose name has the policy's auto-provisioning form joins the team its name names; the team is
 * created from the policy's defaults (owned by the system, so only admins change it) when it does not exist.
 * Refusals (the policy, SageMaker's 25 teams, a team of 10 groups) are logged and answered, not retried: the
 * same event would be refused again. A team of that name that this system does not manage is left alone.
 */
async function provisionFromGroup(deps: TeamDeps, group: string): Promise<SyncResult> {
  const rule = deps.policy.autoProvisioning;
  const name = rule ? new RegExp(rule.groupPattern, 'u').exec(group)?.groups?.team : undefined;
  if (!rule || !name) return { ignored: 'not a group the policy provisions a team for', teams: [] };
  const join = async () => addTeamMembers(deps, SYSTEM_CALLER, name, { cognitoGroups: [group] });
  try {
    const existing = await deps.registry.get(name);
    if (existing?.lifecycle === 'active') return { teams: [{ name, outcome: (await join()).outcome }] };
    const created = await createTeam(deps, SYSTEM_CALLER, {
      name,
      description: rule.description.replaceAll('{group}', group),
      members: { cognitoGroups: [group] },
      notifications: rule.notifications,
      workerAccess: rule.workerAccess,
      tags: rule.tags,
    });
    deps.log?.info('team provisioned for a new Cognito group', { team: name, group: redactEmailAddresses(group) });
    return { teams: [{ name, outcome: created.outcome }] };
  } catch (error) {
    if (error instanceof TeamExists) {
      // Another event created it first (join it); an earlier team of the name still being retired (try again:
      // the event fails and is delivered again); or SageMaker has a team of that name nobody here manages.
      const latest = await deps.registry.get(name);
      if (latest?.lifecycle === 'active') return { teams: [{ name, outcome: (await join()).outcome }] };
      if (latest && latest.applyState !== 'Applied') throw new Error(`team '${name}' is still being retired`);
      return { ignored: 'a team of that name exists and is not managed here', teams: [] };
    }
    if (!isDomainError(error) || error.status >= 500) throw error;
    deps.log?.warn('a team for a new Cognito group was refused', {
      team: name,
      group: redactEmailAddresses(group),
      code: error.code,
    });
    return { teams: [{ name, outcome: `refused: ${error.code}` }] };
  }
}

/**
 * The teams a user change concerns: those with one of the user's groups (resolved from the sub with ListUsers),
 * or, when the pool has no such user any more (deleted), every team with notifications: its address must go.
 */
async function teamsOfUser(deps: ReconcileDeps, userPool: string, sub: string | undefined): Promise<TeamRecord[]> {
  const groups = sub ? await deps.directory.groupsOfUser(userPool, sub) : undefined;
  if (groups === undefined) return activeTeamsWithNotifications(deps, userPool);
  const teams = new Map<string, TeamRecord>();
  for (const group of groups) {
    for (const team of await deps.registry.listActiveTeamsWithCognitoGroup(userPool, group)) {
      if (team.spec.notifications) teams.set(team.name, team);
    }
  }
  return [...teams.values()];
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
  }[];
  /** Due, but left for the next run: the invocation's time ran out. */
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
  const perRun: ReconcileDeps = { ...deps, directory: listingEachGroupOnce(deps.directory) };
  const summary: ResyncSummary = { teams: [], skipped: [] };
  let nextToken: string | undefined;
  do {
    const page = await deps.registry.listActiveTeams({ limit: 100, nextToken });
    const teams = page.items.filter((team) => team.identity?.userPool === workforceUserPool);
    // One team's fault does not keep the others from their resync; the run fails after them (and alarms).
    await forEachBounded(
      teams,
      TEAM_CONCURRENCY,
      async (team) => {
        if (options.outOfTime?.()) {
          summary.skipped.push(team.name);
          return;
        }
        await loggingFailure(deps, 'resync of a team failed', team.name, async () => {
          summary.teams.push(await resyncTeam(perRun, team));
        });
      },
      { onFailure: 'finish' },
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
      message: error instanceof Error ? redactEmailAddresses(error.message) : undefined,
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
  const result = await reconcileTeam(deps, team.name);
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
  };
}
