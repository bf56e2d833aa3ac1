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

  it('runs the write path from events/: create, patch, add a group, remove it, delete', async () => {
    // Act: each events/ file in turn, as a user would invoke them
    const env = { ...cloudEnv(), POWERTOOLS_LOG_LEVEL: 'SILENT' };
    const results = [];
    for (const [fn, file] of [
      ['createTeam', 'create-team.json'],
      ['updateTeam', 'update-team.json'],
      ['addTeamMembers', 'add-team-members.json'],
      ['removeTeamMember', 'remove-team-member.json'],
      ['deleteTeam', 'delete-team.json'],
    ]) {
      const { stdout } = await serverless(['invoke', 'local', '-f', fn as string, '--path', `events/${file}`], env);
      const result = lastJsonDocument(stdout);
      results.push({ fn, statusCode: result.statusCode, body: result.body ? JSON.parse(result.body) : undefined });
    }

    // Assess
    expect(results.map(({ fn, statusCode }) => [fn, statusCode])).toEqual([
      ['createTeam', 201],
      ['updateTeam', 200],
      ['addTeamMembers', 200],
      ['removeTeamMember', 200],
      ['deleteTeam', 204],
    ]);
    expect(results[1]?.body).toMatchObject({ version: 2, tags: { 'cost-center': 'finance-ops' } });
    expect(results[2]?.body).toMatchObject({ version: 3, members: { cognitoGroups: ['labelers-en', 'reviewers'] } });
    expect(results[3]?.body).toMatchObject({ version: 4, members: { cognitoGroups: ['labelers-en'] } });
  }, 180_000);

  it.each([
    'cognito-create-group.json',
    'cognito-add-user-to-group.json',
    'cognito-remove-user-from-group.json',
    'cognito-delete-group.json',
    'cognito-disable-user.json',
    'cognito-enable-user.json',
    'cognito-delete-user.json',
    'cognito-update-user-attributes.json',
  ])(
    'runs the Cognito sync with events/%s (an event of another pool than the local one: ignored)',
    async (file) => {
      // Act
      const { stdout } = await serverless(['invoke', 'local', '-f', 'cognitoSync', '--path', `events/${file}`], {
        ...cloudEnv(),
        POWERTOOLS_LOG_LEVEL: 'SILENT',
      });

      // Assess
      expect(lastJsonDocument<Record<string, unknown>>(stdout)).toEqual({ ignored: 'another user pool', teams: [] });
    },
    120_000,
  );

  it('runs the nightly resync with events/resync.json, answering in counts', async () => {
    // Act
    const { stdout } = await serverless(['invoke', 'local', '-f', 'resync', '--path', 'events/resync.json'], {
      ...cloudEnv(),
      POWERTOOLS_LOG_LEVEL: 'SILENT',
    });

    // Assess
    const summary = lastJsonDocument<{ teams: unknown[]; skipped: unknown[] }>(stdout);
    expect(summary).toEqual({ teams: expect.any(Array), skipped: [] });
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
    });
  }, 120_000);
});
