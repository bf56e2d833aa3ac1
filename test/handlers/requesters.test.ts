/**
 * Who may request teams, from the local cloud's real tokens to the routes: each token goes through the authorizer,
 * and the caller it hands on is what the route gets, as API Gateway passes it. Members of the requesters group and
 * admins may request teams; the workforce's labelers may only read.
 */
import type { Caller } from '#lib/auth/caller';
import { handler as authorizer } from '../../functions/authorizer';
import { handler as createTeam } from '../../functions/create-team';
import { handler as listTeams } from '../../functions/list-teams';
import { lambdaContext, loadEvent } from '../support/invoke';
import { emulatorCalls, resetEmulatorCalls } from '../support/sagemaker-emulator-control';
import { createdTeams, registryRecord, retireCreatedTeams } from '../support/steps';
import { call, teamBody, uniqueTeamName } from '../support/teams';

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: the test run's global setup starts the local cloud`);
  return value;
}

/** The caller the authorizer makes of the token in `tokenVariable` (LOCAL_WORKER_TOKEN, ...). */
async function callerWith(tokenVariable: string): Promise<Caller> {
  const event = loadEvent('authorizer.json');
  const authorization = `Bearer ${env(tokenVariable)}`;
  event.headers = { authorization };
  event.identitySource = [authorization];
  const result = await authorizer(event as never, lambdaContext('authorizer'));
  if (!result.isAuthorized) throw new Error(`the authorizer refused ${tokenVariable}`);
  return result.context;
}

afterEach(retireCreatedTeams);

describe('POST /teams by role', () => {
  it("answers 403 to a labeler's token, naming what is needed, before any lookup", async () => {
    // Prepare
    const caller = await callerWith('LOCAL_WORKER_TOKEN');
    const name = uniqueTeamName('labeler');
    await resetEmulatorCalls();

    // Act
    const result = await call(createTeam, 'createTeam', 'create-team.json', { caller, body: teamBody(name) });

    // Assess
    expect(result.statusCode).toBe(403);
    expect(result.body).toEqual({
      error: {
        code: 'Forbidden',
        message:
          'Requesting a team needs membership of the requesters group or the admin group: ask an administrator to add you',
      },
    });
    expect(await emulatorCalls()).toEqual({});
    expect(await registryRecord(name)).toBeUndefined();
  });

  it("answers 403 to a labeler's token before checking the request: one that breaks every rule is not a 400", async () => {
    // Prepare
    const caller = await callerWith('LOCAL_WORKER_TOKEN');
    const body = { name: 'Not a team name!', members: {}, tags: { classification: 'secret' } };

    // Act
    const result = await call(createTeam, 'createTeam', 'create-team.json', { caller, body });

    // Assess
    expect(result.statusCode).toBe(403);
  });

  it("creates a team for a requester's token (201)", async () => {
    // Prepare
    const caller = await callerWith('LOCAL_USER_TOKEN');
    const name = uniqueTeamName('requester');

    // Act
    const result = await call(createTeam, 'createTeam', 'create-team.json', { caller, body: teamBody(name) });
    createdTeams.push(name);

    // Assess
    expect(result.statusCode).toBe(201);
    expect(result.body).toMatchObject({ name, owner: caller.sub });
  });

  it("creates a team for an admin's token (201), the admin being no requester", async () => {
    // Prepare
    const caller = await callerWith('LOCAL_ADMIN_TOKEN');
    const name = uniqueTeamName('admin');

    // Act
    const result = await call(createTeam, 'createTeam', 'create-team.json', { caller, body: teamBody(name) });
    createdTeams.push(name);

    // Assess
    expect(caller).toMatchObject({ isAdmin: true, isRequester: false });
    expect(result.statusCode).toBe(201);
  });
});

describe('GET /teams by role', () => {
  it("lists the teams for a labeler's token (200)", async () => {
    // Prepare
    const caller = await callerWith('LOCAL_WORKER_TOKEN');

    // Act
    const result = await call(listTeams, 'listTeams', 'list-teams.json', { caller });

    // Assess
    expect(result.statusCode).toBe(200);
    expect((result.body.teams as { name: string }[]).map((team) => team.name)).toContain('image-labelers');
  });
});
