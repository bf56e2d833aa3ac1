/**
 * The local SNS (local/sns-proxy.ts in front of fauxqs) through the real SDK v3 SNSClient, against the test run's
 * local cloud: e-mail subscriptions wait for their worker's confirmation as in AWS, pages hold 100 subscriptions,
 * and calls over SNS's request-rate quotas are throttled with SNS's own error. The control routes at
 * LOCAL_SNS_CONTROL_URL stand for the worker's mailbox and clicks, the quotas' scale and the local clock.
 * Topic names carry a random prefix: the local cloud is shared by every test file of this jest worker.
 */
import { randomUUID } from 'node:crypto';
import {
  ConfirmSubscriptionCommand,
  CreateTopicCommand,
  DeleteTopicCommand,
  GetSubscriptionAttributesCommand,
  ListSubscriptionsByTopicCommand,
  ListSubscriptionsCommand,
  ListTopicsCommand,
  paginateListSubscriptionsByTopic,
  SNSClient,
  SNSServiceException,
  SubscribeCommand,
  type Subscription,
  UnsubscribeCommand,
} from '@aws-sdk/client-sns';
import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs';

interface Mail {
  address: string;
  topicArn: string;
  protocol: string;
  sentAt: string;
  token: string;
}

interface QuotaState {
  scale: number;
  admitted: Record<string, number>;
  throttled: Record<string, number>;
  quotas: Record<string, number>;
}

const HOUR_MS = 60 * 60 * 1000;

let sns: SNSClient;
let prefix: string;

const control = () => {
  const url = process.env.LOCAL_SNS_CONTROL_URL;
  if (!url) throw new Error('LOCAL_SNS_CONTROL_URL is not set: the global setup starts the local cloud');
  return url;
};

async function controlCall(method: string, route: string, body?: unknown): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${control()}${route}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

async function mailsTo(topicArn: string): Promise<Mail[]> {
  const { status, body } = await controlCall('GET', `/confirmations?topicArn=${encodeURIComponent(topicArn)}`);
  expect(status).toBe(200);
  return body as Mail[];
}

const confirm = (address: string, topicArn: string) => controlCall('POST', '/confirm', { address, topicArn });
const advanceClock = (advanceMs: number) => controlCall('POST', '/clock', { advanceMs });
const setScale = (scale: number) => controlCall('PUT', '/quotas', { scale });
const quotaState = async () => (await controlCall('GET', '/quotas')).body as QuotaState;

async function givenTopic(name = 'topic'): Promise<string> {
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: `${prefix}${name}` }));
  if (!TopicArn) throw new Error('CreateTopic answered no TopicArn');
  return TopicArn;
}

async function subscribeEmail(topicArn: string, address: string, returnArn = false): Promise<string> {
  const { SubscriptionArn } = await sns.send(
    new SubscribeCommand({
      TopicArn: topicArn,
      Protocol: 'email',
      Endpoint: address,
      ReturnSubscriptionArn: returnArn,
    }),
  );
  return SubscriptionArn ?? '';
}

async function listed(topicArn: string): Promise<Subscription[]> {
  const subscriptions: Subscription[] = [];
  for await (const page of paginateListSubscriptionsByTopic({ client: sns }, { TopicArn: topicArn })) {
    subscriptions.push(...(page.Subscriptions ?? []));
  }
  return subscriptions;
}

async function failureOf(call: Promise<unknown>): Promise<SNSServiceException> {
  try {
    await call;
  } catch (error) {
    if (error instanceof SNSServiceException) return error;
    throw error;
  }
  throw new Error('expected the call to fail, but it succeeded');
}

beforeAll(() => {
  sns = new SNSClient({});
});

afterAll(() => {
  sns.destroy();
});

beforeEach(() => {
  prefix = `local-sns-${randomUUID().slice(0, 8)}-`;
});

afterEach(async () => {
  // Every test leaves AWS's rates behind it, whatever it set.
  expect((await setScale(1)).status).toBe(200);
});

describe('the local SNS: e-mail subscriptions wait for confirmation', () => {
  it('lists a new e-mail subscription as PendingConfirmation and answers Subscribe with "pending confirmation"', async () => {
    // Prepare
    const topicArn = await givenTopic();

    // Act
    const answer = await subscribeEmail(topicArn, 'ana@example.com');

    // Assess
    expect(answer).toBe('pending confirmation');
    expect(await listed(topicArn)).toEqual([
      {
        SubscriptionArn: 'PendingConfirmation',
        TopicArn: topicArn,
        Protocol: 'email',
        Endpoint: 'ana@example.com',
        Owner: expect.any(String),
      },
    ]);
    expect(await mailsTo(topicArn)).toEqual([
      {
        address: 'ana@example.com',
        topicArn,
        protocol: 'email',
        sentAt: expect.any(String),
        token: expect.any(String),
      },
    ]);
  });

  it('answers the pending subscription ARN when asked with ReturnSubscriptionArn, and it reads as pending', async () => {
    // Prepare
    const topicArn = await givenTopic();

    // Act
    const arn = await subscribeEmail(topicArn, 'ana@example.com', true);

    // Assess
    expect(arn).toMatch(new RegExp(`^${topicArn}:[0-9a-f-]{36}$`));
    const { Attributes } = await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: arn }));
    expect(Attributes?.PendingConfirmation).toBe('true');
  });

  it('sends the confirmation mail again to an address still pending, and creates no second subscription', async () => {
    // Prepare
    const topicArn = await givenTopic();
    const first = await subscribeEmail(topicArn, 'ana@example.com', true);

    // Act
    const second = await subscribeEmail(topicArn, 'ana@example.com', true);
    const third = await subscribeEmail(topicArn, 'ana@example.com');

    // Assess
    expect(second).toBe(first);
    expect(third).toBe('pending confirmation');
    expect((await mailsTo(topicArn)).map((mail) => mail.address)).toEqual([
      'ana@example.com',
      'ana@example.com',
      'ana@example.com',
    ]);
    expect(await listed(topicArn)).toHaveLength(1);
  });

  it('confirms through the mailbox: the subscription shows its ARN, and subscribing it again sends nothing', async () => {
    // Prepare
    const topicArn = await givenTopic();
    const arn = await subscribeEmail(topicArn, 'ana@example.com', true);
    await subscribeEmail(topicArn, 'ben@example.com');

    // Act
    const confirmed = await confirm('ana@example.com', topicArn);

    // Assess
    expect(confirmed).toEqual({ status: 200, body: { subscriptionArns: [arn] } });
    const byEndpoint = Object.fromEntries((await listed(topicArn)).map((s) => [s.Endpoint, s.SubscriptionArn]));
    expect(byEndpoint).toEqual({ 'ana@example.com': arn, 'ben@example.com': 'PendingConfirmation' });
    const { Attributes } = await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: arn }));
    expect(Attributes?.PendingConfirmation).toBe('false');
    expect(await subscribeEmail(topicArn, 'ana@example.com')).toBe(arn);
    expect((await mailsTo(topicArn)).filter((mail) => mail.address === 'ana@example.com')).toHaveLength(1);
    expect((await confirm('ana@example.com', topicArn)).status).toBe(404);
  });

  it("confirms with the mail's token through ConfirmSubscription, as the mail's link does", async () => {
    // Prepare
    const topicArn = await givenTopic();
    const arn = await subscribeEmail(topicArn, 'ana@example.com', true);
    const [mail] = await mailsTo(topicArn);

    // Act
    const { SubscriptionArn } = await sns.send(
      new ConfirmSubscriptionCommand({ TopicArn: topicArn, Token: mail?.token }),
    );

    // Assess
    expect(SubscriptionArn).toBe(arn);
    expect((await listed(topicArn)).map((s) => s.SubscriptionArn)).toEqual([arn]);
  });

  it('answers 404 for a confirmation of an address that has no pending subscription on the topic', async () => {
    // Prepare
    const topicArn = await givenTopic();
    await subscribeEmail(topicArn, 'ana@example.com');

    // Act
    const answer = await confirm('nobody@example.com', topicArn);

    // Assess
    expect(answer.status).toBe(404);
  });

  it('refuses to unsubscribe a pending subscription, as SNS does, and unsubscribes it once confirmed', async () => {
    // Prepare
    const topicArn = await givenTopic();
    const arn = await subscribeEmail(topicArn, 'ana@example.com', true);

    // Act
    const refused = await failureOf(sns.send(new UnsubscribeCommand({ SubscriptionArn: arn })));

    // Assess
    expect(refused.name).toBe('InvalidParameterException');
    expect(refused.$metadata.httpStatusCode).toBe(400);
    expect(refused.message).toBe(
      'Invalid parameter: SubscriptionArn Reason: Cannot unsubscribe a subscription that is pending confirmation',
    );
    expect(await listed(topicArn)).toHaveLength(1);
    await confirm('ana@example.com', topicArn);
    await sns.send(new UnsubscribeCommand({ SubscriptionArn: arn }));
    expect(await listed(topicArn)).toEqual([]);
  });

  it('refuses to unsubscribe the PendingConfirmation placeholder: it is no ARN', async () => {
    // Act
    const refused = await failureOf(sns.send(new UnsubscribeCommand({ SubscriptionArn: 'PendingConfirmation' })));

    // Assess
    expect(refused.name).toBe('InvalidParameterException');
  });

  it('drops a pending subscription 48 hours after its last confirmation mail, and keeps confirmed ones', async () => {
    // Prepare
    const topicArn = await givenTopic();
    await subscribeEmail(topicArn, 'ana@example.com');
    await subscribeEmail(topicArn, 'ben@example.com');
    await subscribeEmail(topicArn, 'chloe@example.com');
    await confirm('chloe@example.com', topicArn);
    const [anaMail] = await mailsTo(topicArn);
    await advanceClock(47 * HOUR_MS);
    await subscribeEmail(topicArn, 'ben@example.com'); // the mail again: ben's 48 hours start now

    // Act
    await advanceClock(2 * HOUR_MS);

    // Assess
    const byEndpoint = Object.fromEntries((await listed(topicArn)).map((s) => [s.Endpoint, s.SubscriptionArn]));
    expect(byEndpoint).toEqual({ 'ben@example.com': 'PendingConfirmation', 'chloe@example.com': expect.any(String) });
    expect(byEndpoint['chloe@example.com']).toMatch(/^arn:aws:sns:/);
    expect((await confirm('ana@example.com', topicArn)).status).toBe(404);
    const expired = await failureOf(
      sns.send(new ConfirmSubscriptionCommand({ TopicArn: topicArn, Token: anaMail?.token })),
    );
    expect(expired.name).toBe('InvalidParameterException');
    await advanceClock(47 * HOUR_MS);
    expect((await listed(topicArn)).map((s) => s.Endpoint)).toEqual(['chloe@example.com']);
  });

  it('lets a worker unsubscribe a confirmed subscription from the mail link', async () => {
    // Prepare
    const topicArn = await givenTopic();
    await subscribeEmail(topicArn, 'ana@example.com');
    await subscribeEmail(topicArn, 'ben@example.com');
    await confirm('ana@example.com', topicArn);

    // Act
    const answer = await controlCall('POST', '/unsubscribe-link', { address: 'ana@example.com', topicArn });

    // Assess
    expect(answer.status).toBe(200);
    expect((await listed(topicArn)).map((s) => s.Endpoint)).toEqual(['ben@example.com']);
    expect((await controlCall('POST', '/unsubscribe-link', { address: 'ben@example.com', topicArn })).status).toBe(404);
  });

  it('passes other protocols through: an SQS subscription is confirmed at once and sends no mail', async () => {
    // Prepare
    const topicArn = await givenTopic();
    const sqs = new SQSClient({});
    await sqs.send(new CreateQueueCommand({ QueueName: `${prefix}queue` }));
    sqs.destroy();
    const queueArn = `${topicArn.split(':').slice(0, 5).join(':').replace(':sns:', ':sqs:')}:${prefix}queue`;

    // Act
    const arn = await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: queueArn }));

    // Assess
    expect(arn.SubscriptionArn).toMatch(/^arn:aws:sns:/);
    expect((await listed(topicArn)).map((s) => s.SubscriptionArn)).toEqual([arn.SubscriptionArn]);
    expect(await mailsTo(topicArn)).toEqual([]);
  });

  it('forgets the pending subscriptions of a deleted topic: one of the same name starts afresh', async () => {
    // Prepare
    const topicArn = await givenTopic();
    await subscribeEmail(topicArn, 'ana@example.com');
    await sns.send(new DeleteTopicCommand({ TopicArn: topicArn }));
    await controlCall('DELETE', '/confirmations');

    // Act
    const again = await givenTopic();
    const answer = await subscribeEmail(again, 'ana@example.com');

    // Assess
    expect(again).toBe(topicArn);
    expect(answer).toBe('pending confirmation');
    expect(await mailsTo(again)).toHaveLength(1);
  });

  it('starts with the seeded workers confirmed', async () => {
    // Prepare
    const { Topics } = await sns.send(new ListTopicsCommand({}));
    const seeded = (Topics ?? []).map((topic) => topic.TopicArn ?? '').filter((arn) => /:workteam-[a-z-]+$/.test(arn));

    // Act
    const subscriptions = (await Promise.all(seeded.map(listed))).flat();

    // Assess
    expect(seeded.length).toBeGreaterThan(0);
    expect(subscriptions.length).toBeGreaterThan(0);
    for (const subscription of subscriptions) expect(subscription.SubscriptionArn).toMatch(/^arn:aws:sns:/);
  });
});

describe('the local SNS: pages of subscriptions', () => {
  it('answers 250 subscriptions in pages of at most 100, each once', async () => {
    // Prepare
    const topicArn = await givenTopic();
    const addresses = Array.from({ length: 250 }, (_, i) => `worker-${String(i).padStart(3, '0')}@example.com`);
    await setScale(0); // the set-up alone would spend Subscribe's 100 a second
    for (let i = 0; i < addresses.length; i += 25) {
      await Promise.all(addresses.slice(i, i + 25).map((address) => subscribeEmail(topicArn, address)));
    }
    await setScale(1);

    // Act
    const pages: Subscription[][] = [];
    let nextToken: string | undefined;
    do {
      const page = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn, NextToken: nextToken }));
      pages.push(page.Subscriptions ?? []);
      nextToken = page.NextToken;
    } while (nextToken);

    // Assess
    expect(pages.map((page) => page.length)).toEqual([100, 100, 50]);
    expect(
      pages
        .flat()
        .map((s) => s.Endpoint)
        .sort(),
    ).toEqual(addresses);
  });

  it('pages ListSubscriptions over every topic the same way', async () => {
    // Prepare
    const topicArn = await givenTopic();
    await setScale(0);
    await Promise.all(
      Array.from({ length: 120 }, (_, i) => subscribeEmail(topicArn, `all-${String(i).padStart(3, '0')}@example.com`)),
    );
    await setScale(1);

    // Act
    const first = await sns.send(new ListSubscriptionsCommand({}));

    // Assess
    expect(first.Subscriptions).toHaveLength(100);
    expect(first.NextToken).toEqual(expect.any(String));
  });

  it('answers NotFound for the subscriptions of a topic that does not exist', async () => {
    // Act
    const failure = await failureOf(
      sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: `arn:aws:sns:us-east-1:000000000000:${prefix}none` })),
    );

    // Assess
    expect(failure.name).toBe('NotFoundException');
    expect(failure.$metadata.httpStatusCode).toBe(404);
  });

  it('refuses a NextToken issued for another topic', async () => {
    // Prepare
    const topicArn = await givenTopic('one');
    const other = await givenTopic('two');
    await setScale(0);
    await Promise.all(Array.from({ length: 101 }, (_, i) => subscribeEmail(topicArn, `w-${i}@example.com`)));
    const { NextToken } = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn }));

    // Act
    const failure = await failureOf(sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: other, NextToken })));

    // Assess
    expect(NextToken).toEqual(expect.any(String));
    expect(failure.name).toBe('InvalidParameterException');
  });
});

describe('the local SNS: request-rate quotas', () => {
  it("holds AWS's published rates for the subscription calls", async () => {
    // Act
    const state = await quotaState();

    // Assess
    expect(state.scale).toBe(1);
    expect(state.quotas).toEqual({
      Subscribe: 100,
      Unsubscribe: 100,
      ListSubscriptionsByTopic: 30,
      ListSubscriptions: 30,
      ListTopics: 30,
    });
  });

  it("throttles calls over the quota with SNS's Throttled error, and counts what it admitted and refused", async () => {
    // Prepare
    const topicArn = await givenTopic();
    await setScale(0.05); // Subscribe: 5 a second
    const once = new SNSClient({ maxAttempts: 1 });

    // Act
    const outcomes = await Promise.allSettled(
      Array.from({ length: 30 }, (_, i) =>
        once.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'email', Endpoint: `t-${i}@example.com` })),
      ),
    );
    once.destroy();

    // Assess
    const refused = outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason] : []));
    expect(refused.length).toBeGreaterThan(0);
    for (const error of refused) {
      expect(error).toBeInstanceOf(SNSServiceException);
      expect(error).toMatchObject({ name: 'ThrottledException', message: 'Rate exceeded' });
      expect(error.$metadata.httpStatusCode).toBe(429);
    }
    const state = await quotaState();
    expect(state.scale).toBe(0.05);
    expect(state.throttled.Subscribe).toBe(refused.length);
    expect(state.admitted.Subscribe).toBe(outcomes.length - refused.length);
  });

  it('is retried by the SDK as a throttling error, attempt after attempt', async () => {
    // Prepare
    const topicArn = await givenTopic();
    await setScale(0.005); // under one call a second: every Subscribe is throttled
    const client = new SNSClient({ maxAttempts: 3 });

    // Act
    const failure = await failureOf(
      client.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'email', Endpoint: 'ana@example.com' })),
    );
    client.destroy();

    // Assess
    expect(failure.name).toBe('ThrottledException');
    expect(failure.$metadata.attempts).toBe(3);
    expect((await quotaState()).throttled.Subscribe).toBe(3);
  });

  it('throttles Unsubscribe and the listings by their own quotas', async () => {
    // Prepare
    const topicArn = await givenTopic();
    await setScale(0.005);
    const once = new SNSClient({ maxAttempts: 1 });

    // Act
    const failures = await Promise.all([
      failureOf(once.send(new UnsubscribeCommand({ SubscriptionArn: `${topicArn}:${randomUUID()}` }))),
      failureOf(once.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn }))),
      failureOf(once.send(new ListSubscriptionsCommand({}))),
      failureOf(once.send(new ListTopicsCommand({}))),
    ]);
    once.destroy();

    // Assess
    expect(failures.map((failure) => failure.name)).toEqual(Array(4).fill('ThrottledException'));
    expect((await quotaState()).throttled).toEqual({
      Unsubscribe: 1,
      ListSubscriptionsByTopic: 1,
      ListSubscriptions: 1,
      ListTopics: 1,
    });
    // Calls without a quota of their own pass.
    await sns.send(new CreateTopicCommand({ Name: `${prefix}unthrottled` }));
  });

  it('lifts the quotas at scale 0', async () => {
    // Prepare
    const topicArn = await givenTopic();
    await setScale(0);
    const once = new SNSClient({ maxAttempts: 1 });

    // Act
    const outcomes = await Promise.allSettled(
      Array.from({ length: 150 }, () => once.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn }))),
    );
    once.destroy();

    // Assess
    expect(outcomes.filter((outcome) => outcome.status === 'rejected')).toEqual([]);
  });

  it('refuses a scale that is not a number of at least 0', async () => {
    // Act
    const answer = await setScale(-1);

    // Assess
    expect(answer.status).toBe(400);
    expect((await quotaState()).scale).toBe(1);
  });
});
