import type { TeamRecord } from '../../domain/team';
import { forEachBounded, TEAM_CONCURRENCY } from '../../runtime/concurrency';
import { listingEachGroupOnce } from '../group-listings';
import { reconcileTeam } from '../reconcile';
import type { ReconcileDeps } from '../reconcile/contract';
import { withTeamLeases } from '../team-lease';
import { dropDeletedGroup } from './group-deletion';

interface ResyncSummary {
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
