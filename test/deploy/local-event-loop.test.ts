/**
 * The stack as `npm start` runs it: the CloudTrail recording proxy in front of the test run's cognito-local,
 * `serverless offline` on free ports (one instance for the whole file: starting it bundles every function), and
 * the local event delivery (local/event-bus.ts, local/sqs-event-source.ts) from one `serverless print`: the stack's
 * queues in the local SQS, the rules, and the SQS event source mapping that polls the cognito-changes queue.
 * - The HTTP API, with the Lambda request authorizer, driven with real tokens from the cognito-local pool.
 * - The event loop: a Cognito change made with the plain AWS SDK against the proxy goes by itself (nothing here
 *   invokes a function) from the rule to the cognito-changes queue, from there in a batch to cognitoSync, and shows
 *   in SNS as a subscription pending the worker's confirmation; an operator's SageMaker change reaches the audit,
 *   which EventBridge invokes asynchronously.
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
import { GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { ACCOUNT_ID, REGION } from '../../local/cloud';
import { type CloudTrailEvent, type CloudTrailProxy, startCloudTrailProxy } from '../../local/cloudtrail-proxy';
import { type LocalEventDelivery, printServerlessConfig, startLocalEventDelivery } from '../../local/event-bus';
import { compilePattern } from '../../local/event-pattern';
import { givenGroup, givenUser as givenWorker } from '../support/cognito';
import { AUDIT_RULE_PATTERN, busEvents, OPERATOR_CREDENTIALS } from '../support/events';
import { confirmationMails, confirmSubscriptions } from '../support/mailbox';
import { type Offline, projectRoot, startOffline } from '../support/serverless';

const ACCESS_KEY = 'AKIALOCALEVENTLOOP01';
const CHANGES_QUEUE = 'workteam-automation-local-cognito-changes';
const SYNC_DLQ = 'workteam-automation-local-cognito-sync-dlq';
const AUDIT_DLQ = 'workteam-automation-local-audit-dlq';
/** The poller's batching window is 5 s: a change takes that long and more to reach cognitoSync. */
const SYNC_WAIT_MS = 20_000;

let offline: Offline;
let proxy: CloudTrailProxy;
let delivery: LocalEventDelivery;
let apiUrl: string;
let cognito: CognitoIdentityProviderClient;
let sqs: SQSClient;
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
  const stackEnv: Record<string, string> = { ...cloudEnv, AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: proxy.url };
  offline = await startOffline(stackEnv);
  apiUrl = offline.apiUrl;

  // As local/start.ts does: the queues, their pollers and the bus start while offline bundles; what meets a
  // refused connection is retried. Lambda's waits between retries of a failed function are scaled down.
  const config = await printServerlessConfig({ root: projectRoot, stage: 'local', env: stackEnv });
  sqs = new SQSClient({ endpoint: stackEnv.AWS_ENDPOINT_URL_SQS });
  delivery = await startLocalEventDelivery({
    config,
    lambdaUrl: offline.lambdaUrl,
    log: (line) => deliveries.push(line),
    sqs,
    bus: { asyncRetryScale: 0.001 },
  });
  proxy.subscribe((event) => {
    recorded.push(event);
    delivery.bus.put(event);
  });
  cognito = new CognitoIdentityProviderClient({
    endpoint: proxy.url,
    region: REGION,
    credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: 'local' },
  });

  await offline.ready;
}, 120_000);

afterAll(async () => {
  await delivery?.stop();
  await offline?.stop();
  cognito?.destroy();
  sqs?.destroy();
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

/** A managed team of the given groups, requested through the HTTP API; resolves with its topic. */
async function givenTeam(name: string, groups: string[]): Promise<string> {
  const created = await api('POST', '/teams', {
    name,
    description: 'Follows Cognito through the local event delivery',
    members: { cognitoGroups: groups },
    workerAccess: { sourceIp: 'Enabled', vpcSourceIp: 'Disabled' },
    tags: { classification: 'internal', 'cost-center': 'ml-platform' },
  });
  expect(created.status).toBe(201);
  return created.body.notificationTopicArn as string;
}

/** The topic's e-mail subscriptions over every page: address -> ARN (`PendingConfirmation` until confirmed). */
async function emailSubscriptions(topicArn: string): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  let NextToken: string | undefined;
  do {
    const page = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn, NextToken }));
    for (const s of page.Subscriptions ?? []) {
      if (s.Protocol === 'email') found.set(s.Endpoint ?? '', s.SubscriptionArn ?? '');
    }
    NextToken = page.NextToken;
  } while (NextToken);
  return found;
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
    await new Promise((r) => setTimeout(r, 100));
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

/** The log line of an event's delivery to the cognito-changes queue. */
const toQueue = (event: CloudTrailEvent | undefined) =>
  expect.stringMatching(
    `^event-bus: event ${event?.id} ${event?.detail.eventName} -> queue ${CHANGES_QUEUE}: delivered`,
  );

/** The poller's batches to cognitoSync in the given log lines: how many records each. */
function syncBatches(lines: string[]): number[] {
  return lines.flatMap((line) => {
    const match = new RegExp(`^sqs: ${CHANGES_QUEUE} -> cognitoSync: (\\d+) records?`).exec(line);
    return match ? [Number(match[1])] : [];
  });
}

/** A poller's line of a batch cognitoSync failed, in whole or in part. */
const FAILED_BATCH = /^sqs: .* -> cognitoSync: .*(failed \(|none deleted|[1-9]\d* reported failed)/;

/** What the queue's dead-letter queue holds now (received without hiding it from anyone). */
async function deadLetters(queueName: string) {
  const queue = delivery.queues.get(queueName);
  if (!queue) throw new Error(`the local SQS has no ${queueName}`);
  const { Messages = [] } = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: queue.url,
      MaxNumberOfMessages: 10,
      WaitTimeSeconds: 1,
      VisibilityTimeout: 0,
    }),
  );
  return Messages;
}

describe('the local event loop (recording proxy, event delivery, serverless offline)', () => {
  it('reads the Cognito rules of serverless.yml: two rules to the cognito-changes queue, which cognitoSync polls', async () => {
    // Assess: the rules, with the local pool in their patterns and the queue as their target
    const { rules, mappings, queues } = delivery;
    const queueTarget = {
      target: 'sqs',
      targetId: 'cognito-changes',
      queueName: CHANGES_QUEUE,
      maximumRetryAttempts: 8,
      maximumEventAgeSeconds: 3600,
      deadLetterQueue: SYNC_DLQ,
    };
    expect(rules).toContainEqual({
      ...queueTarget,
      ruleName: 'workteam-automation-local-cognito-changes',
      pattern: expect.objectContaining({
        source: ['aws.cognito-idp'],
        // The hub's pool, or a target's call (another account or region: forwarded by infra/target.yml's rule).
        detail: expect.objectContaining({
          $or: [
            { requestParameters: { userPoolId: [pool()] } },
            { recipientAccountId: [{ 'anything-but': ACCOUNT_ID }] },
            { awsRegion: [{ 'anything-but': REGION }] },
          ],
        }),
      }),
    });
    expect(rules).toContainEqual({
      ...queueTarget,
      ruleName: 'workteam-automation-local-cognito-self-service',
      pattern: expect.objectContaining({
        source: ['aws.cognito-idp'],
        detail: expect.objectContaining({
          eventName: ['UpdateUserAttributes', 'DeleteUserAttributes', 'DeleteUser'],
          $or: [
            { additionalEventData: { userPoolId: [pool()] } },
            { recipientAccountId: [{ 'anything-but': ACCOUNT_ID }] },
            { awsRegion: [{ 'anything-but': REGION }] },
          ],
        }),
      }),
    });
    // EventBridge no longer invokes cognitoSync itself: the queue's event source mapping does, in batches.
    expect(rules.filter((rule) => rule.target === 'lambda' && rule.functionKey === 'cognitoSync')).toEqual([]);
    expect(mappings).toContainEqual({
      functionKey: 'cognitoSync',
      functionName: 'workteam-automation-local-cognitoSync',
      queueName: CHANGES_QUEUE,
      batchSize: 100,
      maximumBatchingWindowSeconds: 5,
      reportBatchItemFailures: true,
      maximumConcurrency: 2,
    });
    // The queue exists in the local SQS with its redrive: after 5 receives, to the sync's dead-letter queue.
    const changes = queues.get(CHANGES_QUEUE);
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: changes?.url, AttributeNames: ['RedrivePolicy'] }),
    );
    expect(JSON.parse(Attributes?.RedrivePolicy ?? '{}')).toEqual({
      deadLetterTargetArn: queues.get(SYNC_DLQ)?.arn,
      maxReceiveCount: 5,
    });
  });

  it("subscribes a user added to a team's group in Cognito pending confirmation, and unsubscribes them once removed, by itself", async () => {
    // Prepare: a fresh group, a team of it requested through the HTTP API, a user
    const group = `loop-${randomUUID().slice(0, 8)}`;
    await cognito.send(new CreateGroupCommand({ UserPoolId: pool(), GroupName: group }));
    const name = `loop-${Date.now().toString(36)}`;
    const topicArn = await givenTeam(name, [group]);
    const user = await givenUser();

    try {
      // Act: the change in Cognito, then wait for its effect in SNS
      await cognito.send(
        new AdminAddUserToGroupCommand({ UserPoolId: pool(), Username: user.username, GroupName: group }),
      );
      const addedAfter = await within(SYNC_WAIT_MS, 'the subscription', async () =>
        (await emailSubscriptions(topicArn)).has(user.email),
      );
      const pending = (await emailSubscriptions(topicArn)).get(user.email);
      const mails = (await confirmationMails(topicArn)).filter((mail) => mail.address === user.email);
      // The worker clicks the link in the mail; then leaves the group.
      await confirmSubscriptions(topicArn, [user.email]);
      const confirmed = (await emailSubscriptions(topicArn)).get(user.email);
      await cognito.send(
        new AdminRemoveUserFromGroupCommand({ UserPoolId: pool(), Username: user.username, GroupName: group }),
      );
      const removedAfter = await within(
        SYNC_WAIT_MS,
        'the unsubscription',
        async () => !(await emailSubscriptions(topicArn)).has(user.email),
      );
      if (process.env.TEST_LOGS) {
        process.stdout.write(`event loop: subscribed after ${addedAfter} ms, unsubscribed after ${removedAfter} ms\n`);
      }
      // The effect shows in SNS a moment before the function returns and the poller deletes the batch.
      await delivery.idle();

      // Assess: SNS as the worker met it
      expect(pending).toBe('PendingConfirmation');
      expect(mails).toHaveLength(1);
      expect(confirmed).toMatch(new RegExp(`^${topicArn}:`));
      // What was recorded, as CloudTrail records it
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
      // Each change reached the queue once (CreateGroup too: auto-provisioning); reads are not recorded.
      const removed = recordedCall('AdminRemoveUserFromGroup', group);
      for (const event of [recordedCall('CreateGroup', group), added, removed]) {
        expect(deliveries.filter((line) => line.includes(`event ${event?.id} `))).toEqual([toQueue(event)]);
      }
      expect(recordedCall('ListUsersInGroup')).toBeUndefined();
      // The poller took them to cognitoSync in batches that succeeded whole; the bus never invoked it itself.
      expect(deliveries).toContainEqual(
        expect.stringMatching(`^sqs: ${CHANGES_QUEUE} -> cognitoSync: \\d+ records?, 0 reported failed, \\d+ deleted`),
      );
      expect(deliveries.filter((line) => FAILED_BATCH.test(line))).toEqual([]);
      expect(deliveries.filter((line) => line.startsWith('event-bus:') && line.includes('-> cognitoSync'))).toEqual([]);
    } finally {
      await api('DELETE', `/teams/${name}`, undefined, { 'if-match': '*' });
    }
  }, 60_000);

  it('records a refused call with its errorCode, and a deleted user with the sub it had; both reach the queue', async () => {
    // Prepare
    const user = await givenUser();

    // Act
    const refused = await cognito
      .send(new AdminAddUserToGroupCommand({ UserPoolId: pool(), Username: user.username, GroupName: 'no-such-group' }))
      .catch((error: Error) => error.name);
    await cognito.send(new AdminDeleteUserCommand({ UserPoolId: pool(), Username: user.username }));
    await delivery.idle();

    // Assess
    expect(refused).toBe('ResourceNotFoundException');
    const failed = recordedCall('AdminAddUserToGroup', 'no-such-group');
    expect(failed?.detail).toMatchObject({
      errorCode: 'ResourceNotFoundException',
      errorMessage: expect.any(String),
    });
    const deleted = recordedCall('AdminDeleteUser');
    expect(deleted?.detail).toMatchObject({ additionalEventData: { sub: user.sub } });
    // The rule does not look at errorCode: the refused call goes to the queue too, and the sync skips it.
    expect(deliveries).toContainEqual(toQueue(failed));
    expect(deliveries).toContainEqual(toQueue(deleted));
    // The queue is drained (idle) and nothing of it went to the dead-letter queue.
    expect(await deadLetters(SYNC_DLQ)).toEqual([]);
  }, 60_000);

  it('coalesces a burst: 20 workers added to a group two teams share are subscribed to both, one mail each', async () => {
    // Prepare: a group made around the proxy, two managed teams of it, 20 users (also around the proxy)
    const group = await givenGroup('burst');
    const suffix = Date.now().toString(36);
    const topics = [await givenTeam(`burst-a-${suffix}`, [group]), await givenTeam(`burst-b-${suffix}`, [group])];
    const workers = await Promise.all(Array.from({ length: 20 }, () => givenWorker()));
    const addresses = workers.map((worker) => worker.email).sort();
    await delivery.idle();
    const logFrom = deliveries.length;

    try {
      // Act: the burst, through the recording proxy, all at once
      await Promise.all(
        workers.map((worker) =>
          cognito.send(
            new AdminAddUserToGroupCommand({ UserPoolId: pool(), Username: worker.username, GroupName: group }),
          ),
        ),
      );
      await within(SYNC_WAIT_MS, 'the subscriptions of all 20 workers to both topics', async () => {
        for (const topicArn of topics) {
          const subscribed = await emailSubscriptions(topicArn);
          if (!addresses.every((address) => subscribed.has(address))) return false;
        }
        return true;
      });
      await delivery.idle();

      // Assess: each worker is pending on both topics, with exactly one confirmation mail from each
      for (const topicArn of topics) {
        const subscribed = await emailSubscriptions(topicArn);
        expect([...subscribed.keys()].sort()).toEqual(addresses);
        expect(new Set(subscribed.values())).toEqual(new Set(['PendingConfirmation']));
        expect((await confirmationMails(topicArn)).map((mail) => mail.address).sort()).toEqual(addresses);
      }
      // 20 events reached the queue; fewer invocations of cognitoSync took them all, none failed.
      const events = recorded.filter(
        (event) =>
          event.detail.eventName === 'AdminAddUserToGroup' &&
          (event.detail.requestParameters as { groupName?: string }).groupName === group &&
          event.detail.errorCode === undefined,
      );
      expect(events).toHaveLength(20);
      const log = deliveries.slice(logFrom);
      for (const event of events) expect(log).toContainEqual(toQueue(event));
      const batches = syncBatches(log);
      if (process.env.TEST_LOGS) process.stdout.write(`burst: 20 events in batches of ${batches.join(', ')}\n`);
      expect(batches.length).toBeGreaterThan(0);
      expect(batches.length).toBeLessThan(events.length);
      expect(batches.reduce((sum, records) => sum + records, 0)).toBeGreaterThanOrEqual(events.length);
      expect(log.filter((line) => FAILED_BATCH.test(line))).toEqual([]);
      expect(await deadLetters(SYNC_DLQ)).toEqual([]);
    } finally {
      for (const name of [`burst-a-${suffix}`, `burst-b-${suffix}`]) {
        await api('DELETE', `/teams/${name}`, undefined, { 'if-match': '*' });
      }
    }
  }, 90_000);
});

describe('the real-time audit under the local event loop', () => {
  it("reads the audit's rule from serverless.yml: an asynchronous invocation, with Lambda's retries and on-failure destination", () => {
    expect(delivery.rules).toContainEqual(
      expect.objectContaining({
        target: 'lambda',
        functionKey: 'audit',
        functionName: 'workteam-automation-local-audit',
        pattern: compilePattern(AUDIT_RULE_PATTERN, 'of audit'),
        // EventBridge's retries and dead-letter queue, for failures to hand the event to Lambda
        maximumRetryAttempts: 8,
        maximumEventAgeSeconds: 3600,
        deadLetterQueue: AUDIT_DLQ,
        // Lambda's, for the function's own errors
        asyncRetryAttempts: 2,
        onFailureQueue: AUDIT_DLQ,
      }),
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
        delivery.bus.put(event as never);
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
      // Invoked once, and it succeeded the first time: no Lambda retry, nothing for the on-failure destination.
      expect(auditDeliveries.filter((line) => line.includes('UpdateWorkteam'))).toEqual([
        expect.stringMatching(/UpdateWorkteam -> audit: delivered \(attempt 1, /),
      ]);
      expect(deliveries.filter((line) => line.includes('-> audit: the function failed'))).toEqual([]);
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
