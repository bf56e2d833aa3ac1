/**
 * Client input chosen to break things, over HTTP against the local cloud: a nextToken whose envelope is ours but
 * whose SageMaker token is not, tag keys that are names of Object.prototype, and e-mail addresses in every field
 * a refusal could quote. No answer is a 5xx, every 4xx has the error shape, and no 4xx quotes an e-mail address.
 */
import { ListTagsCommand } from '@aws-sdk/client-sagemaker';
import { encodeToken, queryFingerprint } from '#lib/adapters/pagination';
import { handler as createTeam } from '../../functions/create-team';
import { handler as deleteTeam } from '../../functions/delete-team';
import { handler as getTeam } from '../../functions/get-team';
import { handler as listTeams } from '../../functions/list-teams';
import { handler as listWorkforces } from '../../functions/list-workforces';
import { handler as updateTeam } from '../../functions/update-team';
import { type HttpResult, invokeHttp } from '../support/invoke';
import { ADMIN, ANY_VERSION, call, sagemaker, teamBody, uniqueTeamName } from '../support/teams';

/**
 * An e-mail address as a reader would recognise one: a local-part character, '@', a domain with a top-level
 * domain of two letters or more. Independent of the pattern the service masks with.
 */
const EMAIL_ADDRESS = /[\p{L}\p{N}!#$%&'*+/=?^_`{|}~.-]@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)*\.\p{L}{2,}/u;

/** `{ error: { code, message, details? } }` and nothing else. */
function expectErrorShape(result: HttpResult, status: number, code: string) {
  expect(result.statusCode).toBe(status);
  expect(Object.keys(result.body)).toEqual(['error']);
  const error = result.body.error as Record<string, unknown>;
  expect(error).toMatchObject({ code, message: expect.any(String) });
  expect(Object.keys(error).filter((key) => !['code', 'message', 'details'].includes(key))).toEqual([]);
}

function expectNoEmailAddress(result: HttpResult) {
  expect(JSON.stringify(result.body)).not.toMatch(EMAIL_ADDRESS);
}

function withQuery(query: Record<string, string>) {
  return (event: Record<string, unknown>) => {
    event.queryStringParameters = query;
    event.rawQueryString = new URLSearchParams(query).toString();
  };
}

const created: string[] = [];

afterAll(async () => {
  for (const name of created) {
    await call(deleteTeam, 'deleteTeam', 'delete-team.json', { headers: ANY_VERSION, path: { name }, caller: ADMIN });
  }
});

describe('GET /teams and GET /workforces with a well-formed nextToken around a token SageMaker refuses', () => {
  /** Our envelope, fingerprinted for exactly these parameters, around a SageMaker token of the test's choosing. */
  function nextToken(kind: 'workteams' | 'workforces', serviceToken: string, query: Record<string, string> = {}) {
    const fingerprint = queryFingerprint({
      kind,
      NameContains: query.nameContains,
      SortBy: query.sortBy,
      SortOrder: query.sortOrder,
    });
    return encodeToken({ serviceToken, skip: 0, query: fingerprint });
  }

  it.each([
    ['garbage', 'garbage', {}],
    ['an e-mail address', 'jane.doe@example.com', { sortBy: 'Name' }],
    [
      'a SageMaker-shaped token of another sort',
      Buffer.from(
        '{"v":1,"op":"ListWorkteams","sortBy":"CreateDate","sortOrder":"Descending","nameContains":"","after":"x"}',
      ).toString('base64url'),
      { sortBy: 'Name', sortOrder: 'Ascending' },
    ],
  ])('GET /teams answers 400 naming nextToken for %s', async (_case, serviceToken, query: Record<string, string>) => {
    // Act
    const result = await invokeHttp(
      listTeams,
      'listTeams',
      'list-teams.json',
      withQuery({ ...query, limit: '2', nextToken: nextToken('workteams', serviceToken, query) }),
    );

    // Assess: before, SageMaker's ValidationException was not mapped and gave a 500
    expectErrorShape(result, 400, 'ValidationFailed');
    expect(result.body).toMatchObject({ error: { details: [{ path: 'nextToken', code: 'InvalidToken' }] } });
    expectNoEmailAddress(result);
  });

  it('GET /workforces answers 400 naming nextToken too', async () => {
    // Act
    const result = await invokeHttp(
      listWorkforces,
      'listWorkforces',
      'list-workforces.json',
      withQuery({ nextToken: nextToken('workforces', 'garbage') }),
    );

    // Assess
    expectErrorShape(result, 400, 'ValidationFailed');
    expect(result.body).toMatchObject({ error: { details: [{ path: 'nextToken', code: 'InvalidToken' }] } });
  });
});

describe('tag keys that are names of Object.prototype', () => {
  const ownEntries = (tags: unknown) =>
    Object.entries(tags as Record<string, string>).sort(([a], [b]) => (a < b ? -1 : 1));

  it('POST /teams creates a team tagged __proto__ and constructor (201), and GET shows the tags', async () => {
    // Prepare
    const name = uniqueTeamName('proto');
    const tags = JSON.parse(
      '{"__proto__": "x", "constructor": "y", "classification": "internal", "cost-center": "ml"}',
    );
    const body = `{"name":"${name}","description":"Hostile tag keys","members":{"cognitoGroups":["labelers-en"]},"tags":${JSON.stringify(tags)}}`;

    // Act
    const createdTeam = await call(createTeam, 'createTeam', 'create-team.json', { body });
    if (createdTeam.statusCode < 300) created.push(name);
    const read = await call(getTeam, 'getTeam', 'get-team.json', { path: { name } });
    const arn = String(read.body.arn);
    const live = await sagemaker().send(new ListTagsCommand({ ResourceArn: arn }));

    // Assess: before, the registry's marshaller failed on these keys and the answer was a 500
    expect(createdTeam.statusCode).toBe(201);
    // The system's own managed-by tag stands beside the requested ones.
    const expected = [
      ['__proto__', 'x'],
      ['classification', 'internal'],
      ['constructor', 'y'],
      ['cost-center', 'ml'],
      ['managed-by', 'workteam-automation-local'],
    ];
    expect(ownEntries(createdTeam.body.tags)).toEqual(expected);
    expect(read.statusCode).toBe(200);
    expect(read.body).toMatchObject({ status: 'InSync', differences: [] });
    expect(ownEntries(read.body.tags)).toEqual(expected);
    expect(ownEntries(Object.fromEntries((live.Tags ?? []).map((tag) => [tag.Key, tag.Value])))).toEqual(expected);
  });

  it('PATCH /teams/{name} adds toString and hasOwnProperty, changes constructor and removes __proto__ (200)', async () => {
    // Prepare
    const name = uniqueTeamName('proto');
    const tags = JSON.parse(
      '{"__proto__": "x", "constructor": "y", "classification": "internal", "cost-center": "ml"}',
    );
    const createdTeam = await call(createTeam, 'createTeam', 'create-team.json', { body: teamBody(name, { tags }) });
    expect(createdTeam.statusCode).toBe(201);
    created.push(name);

    // Act
    const added = await call(updateTeam, 'updateTeam', 'update-team.json', {
      path: { name },
      body: '{"tags": {"toString": "t", "hasOwnProperty": "h", "constructor": "z"}}',
    });
    const removed = await call(updateTeam, 'updateTeam', 'update-team.json', {
      path: { name },
      body: '{"tags": {"__proto__": null, "toString": null}}',
    });
    const read = await call(getTeam, 'getTeam', 'get-team.json', { path: { name } });

    // Assess
    expect(added.statusCode).toBe(200);
    expect(ownEntries(added.body.tags)).toEqual([
      ['__proto__', 'x'],
      ['classification', 'internal'],
      ['constructor', 'z'],
      ['cost-center', 'ml'],
      ['hasOwnProperty', 'h'],
      ['managed-by', 'workteam-automation-local'],
      ['toString', 't'],
    ]);
    expect(removed.statusCode).toBe(200);
    const expected = [
      ['classification', 'internal'],
      ['constructor', 'z'],
      ['cost-center', 'ml'],
      ['hasOwnProperty', 'h'],
      ['managed-by', 'workteam-automation-local'],
    ];
    expect(ownEntries(removed.body.tags)).toEqual(expected);
    expect(read.body).toMatchObject({ status: 'InSync', differences: [], version: 3 });
    expect(ownEntries(read.body.tags)).toEqual(expected);
  });
});

describe('e-mail addresses in refused requests', () => {
  it('POST /teams: a body of e-mail addresses is refused without quoting any of them', async () => {
    // Prepare: every field a refusal could name holds an address; some are valid (tag keys and values may hold
    // '@'), so the violations that name them come from their neighbours
    const body = {
      name: 'jane.doe@example.com',
      description: 'Mail ops@example.com\nor anyone',
      workforceName: 'workforce@example.com',
      members: { cognitoGroups: ['ann.lee@example.com', 'ann.lee@example.com', 'bob@example.co.uk'] },
      workerAccess: { sourceIp: 'carol@example.com' },
      tags: { 'dan@example.com': 'not valid!', 'erin@example.org': 'frank@example.net', 'aws:gina@example.com': 'v' },
      'harry@example.com': 'an unknown field',
    };

    // Act
    const result = await call(createTeam, 'createTeam', 'create-team.json', { body });

    // Assess
    expectErrorShape(result, 400, 'ValidationFailed');
    const details = (result.body.error as { details: { path: string }[] }).details;
    expect(details.map((violation) => violation.path)).toEqual(
      expect.arrayContaining(['name', 'description', 'workforceName', 'tags.[email]', '[email]']),
    );
    expectNoEmailAddress(result);
  });

  it('POST /teams: Cognito groups that do not exist are named by index, not by their e-mail address', async () => {
    // Prepare: valid in form, so the refusal comes from the workforce's user pool
    const body = teamBody(uniqueTeamName('mail'), {
      members: { cognitoGroups: ['labelers-en', 'ivy.ng@example.com'] },
    });

    // Act
    const result = await call(createTeam, 'createTeam', 'create-team.json', { body });

    // Assess
    expectErrorShape(result, 400, 'ValidationFailed');
    expect(result.body).toMatchObject({
      error: { details: [{ path: 'members.cognitoGroups[1]', code: 'NotFound' }] },
    });
    expectNoEmailAddress(result);
  });

  it('PATCH /teams/{name}: unknown fields and tag keys that are addresses are masked in the paths', async () => {
    // Prepare
    const name = uniqueTeamName('mail');
    const createdTeam = await call(createTeam, 'createTeam', 'create-team.json', { body: teamBody(name) });
    expect(createdTeam.statusCode).toBe(201);
    created.push(name);

    // Act
    const result = await call(updateTeam, 'updateTeam', 'update-team.json', {
      path: { name },
      body: {
        'jack@example.com': 1,
        tags: { 'kim@example.com': 'x'.repeat(257) },
        workerAccess: { sourceIp: 'l@example.com' },
      },
    });

    // Assess
    expectErrorShape(result, 400, 'ValidationFailed');
    expect((result.body.error as { details: { path: string }[] }).details.map((v) => v.path).sort()).toEqual([
      '[email]',
      'tags.[email]',
      'workerAccess.sourceIp',
    ]);
    expectNoEmailAddress(result);
  });

  it('PATCH /teams/{name}: an If-Match that is an address is not quoted back', async () => {
    // Prepare
    const name = uniqueTeamName('mail');
    const createdTeam = await call(createTeam, 'createTeam', 'create-team.json', { body: teamBody(name) });
    expect(createdTeam.statusCode).toBe(201);
    created.push(name);

    // Act
    const result = await call(updateTeam, 'updateTeam', 'update-team.json', {
      path: { name },
      body: { description: 'Changed' },
      headers: { 'if-match': '"mallory@example.com"' },
    });

    // Assess
    expectErrorShape(result, 412, 'PreconditionFailed');
    expectNoEmailAddress(result);
  });

  it.each([
    [{ sortBy: 'nina@example.com' }, 'sortBy'],
    [{ sortOrder: 'oscar@example.com' }, 'sortOrder'],
    [{ nameContains: 'pat@example.com' }, 'nameContains'],
    [{ limit: 'quinn@example.com' }, 'limit'],
    [{ nextToken: 'rose@example.com' }, 'nextToken'],
  ])('GET /teams: %j is refused without quoting the address', async (query, parameter) => {
    // Act
    const result = await invokeHttp(listTeams, 'listTeams', 'list-teams.json', withQuery(query));

    // Assess
    expectErrorShape(result, 400, 'ValidationFailed');
    expect(result.body).toMatchObject({ error: { details: [{ path: parameter }] } });
    expectNoEmailAddress(result);
  });
});
