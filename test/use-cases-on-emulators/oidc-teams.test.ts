/**
 * OIDC teams end to end through the team use cases: members are OIDC groups, the topic is wired as for Cognito
 * teams, and the subscribers are the addresses given with the team (`notifications: { addresses }`), subscribed
 * through the ledger (one confirmation mail each), unsubscribed once removed, masked in every answer and log line.
 *
 * The hub's workforce in the test cloud is Cognito's, so SageMaker here is an emulator of this file's own with an
 * OIDC workforce; SNS, the registry and the ledger are the test cloud's. Once the multi-account local cloud is
 * merged, the same runs against its seeded OIDC target (111111111111/eu-west-1) through `buildTeamDeps(config,
 * target)`.
 */
import { randomBytes } from 'node:crypto';
import type { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { ListSubscriptionsByTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { createSageMakerWriter } from '#lib/adapters/sagemaker';
import { actorOf } from '#lib/auth/caller';
import { buildTeamDeps } from '#lib/composition/teams';
import { parseCreateTeamRequest, parseTeamPatch } from '#lib/http/requests';
import { toManagedTeamView } from '#lib/http/views';
import { logger } from '#lib/runtime/observability';
import { createTeam, deleteTeam, type TeamDeps, updateTeam } from '#lib/use-cases/manage-teams';
import { reconcileTeam } from '#lib/use-cases/reconcile';
import { captureLogOutput, type LogCapture } from '../support/logs';
import { confirmationMails, confirmSubscriptions } from '../support/mailbox';
import { createWorkforce, OIDC_CONFIG, useOwnSageMakerEmulator } from '../support/sagemaker-contract';
import { OWNER, uniqueTeamName } from '../support/teams';

const topics = new SNSClient({});
let client: SageMakerClient;
let deps: TeamDeps;
const created: string[] = [];
let logs: LogCapture;

useOwnSageMakerEmulator((own) => {
  client = own.client;
});

beforeEach(async () => {
  // The emulator was reset before this hook: its region gets its OIDC workforce again.
  await createWorkforce(client, { WorkforceName: 'oidc-workforce', CognitoConfig: undefined, OidcConfig: OIDC_CONFIG });
  deps = { ...buildTeamDeps(), sagemaker: createSageMakerWriter(client) };
  logs = captureLogOutput(logger);
});

afterEach(async () => {
  logs.restore();
  while (created.length > 0) await deleteTeam(deps, actorOf(OWNER), created.pop() as string, 'any');
});

/** Addresses no other test uses, so that the local SNS's mailbox holds only this test's mails for them. */
function addresses(count: number): string[] {
  const run = randomBytes(3).toString('hex');
  return Array.from({ length: count }, (_, index) => `worker${index}.${run}@example.com`);
}

async function createOidcTeam(notifications: unknown) {
  const name = uniqueTeamName('oidc');
  const body = {
    name,
    description: 'Labels with Okta',
    members: { oidcGroups: ['okta-labelers'] },
    notifications,
    tags: { classification: 'internal', 'cost-center': 'ml-platform' },
  };
  const result = await createTeam(deps, actorOf(OWNER), parseCreateTeamRequest(body));
  created.push(name);
  return { name, result, topicArn: result.record.topicArn as string };
}

async function subscriptions(topicArn: string): Promise<{ address: string; pending: boolean }[]> {
  const { Subscriptions = [] } = await topics.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn }));
  return Subscriptions.filter(({ Protocol }) => Protocol === 'email')
    .map(({ Endpoint, SubscriptionArn }) => ({
      address: Endpoint ?? '',
      pending: SubscriptionArn === 'PendingConfirmation',
    }))
    .sort((a, b) => a.address.localeCompare(b.address));
}

function view(result: Awaited<ReturnType<typeof createTeam>>) {
  return toManagedTeamView(result.record, result.live, deps.managementTag);
}

/** Neither an address nor its local part: what a log line or an answer must never hold. */
function expectNoneOf(text: string, given: readonly string[]): void {
  for (const address of given) {
    expect(text.toLowerCase()).not.toContain(address.toLowerCase());
    expect(text.toLowerCase()).not.toContain(address.split('@')[0]?.toLowerCase());
  }
}

describe('an OIDC team that names its subscribers', () => {
  it('gets its topic in SageMaker, one pending subscription and one confirmation mail per address, all masked', async () => {
    // Prepare
    const given = addresses(2);

    // Act
    const { result, topicArn } = await createOidcTeam({ addresses: given });

    // Assess
    expect(result.outcome).toBe('applied');
    expect(result.live?.memberDefinitions).toEqual([{ oidc: { groups: ['okta-labelers'] } }]);
    expect(result.live?.notificationTopicArn).toBe(topicArn);
    expect(await subscriptions(topicArn)).toEqual(given.map((address) => ({ address, pending: true })));
    const mails = await confirmationMails(topicArn);
    expect(mails.map((mail) => mail.address).sort()).toEqual(given);
    const answer = JSON.stringify(view(result));
    expect(view(result).notificationAddresses).toEqual(given.map(() => expect.stringMatching(/^w\*+@example\.com$/)));
    expectNoneOf(answer, given);
    expect(logs.text()).toContain('team changed');
    expectNoneOf(logs.text(), given);
  });

  it('unsubscribes an address a PATCH removes, once confirmed, and mails nobody again', async () => {
    // Prepare: both confirmed, as their owners would
    const given = addresses(2);
    const { name, topicArn } = await createOidcTeam({ addresses: given });
    await confirmSubscriptions(topicArn, given);

    // Act
    const patched = await updateTeam(
      deps,
      actorOf(OWNER),
      name,
      parseTeamPatch({ notifications: { addresses: [given[0]] } }),
    );

    // Assess
    expect(patched.outcome).toBe('applied');
    expect(await subscriptions(topicArn)).toEqual([{ address: given[0], pending: false }]);
    expect(await confirmationMails(topicArn)).toHaveLength(2);
    expect(patched.record.history.at(-1)?.summary).toBe('notifications.addresses: -1');
    expectNoneOf(JSON.stringify(view(patched)), given);
    expectNoneOf(logs.text(), given);
  });

  it('hands the subscriptions to the owner when the list goes: its own are unsubscribed once, the owner’s then stay', async () => {
    // Prepare
    const [ours, owners] = addresses(2) as [string, string];
    const { name, topicArn } = await createOidcTeam({ addresses: [ours] });
    await confirmSubscriptions(topicArn, [ours]);

    // Act: the list goes; then the owner subscribes someone by hand, and a whole pass (as the retries and the
    // audit's remediation make) goes over the team again
    await updateTeam(deps, actorOf(OWNER), name, parseTeamPatch({ notifications: { addresses: [] } }));
    const handedOver = await subscriptions(topicArn);
    await topics.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'email', Endpoint: owners }));
    await confirmSubscriptions(topicArn, [owners]);
    const later = await reconcileTeam(deps, name);

    // Assess
    expect(handedOver).toEqual([]);
    expect(later.outcome).toBe('applied');
    expect(await subscriptions(topicArn)).toEqual([{ address: owners, pending: false }]);
  });
});

describe('an OIDC team that names none', () => {
  it('gets its topic, and a pass never touches the subscriptions its owner made', async () => {
    // Prepare
    const [owners] = addresses(1) as [string];
    const { name, result, topicArn } = await createOidcTeam(true);
    await topics.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'email', Endpoint: owners }));
    await confirmSubscriptions(topicArn, [owners]);

    // Act: a whole pass over the team, its topic and subscriptions included
    const later = await reconcileTeam(deps, name);

    // Assess
    expect(result.live?.notificationTopicArn).toBe(topicArn);
    expect(view(result)).not.toHaveProperty('notificationAddresses');
    expect(later.outcome).toBe('applied');
    expect(await subscriptions(topicArn)).toEqual([{ address: owners, pending: false }]);
  });
});
