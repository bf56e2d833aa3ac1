import {
  AddTagsCommand,
  CreateWorkteamCommand,
  DeleteWorkteamCommand,
  DescribeWorkteamCommand,
  ListTagsCommand,
  ListTrainingJobsCommand,
  ListWorkforcesCommand,
  ListWorkteamsCommand,
  SageMakerClient,
  UpdateWorkteamCommand,
} from '@aws-sdk/client-sagemaker';
import { type CloudTrailEvent, type SageMakerEmulator, startSageMakerEmulator } from '../../local/sagemaker';
import {
  ACCOUNT,
  CLIENT_ID,
  clientFor,
  createTeam,
  failureOf,
  REGION,
  rawCall,
  TOPIC_ARN,
  teamInput,
  USER_POOL,
  useOwnSageMakerEmulator,
} from '../support/sagemaker-contract';

describe('SageMaker emulator: wire protocol, knobs and control plane', () => {
  let emulator: SageMakerEmulator;
  let client: SageMakerClient;

  useOwnSageMakerEmulator((own) => {
    ({ emulator, client } = own);
  });

  describe('wire protocol', () => {
    it('listens on 127.0.0.1 on a free port by default', () => {
      // Assess
      expect(emulator.port).toBeGreaterThan(0);
      expect(emulator.url).toBe(`http://127.0.0.1:${emulator.port}`);
    });

    it('answers a call with 200, the awsJson1_1 content type, a request id and epoch-second dates', async () => {
      // Prepare
      await createTeam(client, 'wire');

      // Act
      const response = await rawCall(emulator, 'SageMaker.DescribeWorkteam', JSON.stringify({ WorkteamName: 'wire' }));

      // Assess
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('application/x-amz-json-1.1');
      expect(response.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
      const workteam = response.json.Workteam as Record<string, unknown>;
      expect(typeof workteam.CreateDate).toBe('number');
      expect(Math.abs(Number(workteam.CreateDate) - Date.now() / 1000)).toBeLessThan(60);
    });

    it('answers an error with 400, __type, Message and the x-amzn-ErrorType header', async () => {
      // Act
      const response = await rawCall(emulator, 'SageMaker.DescribeWorkteam', JSON.stringify({ WorkteamName: 'nope' }));

      // Assess
      expect(response.status).toBe(400);
      expect(response.headers.get('x-amzn-errortype')).toBe('ValidationException');
      expect(response.json).toEqual({ __type: 'ValidationException', Message: "The work team 'nope' does not exist." });
    });

    it('surfaces a ValidationException to the SDK with its name, message and a client fault', async () => {
      // Act
      const error = await failureOf(client.send(new DescribeWorkteamCommand({ WorkteamName: 'missing' })));

      // Assess
      expect(error.name).toBe('ValidationException');
      expect(error.message).toBe("The work team 'missing' does not exist.");
      expect(error.$fault).toBe('client');
      expect(error.$metadata.httpStatusCode).toBe(400);
    });

    it('answers an operation it does not implement with UnknownOperationException', async () => {
      // Act
      const error = await failureOf(client.send(new ListTrainingJobsCommand({})));

      // Assess
      expect(error.name).toBe('UnknownOperationException');
      expect(error.message).toContain('ListTrainingJobs');
    });

    it('answers a request without X-Amz-Target with UnknownOperationException', async () => {
      // Act
      const response = await fetch(`${emulator.url}/`, { method: 'POST', body: '{}' });

      // Assess
      expect(response.status).toBe(400);
      expect(((await response.json()) as { __type: string }).__type).toBe('UnknownOperationException');
    });

    it('answers malformed JSON with SerializationException', async () => {
      // Act
      const response = await rawCall(emulator, 'SageMaker.ListWorkteams', '{"MaxResults": ');

      // Assess
      expect(response.status).toBe(400);
      expect(response.headers.get('x-amzn-errortype')).toBe('SerializationException');
      expect(response.json.__type).toBe('SerializationException');
    });

    it('answers a member of the wrong JSON type with SerializationException', async () => {
      // Act
      const response = await rawCall(emulator, 'SageMaker.ListWorkteams', JSON.stringify({ MaxResults: 'ten' }));

      // Assess
      expect(response.status).toBe(400);
      expect(response.json.__type).toBe('SerializationException');
    });

    it('is reachable through the AWS_ENDPOINT_URL_SAGEMAKER environment variable', async () => {
      // Prepare
      const previous = process.env.AWS_ENDPOINT_URL_SAGEMAKER;
      process.env.AWS_ENDPOINT_URL_SAGEMAKER = emulator.url;
      const envClient = new SageMakerClient({
        region: REGION,
        credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
        maxAttempts: 1,
      });

      try {
        // Act
        const response = await envClient.send(new ListWorkteamsCommand({}));

        // Assess
        expect(response.Workteams).toEqual([]);
        expect(emulator.callCounts()).toEqual({ ListWorkteams: 1 });
      } finally {
        envClient.destroy();
        if (previous === undefined) delete process.env.AWS_ENDPOINT_URL_SAGEMAKER;
        else process.env.AWS_ENDPOINT_URL_SAGEMAKER = previous;
      }
    });
  });

  describe('knobs', () => {
    it('delays each response by at least latencyMs', async () => {
      // Prepare
      emulator.setKnobs({ latencyMs: 250 });
      const started = performance.now();

      // Act
      await client.send(new ListWorkteamsCommand({}));

      // Assess
      expect(performance.now() - started).toBeGreaterThanOrEqual(250);
    });

    it('answers ThrottlingException "Rate exceeded" that the SDK retries: 3 counted calls with maxAttempts 3', async () => {
      // Prepare
      emulator.setKnobs({ throttleRate: 1 });
      const retryingClient = clientFor(emulator, { maxAttempts: 3 });

      try {
        // Act
        const error = await failureOf(retryingClient.send(new ListWorkteamsCommand({})));

        // Assess
        expect(error.name).toBe('ThrottlingException');
        expect(error.message).toBe('Rate exceeded');
        expect(error.$metadata.httpStatusCode).toBe(400);
        expect(error.$metadata.attempts).toBe(3);
        expect(emulator.callCounts()).toEqual({ ListWorkteams: 3 });
      } finally {
        retryingClient.destroy();
      }
    });

    it('answers InternalFailure (500) or ServiceUnavailable (503) to every call when serverErrorRate is 1', async () => {
      // Prepare
      emulator.setKnobs({ serverErrorRate: 1 });

      // Act
      const errors = await Promise.all(
        Array.from({ length: 12 }, () => failureOf(client.send(new ListWorkforcesCommand({})))),
      );

      // Assess
      for (const error of errors) {
        const expectedStatus = error.name === 'InternalFailure' ? 500 : 503;
        expect(['InternalFailure', 'ServiceUnavailable']).toContain(error.name);
        expect(error.$metadata.httpStatusCode).toBe(expectedStatus);
        expect(error.$fault).toBe('server');
      }
    });

    it('answers normally when the rates are 0', async () => {
      // Prepare
      emulator.setKnobs({ throttleRate: 0, serverErrorRate: 0 });

      // Act
      const responses = await Promise.all(Array.from({ length: 10 }, () => client.send(new ListWorkteamsCommand({}))));

      // Assess
      expect(responses.map((r) => r.$metadata.httpStatusCode)).toEqual(Array(10).fill(200));
    });

    it('refuses invalid knobs from code with a RangeError', () => {
      // Act / Assess
      expect(() => emulator.setKnobs({ throttleRate: 1.5 })).toThrow(RangeError);
      expect(() => emulator.setKnobs({ latencyMs: -1 })).toThrow(RangeError);
    });
  });

  describe('call counters', () => {
    it('counts every call per operation name, including failed ones', async () => {
      // Prepare
      await client.send(new ListWorkteamsCommand({}));
      await client.send(new ListWorkteamsCommand({}));
      await failureOf(client.send(new DescribeWorkteamCommand({ WorkteamName: 'none' })));

      // Act
      const counts = emulator.callCounts();

      // Assess
      expect(counts).toEqual({ ListWorkteams: 2, DescribeWorkteam: 1 });
    });

    it('resets the counters with resetCallCounts()', async () => {
      // Prepare
      await client.send(new ListWorkteamsCommand({}));

      // Act
      emulator.resetCallCounts();

      // Assess
      expect(emulator.callCounts()).toEqual({});
    });
  });

  describe('HTTP control plane', () => {
    it('reads the counters with GET /_emulator/calls and resets them with DELETE /_emulator/calls', async () => {
      // Prepare
      await client.send(new ListWorkforcesCommand({}));

      // Act
      const before = await (await fetch(`${emulator.url}/_emulator/calls`)).json();
      const deleted = await fetch(`${emulator.url}/_emulator/calls`, { method: 'DELETE' });
      const after = await (await fetch(`${emulator.url}/_emulator/calls`)).json();

      // Assess
      expect(before).toEqual({ ListWorkforces: 1 });
      expect(deleted.status).toBe(204);
      expect(after).toEqual({});
    });

    it('sets knobs with PUT /_emulator/knobs and reads them with GET /_emulator/knobs', async () => {
      // Act
      const put = await fetch(`${emulator.url}/_emulator/knobs`, {
        method: 'PUT',
        body: JSON.stringify({ throttleRate: 1 }),
      });
      const knobs = await (await fetch(`${emulator.url}/_emulator/knobs`)).json();
      const error = await failureOf(client.send(new ListWorkteamsCommand({})));

      // Assess
      expect(put.status).toBe(204);
      expect(knobs).toEqual({ latencyMs: 0, throttleRate: 1, serverErrorRate: 0 });
      expect(error.name).toBe('ThrottlingException');
    });

    it('refuses invalid knobs with 400', async () => {
      // Act
      const response = await fetch(`${emulator.url}/_emulator/knobs`, {
        method: 'PUT',
        body: JSON.stringify({ serverErrorRate: 2 }),
      });

      // Assess
      expect(response.status).toBe(400);
      expect(await (await fetch(`${emulator.url}/_emulator/knobs`)).json()).toEqual({
        latencyMs: 0,
        throttleRate: 0,
        serverErrorRate: 0,
      });
    });

    it.each([
      ['removes-topic', undefined],
      ['keeps-topic', { NotificationTopicArn: TOPIC_ARN }],
    ] as const)(
      'with PUT /_emulator/behaviour %s, answers an empty NotificationConfiguration so',
      async (choice, kept) => {
        // Prepare
        await createTeam(client, 'quiet', { NotificationConfiguration: { NotificationTopicArn: TOPIC_ARN } });

        // Act
        const put = await fetch(`${emulator.url}/_emulator/behaviour`, {
          method: 'PUT',
          body: JSON.stringify({ emptyNotificationConfiguration: choice }),
        });
        const updated = await client.send(
          new UpdateWorkteamCommand({ WorkteamName: 'quiet', NotificationConfiguration: {} }),
        );
        const { Workteam } = await client.send(new DescribeWorkteamCommand({ WorkteamName: 'quiet' }));

        // Assess
        expect(put.status).toBe(204);
        expect(await (await fetch(`${emulator.url}/_emulator/behaviour`)).json()).toEqual({
          emptyNotificationConfiguration: choice,
        });
        expect(updated.Workteam?.NotificationConfiguration).toEqual(kept);
        expect(Workteam?.NotificationConfiguration).toEqual(kept);
      },
    );

    it('removes the topic by default, refuses an unknown behaviour with 400, and reset() restores the default', async () => {
      // Prepare
      emulator.setBehaviour({ emptyNotificationConfiguration: 'keeps-topic' });

      // Act
      const unknown = await fetch(`${emulator.url}/_emulator/behaviour`, {
        method: 'PUT',
        body: JSON.stringify({ emptyNotificationConfiguration: 'sometimes' }),
      });
      const kept = await (await fetch(`${emulator.url}/_emulator/behaviour`)).json();
      emulator.reset();
      const afterReset = await (await fetch(`${emulator.url}/_emulator/behaviour`)).json();

      // Assess
      expect(unknown.status).toBe(400);
      expect(await unknown.json()).toEqual({
        message: "behaviour 'emptyNotificationConfiguration' must be one of removes-topic, keeps-topic",
      });
      expect(kept).toEqual({ emptyNotificationConfiguration: 'keeps-topic' });
      expect(afterReset).toEqual({ emptyNotificationConfiguration: 'removes-topic' });
    });

    it('neither counts control plane calls nor applies knobs to them', async () => {
      // Prepare
      emulator.setKnobs({ latencyMs: 1000, throttleRate: 1, serverErrorRate: 1 });
      const started = performance.now();

      // Act
      const response = await fetch(`${emulator.url}/_emulator/calls`);
      const counts = await response.json();

      // Assess
      expect(response.status).toBe(200);
      expect(counts).toEqual({});
      expect(performance.now() - started).toBeLessThan(1000);
    });

    it('drops all state, knobs and counts with POST /_emulator/reset', async () => {
      // Prepare
      await createTeam(client, 'to-forget');
      emulator.setKnobs({ latencyMs: 5 });

      // Act
      const response = await fetch(`${emulator.url}/_emulator/reset`, { method: 'POST' });

      // Assess
      expect(response.status).toBe(204);
      expect(emulator.callCounts()).toEqual({});
      expect(await (await fetch(`${emulator.url}/_emulator/knobs`)).json()).toEqual({
        latencyMs: 0,
        throttleRate: 0,
        serverErrorRate: 0,
      });
      const teams = await client.send(new ListWorkteamsCommand({}));
      const workforces = await client.send(new ListWorkforcesCommand({}));
      expect(teams.Workteams).toEqual([]);
      expect(workforces.Workforces).toEqual([]);
    });

    it('drops all state, knobs and counts with reset()', async () => {
      // Prepare
      await createTeam(client, 'to-forget');
      emulator.setKnobs({ throttleRate: 1 });

      // Act
      emulator.reset();

      // Assess
      expect(emulator.callCounts()).toEqual({});
      const teams = await client.send(new ListWorkteamsCommand({}));
      expect(teams.Workteams).toEqual([]);
    });
  });
});

describe('SageMaker emulator options', () => {
  it('uses the given region and account in ARNs', async () => {
    // Prepare
    const emulator = await startSageMakerEmulator({ region: 'eu-west-1', accountId: '123456789012' });
    const client = clientFor(emulator, { region: 'eu-west-1' });

    try {
      // Act
      const arn = await createTeam(client, 'regional');

      // Assess
      expect(arn).toBe('arn:aws:sagemaker:eu-west-1:123456789012:workteam/private-crowd/regional');
    } finally {
      client.destroy();
      await emulator.close();
    }
  });
});

describe('fault injection', () => {
  it('answers the next calls of one operation with the injected error, then recovers', async () => {
    // Prepare
    const emu = await startSageMakerEmulator();
    const client = clientFor(emu);
    const response = await fetch(`${emu.url}/_emulator/faults`, {
      method: 'POST',
      body: JSON.stringify({
        operation: 'ListWorkteams',
        errorType: 'ValidationException',
        message: 'injected',
        count: 2,
      }),
    });

    // Act
    const outcomes = [];
    for (let i = 0; i < 3; i++) {
      outcomes.push(
        await client.send(new ListWorkteamsCommand({})).then(
          () => 'ok',
          (error: Error) => `${error.name}: ${error.message}`,
        ),
      );
    }
    const other = await client.send(new ListWorkforcesCommand({})).then(() => 'ok');

    // Assess
    expect(response.status).toBe(204);
    expect(outcomes).toEqual(['ValidationException: injected', 'ValidationException: injected', 'ok']);
    expect(other).toBe('ok');
    client.destroy();
    await emu.close();
  });
});

describe('SageMaker emulator: CloudTrail events of work team writes', () => {
  const ROLE_KEY = 'ASIALOCALFUNCTIONS01';
  const ROLE_SESSION_ARN = `arn:aws:sts::${ACCOUNT}:assumed-role/workteam-automation-local-functions/workteam-automation-local`;
  const USER_KEY = 'AKIALOCALOPERATOR001';
  let emulator: SageMakerEmulator;
  let asRole: SageMakerClient;
  let asUser: SageMakerClient;
  let recorded: CloudTrailEvent[];
  let unsubscribe: () => void;

  useOwnSageMakerEmulator(
    (own) => {
      emulator = own.emulator;
      asRole = own.clientWith({ credentials: { accessKeyId: ROLE_KEY, secretAccessKey: 'local' } });
      asUser = own.clientWith({ credentials: { accessKeyId: USER_KEY, secretAccessKey: 'local' } });
    },
    { emulator: { identities: { [ROLE_KEY]: { arn: ROLE_SESSION_ARN, type: 'AssumedRole' } } } },
  );

  beforeEach(() => {
    recorded = [];
    unsubscribe = emulator.subscribe((event) => recorded.push(event));
  });

  afterEach(() => unsubscribe());

  it('records a CreateWorkteam as CloudTrail does: the request in camelCase, the new ARN, the request id', async () => {
    // Act
    const response = await asUser.send(
      new CreateWorkteamCommand(
        teamInput('trail', {
          NotificationConfiguration: { NotificationTopicArn: TOPIC_ARN },
          WorkerAccessConfiguration: { S3Presign: { IamPolicyConstraints: { SourceIp: 'Enabled' } } },
          Tags: [{ Key: 'classification', Value: 'internal' }],
        }),
      ),
    );

    // Assess
    const time = expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const uuid = expect.stringMatching(/^[0-9a-f-]{36}$/);
    expect(recorded).toEqual([
      {
        version: '0',
        id: uuid,
        'detail-type': 'AWS API Call via CloudTrail',
        source: 'aws.sagemaker',
        account: ACCOUNT,
        time,
        region: REGION,
        resources: [],
        detail: {
          eventVersion: '1.08',
          userIdentity: expect.objectContaining({ accessKeyId: USER_KEY }),
          eventTime: recorded[0]?.time,
          eventSource: 'sagemaker.amazonaws.com',
          eventName: 'CreateWorkteam',
          awsRegion: REGION,
          sourceIPAddress: '127.0.0.1',
          userAgent: expect.stringContaining('aws-sdk-js/'),
          requestParameters: {
            workteamName: 'trail',
            description: 'The trail team',
            memberDefinitions: [
              { cognitoMemberDefinition: { userPool: USER_POOL, userGroup: 'trail-group', clientId: CLIENT_ID } },
            ],
            notificationConfiguration: { notificationTopicArn: TOPIC_ARN },
            workerAccessConfiguration: { s3Presign: { iamPolicyConstraints: { sourceIp: 'Enabled' } } },
            tags: [{ key: 'classification', value: 'internal' }],
          },
          responseElements: { workteamArn: response.WorkteamArn },
          requestID: response.$metadata.requestId,
          eventID: uuid,
          readOnly: false,
          eventType: 'AwsApiCall',
          managementEvent: true,
          recipientAccountId: ACCOUNT,
          eventCategory: 'Management',
        },
      },
    ]);
    expect(recorded[0]?.detail.errorCode).toBeUndefined();
  });

  it('names a key it was told about by its assumed role, and any other key as the IAM user of that name', async () => {
    // Act
    await createTeam(asRole, 'by-role');
    await asUser.send(new UpdateWorkteamCommand({ WorkteamName: 'by-role', Description: 'Changed by hand' }));

    // Assess
    expect(recorded.map((event) => [event.detail.eventName, event.detail.userIdentity])).toEqual([
      [
        'CreateWorkteam',
        {
          type: 'AssumedRole',
          principalId: expect.stringMatching(/^AROA[0-9A-Z]{17}:workteam-automation-local$/),
          arn: ROLE_SESSION_ARN,
          accountId: ACCOUNT,
          accessKeyId: ROLE_KEY,
          sessionContext: {
            sessionIssuer: {
              type: 'Role',
              principalId: expect.stringMatching(/^AROA[0-9A-Z]{17}$/),
              arn: `arn:aws:iam::${ACCOUNT}:role/workteam-automation-local-functions`,
              accountId: ACCOUNT,
              userName: 'workteam-automation-local-functions',
            },
            attributes: { mfaAuthenticated: 'false' },
          },
        },
      ],
      [
        'UpdateWorkteam',
        {
          type: 'IAMUser',
          principalId: USER_KEY,
          arn: `arn:aws:iam::${ACCOUNT}:user/${USER_KEY}`,
          accountId: ACCOUNT,
          accessKeyId: USER_KEY,
          userName: USER_KEY,
        },
      ],
    ]);
    expect(recorded[1]?.detail).toMatchObject({
      requestParameters: { workteamName: 'by-role', description: 'Changed by hand' },
      responseElements: { workteamArn: `arn:aws:sagemaker:${REGION}:${ACCOUNT}:workteam/private-crowd/by-role` },
    });
  });

  it('records a refused call with its errorCode and errorMessage and no response, throttled ones too', async () => {
    // Act
    const refused = await failureOf(
      asUser.send(new UpdateWorkteamCommand({ WorkteamName: 'ghost', Description: 'x' })),
    );
    emulator.setKnobs({ throttleRate: 1 });
    const throttled = await failureOf(asUser.send(new DeleteWorkteamCommand({ WorkteamName: 'ghost' })));

    // Assess
    expect([refused.name, throttled.name]).toEqual(['ValidationException', 'ThrottlingException']);
    expect(recorded.map((event) => event.detail)).toEqual([
      expect.objectContaining({
        eventName: 'UpdateWorkteam',
        errorCode: 'ValidationException',
        errorMessage: "The work team 'ghost' does not exist.",
        requestParameters: { workteamName: 'ghost', description: 'x' },
        responseElements: null,
        requestID: refused.$metadata.requestId,
      }),
      expect.objectContaining({
        eventName: 'DeleteWorkteam',
        errorCode: 'ThrottlingException',
        errorMessage: 'Rate exceeded',
        responseElements: null,
      }),
    ]);
  });

  it('records a DeleteWorkteam with no response elements, and nothing of reads or tag calls', async () => {
    // Prepare
    const arn = await createTeam(asUser, 'short-lived');
    recorded.length = 0;

    // Act
    await asUser.send(new ListWorkteamsCommand({}));
    await asUser.send(new DescribeWorkteamCommand({ WorkteamName: 'short-lived' }));
    await asUser.send(new AddTagsCommand({ ResourceArn: arn, Tags: [{ Key: 'k', Value: 'v' }] }));
    await asUser.send(new ListTagsCommand({ ResourceArn: arn }));
    await asUser.send(new DeleteWorkteamCommand({ WorkteamName: 'short-lived' }));

    // Assess
    expect(recorded.map((event) => event.detail.eventName)).toEqual(['DeleteWorkteam']);
    expect(recorded[0]?.detail).toMatchObject({
      requestParameters: { workteamName: 'short-lived' },
      responseElements: null,
    });
  });

  it('hands the event to the next listener when one throws, and none to a listener that unsubscribed', async () => {
    // Prepare: a throwing listener first, then one that records
    unsubscribe();
    const stopThrowing = emulator.subscribe(() => {
      throw new Error('a broken listener');
    });
    const afterTheBrokenOne: CloudTrailEvent[] = [];
    const stopRecording = emulator.subscribe((event) => afterTheBrokenOne.push(event));

    try {
      // Act
      await createTeam(asUser, 'despite');
      stopRecording();
      await asUser.send(new DeleteWorkteamCommand({ WorkteamName: 'despite' }));

      // Assess
      expect(afterTheBrokenOne.map((event) => event.detail.eventName)).toEqual(['CreateWorkteam']);
      expect(recorded).toEqual([]);
    } finally {
      stopThrowing();
    }
  });

  it('drops faults not yet used with DELETE /_emulator/faults, and lets waiting calls go with DELETE /_emulator/holds', async () => {
    // Prepare: a fault armed, a hold armed, and one call already waiting on another hold
    const emu = await startSageMakerEmulator();
    const client = clientFor(emu);
    const post = (path: string, body: unknown) =>
      fetch(`${emu.url}${path}`, { method: 'POST', body: JSON.stringify(body) });
    await post('/_emulator/faults', { operation: 'ListWorkteams', errorType: 'ValidationException', message: 'x' });
    await post('/_emulator/holds', { operation: 'ListWorkforces', count: 1 });
    await post('/_emulator/holds', { operation: 'ListWorkteams', count: 2 });
    const waitingCall = client.send(new ListWorkforcesCommand({})).then(() => 'answered');
    while (emu.waiting().ListWorkforces !== 1) await new Promise((resolve) => setImmediate(resolve));

    // Act
    const faultsCleared = await fetch(`${emu.url}/_emulator/faults`, { method: 'DELETE' });
    const holdsCleared = await fetch(`${emu.url}/_emulator/holds`, { method: 'DELETE' });
    const waited = await waitingCall;
    const next = await client.send(new ListWorkteamsCommand({})).then(
      () => 'ok',
      (error: Error) => error.name,
    );

    // Assess: the waiting call was answered, and the next ListWorkteams is neither held nor refused
    expect([faultsCleared.status, holdsCleared.status]).toEqual([204, 204]);
    expect(waited).toBe('answered');
    expect(next).toBe('ok');
    expect(emu.waiting()).toEqual({});
    client.destroy();
    await emu.close();
  });
});
