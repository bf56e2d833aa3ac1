/**
 * The local CloudTrail (local/cloudtrail-api.ts) of the test run's local cloud, through the real SDK v3
 * CloudTrailClient: the calls the audit makes (DescribeTrails, GetTrailStatus, GetEventSelectors, and ListTrails)
 * answered as CloudTrail shapes them; its control routes, which take the account's one trail away or stop it; and
 * what AWS does without a trail: no "AWS API Call via CloudTrail" event reaches EventBridge. Then the trail
 * inspector (lib/adapters/trails.ts) against it. Every test leaves the default trail as it found it (POST reset):
 * the local cloud is this worker's for the other test files too.
 */
import { randomUUID } from 'node:crypto';
import {
  CloudTrailClient,
  DescribeTrailsCommand,
  GetEventSelectorsCommand,
  GetTrailStatusCommand,
  ListTrailsCommand,
} from '@aws-sdk/client-cloudtrail';
import {
  CreateWorkteamCommand,
  DeleteWorkteamCommand,
  SageMakerClient,
  UpdateWorkteamCommand,
} from '@aws-sdk/client-sagemaker';
import { createTrailInspector } from '#lib/adapters/trails';
import type { TrailInspector } from '#lib/ports/teams';
import { ACCOUNT_ID, FUNCTIONS_CALLER_ARN, FUNCTIONS_ROLE_ARN, OWN_ROLE_ARN_PREFIX, REGION } from '../../local/cloud';
import { compilePattern, matchesPattern } from '../../local/event-pattern';
import type { EventBridgeEvent } from '../../local/eventbridge';
import { AUDIT_RULE_PATTERN, busEvents, OPERATOR_CREDENTIALS, waitForBusEvents } from '../support/events';

const DEFAULT_TRAIL_ARN = `arn:aws:cloudtrail:${REGION}:${ACCOUNT_ID}:trail/management-events`;
const ORGANISATION_ACCOUNT = '111122223333';

let cloudTrail: CloudTrailClient;
let inspector: TrailInspector;

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: the test run's global setup starts the local cloud`);
  return value;
}

/** A control route of the local CloudTrail; answers its status and JSON body. */
async function control(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${env('LOCAL_CLOUDTRAIL_CONTROL_URL')}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

async function givenTrail(name: string, settings: Record<string, unknown> = {}): Promise<void> {
  const { status } = await control('PUT', `/trails/${name}`, settings);
  expect([200, 201]).toContain(status);
}

async function changeTrail(name: string, settings: Record<string, unknown>): Promise<void> {
  expect((await control('PATCH', `/trails/${name}`, settings)).status).toBe(200);
}

/** The error a call answers, or a failure when it succeeds. */
async function refusal(call: Promise<unknown>): Promise<{ name: string; status?: number; message: string }> {
  try {
    await call;
  } catch (error) {
    const { name, message, $metadata } = error as Error & { $metadata?: { httpStatusCode?: number } };
    return { name, message, status: $metadata?.httpStatusCode };
  }
  throw new Error('the call succeeded');
}

beforeAll(() => {
  cloudTrail = new CloudTrailClient({});
  inspector = createTrailInspector(cloudTrail, REGION);
});

afterAll(() => cloudTrail.destroy());

afterEach(async () => {
  expect((await control('POST', '/reset')).status).toBe(204);
});

describe('the local CloudTrail through the SDK', () => {
  it("describes the account's one trail, logging every management event of the region, as CloudTrail does", async () => {
    // Act
    const described = await cloudTrail.send(new DescribeTrailsCommand({}));
    const byName = await cloudTrail.send(new GetTrailStatusCommand({ Name: 'management-events' }));
    const byArn = await cloudTrail.send(new GetTrailStatusCommand({ Name: DEFAULT_TRAIL_ARN }));
    const selectors = await cloudTrail.send(new GetEventSelectorsCommand({ TrailName: 'management-events' }));
    const listed = await cloudTrail.send(new ListTrailsCommand({}));

    // Assess
    expect(described.trailList).toEqual([
      {
        Name: 'management-events',
        S3BucketName: expect.any(String),
        IncludeGlobalServiceEvents: true,
        IsMultiRegionTrail: false,
        HomeRegion: REGION,
        TrailARN: DEFAULT_TRAIL_ARN,
        LogFileValidationEnabled: false,
        HasCustomEventSelectors: false,
        HasInsightSelectors: false,
        IsOrganizationTrail: false,
      },
    ]);
    expect(byName).toMatchObject({ IsLogging: true, StartLoggingTime: expect.any(Date), TimeLoggingStopped: '' });
    expect(byName.TimeLoggingStarted).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(byArn.IsLogging).toBe(true);
    expect(byName.StopLoggingTime).toBeUndefined();
    expect(selectors).toMatchObject({
      TrailARN: DEFAULT_TRAIL_ARN,
      EventSelectors: [
        { ReadWriteType: 'All', IncludeManagementEvents: true, DataResources: [], ExcludeManagementEventSources: [] },
      ],
    });
    expect(selectors.AdvancedEventSelectors).toBeUndefined();
    expect(listed.Trails).toEqual([{ TrailARN: DEFAULT_TRAIL_ARN, Name: 'management-events', HomeRegion: REGION }]);
  });

  it("answers the AWS CLI's target prefix (the model's) as it answers the SDK's, and refuses an unknown operation", async () => {
    // Act
    const call = (target: string) =>
      fetch(env('AWS_ENDPOINT_URL_CLOUDTRAIL'), {
        method: 'POST',
        headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target },
        body: '{}',
      });
    const cli = await call('com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.DescribeTrails');
    const unknown = await call('com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.DeleteTrail');

    // Assess
    expect(cli.status).toBe(200);
    expect(cli.headers.get('content-type')).toBe('application/x-amz-json-1.1');
    expect(((await cli.json()) as { trailList: { TrailARN: string }[] }).trailList.map((t) => t.TrailARN)).toEqual([
      DEFAULT_TRAIL_ARN,
    ]);
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toMatchObject({ __type: 'UnknownOperationException' });
  });

  it('refuses unknown trails, invalid names and invalid ARNs with the errors CloudTrail answers', async () => {
    // Act
    const unknown = await refusal(cloudTrail.send(new GetTrailStatusCommand({ Name: 'no-such-trail' })));
    const unknownSelectors = await refusal(cloudTrail.send(new GetEventSelectorsCommand({ TrailName: 'gone' })));
    const invalidName = await refusal(cloudTrail.send(new GetTrailStatusCommand({ Name: 'two..dots' })));
    const invalidArn = await refusal(cloudTrail.send(new GetEventSelectorsCommand({ TrailName: 'arn:aws:nothing' })));

    // Assess
    expect(unknown).toEqual({
      name: 'TrailNotFoundException',
      status: 400,
      message: `Unknown trail: arn:aws:cloudtrail:${REGION}:${ACCOUNT_ID}:trail/no-such-trail for the user: ${ACCOUNT_ID}`,
    });
    expect(unknownSelectors.name).toBe('TrailNotFoundException');
    expect(invalidName).toMatchObject({ name: 'InvalidTrailNameException', status: 400 });
    expect(invalidArn).toMatchObject({ name: 'CloudTrailARNInvalidException', status: 400 });
  });

  it("lists another region's multi-region trail and an organisation's trail as shadow trails, found by ARN only", async () => {
    // Prepare
    await givenTrail('everywhere', { homeRegion: 'eu-west-1', multiRegion: true });
    await givenTrail('org-trail', { organization: true, accountId: ORGANISATION_ACCOUNT, multiRegion: true });
    await givenTrail('elsewhere', { homeRegion: 'eu-west-1' });
    const everywhere = 'arn:aws:cloudtrail:eu-west-1:000000000000:trail/everywhere';
    const organisation = `arn:aws:cloudtrail:${REGION}:${ORGANISATION_ACCOUNT}:trail/org-trail`;

    // Act
    const all = await cloudTrail.send(new DescribeTrailsCommand({}));
    const own = await cloudTrail.send(new DescribeTrailsCommand({ includeShadowTrails: false }));
    const byName = await refusal(cloudTrail.send(new GetTrailStatusCommand({ Name: 'everywhere' })));
    const byArn = await cloudTrail.send(new GetTrailStatusCommand({ Name: everywhere }));
    const organisationStatus = await cloudTrail.send(new GetTrailStatusCommand({ Name: organisation }));

    // Assess: a single-region trail of another region is not this region's at all
    expect(all.trailList?.map((trail) => [trail.TrailARN, trail.HomeRegion, trail.IsOrganizationTrail])).toEqual([
      [DEFAULT_TRAIL_ARN, REGION, false],
      [everywhere, 'eu-west-1', false],
      [organisation, REGION, true],
    ]);
    expect(own.trailList?.map((trail) => trail.TrailARN)).toEqual([DEFAULT_TRAIL_ARN]);
    expect(byName.name).toBe('TrailNotFoundException');
    expect(byArn.IsLogging).toBe(true);
    expect(organisationStatus.IsLogging).toBe(true);
  });

  it('answers a trail stopped or removed through the control routes, and the default trail again after a reset', async () => {
    // Act
    await changeTrail('management-events', { logging: false });
    const stopped = await cloudTrail.send(new GetTrailStatusCommand({ Name: 'management-events' }));
    const removed = await control('DELETE', '/trails/management-events');
    const afterRemoval = await cloudTrail.send(new DescribeTrailsCommand({}));
    const removedAgain = await control('DELETE', '/trails/management-events');
    await control('POST', '/reset');
    const afterReset = await cloudTrail.send(new DescribeTrailsCommand({}));

    // Assess
    expect(stopped).toMatchObject({ IsLogging: false, StopLoggingTime: expect.any(Date) });
    expect(stopped.TimeLoggingStopped).toMatch(/Z$/);
    expect(removed.status).toBe(204);
    expect(afterRemoval.trailList).toEqual([]);
    expect(removedAgain.status).toBe(404);
    expect(afterReset.trailList?.map((trail) => trail.TrailARN)).toEqual([DEFAULT_TRAIL_ARN]);
  });

  it('answers the selectors a control route set, basic or advanced, and refuses a malformed trail', async () => {
    // Prepare
    const advanced = [{ Name: 'writes', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }] }];

    // Act
    await changeTrail('management-events', { eventSelectors: [{ ReadWriteType: 'WriteOnly' }] });
    const basic = await cloudTrail.send(new GetEventSelectorsCommand({ TrailName: 'management-events' }));
    await changeTrail('management-events', { advancedEventSelectors: advanced });
    const described = await cloudTrail.send(new DescribeTrailsCommand({}));
    const advancedAnswer = await cloudTrail.send(new GetEventSelectorsCommand({ TrailName: DEFAULT_TRAIL_ARN }));
    const malformed = await control('PUT', '/trails/x', { logging: 'yes' });

    // Assess
    expect(basic.EventSelectors).toEqual([
      {
        ReadWriteType: 'WriteOnly',
        IncludeManagementEvents: true,
        DataResources: [],
        ExcludeManagementEventSources: [],
      },
    ]);
    expect(described.trailList?.[0]?.HasCustomEventSelectors).toBe(true);
    expect(advancedAnswer).toMatchObject({ TrailARN: DEFAULT_TRAIL_ARN, AdvancedEventSelectors: advanced });
    expect(advancedAnswer.EventSelectors).toBeUndefined();
    expect(malformed.status).toBe(400);
  });

  it("denies the status and selectors of a trail its account may not read, naming the caller's ARN", async () => {
    // Prepare
    await givenTrail('org-trail', { organization: true, accountId: ORGANISATION_ACCOUNT, readable: false });
    const arn = `arn:aws:cloudtrail:${REGION}:${ORGANISATION_ACCOUNT}:trail/org-trail`;

    // Act
    const status = await refusal(cloudTrail.send(new GetTrailStatusCommand({ Name: arn })));
    const selectors = await refusal(cloudTrail.send(new GetEventSelectorsCommand({ TrailName: arn })));

    // Assess: the functions' key is their role's session
    expect(status).toMatchObject({ name: 'AccessDeniedException', status: 400 });
    expect(status.message).toContain(
      `User: ${FUNCTIONS_CALLER_ARN} is not authorized to perform: cloudtrail:GetTrailStatus`,
    );
    expect(selectors.name).toBe('AccessDeniedException');
  });
});

describe('what reaches EventBridge, with and without a trail', () => {
  const functions = new SageMakerClient({});
  const operator = new SageMakerClient({ credentials: OPERATOR_CREDENTIALS });
  const auditPattern = () => compilePattern(AUDIT_RULE_PATTERN, 'of audit');
  let team: string;

  const ofTeam = (event: EventBridgeEvent) =>
    (event.detail.requestParameters as { workteamName?: string } | null)?.workteamName === team;
  const described = (event: EventBridgeEvent) =>
    (event.detail.requestParameters as { description?: string } | null)?.description;
  const updateByOperator = (description: string) =>
    operator.send(new UpdateWorkteamCommand({ WorkteamName: team, Description: description }));
  /** Waits for the update with this description to reach the bus (the events before it were recorded first). */
  const updateReached = (description: string) =>
    waitForBusEvents('aws.sagemaker', (event) => ofTeam(event) && described(event) === description);

  beforeEach(async () => {
    team = `cloudtrail-${randomUUID().slice(0, 8)}`;
    await functions.send(
      new CreateWorkteamCommand({
        WorkteamName: team,
        Description: 'Made by the functions',
        MemberDefinitions: [
          {
            CognitoMemberDefinition: {
              UserPool: env('USER_POOL_ID'),
              ClientId: env('CLIENT_ID'),
              UserGroup: 'reviewers',
            },
          },
        ],
      }),
    );
  });

  afterEach(async () => {
    await functions.send(new DeleteWorkteamCommand({ WorkteamName: team }));
  });

  afterAll(() => {
    functions.destroy();
    operator.destroy();
  });

  it("records the functions' writes with their role's IAM path as the session issuer, which the audit rule leaves out", async () => {
    // Act
    await updateByOperator('Changed by hand');
    await updateReached('Changed by hand');
    const events = (await busEvents('aws.sagemaker')).filter(ofTeam);

    // Assess: the session's ARN has no path (IAM leaves it out); the issuer has the stack's
    const [created, updated] = events;
    expect(created?.detail).toMatchObject({
      eventName: 'CreateWorkteam',
      userIdentity: {
        type: 'AssumedRole',
        arn: FUNCTIONS_CALLER_ARN,
        sessionContext: { sessionIssuer: { type: 'Role', arn: FUNCTIONS_ROLE_ARN } },
      },
    });
    expect(FUNCTIONS_ROLE_ARN.startsWith(OWN_ROLE_ARN_PREFIX)).toBe(true);
    expect(FUNCTIONS_CALLER_ARN).not.toContain('/workteam-automation/local/');
    expect(updated?.detail.userIdentity).toMatchObject({ type: 'IAMUser' });
    expect(events.map((event) => matchesPattern(auditPattern(), event))).toEqual([false, true]);
  });

  it('delivers no CloudTrail event while no trail logs management write events, as AWS delivers none', async () => {
    // Act: stopped, removed, read events only, then logging write events again
    await changeTrail('management-events', { logging: false });
    await updateByOperator('while stopped');
    await control('DELETE', '/trails/management-events');
    await updateByOperator('without a trail');
    await givenTrail('reads-only', { eventSelectors: [{ ReadWriteType: 'ReadOnly' }] });
    await updateByOperator('while only reads are logged');
    await givenTrail('writes', { eventSelectors: [{ ReadWriteType: 'WriteOnly' }] });
    await updateByOperator('while writes are logged');
    await updateReached('while writes are logged');

    // Assess
    const updates = (await busEvents('aws.sagemaker')).filter(ofTeam).flatMap((event) => described(event) ?? []);
    expect(updates).toEqual(['Made by the functions', 'while writes are logged']);
  });

  it("delivers the events of a multi-region trail made in another region, and not those of another region's own trail", async () => {
    // Act
    await control('DELETE', '/trails/management-events');
    await givenTrail('elsewhere', { homeRegion: 'eu-west-1' });
    await updateByOperator("another region's trail");
    await givenTrail('everywhere', { homeRegion: 'eu-west-1', multiRegion: true });
    await updateByOperator('a multi-region trail');
    await updateReached('a multi-region trail');

    // Assess
    const updates = (await busEvents('aws.sagemaker')).filter(ofTeam).flatMap((event) => described(event) ?? []);
    expect(updates).toEqual(['Made by the functions', 'a multi-region trail']);
  });
});

describe('the trail inspector against the local CloudTrail', () => {
  const ADVANCED_WRITES = [
    { Field: 'eventCategory', Equals: ['Management'] },
    { Field: 'readOnly', Equals: ['false'] },
  ];

  it('finds the management events logged by the default trail', async () => {
    expect(await inspector.managementEventsLogged()).toEqual({ logged: true, trails: [DEFAULT_TRAIL_ARN] });
  });

  it('finds them not logged when the only trail is stopped, and names it', async () => {
    // Prepare
    await changeTrail('management-events', { logging: false });

    // Act / Assess
    expect(await inspector.managementEventsLogged()).toEqual({ logged: false, trails: [DEFAULT_TRAIL_ARN] });
  });

  it("finds them not logged in a region without a trail, or with only another region's own trail", async () => {
    // Prepare
    await control('DELETE', '/trails/management-events');
    const none = await inspector.managementEventsLogged();
    await givenTrail('elsewhere', { homeRegion: 'eu-west-1' });

    // Act / Assess
    expect(none).toEqual({ logged: false, trails: [] });
    expect(await inspector.managementEventsLogged()).toEqual({ logged: false, trails: [] });
  });

  it.each([
    ['write events (basic)', { eventSelectors: [{ ReadWriteType: 'WriteOnly' }] }, true],
    ['read events only (basic)', { eventSelectors: [{ ReadWriteType: 'ReadOnly' }] }, false],
    ['no management events (basic)', { eventSelectors: [{ IncludeManagementEvents: false }] }, false],
    [
      'every management event but KMS and RDS Data (basic)',
      { eventSelectors: [{ ExcludeManagementEventSources: ['kms.amazonaws.com', 'rdsdata.amazonaws.com'] }] },
      true,
    ],
    ['management write events (advanced)', { advancedEventSelectors: [{ FieldSelectors: ADVANCED_WRITES }] }, true],
    [
      'management read events only (advanced)',
      {
        advancedEventSelectors: [
          {
            FieldSelectors: [
              { Field: 'eventCategory', Equals: ['Management'] },
              { Field: 'readOnly', Equals: ['true'] },
            ],
          },
        ],
      },
      false,
    ],
    [
      "every management event but SageMaker's (advanced)",
      {
        advancedEventSelectors: [
          {
            FieldSelectors: [
              { Field: 'eventCategory', Equals: ['Management'] },
              { Field: 'eventSource', NotEquals: ['sagemaker.amazonaws.com'] },
            ],
          },
        ],
      },
      false,
    ],
    [
      "Cognito's management events only (advanced)",
      {
        advancedEventSelectors: [
          {
            FieldSelectors: [
              { Field: 'eventCategory', Equals: ['Management'] },
              { Field: 'eventSource', Equals: ['cognito-idp.amazonaws.com'] },
            ],
          },
        ],
      },
      false,
    ],
    [
      'data events only (advanced)',
      { advancedEventSelectors: [{ FieldSelectors: [{ Field: 'eventCategory', Equals: ['Data'] }] }] },
      false,
    ],
  ])('reads a trail selecting %s', async (_what, selectors, logged) => {
    // Prepare
    await changeTrail('management-events', selectors);

    // Act
    const answer = await inspector.managementEventsLogged();

    // Assess
    expect(answer).toEqual({ logged, trails: [DEFAULT_TRAIL_ARN] });
  });

  it('cannot tell when a selector filters on a field it cannot judge and no other trail logs', async () => {
    // Prepare
    await changeTrail('management-events', {
      advancedEventSelectors: [
        { FieldSelectors: [...ADVANCED_WRITES, { Field: 'eventName', NotStartsWith: ['Delete'] }] },
      ],
    });

    // Act / Assess
    expect(await inspector.managementEventsLogged()).toBe('cannot tell');
  });

  it("cannot tell when the only other trail is an organisation's it may not read, and tells when a trail of its own logs", async () => {
    // Prepare
    const organisation = `arn:aws:cloudtrail:${REGION}:${ORGANISATION_ACCOUNT}:trail/org-trail`;
    await givenTrail('org-trail', { organization: true, accountId: ORGANISATION_ACCOUNT, readable: false });
    await changeTrail('management-events', { logging: false });
    const unreadable = await inspector.managementEventsLogged();
    await changeTrail('management-events', { logging: true });
    const ownLogs = await inspector.managementEventsLogged();
    await changeTrail('org-trail', { readable: true });

    // Act
    const both = await inspector.managementEventsLogged();

    // Assess
    expect(unreadable).toBe('cannot tell');
    expect(ownLogs).toEqual({ logged: true, trails: [DEFAULT_TRAIL_ARN] });
    expect(both).toEqual({ logged: true, trails: [DEFAULT_TRAIL_ARN, organisation] });
  });

  it("counts an organisation's or another region's multi-region trail that logs here", async () => {
    // Prepare
    await control('DELETE', '/trails/management-events');
    await givenTrail('everywhere', { homeRegion: 'eu-west-1', multiRegion: true });

    // Act / Assess
    expect(await inspector.managementEventsLogged()).toEqual({
      logged: true,
      trails: ['arn:aws:cloudtrail:eu-west-1:000000000000:trail/everywhere'],
    });
  });
});
