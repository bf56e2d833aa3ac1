/** The scheduled retry as EventBridge (and serverless offline) invokes it, with events/retry-pending.json. */
import { actorOf } from '#lib/auth/caller';
import { buildTeamDeps } from '#lib/composition/teams';
import type { TeamRecord } from '#lib/domain/team';
import { parseCreateTeamRequest } from '#lib/http/requests';
import { RESERVE_MS } from '#lib/runtime/invocation';
import { metrics } from '#lib/runtime/observability';
import { createTeam, deleteTeam, type TeamDeps } from '#lib/use-cases/manage-teams';
import { type RetrySummary, retryPendingTeams } from '#lib/use-cases/retry-pending';
import { handler as retryPending } from '../../functions/retry-pending';
import { lambdaContext, loadEvent } from '../support/invoke';
import { ADMIN, OWNER, teamBody, uniqueTeamName } from '../support/teams';

describe('retryPending', () => {
  afterEach(() => {
    jest.restoreAllMocks();
  });

  it('takes the scheduled event and answers with what it retried', async () => {
    // Act
    const summary = await retryPending(loadEvent('retry-pending.json') as never, lambdaContext('retryPending'));

    // Assess
    expect(summary).toEqual({
      applied: expect.any(Array),
      pending: expect.any(Array),
      failed: expect.any(Array),
      errored: expect.any(Array),
      skipped: expect.any(Array),
      oldestPendingAgeSeconds: expect.any(Number),
      // Targets whose role could not be assumed (their due teams wait): none in the local cloud's hub.
      unreachable: [],
    });
  });

  it('reports the age of the oldest Pending change as the metric OldestPendingAgeSeconds on every run', async () => {
    // Prepare
    const addMetric = jest.spyOn(metrics, 'addMetric');

    // Act
    const summary = (await retryPending(
      loadEvent('retry-pending.json') as never,
      lambdaContext('retryPending'),
    )) as RetrySummary;

    // Assess
    expect(addMetric).toHaveBeenCalledWith('OldestPendingAgeSeconds', 'Seconds', summary.oldestPendingAgeSeconds);
  });

  it('refuses an event that is not a scheduled event, doing nothing', async () => {
    // Prepare
    const event = { ...loadEvent('retry-pending.json'), 'detail-type': 'AWS API Call via CloudTrail' };

    // Act / Assess
    await expect(retryPending(event as never, lambdaContext('retryPending'))).rejects.toMatchObject({
      name: 'ParseError',
    });
  });

  it('starts no team once the invocation has no time left: a due team is skipped for the next run', async () => {
    // Prepare: a team whose change is due for a retry, and an invocation with no time left beyond the reserve
    const deps = buildTeamDeps();
    const name = uniqueTeamName('due');
    await createTeam(deps, actorOf(OWNER), parseCreateTeamRequest(teamBody(name)));
    const record = (await deps.registry.get(name)) as TeamRecord;
    await deps.registry.put(
      {
        ...record,
        applyState: 'Pending',
        retry: { attempts: 1, nextAttemptAt: new Date(Date.now() - 60_000).toISOString() },
      },
      record.version,
    );
    const context = { ...lambdaContext('retryPending'), getRemainingTimeInMillis: () => RESERVE_MS };

    // Act
    const summary = (await retryPending(loadEvent('retry-pending.json') as never, context)) as RetrySummary;
    const nextRun = await retryPendingTeams(deps);

    // Assess
    expect(summary.skipped).toContain(name);
    expect([...summary.applied, ...summary.pending]).not.toContain(name);
    expect(nextRun.applied).toContain(name);
    await deleteTeam(deps, actorOf(ADMIN), name, 'any');
  });
});

/** The registry as the run sees it, reduced to the named teams, so that other tests' records do not count. */
function onlyTeams(deps: TeamDeps, names: string[], listPending = deps.registry.listPending): TeamDeps {
  const ours = (records: TeamRecord[]) => records.filter((record) => names.includes(record.name));
  return {
    ...deps,
    registry: {
      ...deps.registry,
      listDuePending: async (now, limit) => ours(await deps.registry.listDuePending(now, limit)),
      listPending: async () => ours(await listPending()),
    },
  };
}

/** Records a change of `record` made `hoursAgo` hours ago and not applied yet, its next attempt due at `dueAt`. */
async function givenUnappliedChange(deps: TeamDeps, record: TeamRecord, hoursAgo: number, dueAt: Date) {
  const version = record.version + 1;
  await deps.registry.put(
    {
      ...record,
      version,
      applyState: 'Pending',
      retry: { attempts: 3, nextAttemptAt: dueAt.toISOString() },
      updatedAt: new Date().toISOString(),
      history: [
        ...record.history,
        {
          version,
          at: new Date(Date.now() - hoursAgo * 3_600_000).toISOString(),
          by: OWNER.sub,
          action: 'updated',
          summary: 'description',
        },
      ],
    },
    record.version,
  );
}

describe('retryPendingTeams: the oldest Pending change', () => {
  it('counts from when the change was recorded, not from its last attempt', async () => {
    // Prepare: an applied team with a change recorded two hours ago, tried again just now, due in an hour
    const deps = buildTeamDeps();
    const name = uniqueTeamName('waiting');
    await createTeam(deps, actorOf(OWNER), parseCreateTeamRequest(teamBody(name)));
    await givenUnappliedChange(
      deps,
      (await deps.registry.get(name)) as TeamRecord,
      2,
      new Date(Date.now() + 3_600_000),
    );

    // Act
    const summary = await retryPendingTeams(onlyTeams(deps, [name]));

    // Assess
    expect(summary.pending).toEqual([]);
    expect(summary.oldestPendingAgeSeconds).toBeGreaterThanOrEqual(7200);
    expect(summary.oldestPendingAgeSeconds).toBeLessThan(7200 + 60);
    await deleteTeam(deps, actorOf(ADMIN), name, 'any');
  });

  it('does not count a team the run applied, while the index still shows it Pending', async () => {
    // Prepare: a change three hours old, due now; the index read after the run lags and still holds it
    const deps = buildTeamDeps();
    const name = uniqueTeamName('applied');
    await createTeam(deps, actorOf(OWNER), parseCreateTeamRequest(teamBody(name)));
    await givenUnappliedChange(deps, (await deps.registry.get(name)) as TeamRecord, 3, new Date(Date.now() - 1000));
    const beforeTheRun = await deps.registry.listPending();
    const lagging = onlyTeams(deps, [name], async () => beforeTheRun);

    // Act
    const summary = await retryPendingTeams(lagging);

    // Assess
    expect((await lagging.registry.listPending()).map((record) => record.name)).toEqual([name]);
    expect(summary.applied).toEqual([name]);
    expect(summary.oldestPendingAgeSeconds).toBe(0);
    await deleteTeam(deps, actorOf(ADMIN), name, 'any');
  });
});
