/**
 * `serverless invoke local -f <name> --path events/<file>.json`, run as a user runs it, against the local
 * cloud the test run started: the bundled function reaches the emulators through AWS_ENDPOINT_URL_*.
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

  it('creates the team of events/create-team.json, then deletes it with events/delete-team.json', async () => {
    // Act
    const env = { ...cloudEnv(), POWERTOOLS_LOG_LEVEL: 'SILENT' };
    const created = await serverless(['invoke', 'local', '-f', 'createTeam', '--path', 'events/create-team.json'], env);
    const deleted = await serverless(['invoke', 'local', '-f', 'deleteTeam', '--path', 'events/delete-team.json'], env);

    // Assess
    const createResult = lastJsonDocument(created.stdout);
    expect(createResult.statusCode).toBe(201);
    expect(JSON.parse(createResult.body)).toMatchObject({ name: 'invoice-extractors', status: 'InSync', version: 1 });
    expect(lastJsonDocument(deleted.stdout).statusCode).toBe(204);
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
    expect(lastJsonDocument<Record<string, unknown>>(stdout)).toEqual({ applied: [], pending: [], failed: [] });
  }, 120_000);
});
