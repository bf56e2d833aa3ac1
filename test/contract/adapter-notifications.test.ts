/**
 * The notification topics through the real SDK against the local SNS (fauxqs behind local/sns-proxy.ts, which
 * keeps e-mail subscriptions pending until their worker confirms them, as SNS does). A test whose workers leave
 * confirms their subscriptions first through the local mailbox (LOCAL_SNS_CONTROL_URL), as the workers would: SNS
 * cannot unsubscribe a pending one. Topic names carry a random prefix: the local cloud is shared by every test file.
 */
import { randomUUID } from 'node:crypto';
import {
  GetTopicAttributesCommand,
  ListSubscriptionsByTopicCommand,
  ListTagsForResourceCommand,
  paginateListSubscriptions,
  SNSClient,
  SubscribeCommand,
} from '@aws-sdk/client-sns';
import { createNotificationTopics, createTopicInspector } from '#lib/adapters/notifications';
import type { NotificationTopics } from '#lib/ports/teams';
import { pacedAtSnsQuotas } from '#lib/runtime/clients/sns';
import { watchInFlight } from '../support/in-flight';
import { confirmSubscriptions } from '../support/mailbox';

let sns: SNSClient;
let topics: NotificationTopics;
let prefix: string;

beforeAll(() => {
  // Configured as the functions' own client is: paced at SNS's quotas, adaptive retries.
  sns = pacedAtSnsQuotas(new SNSClient({ retryMode: 'adaptive' }));
});

afterAll(() => {
  sns.destroy();
});

beforeEach(() => {
  prefix = `test-${randomUUID().slice(0, 8)}-`;
  topics = createNotificationTopics(sns, { topicPrefix: prefix });
});

async function subscriptionsOf(topicArn: string): Promise<{ protocol: string; endpoint: string }[]> {
  const page = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn }));
  return (page.Subscriptions ?? []).map((subscription) => ({
    protocol: subscription.Protocol ?? '',
    endpoint: subscription.Endpoint ?? '',
  }));
}

async function emailsOf(topicArn: string): Promise<string[]> {
  return (await subscriptionsOf(topicArn))
    .filter((subscription) => subscription.protocol === 'email')
    .map((subscription) => subscription.endpoint)
    .sort();
}

async function tagsOf(topicArn: string): Promise<Record<string, string>> {
  const { Tags } = await sns.send(new ListTagsForResourceCommand({ ResourceArn: topicArn }));
  return Object.fromEntries((Tags ?? []).map((tag) => [tag.Key, tag.Value]));
}

describe('createNotificationTopics().ensureTopic', () => {
  it('creates the topic once: a second call returns the same ARN', async () => {
    // Act
    const first = await topics.ensureTopic('image-labelers', { team: 'image-labelers' });
    const second = await topics.ensureTopic('image-labelers', { team: 'image-labelers' });

    // Assess
    expect(first).toMatch(new RegExp(`^arn:aws:sns:us-east-1:\\d{12}:${prefix}image-labelers$`));
    expect(second).toBe(first);
  });

  it('tags the topic', async () => {
    // Act
    const topicArn = await topics.ensureTopic('image-labelers', { team: 'image-labelers', 'cost-center': 'ml' });

    // Assess
    expect(await tagsOf(topicArn)).toEqual({ team: 'image-labelers', 'cost-center': 'ml' });
  });

  it('retags an existing topic whose tags changed', async () => {
    // Prepare
    const topicArn = await topics.ensureTopic('image-labelers', { team: 'image-labelers', 'cost-center': 'ml' });

    // Act
    const again = await topics.ensureTopic('image-labelers', { team: 'image-labelers', 'cost-center': 'health' });

    // Assess
    expect(again).toBe(topicArn);
    expect(await tagsOf(topicArn)).toEqual({ team: 'image-labelers', 'cost-center': 'health' });
  });

  it('lets SageMaker publish to the topic on behalf of the topic account only', async () => {
    // Act
    const topicArn = await topics.ensureTopic('image-labelers', {});

    // Assess
    const { Attributes } = await sns.send(new GetTopicAttributesCommand({ TopicArn: topicArn }));
    const policy = JSON.parse(Attributes?.Policy ?? '{}');
    expect(policy.Statement).toEqual([
      {
        Sid: 'AllowSageMakerToPublish',
        Effect: 'Allow',
        Principal: { Service: 'sagemaker.amazonaws.com' },
        Action: 'sns:Publish',
        Resource: topicArn,
        Condition: { StringEquals: { 'aws:SourceAccount': topicArn.split(':')[4] } },
      },
    ]);
  });
});

describe('createNotificationTopics().syncEmailSubscriptions', () => {
  it('subscribes and unsubscribes several workers at a time, never more than eight at once', async () => {
    // Prepare
    const watchedSns = pacedAtSnsQuotas(new SNSClient({ retryMode: 'adaptive' }));
    const calls = watchInFlight(watchedSns, ['Subscribe', 'Unsubscribe']);
    const watched = createNotificationTopics(watchedSns, { topicPrefix: prefix });
    const topicArn = await watched.ensureTopic('crowd', {});
    const before = Array.from({ length: 12 }, (_, i) => `leaver-${i}@example.com`);
    await watched.syncEmailSubscriptions(topicArn, before);
    await confirmSubscriptions(topicArn, before);
    const after = Array.from({ length: 12 }, (_, i) => `joiner-${i}@example.com`);
    calls.reset();

    // Act
    const result = await watched.syncEmailSubscriptions(topicArn, after);

    // Assess
    watchedSns.destroy();
    expect(result).toMatchObject({ subscribed: 12, unsubscribed: 12 });
    expect(await emailsOf(topicArn)).toEqual([...after].sort());
    expect(calls.calls).toBe(24);
    expect(calls.peak).toBeGreaterThan(1);
    expect(calls.peak).toBeLessThanOrEqual(8);
  });

  it('subscribes the addresses that are missing', async () => {
    // Prepare
    const topicArn = await topics.ensureTopic('labelers', {});

    // Act
    const result = await topics.syncEmailSubscriptions(topicArn, ['ana@example.com', 'ben@example.com']);

    // Assess
    expect(result).toMatchObject({ subscribed: 2, unsubscribed: 0 });
    expect(await emailsOf(topicArn)).toEqual(['ana@example.com', 'ben@example.com']);
  });

  it('unsubscribes the addresses no longer listed', async () => {
    // Prepare
    const topicArn = await topics.ensureTopic('labelers', {});
    await topics.syncEmailSubscriptions(topicArn, ['ana@example.com', 'ben@example.com', 'chloe@example.com']);
    await confirmSubscriptions(topicArn, ['ana@example.com', 'chloe@example.com']);

    // Act
    const result = await topics.syncEmailSubscriptions(topicArn, ['ben@example.com', 'dan@example.com']);

    // Assess
    expect(result).toMatchObject({ subscribed: 1, unsubscribed: 2 });
    expect(await emailsOf(topicArn)).toEqual(['ben@example.com', 'dan@example.com']);
  });

  it('changes nothing the second time', async () => {
    // Prepare
    const topicArn = await topics.ensureTopic('labelers', {});
    await topics.syncEmailSubscriptions(topicArn, ['ana@example.com', 'ben@example.com']);

    // Act
    const result = await topics.syncEmailSubscriptions(topicArn, ['ana@example.com', 'ben@example.com']);

    // Assess
    expect(result).toMatchObject({ subscribed: 0, unsubscribed: 0 });
    expect(await emailsOf(topicArn)).toEqual(['ana@example.com', 'ben@example.com']);
  });

  it('compares addresses without regard to case, and subscribes an address listed twice once', async () => {
    // Prepare
    const topicArn = await topics.ensureTopic('labelers', {});
    await topics.syncEmailSubscriptions(topicArn, ['Ana@Example.com']);

    // Act
    const result = await topics.syncEmailSubscriptions(topicArn, [
      'ana@example.com',
      'BEN@example.com',
      'ben@example.com',
    ]);

    // Assess
    expect(result).toMatchObject({ subscribed: 1, unsubscribed: 0 });
    expect(await emailsOf(topicArn)).toEqual(['Ana@Example.com', 'BEN@example.com']);
  });

  it('leaves subscriptions of other protocols alone', async () => {
    // Prepare
    const topicArn = await topics.ensureTopic('labelers', {});
    await sns.send(
      new SubscribeCommand({ TopicArn: topicArn, Protocol: 'https', Endpoint: 'https://example.com/hook' }),
    );
    await topics.syncEmailSubscriptions(topicArn, ['ana@example.com']);
    await confirmSubscriptions(topicArn, ['ana@example.com']);

    // Act
    const result = await topics.syncEmailSubscriptions(topicArn, []);

    // Assess
    expect(result).toMatchObject({ subscribed: 0, unsubscribed: 1 });
    expect(await subscriptionsOf(topicArn)).toEqual([{ protocol: 'https', endpoint: 'https://example.com/hook' }]);
  });
});

describe('createNotificationTopics().syncEmailSubscriptions with unconfirmed workers', () => {
  it('subscribes a worker whose confirmation is still pending once: a later sync counts the address as present', async () => {
    // Prepare
    const topicArn = await topics.ensureTopic('labelers', {});
    await topics.syncEmailSubscriptions(topicArn, ['ana@example.com']);

    // Act
    const result = await topics.syncEmailSubscriptions(topicArn, ['ana@example.com']);

    // Assess
    expect(result).toEqual({
      subscribed: 0,
      unsubscribed: 0,
      seen: { confirmed: [], pending: ['ana@example.com'], asked: [] },
    });
    const { Subscriptions } = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn }));
    expect(Subscriptions?.map((s) => s.SubscriptionArn)).toEqual(['PendingConfirmation']);
  });

  it('asks only the missing addresses the caller allows (its ledger of mails sent), and tells what it saw', async () => {
    // Prepare: ana confirmed; ben and chloe are missing, and only chloe may be asked
    const topicArn = await topics.ensureTopic('labelers', {});
    await topics.syncEmailSubscriptions(topicArn, ['ana@example.com']);
    await confirmSubscriptions(topicArn, ['ana@example.com']);

    // Act
    const result = await topics.syncEmailSubscriptions(
      topicArn,
      ['ana@example.com', 'ben@example.com', 'chloe@example.com'],
      { mayAsk: (address) => address === 'chloe@example.com' },
    );

    // Assess
    expect(result).toEqual({
      subscribed: 1,
      unsubscribed: 0,
      seen: { confirmed: ['ana@example.com'], pending: [], asked: ['chloe@example.com'] },
    });
    expect(await emailsOf(topicArn)).toEqual(['ana@example.com', 'chloe@example.com']);
  });

  it('leaves a departed worker whose subscription is still pending, which SNS cannot unsubscribe, without failing', async () => {
    // Prepare
    const topicArn = await topics.ensureTopic('labelers', {});
    await topics.syncEmailSubscriptions(topicArn, ['ana@example.com', 'ben@example.com']);

    // Act
    const result = await topics.syncEmailSubscriptions(topicArn, ['ben@example.com']);

    // Assess
    expect(result).toMatchObject({ subscribed: 0, unsubscribed: 0 });
    expect(await emailsOf(topicArn)).toEqual(['ana@example.com', 'ben@example.com']);
  });
});

describe('createTopicInspector().inspectTopic', () => {
  it('tells confirmed e-mail subscriptions from pending ones', async () => {
    // Prepare
    const topicArn = await topics.ensureTopic('labelers', {});
    await topics.syncEmailSubscriptions(topicArn, ['ana@example.com', 'ben@example.com']);
    await confirmSubscriptions(topicArn, ['ana@example.com']);

    // Act
    const topic = await createTopicInspector(sns).inspectTopic(topicArn);

    // Assess
    expect(topic).toMatchObject({
      arn: topicArn,
      exists: true,
      emailEndpoints: ['ana@example.com'],
      pendingEmailEndpoints: ['ben@example.com'],
    });
  });

  it('reports a topic that does not exist as such', async () => {
    // Prepare
    const topicArn = `arn:aws:sns:us-east-1:000000000000:${prefix}none`;

    // Act
    const topic = await createTopicInspector(sns).inspectTopic(topicArn);

    // Assess
    expect(topic).toEqual({ arn: topicArn, exists: false, emailEndpoints: [], pendingEmailEndpoints: [] });
  });
});

describe('createNotificationTopics().deleteTopic', () => {
  it('deletes the topic with its subscriptions, and deleting it again is not an error', async () => {
    // Prepare
    const topicArn = await topics.ensureTopic('labelers', {});
    await topics.syncEmailSubscriptions(topicArn, ['ana@example.com']);

    // Act
    await topics.deleteTopic(topicArn);
    await topics.deleteTopic(topicArn);

    // Assess
    await expect(sns.send(new GetTopicAttributesCommand({ TopicArn: topicArn }))).rejects.toMatchObject({
      name: 'NotFoundException',
    });
    const left: string[] = [];
    for await (const page of paginateListSubscriptions({ client: sns }, {})) {
      for (const subscription of page.Subscriptions ?? []) {
        if (subscription.TopicArn === topicArn) left.push(subscription.Endpoint ?? '');
      }
    }
    expect(left).toEqual([]);
  });
});
