/**
 * The local EventBridge's front door through the real SDK v3 EventBridgeClient: PutEvents with AWS's checks, what
 * reached the bus at GET /_events, its subscribers; and the test run's local cloud, whose SageMaker and Cognito
 * writes reach the same bus as CloudTrail events naming the caller by its access key.
 */
import { randomUUID } from 'node:crypto';
import {
  CognitoIdentityProviderClient,
  CreateGroupCommand,
  DeleteGroupCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import {
  EventBridgeClient,
  EventBridgeServiceException,
  ListRulesCommand,
  PutEventsCommand,
  type PutEventsRequestEntry,
} from '@aws-sdk/client-eventbridge';
import {
  CreateWorkteamCommand,
  DeleteWorkteamCommand,
  SageMakerClient,
  UpdateWorkteamCommand,
} from '@aws-sdk/client-sagemaker';
import {
  ACCOUNT_ID,
  FUNCTIONS_CALLER_ARN,
  OPERATOR_ACCESS_KEY_ID,
  OWN_CALLER_ARN_PREFIX,
  REGION,
} from '../../local/cloud';
import { compilePattern, matchesPattern } from '../../local/event-pattern';
import { type EventBridgeEvent, type LocalEventBridge, startLocalEventBridge } from '../../local/eventbridge';
import { AUDIT_RULE_PATTERN, busEvents, OPERATOR_CREDENTIALS, waitForBusEvents } from '../support/events';

const finding = (overrides: PutEventsRequestEntry = {}): PutEventsRequestEntry => ({
  Source: 'workteam-automation',
  DetailType: 'Finding Opened',
  Detail: JSON.stringify({ team: 'image-labelers', rule: 'restricted-needs-source-ip' }),
  ...overrides,
});

async function failureOf(call: Promise<unknown>): Promise<EventBridgeServiceException> {
  try {
    await call;
  } catch (error) {
    if (error instanceof EventBridgeServiceException) return error;
    throw error;
  }
  throw new Error('expected the call to fail, but it succeeded');
}

describe('the local EventBridge: PutEvents', () => {
  let bridge: LocalEventBridge;
  let client: EventBridgeClient;

  beforeAll(async () => {
    bridge = await startLocalEventBridge({ port: 0, region: REGION, accountId: ACCOUNT_ID });
    client = new EventBridgeClient({
      endpoint: bridge.url,
      region: REGION,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 1,
    });
  });

  beforeEach(() => bridge.clear());

  afterAll(async () => {
    client.destroy();
    await bridge.close();
  });

  const kept = async (query = ''): Promise<EventBridgeEvent[]> =>
    (await (await fetch(`${bridge.url}/_events${query}`)).json()) as EventBridgeEvent[];

  it('accepts the entries the SDK puts and keeps each as EventBridge delivers it, at GET /_events', async () => {
    // Act
    const response = await client.send(
      new PutEventsCommand({
        Entries: [
          finding({ Time: new Date('2024-05-06T07:08:09.500Z'), Resources: ['arn:aws:sagemaker:x'] }),
          finding({ DetailType: 'Finding Resolved' }),
        ],
      }),
    );

    // Assess
    expect(response.FailedEntryCount).toBe(0);
    expect(response.Entries).toEqual([
      { EventId: expect.stringMatching(/^[0-9a-f-]{36}$/) },
      { EventId: expect.stringMatching(/^[0-9a-f-]{36}$/) },
    ]);
    expect(await kept()).toEqual([
      {
        version: '0',
        id: response.Entries?.[0]?.EventId,
        source: 'workteam-automation',
        'detail-type': 'Finding Opened',
        account: ACCOUNT_ID,
        time: '2024-05-06T07:08:09Z',
        region: REGION,
        resources: ['arn:aws:sagemaker:x'],
        detail: { team: 'image-labelers', rule: 'restricted-needs-source-ip' },
      },
      expect.objectContaining({
        id: response.Entries?.[1]?.EventId,
        'detail-type': 'Finding Resolved',
        time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
        resources: [],
      }),
    ]);
  });

  it("fails each bad entry with AWS's error code and message, and accepts the others", async () => {
    // Act
    const response = await client.send(
      new PutEventsCommand({
        Entries: [
          finding({ Source: undefined }),
          finding({ DetailType: undefined }),
          finding({ Detail: undefined }),
          finding({ Detail: '{"team": ' }),
          finding({ Detail: '["image-labelers"]' }),
          finding({ Source: 'aws.sagemaker' }),
          finding({ EventBusName: 'orders' }),
          finding({ EventBusName: `arn:aws:events:${REGION}:${ACCOUNT_ID}:event-bus/default` }),
          finding({ EventBusName: 'default' }),
        ],
      }),
    );

    // Assess
    expect(response.FailedEntryCount).toBe(7);
    expect(response.Entries).toEqual([
      {
        ErrorCode: 'InvalidArgument',
        ErrorMessage: 'Parameter Source is not valid. Reason: Source is a required argument.',
      },
      {
        ErrorCode: 'InvalidArgument',
        ErrorMessage: 'Parameter DetailType is not valid. Reason: DetailType is a required argument.',
      },
      {
        ErrorCode: 'InvalidArgument',
        ErrorMessage: 'Parameter Detail is not valid. Reason: Detail is a required argument.',
      },
      { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' },
      { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' },
      { ErrorCode: 'NotAuthorizedForSourceException', ErrorMessage: 'Not authorized for the source.' },
      { ErrorCode: 'InvalidArgument', ErrorMessage: expect.stringContaining("default event bus only, not 'orders'") },
      { EventId: expect.any(String) },
      { EventId: expect.any(String) },
    ]);
    expect((await kept()).map((event) => event.id)).toEqual([
      response.Entries?.[7]?.EventId,
      response.Entries?.[8]?.EventId,
    ]);
  });

  it('refuses a request of 11 entries as a whole with the ValidationException AWS answers, and keeps none', async () => {
    // Act
    const error = await failureOf(
      client.send(new PutEventsCommand({ Entries: Array.from({ length: 11 }, () => finding()) })),
    );

    // Assess
    expect(error.name).toBe('ValidationException');
    expect(error.$metadata.httpStatusCode).toBe(400);
    expect(error.message).toMatch(
      /^1 validation error detected: Value '\[PutEventsRequestEntry\(time=null, source=workteam-automation, .*\)\]' at 'entries' failed to satisfy constraint: Member must have length less than or equal to 10$/,
    );
    expect(await kept()).toEqual([]);
  });

  it('refuses entries of more than 256 KiB together, and keeps none', async () => {
    // Act
    const error = await failureOf(
      client.send(
        new PutEventsCommand({
          Entries: [
            finding({ Detail: JSON.stringify({ notes: 'x'.repeat(140 * 1024) }) }),
            finding({ Detail: JSON.stringify({ notes: 'y'.repeat(140 * 1024) }) }),
          ],
        }),
      ),
    );

    // Assess
    expect([error.name, error.message]).toEqual([
      'ValidationException',
      'Total size of the entries in the request is over the limit.',
    ]);
    expect(await kept()).toEqual([]);
  });

  it('answers an operation other than PutEvents with UnknownOperationException', async () => {
    // Act
    const error = await failureOf(client.send(new ListRulesCommand({})));

    // Assess
    expect(error.name).toBe('UnknownOperationException');
    expect(error.$metadata.httpStatusCode).toBe(400);
  });

  it('hands put and recorded events alike to its subscribers, and keeps the last ones, newest last', async () => {
    // Prepare: a bus that keeps two
    const small = await startLocalEventBridge({ port: 0, region: REGION, accountId: ACCOUNT_ID, keep: 2 });
    const smallClient = new EventBridgeClient({
      endpoint: small.url,
      region: REGION,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    const received: string[] = [];
    small.subscribe(() => {
      throw new Error('a broken subscriber');
    });
    small.subscribe((event) => received.push(`${event.source} ${event['detail-type']}`));
    const recorded: EventBridgeEvent = {
      version: '0',
      id: randomUUID(),
      source: 'aws.sagemaker',
      'detail-type': 'AWS API Call via CloudTrail',
      account: ACCOUNT_ID,
      time: '2024-01-01T00:00:00Z',
      region: REGION,
      resources: [],
      detail: { eventName: 'UpdateWorkteam' },
    };

    try {
      // Act
      small.record(recorded);
      await smallClient.send(
        new PutEventsCommand({ Entries: [finding(), finding({ DetailType: 'Finding Resolved' })] }),
      );
      const listed = (await (await fetch(`${small.url}/_events`)).json()) as EventBridgeEvent[];

      // Assess
      expect(received).toEqual([
        'aws.sagemaker AWS API Call via CloudTrail',
        'workteam-automation Finding Opened',
        'workteam-automation Finding Resolved',
      ]);
      expect(listed.map((event) => event['detail-type'])).toEqual(['Finding Opened', 'Finding Resolved']);
    } finally {
      smallClient.destroy();
      await small.close();
    }
  });

  it('lists the events of one source with ?source=, and forgets them all with DELETE /_events', async () => {
    // Prepare
    await client.send(new PutEventsCommand({ Entries: [finding(), finding({ Source: 'another.app' })] }));

    // Act
    const ours = await kept('?source=workteam-automation');
    const deleted = await fetch(`${bridge.url}/_events`, { method: 'DELETE' });
    const after = await kept();

    // Assess
    expect(ours.map((event) => event.source)).toEqual(['workteam-automation']);
    expect(deleted.status).toBe(204);
    expect(after).toEqual([]);
  });
});

describe("the local EventBridge of the test run's local cloud", () => {
  const env = (name: string) => {
    const value = process.env[name];
    if (!value) throw new Error(`${name} is not set: the test run's global setup starts the local cloud`);
    return value;
  };
  const auditPattern = () => compilePattern(AUDIT_RULE_PATTERN, 'of audit');

  it("records the functions' work team writes as their role's and the operator's as an IAM user's", async () => {
    // Prepare: the functions' client (the environment's key) and the operator's
    const functions = new SageMakerClient({});
    const operator = new SageMakerClient({ credentials: OPERATOR_CREDENTIALS });
    const name = `eventbridge-${randomUUID().slice(0, 8)}`;
    const members = [
      {
        CognitoMemberDefinition: { UserPool: env('USER_POOL_ID'), ClientId: env('CLIENT_ID'), UserGroup: 'reviewers' },
      },
    ];

    try {
      // Act
      await functions.send(
        new CreateWorkteamCommand({
          WorkteamName: name,
          Description: 'Made by the functions',
          MemberDefinitions: members,
        }),
      );
      await operator.send(new UpdateWorkteamCommand({ WorkteamName: name, Description: 'Changed by hand' }));
      await functions.send(new DeleteWorkteamCommand({ WorkteamName: name }));
      const events = await waitForBusEvents(
        'aws.sagemaker',
        (event) => (event.detail.requestParameters as { workteamName?: string } | null)?.workteamName === name,
      );

      // Assess
      expect(
        events.map((event) => [event.detail.eventName, (event.detail.userIdentity as { arn: string }).arn]),
      ).toEqual([
        ['CreateWorkteam', FUNCTIONS_CALLER_ARN],
        ['UpdateWorkteam', `arn:aws:iam::${ACCOUNT_ID}:user/${OPERATOR_ACCESS_KEY_ID}`],
        ['DeleteWorkteam', FUNCTIONS_CALLER_ARN],
      ]);
      expect(FUNCTIONS_CALLER_ARN.startsWith(OWN_CALLER_ARN_PREFIX)).toBe(true);
      expect(events.map((event) => matchesPattern(auditPattern(), event))).toEqual([false, true, false]);
    } finally {
      functions.destroy();
      operator.destroy();
    }
  });

  it('records Cognito group changes made through the recording proxy on the same bus', async () => {
    // Prepare
    const cognito = new CognitoIdentityProviderClient({ credentials: OPERATOR_CREDENTIALS });
    const group = `eventbridge-${randomUUID().slice(0, 8)}`;

    try {
      // Act
      await cognito.send(new CreateGroupCommand({ UserPoolId: env('USER_POOL_ID'), GroupName: group }));
      await cognito.send(new DeleteGroupCommand({ UserPoolId: env('USER_POOL_ID'), GroupName: group }));
      const ofGroup = (event: EventBridgeEvent) =>
        (event.detail.requestParameters as { groupName?: string }).groupName === group;
      await waitForBusEvents('aws.cognito-idp', (event) => ofGroup(event) && event.detail.eventName === 'DeleteGroup');
      const events = (await busEvents('aws.cognito-idp')).filter(ofGroup);

      // Assess
      expect(events.map((event) => event.detail.eventName)).toEqual(['CreateGroup', 'DeleteGroup']);
      expect(events[0]?.detail).toMatchObject({
        userIdentity: { arn: `arn:aws:iam::${ACCOUNT_ID}:user/${OPERATOR_ACCESS_KEY_ID}` },
        requestParameters: { userPoolId: env('USER_POOL_ID'), groupName: group },
      });
    } finally {
      cognito.destroy();
    }
  });

  it('takes PutEvents from a client of the environment (AWS_ENDPOINT_URL_EVENTBRIDGE)', async () => {
    // Prepare
    const client = new EventBridgeClient({});
    const marker = randomUUID();

    try {
      // Act
      const response = await client.send(
        new PutEventsCommand({
          Entries: [{ Source: 'test.local-eventbridge', DetailType: 'Marker', Detail: JSON.stringify({ marker }) }],
        }),
      );

      // Assess
      expect(process.env.AWS_ENDPOINT_URL_EVENTBRIDGE).toBe(env('EVENTBRIDGE_URL'));
      expect((await busEvents('test.local-eventbridge')).filter((e) => e.detail.marker === marker)).toEqual([
        expect.objectContaining({ id: response.Entries?.[0]?.EventId, 'detail-type': 'Marker' }),
      ]);
    } finally {
      client.destroy();
    }
  });
});
