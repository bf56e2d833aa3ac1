/**
 * Nightly (and on demand: `serverless invoke local -f resync --path events/resync.json`): rebuilds every managed
 * team's members and subscriptions from the workforce's user pool, for the Cognito events CloudTrail never
 * delivered. Answers and logs what it fixed, per team, in counts (never an e-mail address).
 */
import { buildTeamDeps } from '#lib/composition/teams';
import { scheduleRoute } from '#lib/handlers/schedule';
import { loadConfig, resyncConfig } from '#lib/runtime/config';
import { outOfTime } from '#lib/runtime/invocation';
import { publishResyncMetrics } from '#lib/runtime/metrics';
import { logger } from '#lib/runtime/observability';
import { resyncTeams } from '#lib/use-cases/cognito-sync/resync';

const config = loadConfig(resyncConfig());
const deps = buildTeamDeps(config);

export const handler = scheduleRoute(async () => {
  const summary = await resyncTeams(deps, config.USER_POOL_ID, { outOfTime });
  const fixed = summary.teams.filter(
    (team) => team.groupsRemoved.length > 0 || team.subscribed > 0 || team.unsubscribed > 0 || team.reverted.length > 0,
  );
  publishResyncMetrics({ teams: summary.teams.length, fixed: fixed.length, skipped: summary.skipped.length });
  logger.info('teams resynced from the user pool', {
    teams: summary.teams.length,
    fixed: fixed.map((team) => ({ ...team, groupsRemoved: team.groupsRemoved.length })),
    skipped: summary.skipped,
  });
  return summary;
});
