/**
 * `serverless invoke local -f <name> --path events/<file>.json`, run as a user runs it, against the local
 * cloud the test run started: the bundled function reaches the emulators through AWS_ENDPOINT_URL_*. The commands
 * the README gives, one run of the framework each (each costs seconds of bundling): an HTTP route, the Cognito
 * sync (its queue's batches), the resync and the retry (schedules). The write path's events/ files run in process, as
 * they are, in test/handlers/team-lifecycle.test.ts.
 */
import { serverless } from '../support/serverless';

function cloudEnv(): Record<string, string> {
  return JSON.parse(process.env.LOCAL_CLOUD_ENV ?? '{}') as Record<string, string>;
}

/** invoke local prints the handler's result as JSON after any log lines. */
function lastJsonDocument<T = { statusCode: number; body: string }>(stdout: string): T {
  const start = stdout.lastIndexOf('\n{\n');
  return JSON.parse(stdout.slice(start === -1 ? stdout.indexOf('{') : start + 1));
}

describe('serverless invoke local', () => {
  it('prints the seeded teams for listTeams with events/list-teams.json', async () => {
    // Act
    const { stdout } = await serverless(['invoke', 'local', '-f', 'listTeams', '--path', 'events/list-teams.json'], {
      ...cloudEnv(),
      POWERTOOLS_LOG_LEVEL: 'SILENT',
    });

    // Assess
    const result = lastJsonDocument(stdout);
    expect(result.statusCode).toBe(200);
    const body = JSON.parse(result.body) as { teams: { name: string }[]; nextToken?: string };
    expect(body.teams.map((team) => team.name)).toEqual(['image-labelers', 'translation-reviewers']);
    expect(body.nextToken).toEqual(expect.any(String));
  }, 120_000);

  // The Cognito sync takes batches of its queue: events/cognito-sync-batch.json holds two CloudTrail events (the
  // events/cognito-*.json files are such messages' bodies; test/handlers/cognito-sync.test.ts reads every one).
  it('runs the Cognito sync with events/cognito-sync-batch.json (events of another pool than the local one: done, nothing to sync)', async () => {
    // Act
    const { stdout } = await serverless(
      ['invoke', 'local', '-f', 'cognitoSync', '--path', 'events/cognito-sync-batch.json'],
      { ...cloudEnv(), POWERTOOLS_LOG_LEVEL: 'SILENT' },
    );

    // Assess: no message to deliver again
    expect(lastJsonDocument<Record<string, unknown>>(stdout)).toEqual({ batchItemFailures: [] });
  }, 120_000);

  it('runs the nightly resync with events/resync.json, answering in counts', async () => {
    // Act
    const { stdout } = await serverless(['invoke', 'local', '-f', 'resync', '--path', 'events/resync.json'], {
      ...cloudEnv(),
      POWERTOOLS_LOG_LEVEL: 'SILENT',
    });

    // Assess
    const summary = lastJsonDocument<{ teams: unknown[]; skipped: unknown[] }>(stdout);
    // Every target of the local cloud (local/targets.ts): the hub and the vendor's Cognito workforce resynced, the
    // OIDC workforce left out, and the account whose role refuses the hub logged and skipped.
    expect(summary).toEqual({
      teams: expect.any(Array),
      skipped: [],
      targets: [
        { target: '000000000000/us-east-1', status: 'resynced' },
        { target: '111111111111/us-east-1', status: 'resynced' },
        { target: '111111111111/eu-west-1', status: 'no Cognito workforce' },
        { target: '222222222222/eu-west-1', status: 'unreachable', reason: expect.stringMatching(/^AccessDenied: /) },
      ],
    });
    expect(JSON.stringify(summary)).not.toMatch(/@/);
  }, 120_000);

  it('runs the scheduled retry with events/retry-pending.json', async () => {
    // Act
    const { stdout } = await serverless(
      ['invoke', 'local', '-f', 'retryPending', '--path', 'events/retry-pending.json'],
      {
        ...cloudEnv(),
        POWERTOOLS_LOG_LEVEL: 'SILENT',
      },
    );

    // Assess
    // Other tests leave nothing pending that is due, so there is nothing to retry and nothing fails.
    expect(lastJsonDocument<Record<string, unknown>>(stdout)).toEqual({
      applied: [],
      pending: [],
      failed: [],
      errored: [],
      skipped: [],
      oldestPendingAgeSeconds: expect.any(Number),
      // The unreachable target (222222222222) has nothing due, so it is not asked for.
      unreachable: [],
    });
  }, 120_000);
});
