/**
 * resync and retryPending have no reserved concurrency (an account whose Lambda quota is 10 or 50 refuses any
 * reservation), so two runs may overlap: a run that outlasts its schedule, or EventBridge delivering twice. Each
 * team is written under its lease (lib/use-cases/team-lease.ts), so the second run finds the work done: nothing
 * is applied twice, nothing fails.
 */
import { DescribeWorkteamCommand } from '@aws-sdk/client-sagemaker';
import { actorOf } from '#lib/auth/caller';
import { buildTeamDeps } from '#lib/composition/teams';
import type { TeamRecord } from '#lib/domain/team';
import { parseCreateTeamRequest } from '#lib/http/requests';
import { resyncTeams } from '#lib/use-cases/cognito-sync/resync';
import { createTeam, deleteTeam, type TeamDeps } from '#lib/use-cases/manage-teams';
import { retryPendingTeams } from '#lib/use-cases/retry-pending';
import { givenGroup, givenUser, pool } from '../support/cognito';
import { emulatorCalls, resetEmulatorCalls } from '../support/sagemaker-emulator-control';
import { givenTeam, retireCreatedTeams } from '../support/steps';
import { ADMIN, OWNER, sagemaker, teamBody, uniqueTeamName } from '../support/teams';

afterEach(retireCreatedTeams);

/** The registry as a run sees it, reduced to the named team, so that other tests' records do not count. */
function onlyTeam(deps: TeamDeps, name: string): TeamDeps {
  const ours = (records: TeamRecord[]) => records.filter((record) => record.name === name);
  return {
    ...deps,
    registry: {
      ...deps.registry,
      listDuePending: async (now, limit) => ours(await deps.registry.listDuePending(now, limit)),
      listPending: async () => ours(await deps.registry.listPending()),
    },
  };
}

describe('two overlapping runs', () => {
  it('of retryPending apply a due change once, and neither fails', async () => {
    // Prepare: an applied team whose new description is recorded, due, not yet in SageMaker
    const deps = buildTeamDeps();
    const name = uniqueTeamName('overlap');
    await createTeam(deps, actorOf(OWNER), parseCreateTeamRequest(teamBody(name)));
    const record = (await deps.registry.get(name)) as TeamRecord;
    await deps.registry.put(
      {
        ...record,
        version: record.version + 1,
        spec: { ...record.spec, description: 'changed while SageMaker was away' },
        applyState: 'Pending',
        retry: { attempts: 1, nextAttemptAt: new Date(Date.now() - 60_000).toISOString() },
      },
      record.version,
    );
    await resetEmulatorCalls();

    // Act
    const runs = await Promise.all([retryPendingTeams(onlyTeam(deps, name)), retryPendingTeams(onlyTeam(deps, name))]);

    // Assess
    expect((await emulatorCalls()).UpdateWorkteam).toBe(1);
    const live = await sagemaker().send(new DescribeWorkteamCommand({ WorkteamName: name }));
    expect(live.Workteam?.Description).toBe('changed while SageMaker was away');
    expect((await deps.registry.get(name))?.applyState).toBe('Applied');
    for (const run of runs) expect([run.failed, run.errored]).toEqual([[], []]);
    await deleteTeam(deps, actorOf(ADMIN), name, 'any');
  });

  it('of resync subscribe a joiner once, and neither fails', async () => {
    // Prepare: a team in step with its group, then a user joins the group and no event reports it
    const group = await givenGroup('overlap');
    const team = await givenTeam(uniqueTeamName('overlap'), { members: { cognitoGroups: [group] } });
    await givenUser([group]);
    const deps = buildTeamDeps();

    // Act
    const runs = await Promise.all([resyncTeams(deps, pool()), resyncTeams(deps, pool())]);

    // Assess: one run subscribed the joiner; the other waited for the team and found it done, or skipped it
    const ours = runs.flatMap((run) => run.teams.filter((entry) => entry.name === team.name));
    expect(ours.reduce((sum, entry) => sum + entry.subscribed, 0)).toBe(1);
    expect(ours.map((entry) => entry.outcome)).not.toContain('failed');
  });
});
