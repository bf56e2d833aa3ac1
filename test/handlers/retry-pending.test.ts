/** The scheduled retry as EventBridge (and serverless offline) invokes it, with events/retry-pending.json. */
import { buildTeamDeps } from '#lib/deps';
import type { TeamRecord } from '#lib/domain/team';
import { RESERVE_MS } from '#lib/invocation';
import { createTeam, deleteTeam } from '#lib/use-cases/manage-teams';
import { type RetrySummary, retryPendingTeams } from '#lib/use-cases/reconcile';
import { handler as retryPending } from '../../functions/retry-pending';
import { lambdaContext, loadEvent } from '../support/invoke';
import { ADMIN, OWNER, teamBody, uniqueTeamName } from '../support/teams';

describe('retryPending', () => {
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
    });
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
    await createTeam(deps, OWNER, teamBody(name));
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
    await deleteTeam(deps, ADMIN, name, 'any');
  });
});
