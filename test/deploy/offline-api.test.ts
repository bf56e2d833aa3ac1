/**
 * The HTTP API as `npm start` serves it: `serverless offline` (with the Lambda request authorizer) on free
 * ports, against the test run's local cloud, driven with real tokens from its cognito-local pool.
 */
import { createPrivateKey, generateKeyPairSync, sign } from 'node:crypto';
import { type Offline, startOffline } from '../support/serverless';

let offline: Offline;
let apiUrl: string;

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: the test run's global setup starts the local cloud`);
  return value;
}

beforeAll(async () => {
  offline = await startOffline(JSON.parse(env('LOCAL_CLOUD_ENV')) as Record<string, string>);
  apiUrl = offline.apiUrl;
  await offline.ready;
}, 120_000);

afterAll(() => offline?.stop());

async function request(
  method: string,
  path: string,
  token?: string,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  const response = await fetch(`${apiUrl}${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

function forge(token: string): string {
  const [header, payload] = token.split('.');
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const key = createPrivateKey(privateKey.export({ format: 'pem', type: 'pkcs8' }));
  return `${header}.${payload}.${sign('RSA-SHA256', Buffer.from(`${header}.${payload}`), key).toString('base64url')}`;
}

describe('the HTTP API under serverless offline', () => {
  it('answers 401 without a token and 403 to a token with a forged signature', async () => {
    // Act
    const anonymous = await request('GET', '/teams');
    const forged = await request('GET', '/teams', forge(env('LOCAL_ADMIN_TOKEN')));

    // Assess
    expect(anonymous.status).toBe(401);
    expect(forged.status).toBe(403);
  });

  it('lists two seeded teams and a nextToken that returns the rest', async () => {
    // Act
    const first = await request('GET', '/teams?limit=2', env('LOCAL_ADMIN_TOKEN'));
    const rest = await request('GET', `/teams?nextToken=${first.body.nextToken}`, env('LOCAL_ADMIN_TOKEN'));

    // Assess
    expect(first.status).toBe(200);
    const names = [...(first.body.teams as { name: string }[]), ...(rest.body.teams as { name: string }[])].map(
      (t) => t.name,
    );
    expect(names.slice(0, 4)).toEqual([
      'image-labelers',
      'translation-reviewers',
      'medical-annotators',
      'sentiment-raters',
    ]);
    expect((first.body.teams as unknown[]).length).toBe(2);
  });

  it('creates, extends and retires a team for its owner', async () => {
    // Prepare
    const owner = env('LOCAL_USER_TOKEN');
    const name = `offline-${Date.now().toString(36)}`;

    // Act
    const created = await request('POST', '/teams', owner, {
      name,
      description: 'Created through serverless offline',
      members: { cognitoGroups: ['labelers-en'] },
      workerAccess: { sourceIp: 'Enabled', vpcSourceIp: 'Disabled' },
      tags: { classification: 'internal', 'cost-center': 'ml-platform' },
    });
    const extended = await request('POST', `/teams/${name}/members`, owner, { cognitoGroups: ['reviewers'] });
    // fetch and the local gateway both normalise this to DELETE /teams/<name>: it must not delete the team
    const normalised = await request('DELETE', `/teams/${name}/members/%2e%2e`, owner);
    const stillThere = await request('GET', `/teams/${name}`, owner);
    const deleted = await request('DELETE', `/teams/${name}`, owner, undefined, { 'if-match': '"v2"' });
    const gone = await request('GET', `/teams/${name}`, owner);

    // Assess
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name, status: 'InSync', managed: true });
    expect(extended.body).toMatchObject({ members: { cognitoGroups: ['labelers-en', 'reviewers'] } });
    expect(normalised.status).toBe(428);
    expect(normalised.body).toMatchObject({ error: { code: 'PreconditionRequired' } });
    expect(stillThere.status).toBe(200);
    expect(deleted.status).toBe(204);
    expect(gone.status).toBe(404);
  });

  it("lets a labeler's token read the teams but not request one (403 Forbidden)", async () => {
    // Prepare
    const labeler = env('LOCAL_WORKER_TOKEN');
    const name = `offline-labeler-${Date.now().toString(36)}`;

    // Act
    const listed = await request('GET', '/teams', labeler);
    const requested = await request('POST', '/teams', labeler, {
      name,
      description: 'Requested by a labeler',
      members: { cognitoGroups: ['labelers-en'] },
      tags: { classification: 'internal', 'cost-center': 'ml-platform' },
    });
    const notThere = await request('GET', `/teams/${name}`, labeler);

    // Assess
    expect(listed.status).toBe(200);
    expect(requested.status).toBe(403);
    expect(requested.body).toMatchObject({ error: { code: 'Forbidden' } });
    expect(notThere.status).toBe(404);
  });
});
