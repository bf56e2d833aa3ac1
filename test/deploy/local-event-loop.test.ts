/**
 * The stack as `npm start` runs it: the CloudTrail recording proxy in front of the test run's cognito-local,
 * `serverless offline` on free ports (one instance for the whole file: starting it bundles every function), and
 * the local event bus with the rules `serverless print` reads from serverless.yml.
 * - The HTTP API, with the Lambda request authorizer, driven with real tokens from the cognito-local pool.
 * - The event loop: a Cognito change made with the plain AWS SDK against the proxy reaches cognitoSync by itself
 *   (nothing here invokes a function) and shows in SNS (fauxqs); an operator's SageMaker change reaches the audit.
 */
import { createPrivateKey, generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminDeleteUserCommand,
  AdminGetUserCommand,
  AdminRemoveUserFromGroupCommand,
  CognitoIdentityProviderClient,
  CreateGroupCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { SageMakerClient, UpdateWorkteamCommand } from '@aws-sdk/client-sagemaker';
import { ListSubscriptionsByTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { ACCOUNT_ID, REGION } from '../../local/cloud';
import { type CloudTrailEvent, type CloudTrailProxy, startCloudTrailProxy } from '../../local/cloudtrail-proxy';
import { type EventBus, type EventRule, loadEventRules, startEventBus } from '../../local/event-bus';
import { compilePattern } from '../../local/event-pattern';
import { AUDIT_RULE_PATTERN, busEvents, OPERATOR_CREDENTIALS } from '../support/events';
import { type Offline, projectRoot, startOffline } from '../support/serverless';

const ACCESS_KEY = 'AKIALOCALEVENTLOOP01';

let offline: Offline;
let proxy: CloudTrailProxy;
let bus: EventBus;
let rules: EventRule[];
let apiUrl: string;
let cognito: CognitoIdentityProviderClient;
const deliveries: string[] = [];
const recorded: CloudTrailEvent[] = [];
const sns = new SNSClient({});

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: the test run's global setup starts the local cloud`);
  return value;
}

beforeAll(async () => {
  const cloudEnv = JSON.parse(env('LOCAL_CLOUD_ENV')) as Record<string, string>;
  proxy = await startCloudTrailProxy({
    port: 0,
    upstream: env('COGNITO_LOCAL_URL'),
    region: REGION,
    accountId: ACCOUNT_ID,
  });
  // The functions reach Cognito through the proxy too, as under npm start (their reads record nothing).
  const stackEnv = { ...cloudEnv, AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: proxy.url };
  offline = await startOffline(stackEnv);
  apiUrl = offline.apiUrl;

  rules = await loadEventRules({ root: projectRoot, stage: 'local', env: stackEnv });
  bus = startEventBus({ rules, lambdaUrl: offline.lambdaUrl, log: (line) => deliveries.push(line) });
  proxy.subscribe((event) => {
    recorded.push(event);
    bus.put(event);
  });
  cognito = new CognitoIdentityProviderClient({
    endpoint: proxy.url,
    region: REGION,
    credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: 'local' },
  });

  await offline.ready;
}, 120_000);

afterAll(async () => {
  await bus?.stop();
  await offline?.stop();
  cognito?.destroy();
  sns.destroy();
  await proxy?.close();
});

const pool = () => env('USER_POOL_ID');

async function api(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${apiUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${env('LOCAL_USER_TOKEN')}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

async function subscribedEmails(topicArn: string): Promise<string[]> {
  const { Subscriptions } = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn }));
  return (Subscriptions ?? []).filter((s) => s.Protocol === 'email').map((s) => s.Endpoint ?? '');
}

/** Polls until the condition holds; resolves with the milliseconds it took. */
async function within(timeoutMs: number, what: string, condition: () => Promise<boolean>): Promise<number> {
  const started = Date.now();
  while (!(await condition())) {
    if (Date.now() - started > timeoutMs) {
      throw new Error(
        `${what} did not happen within ${timeoutMs} ms\n${deliveries.join('\n')}\n${offline.output().slice(-4000)}`,
      );
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return Date.now() - started;
}

async function givenUser(): Promise<{ username: string; email: string; sub: string }> {
  const username = `loop-${randomUUID().slice(0, 8)}`;
  const email = `${username}@example.com`;
  await cognito.send(
    new AdminCreateUserCommand({
      UserPoolId: pool(),
      Username: username,
      MessageAction: 'SUPPRESS',
      UserAttributes: [
        { Name: 'email', Value: email },
        { Name: 'email_verified', Value: 'true' },
      ],
    }),
  );
  const user = await cognito.send(new AdminGetUserCommand({ UserPoolId: pool(), Username: username }));
  const sub = user.UserAttributes?.find((a) => a.Name === 'sub')?.Value ?? '';
  return { username, email, sub };
}

const recordedCall = (eventName: string, groupName?: string) =>
  recorded.find(
    (e) =>
      e.detail.eventName === eventName &&
      (groupName === undefined || (e.detail.requestParameters as { groupName?: string }).groupName === groupName),
  );

describe('the local event loop (recording proxy, event bus, serverless offline)', () => {
  it('reads the rule of cognitoSync from serverless.yml, with the local pool in its pattern', () => {
    // Assess
    expect(rules).toContainEqual(
      expect.objectContaining({
        functionKey: 'cognitoSync',
        functionName: 'workteam-automation-local-cognitoSync',
        pattern: expect.objectContaining({
          detail: expect.objectContaining({ requestParameters: { userPoolId: [pool()] } }),
        }),
      }),
    );
  });

  it("subscribes a user added to a team's group in Cognito, and unsubscribes them when removed, by itself", async () => {
    // Prepare: a fresh group, a team of it requested through the HTTP API, a user
    const group = `loop-${randomUUID().slice(0, 8)}`;
    await cognito.send(new CreateGroupCommand({ UserPoolId: pool(), GroupName: group }));
    const name = `loop-${Date.now().toString(36)}`;
    const created = await api('POST', '/teams', {
      name,
      description: 'Follows Cognito through the local event bus',
      members: { cognitoGroups: [group] },
      workerAccess: { sourceIp: 'Enabled', vpcSourceIp: 'Disabled' },
      tags: { classification: 'internal', 'cost-center': 'ml-platform' },
    });
    expect(created.status).toBe(201);
    const topicArn = created.body.notificationTopicArn as string;
    const user = await givenUser();

    try {
      // Act: the change in Cognito, then wait for its effect in SNS
      await cognito.send(
        new AdminAddUserToGroupCommand({ UserPoolId: pool(), Username: user.username, GroupName: group }),
      );
      const addedAfter = await within(10_000, 'the subscription', async () =>
        (await subscribedEmails(topicArn)).includes(user.email),
      );
      await cognito.send(
        new AdminRemoveUserFromGroupCommand({ UserPoolId: pool(), Username: user.username, GroupName: group }),
      );
      const removedAfter = await within(
        10_000,
        'the unsubscription',
        async () => !(await subscribedEmails(topicArn)).includes(user.email),
      );
      if (process.env.TEST_LOGS) {
        process.stdout.write(`event loop: subscribed after ${addedAfter} ms, unsubscribed after ${removedAfter} ms\n`);
      }
      // The effect shows in SNS a moment before the function returns and the bus logs the delivery.
      await bus.idle();

      // Assess: what was recorded, as CloudTrail records it, and delivered once each
      const added = recordedCall('AdminAddUserToGroup', group);
      expect(added).toMatchObject({
        source: 'aws.cognito-idp',
        'detail-type': 'AWS API Call via CloudTrail',
        account: ACCOUNT_ID,
        detail: {
          eventSource: 'cognito-idp.amazonaws.com',
          eventName: 'AdminAddUserToGroup',
          requestParameters: { userPoolId: pool(), username: 'HIDDEN_DUE_TO_SECURITY_REASONS', groupName: group },
          additionalEventData: { sub: user.sub },
          userIdentity: { accessKeyId: ACCESS_KEY },
          eventType: 'AwsApiCall',
        },
      });
      expect(added?.detail.errorCode).toBeUndefined();
      expect(recordedCall('CreateGroup', group)?.detail.requestParameters).toEqual({
        userPoolId: pool(),
        groupName: group,
      });
      const removed = recordedCall('AdminRemoveUserFromGroup', group);
      for (const event of [added, removed]) {
        expect(deliveries).toContainEqual(expect.stringMatching(`event ${event?.id} .* -> cognitoSync: delivered`));
      }
      // CreateGroup is delivered too (auto-provisioning); reads (the functions' ListUsersInGroup) are not recorded.
      expect(deliveries).toContainEqual(
        expect.stringMatching(`event ${recordedCall('CreateGroup', group)?.id} CreateGroup -> cognitoSync: delivered`),
      );
      expect(recordedCall('ListUsersInGroup')).toBeUndefined();
    } finally {
      await api('DELETE', `/teams/${name}`, undefined, { 'if-match': '*' });
    }
  });

  it('records a refused call with its errorCode, and a deleted user with the sub it had', async () => {
    // Prepare
    const user = await givenUser();

    // Act
    const refused = await cognito
      .send(new AdminAddUserToGroupCommand({ UserPoolId: pool(), Username: user.username, GroupName: 'no-such-group' }))
      .catch((error: Error) => error.name);
    await cognito.send(new AdminDeleteUserCommand({ UserPoolId: pool(), Username: user.username }));
    await bus.idle();

    // Assess
    expect(refused).toBe('ResourceNotFoundException');
    expect(recordedCall('AdminAddUserToGroup', 'no-such-group')?.detail).toMatchObject({
      errorCode: 'ResourceNotFoundException',
      errorMessage: expect.any(String),
    });
    const deleted = recordedCall('AdminDeleteUser');
    expect(deleted?.detail).toMatchObject({ additionalEventData: { sub: user.sub } });
    expect(deliveries).toContainEqual(
      expect.stringMatching(`event ${deleted?.id} AdminDeleteUser -> cognitoSync: delivered`),
    );
  });
});

describe('the real-time audit under the local event loop', () => {
  it("reads the audit's rule from serverless.yml: the one the local tests match events against", () => {
    expect(rules).toContainEqual(
      expect.objectContaining({ functionKey: 'audit', pattern: compilePattern(AUDIT_RULE_PATTERN, 'of audit') }),
    );
  });

  it("audits a managed team an operator changes with the SDK, by itself, and never the system's own writes", async () => {
    // Prepare: a team requested through the HTTP API (the functions' own CreateWorkteam), and the test run's
    // recorded CloudTrail events handed to this event bus as npm start's bus receives them.
    const name = `loop-audit-${Date.now().toString(36)}`;
    const created = await api('POST', '/teams', {
      name,
      description: 'Audited in real time through the local event bus',
      members: { cognitoGroups: ['labelers-en'] },
      workerAccess: { sourceIp: 'Enabled', vpcSourceIp: 'Disabled' },
      tags: { classification: 'internal', 'cost-center': 'ml-platform' },
    });
    expect(created.status).toBe(201);
    const forwarded = new Set<string>();
    // Only this team's records: other tests' operator calls are on the test run's bus too.
    const forward = async () => {
      for (const event of await busEvents('aws.sagemaker')) {
        const detail = event.detail as { requestParameters?: { workteamName?: string } };
        if (forwarded.has(event.id) || detail.requestParameters?.workteamName !== name) continue;
        forwarded.add(event.id);
        bus.put(event as never);
      }
    };
    const forwarding = setInterval(() => void forward().catch(() => undefined), 50);
    const operator = new SageMakerClient({ region: REGION, credentials: OPERATOR_CREDENTIALS });

    try {
      // Act
      await operator.send(
        new UpdateWorkteamCommand({
          WorkteamName: name,
          WorkerAccessConfiguration: {
            S3Presign: { IamPolicyConstraints: { SourceIp: 'Disabled', VpcSourceIp: 'Disabled' } },
          },
        }),
      );

      // Assess
      const isDrift = (event: { 'detail-type': string; detail: unknown }) => {
        const detail = event.detail as { team?: string; rule?: string };
        return (
          event['detail-type'] === 'Finding Opened' && detail.team === name && detail.rule === 'worker-access.drift'
        );
      };
      await within(15_000, 'the Finding Opened of the drift', async () =>
        (await busEvents('workteam-automation')).some(isDrift),
      );
      // The bus logs a delivery once the invocation has answered, a moment after the function put its events.
      await within(5_000, "the audit's delivery", async () =>
        deliveries.some((line) => line.includes('UpdateWorkteam -> audit: delivered')),
      );
      const auditDeliveries = deliveries.filter((line) => line.includes('-> audit: delivered'));
      expect(auditDeliveries.filter((line) => line.includes('UpdateWorkteam'))).toHaveLength(1);
      // The functions' own CreateWorkteam reached the bus too, and no rule took it.
      expect(deliveries.some((line) => line.includes('CreateWorkteam: no rule matches'))).toBe(true);
      expect(auditDeliveries.filter((line) => line.includes('CreateWorkteam'))).toEqual([]);
    } finally {
      clearInterval(forwarding);
      operator.destroy();
      await api('DELETE', `/teams/${name}`, undefined, {
        authorization: `Bearer ${env('LOCAL_ADMIN_TOKEN')}`,
        'if-match': '*',
      });
    }
  }, 60_000);
});

// ---------------------------------------------------------------------------------------------------------------
// The HTTP API under serverless offline.

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
