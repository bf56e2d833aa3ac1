/**
 * `serverless invoke local -f <name> --path events/<file>.json`, run as a user runs it, against the local
 * cloud the test run started: the bundled function reaches the emulators through AWS_ENDPOINT_URL_*.
 */
import { serverless } from '../support/serverless';

function cloudEnv(): Record<string, string> {
  return JSON.parse(process.env.LOCAL_CLOUD_ENV ?? '{}') as Record<string, string>;
}

/** invoke local prints the handler's result as JSON after any log lines. */
function lastJsonDocument(stdout: string): { statusCode: number; body: string } {
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
});
