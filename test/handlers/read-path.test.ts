/**
 * The read path's functions, invoked as `serverless invoke local` invokes them with the events/ files,
 * against the running local cloud (its seeded workforce and four teams).
 */
import { ListWorkteamsCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { handler as getTeam } from '../../functions/get-team';
import { handler as listTeams } from '../../functions/list-teams';
import { handler as listWorkforces } from '../../functions/list-workforces';
import { invokeHttp } from '../support/invoke';
import { emulatorCalls, resetEmulatorCalls, setEmulatorKnobs } from '../support/sagemaker-emulator-control';

const SEEDED_TEAMS = ['image-labelers', 'translation-reviewers', 'medical-annotators', 'sentiment-raters'];

function withQuery(query: Record<string, string>) {
  return (event: Record<string, unknown>) => {
    event.queryStringParameters = query;
    event.rawQueryString = new URLSearchParams(query).toString();
  };
}

describe('listTeams', () => {
  it('returns the first two seeded teams and a nextToken that returns the rest', async () => {
    // Act
    const first = await invokeHttp(listTeams, 'listTeams', 'list-teams.json');
    const rest = await invokeHttp(
      listTeams,
      'listTeams',
      'list-teams.json',
      withQuery({ nextToken: String(first.body.nextToken) }),
    );

    // Assess
    expect(first.statusCode).toBe(200);
    const firstNames = (first.body.teams as { name: string }[]).map((team) => team.name);
    const restNames = (rest.body.teams as { name: string }[]).map((team) => team.name);
    expect(firstNames).toEqual(SEEDED_TEAMS.slice(0, 2));
    expect(typeof first.body.nextToken).toBe('string');
    expect(restNames).toEqual(SEEDED_TEAMS.slice(2));
    expect(rest.body.nextToken).toBeUndefined();
  });

  it('sees the same teams as the SDK does against the local cloud', async () => {
    // Prepare
    const sdk = new SageMakerClient({});
    const live = await sdk.send(new ListWorkteamsCommand({ MaxResults: 100 }));

    // Act
    const result = await invokeHttp(listTeams, 'listTeams', 'list-teams.json', withQuery({}));

    // Assess
    const viaApi = (result.body.teams as { name: string; arn: string }[]).map((team) => [team.name, team.arn]);
    expect(viaApi).toEqual((live.Workteams ?? []).map((team) => [team.WorkteamName, team.WorkteamArn]));
  });

  it('resumes exactly where it stopped in the middle of a page', async () => {
    // Prepare: pages of three, stop after two items (inside the first page)
    const first = await invokeHttp(listTeams, 'listTeams', 'list-teams.json', withQuery({ limit: '2', pageSize: '3' }));

    // Act
    const rest = await invokeHttp(
      listTeams,
      'listTeams',
      'list-teams.json',
      withQuery({ pageSize: '3', nextToken: String(first.body.nextToken) }),
    );

    // Assess
    const names = [...(first.body.teams as { name: string }[]), ...(rest.body.teams as { name: string }[])].map(
      (t) => t.name,
    );
    expect(names).toEqual(SEEDED_TEAMS);
  });

  it('sorts by name in descending order and filters by nameContains', async () => {
    // Act
    const result = await invokeHttp(
      listTeams,
      'listTeams',
      'list-teams.json',
      withQuery({ sortBy: 'Name', sortOrder: 'Descending', nameContains: 'e' }),
    );

    // Assess
    const names = (result.body.teams as { name: string }[]).map((team) => team.name);
    expect(names).toEqual([...SEEDED_TEAMS].sort().reverse());
  });

  it('shows a team in the API view with members, worker access and notification topic', async () => {
    // Act
    const result = await invokeHttp(
      listTeams,
      'listTeams',
      'list-teams.json',
      withQuery({ nameContains: 'translation' }),
    );

    // Assess
    expect(result.body.teams).toEqual([
      expect.objectContaining({
        name: 'translation-reviewers',
        arn: 'arn:aws:sagemaker:us-east-1:000000000000:workteam/private-crowd/translation-reviewers',
        members: { cognitoGroups: ['labelers-de', 'reviewers'] },
        workerAccess: { sourceIp: 'Enabled', vpcSourceIp: 'Disabled' },
        notificationTopicArn: expect.stringMatching(/^arn:aws:sns:us-east-1:\d{12}:workteam-translation-reviewers$/),
      }),
    ]);
  });

  it.each([
    [{ limit: '0' }, 'limit'],
    [{ limit: 'ten' }, 'limit'],
    [{ pageSize: '101' }, 'pageSize'],
    [{ sortBy: 'Size' }, 'sortBy'],
    [{ sortOrder: 'Up' }, 'sortOrder'],
    [{ nameContains: 'no spaces allowed' }, 'nameContains'],
    [{ nextToken: 'not-a-token' }, 'nextToken'],
  ])('answers 400 naming the parameter for %j', async (query, parameter) => {
    // Act
    const result = await invokeHttp(listTeams, 'listTeams', 'list-teams.json', withQuery(query));

    // Assess
    expect(result.statusCode).toBe(400);
    expect(result.body).toEqual({
      error: expect.objectContaining({
        code: 'ValidationFailed',
        details: expect.arrayContaining([expect.objectContaining({ path: parameter })]),
      }),
    });
  });

  it('refuses a nextToken issued for another query', async () => {
    // Prepare
    const first = await invokeHttp(
      listTeams,
      'listTeams',
      'list-teams.json',
      withQuery({ limit: '1', sortBy: 'Name' }),
    );

    // Act
    const result = await invokeHttp(
      listTeams,
      'listTeams',
      'list-teams.json',
      withQuery({ sortBy: 'CreateDate', nextToken: String(first.body.nextToken) }),
    );

    // Assess
    expect(result.statusCode).toBe(400);
    expect(result.body).toMatchObject({ error: { details: [{ path: 'nextToken' }] } });
  });

  it('answers 401 when the event carries no authorizer context', async () => {
    // Act
    const result = await invokeHttp(listTeams, 'listTeams', 'list-teams.json', (event) => {
      (event.requestContext as Record<string, unknown>).authorizer = undefined;
    });

    // Assess
    expect(result.statusCode).toBe(401);
    expect(result.body).toEqual({ error: { code: 'Unauthorized', message: 'Authentication is required' } });
  });
});

describe('listTeams when SageMaker throttles', () => {
  afterEach(async () => {
    await setEmulatorKnobs({ throttleRate: 0 });
  });

  it('answers 503 UpstreamUnavailable with Retry-After once the SDK has spent its retries', async () => {
    // Prepare
    await setEmulatorKnobs({ throttleRate: 1 });
    await resetEmulatorCalls();

    // Act
    const result = await invokeHttp(listTeams, 'listTeams', 'list-teams.json');

    // Assess
    const calls = await emulatorCalls();
    expect(result.statusCode).toBe(503);
    expect(result.headers['retry-after']).toBe('5');
    expect(result.body).toMatchObject({ error: { code: 'UpstreamUnavailable' } });
    expect(calls.ListWorkteams).toBe(3);
  });
});

describe('getTeam', () => {
  it('returns a team this system does not manage with its tags, dates and sub-domain, marked unmanaged', async () => {
    // Act
    const result = await invokeHttp(getTeam, 'getTeam', 'get-team.json');

    // Assess
    expect(result.statusCode).toBe(200);
    expect(result.body).toEqual({
      name: 'image-labelers',
      // The hub's: the request named no account or region.
      account: '000000000000',
      region: 'us-east-1',
      arn: 'arn:aws:sagemaker:us-east-1:000000000000:workteam/private-crowd/image-labelers',
      description: 'Bounding boxes for the retail image catalogue',
      members: { cognitoGroups: ['labelers-en'] },
      notificationTopicArn: expect.stringMatching(/:workteam-image-labelers$/),
      workerAccess: { sourceIp: 'Enabled', vpcSourceIp: 'Disabled' },
      subDomain: expect.stringMatching(/\.labeling\.us-east-1\.sagemaker\.aws$/),
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      updatedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      tags: { classification: 'internal', 'cost-center': 'ml-platform' },
      managed: false,
    });
    expect(result.headers.etag).toBeUndefined();
  });

  it('answers 404 TeamNotFound for a team that does not exist', async () => {
    // Act
    const result = await invokeHttp(getTeam, 'getTeam', 'get-team.json', (event) => {
      event.pathParameters = { name: 'no-such-team' };
    });

    // Assess
    expect(result.statusCode).toBe(404);
    expect(result.body).toMatchObject({
      error: { code: 'TeamNotFound', message: expect.stringContaining('no-such-team') },
    });
  });

  it('answers 400 naming the path parameter for a name SageMaker could never hold', async () => {
    // Act
    const result = await invokeHttp(getTeam, 'getTeam', 'get-team.json', (event) => {
      event.pathParameters = { name: '-starts-with-a-hyphen' };
    });

    // Assess
    expect(result.statusCode).toBe(400);
    expect(result.body).toMatchObject({ error: { code: 'ValidationFailed', details: [{ path: 'name' }] } });
  });
});

describe('listWorkforces', () => {
  it('returns the seeded Cognito workforce', async () => {
    // Act
    const result = await invokeHttp(listWorkforces, 'listWorkforces', 'list-workforces.json');

    // Assess
    expect(result.statusCode).toBe(200);
    expect(result.body).toEqual({
      workforces: [
        expect.objectContaining({
          name: 'default',
          arn: 'arn:aws:sagemaker:us-east-1:000000000000:workforce/default',
          identityProvider: { cognito: { userPool: process.env.USER_POOL_ID, clientId: process.env.CLIENT_ID } },
          status: 'Active',
        }),
      ],
    });
  });

  it('answers 400 for a page size above 100', async () => {
    // Act
    const result = await invokeHttp(
      listWorkforces,
      'listWorkforces',
      'list-workforces.json',
      withQuery({ pageSize: '500' }),
    );

    // Assess
    expect(result.statusCode).toBe(400);
    expect(result.body).toMatchObject({ error: { details: [{ path: 'pageSize' }] } });
  });
});
