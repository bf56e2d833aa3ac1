/**
 * Nightly (and on demand: `serverless invoke local -f resync --path events/resync.json`): rebuilds every managed
 * team's members and subscriptions from its workforce's user pool, in every target with a Cognito workforce (the
 * hub's pool is USER_POOL_ID; another target's is its workforce's, asked of SageMaker there), for the Cognito events
 * CloudTrail never delivered. A target that cannot be reached is logged and left for the next night, never failing
 * the others. Answers and logs what it fixed, per team, in counts (never an e-mail address).
 */
import { targetsOf } from '#lib/composition/targets';
import { teamDepsByTarget } from '#lib/composition/teams';
import { scheduleRoute } from '#lib/handlers/schedule';
import { loadConfig, resyncConfig } from '#lib/runtime/config';
import { outOfTime } from '#lib/runtime/invocation';
import { publishResyncMetrics } from '#lib/runtime/metrics';
import { logger } from '#lib/runtime/observability';
import { rememberingUserPools, resyncTargets } from '#lib/use-cases/cognito-sync/targets';

const config = loadConfig(resyncConfig());
const { all, hub, find } = targetsOf(config);
const depsOf = teamDepsByTarget(config);
const userPoolOf = rememberingUserPools(hub, config.USER_POOL_ID, async (target) => {
  const workforce = await depsOf(target).sagemaker.describeWorkforce(undefined);
  return workforce?.cognito?.userPool;
});

export const handler = scheduleRoute(async () => {
  const summary = await resyncTargets({ all, hub, find, depsOf, userPoolOf }, { outOfTime, log: depsOf(hub).log });
  const fixed = summary.teams.filter(
    (team) => team.groupsRemoved.length > 0 || team.subscribed > 0 || team.unsubscribed > 0 || team.reverted.length > 0,
  );
  publishResyncMetrics({ teams: summary.teams.length, fixed: fixed.length, skipped: summary.skipped.length });
  const unreachable = summary.targets.filter((target) => target.status === 'unreachable');
  (unreachable.length > 0 ? logger.error : logger.info).call(logger, 'teams resynced from the user pools', {
    teams: summary.teams.length,
    fixed: fixed.map((team) => ({ ...team, groupsRemoved: team.groupsRemoved.length })),
    skipped: summary.skipped,
    targets: summary.targets,
  });
  return summary;
});
