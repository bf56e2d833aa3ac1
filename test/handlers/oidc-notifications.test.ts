/**
 * `notifications: { addresses }` through the API: for teams of an OIDC workforce only. The hub's workforce in the
 * test cloud is Cognito's, so what a Cognito team is told is shown here, on the real handlers (their answers checked
 * against openapi/openapi.yaml); an OIDC team end to end is test/use-cases-on-emulators/oidc-teams.test.ts.
 */
import { handler as createTeam } from '../../functions/create-team';
import { handler as updateTeam } from '../../functions/update-team';
import { givenTeam, registryRecord, retireCreatedTeams } from '../support/steps';
import { call, teamBody, uniqueTeamName } from '../support/teams';

afterEach(retireCreatedTeams);

describe('notifications { addresses } on a Cognito team', () => {
  it('is refused on create with 400 Conflict at notifications, the address never echoed', async () => {
    // Prepare
    const name = uniqueTeamName('addr');
    const body = teamBody(name, { notifications: { addresses: ['ana.keller@example.com'] } });

    // Act
    const result = await call(createTeam, 'createTeam', 'create-team.json', { body });

    // Assess
    expect(result.statusCode).toBe(400);
    expect(result.body).toMatchObject({
      error: { code: 'ValidationFailed', details: [{ path: 'notifications', code: 'Conflict' }] },
    });
    expect(JSON.stringify(result.body)).not.toContain('ana.keller');
    expect(await registryRecord(name)).toBeUndefined();
  });

  it('is refused on PATCH, even an empty list, and the team stays at its version', async () => {
    // Prepare
    const { name } = await givenTeam();

    // Act
    const result = await call(updateTeam, 'updateTeam', 'update-team.json', {
      path: { name },
      body: { notifications: { addresses: [] } },
    });

    // Assess
    expect(result.statusCode).toBe(400);
    expect(result.body).toMatchObject({ error: { details: [{ path: 'notifications', code: 'Conflict' }] } });
    expect((await registryRecord(name))?.version).toBe(1);
  });
});
