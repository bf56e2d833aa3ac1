/**
 * The SNS side of a team's notifications: one topic per team that SageMaker may publish to, and one e-mail
 * subscription per worker. Every call is idempotent. E-mail addresses are personal data: nothing here logs
 * them, and no error this module raises carries one.
 */

import {
  CreateTopicCommand,
  DeleteTopicCommand,
  GetTopicAttributesCommand,
  PublishCommand,
  paginateListSubscriptionsByTopic,
  SetTopicAttributesCommand,
  type SNSClient,
  SubscribeCommand,
  type Subscription,
  TagResourceCommand,
  UnsubscribeCommand,
} from '@aws-sdk/client-sns';
import { teamTopicPolicy } from '../domain/audit/topic-policy';
import { redactEmailAddresses } from '../domain/privacy';
import type { NotificationTopics, OperationsAlerts, TopicInspector } from '../ports/teams';
import { isSnsNotFound } from '../runtime/aws-errors';
import { forEachBounded } from '../runtime/concurrency';

interface NotificationTopicsOptions {
  /** Prepended to the team name to form the topic name, e.g. `workteam-`. */
  topicPrefix: string;
}

/**
 * Subscribe/Unsubscribe calls in flight at once for one topic: a team of hundreds of workers syncs in a
 * fraction of the sequential time without spending the account's SNS request rate on one team.
 */
const SUBSCRIPTION_CONCURRENCY = 8;

/** What ListSubscriptionsByTopic shows instead of an ARN for an e-mail address that has not confirmed yet. */
const PENDING_CONFIRMATION = 'PendingConfirmation';

export function createNotificationTopics(sns: SNSClient, options: NotificationTopicsOptions): NotificationTopics {
  return {
    async ensureTopic(teamName, tags) {
      const topicArn = await topicOfTeam(sns, `${options.topicPrefix}${teamName}`, tags, { retag: true });
      await sns.send(
        new SetTopicAttributesCommand({
          TopicArn: topicArn,
          AttributeName: 'Policy',
          AttributeValue: JSON.stringify(teamTopicPolicy(topicArn)),
        }),
      );
      return topicArn;
    },

    async syncEmailSubscriptions(topicArn, emails, options = {}) {
      const wanted = new Map<string, string>();
      for (const email of emails) {
        const key = email.toLowerCase();
        if (!wanted.has(key)) wanted.set(key, email);
      }

      const confirmed = new Set<string>();
      const pending = new Set<string>();
      const stale: string[] = [];
      for (const subscription of await listEmailSubscriptions(sns, topicArn)) {
        const key = (subscription.Endpoint ?? '').toLowerCase();
        const arn = subscription.SubscriptionArn ?? '';
        // `PendingConfirmation` stands where the ARN would: such a subscription cannot be unsubscribed (SNS
        // drops it when it stays unconfirmed), and a wanted one counts as present, so it is not asked again.
        if (wanted.has(key)) (arn === PENDING_CONFIRMATION ? pending : confirmed).add(key);
        else if (arn !== PENDING_CONFIRMATION && arn.startsWith('arn:')) stale.push(arn);
      }

      const missing = [...wanted]
        .filter(([key]) => !confirmed.has(key) && !pending.has(key))
        .map(([, email]) => email)
        .filter((email) => options.mayAsk?.(email) ?? true);
      // Subscriptions to make and to drop are independent: one pool of calls for both.
      const calls: Array<() => Promise<void>> = [
        ...missing.map((email) => async () => {
          await sns.send(
            new SubscribeCommand({
              TopicArn: topicArn,
              Protocol: 'email',
              Endpoint: email,
              ReturnSubscriptionArn: true,
            }),
          );
        }),
        ...stale.map((subscriptionArn) => async () => {
          try {
            await sns.send(new UnsubscribeCommand({ SubscriptionArn: subscriptionArn }));
          } catch (error) {
            if (!isSnsNotFound(error)) throw error;
          }
        }),
      ];
      await forEachBounded(calls, SUBSCRIPTION_CONCURRENCY, (call) => call());
      const original = (keys: Set<string>) => [...keys].map((key) => wanted.get(key) ?? key);
      return {
        subscribed: missing.length,
        unsubscribed: stale.length,
        seen: { confirmed: original(confirmed), pending: original(pending), asked: missing },
      };
    },

    async deleteTopic(topicArn) {
      await deleteTopic(sns, topicArn);
    },

    async deleteTeamTopic(teamName, tags) {
      // SNS has no lookup by name: CreateTopic of the same name and tags is idempotent and answers the ARN (of
      // the topic, or of a new empty one, which goes at once). Only for records that never learnt the ARN.
      await deleteTopic(sns, await topicOfTeam(sns, `${options.topicPrefix}${teamName}`, tags, { retag: false }));
    },
  };
}

/**
 * The team's topic by its name, made when it does not exist. CreateTopic of an existing topic is only idempotent
 * with the same tags; otherwise it is refused ("Topic already exists with different tags"): then the topic is
 * asked for without tags, and with `retag` its tags go through TagResource.
 */
async function topicOfTeam(
  sns: SNSClient,
  name: string,
  tags: Record<string, string>,
  options: { retag: boolean },
): Promise<string> {
  const sdkTags = Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
  try {
    return await createTopic(sns, name, sdkTags);
  } catch (error) {
    if (!isTagConflict(error)) throw error;
    const topicArn = await createTopic(sns, name, []);
    if (options.retag) await sns.send(new TagResourceCommand({ ResourceArn: topicArn, Tags: sdkTags }));
    return topicArn;
  }
}

async function deleteTopic(sns: SNSClient, topicArn: string): Promise<void> {
  try {
    await sns.send(new DeleteTopicCommand({ TopicArn: topicArn }));
  } catch (error) {
    if (!isSnsNotFound(error)) throw error;
  }
}

/** The operations topic: one message per event that needs a person, never an e-mail address in it. */
export function createOperationsAlerts(sns: SNSClient, topicArn: string): OperationsAlerts {
  const publish = async (event: string, subject: string, message: Record<string, unknown>) => {
    await sns.send(
      new PublishCommand({
        TopicArn: topicArn,
        Subject: subject.slice(0, 100),
        Message: JSON.stringify({ event, ...message }),
        MessageAttributes: { event: { DataType: 'String', StringValue: event } },
      }),
      // Its own short deadline rather than the invocation's: the alert goes out even when that budget is spent,
      // and never holds up the answer for long.
      { abortSignal: AbortSignal.timeout(2000) },
    );
  };
  return {
    async teamFailed(team) {
      await publish('TeamFailed', `Work team ${team.name} failed`, {
        team: team.name,
        owner: team.owner,
        version: team.version,
        reason: redactEmailAddresses(team.reason),
      });
    },
    async teamOrphaned(team) {
      await publish('TeamOrphaned', `Work team ${team.name} lost its last group`, {
        team: team.name,
        owner: team.owner,
        version: team.version,
        group: redactEmailAddresses(team.group),
        reason: 'its last Cognito group was deleted: add a group to the team, or delete it',
      });
    },
    async auditFindingsOpened(summary) {
      const shown = summary.opened.slice(0, 50);
      await publish('AuditFindingsOpened', `Work-team audit: ${summary.opened.length} new finding(s)`, {
        runId: summary.runId,
        trigger: summary.trigger,
        teamsAudited: summary.teamsAudited,
        findings: summary.findings,
        opened: shown.map((finding) => ({ ...finding, message: redactEmailAddresses(finding.message) })),
        ...(summary.opened.length > shown.length ? { more: summary.opened.length - shown.length } : {}),
      });
    },
  };
}

/**
 * The audit's view of a topic: whether it exists, its policy and encryption key, its e-mail subscriptions. The two
 * reads run side by side; a topic that does not exist is a state, not an error.
 */
export function createTopicInspector(sns: SNSClient): TopicInspector {
  return {
    async inspectTopic(topicArn) {
      const [attributes, subscriptions] = await Promise.all([
        sns.send(new GetTopicAttributesCommand({ TopicArn: topicArn })).catch((error: unknown) => {
          if (isSnsNotFound(error)) return undefined;
          throw error;
        }),
        listEmailSubscriptions(sns, topicArn).catch((error: unknown) => {
          if (isSnsNotFound(error)) return undefined;
          throw error;
        }),
      ]);
      if (attributes === undefined || subscriptions === undefined) {
        return { arn: topicArn, exists: false, emailEndpoints: [], pendingEmailEndpoints: [] };
      }
      const endpoints = (pending: boolean) =>
        subscriptions.flatMap((subscription) =>
          subscription.Endpoint && (subscription.SubscriptionArn === PENDING_CONFIRMATION) === pending
            ? [subscription.Endpoint]
            : [],
        );
      return {
        arn: topicArn,
        exists: true,
        policy: attributes.Attributes?.Policy,
        // SNS answers the attribute only for an encrypted topic.
        ...(attributes.Attributes?.KmsMasterKeyId ? { kmsMasterKeyId: attributes.Attributes.KmsMasterKeyId } : {}),
        emailEndpoints: endpoints(false),
        // Not yet confirmed: SNS drops them if they stay so, and nobody can unsubscribe them meanwhile.
        pendingEmailEndpoints: endpoints(true),
      };
    },
  };
}

async function createTopic(sns: SNSClient, name: string, tags: { Key: string; Value: string }[]): Promise<string> {
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: name, Tags: tags.length > 0 ? tags : undefined }));
  if (!TopicArn) throw new Error(`CreateTopic returned no TopicArn for '${name}'`);
  return TopicArn;
}

async function listEmailSubscriptions(sns: SNSClient, topicArn: string): Promise<Subscription[]> {
  const subscriptions: Subscription[] = [];
  for await (const page of paginateListSubscriptionsByTopic({ client: sns }, { TopicArn: topicArn })) {
    for (const subscription of page.Subscriptions ?? []) {
      if (subscription.Protocol === 'email') subscriptions.push(subscription);
    }
  }
  return subscriptions;
}

function isTagConflict(error: unknown): boolean {
  return error instanceof Error && error.name === 'InvalidParameterException' && /\btags\b/i.test(error.message);
}
