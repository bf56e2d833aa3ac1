/**
 * The local cloud's accounts and regions (local/targets.ts), through the real SDK v3 clients of the test run's local
 * cloud: the local STS (AssumeRole into a target's role with its ExternalId, as `fromTemporaryCredentials` does for
 * the hub), and SageMaker, SNS and CloudTrail keeping each account's and region's state apart. Every test removes
 * what it made: the local cloud is this worker's for the other test files too.
 */
import { randomUUID } from 'node:crypto';
import { CloudTrailClient, DescribeTrailsCommand } from '@aws-sdk/client-cloudtrail';
import {
  CognitoIdentityProviderClient,
  CreateGroupCommand,
  DeleteGroupCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import {
  CreateWorkteamCommand,
  DeleteWorkteamCommand,
  DescribeWorkteamCommand,
  ListWorkforcesCommand,
  ListWorkteamsCommand,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import {
  CreateTopicCommand,
  DeleteTopicCommand,
  GetTopicAttributesCommand,
  ListSubscriptionsByTopicCommand,
  ListTopicsCommand,
  SNSClient,
  SubscribeCommand,
} from '@aws-sdk/client-sns';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { ACCOUNT_ID, FUNCTIONS_CALLER_ARN, REGION } from '../../local/cloud';
import { TARGET_USER_POOL_ID } from '../../local/seed-targets';
import { EXTERNAL_ID, LOCAL_TARGETS, targetRoleArn, targetRoleName } from '../../local/targets';
import { busEvents, waitForBusEvents } from '../support/events';

/** What fromTemporaryCredentials gives: credentials the SDK refreshes by assuming the role again. */
type AwsCredentialIdentityProvider = ReturnType<typeof fromTemporaryCredentials>;

const VENDOR = '111111111111';
const UNREACHABLE = '222222222222';
const EU = 'eu-west-1';
const OIDC_MEMBERS = [{ OidcMemberDefinition: { Groups: ['annotators'] } }];

const sts = new STSClient({});
const clients: { destroy(): void }[] = [sts];

/** The hub's way into a target: its functions' key assumes the target's role with the ExternalId. */
function assumed(account: string, region: string, sessionName = 'hub-test'): AwsCredentialIdentityProvider {
  return fromTemporaryCredentials({
    params: { RoleArn: targetRoleArn(account, region), ExternalId: EXTERNAL_ID, RoleSessionName: sessionName },
    clientConfig: { region },
  });
}

function sagemakerIn(
  region: string,
  credentials?: AwsCredentialIdentityProvider | { accessKeyId: string; secretAccessKey: string },
) {
  const client = new SageMakerClient({ region, ...(credentials ? { credentials } : {}) });
  clients.push(client);
  return client;
}

function snsIn(region: string, credentials?: AwsCredentialIdentityProvider) {
  const client = new SNSClient({ region, ...(credentials ? { credentials } : {}) });
  clients.push(client);
  return client;
}

/** The unreachable account's own administrator: a temporary key of that account, made by hand. */
const unreachableAdmin = { accessKeyId: `ASIA${UNREACHABLE}TEST`, secretAccessKey: 'local' };

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

async function oidcTeam(client: SageMakerClient, name: string): Promise<string> {
  const created = await client.send(
    new CreateWorkteamCommand({ WorkteamName: name, Description: 'A test team', MemberDefinitions: OIDC_MEMBERS }),
  );
  return created.WorkteamArn ?? '';
}

afterAll(() => {
  for (const client of clients) client.destroy();
});

describe('the local STS', () => {
  it("issues a reachable target's role session to the hub's functions, named by account in its key", async () => {
    // Act
    const answer = await sts.send(
      new AssumeRoleCommand({
        RoleArn: targetRoleArn(VENDOR, 'us-east-1'),
        RoleSessionName: 'hub-test',
        ExternalId: EXTERNAL_ID,
        DurationSeconds: 900,
      }),
    );
    const credentials = answer.Credentials;
    const asTarget = new STSClient({
      credentials: {
        accessKeyId: credentials?.AccessKeyId ?? '',
        secretAccessKey: credentials?.SecretAccessKey ?? '',
        sessionToken: credentials?.SessionToken ?? '',
      },
    });
    clients.push(asTarget);
    const identity = await asTarget.send(new GetCallerIdentityCommand({}));
    const hub = await sts.send(new GetCallerIdentityCommand({}));

    // Assess
    const sessionArn = `arn:aws:sts::${VENDOR}:assumed-role/${targetRoleName('us-east-1')}/hub-test`;
    expect(credentials?.AccessKeyId).toMatch(new RegExp(`^ASIA${VENDOR}[0-9A-Z]{4}$`));
    expect(credentials?.SecretAccessKey).toBeTruthy();
    expect(credentials?.SessionToken).toBeTruthy();
    const lifetime = (credentials?.Expiration?.getTime() ?? 0) - Date.now();
    expect(lifetime).toBeGreaterThan(850_000);
    expect(lifetime).toBeLessThanOrEqual(900_000);
    expect(answer.AssumedRoleUser).toEqual({
      Arn: sessionArn,
      AssumedRoleId: expect.stringMatching(/^AROA[0-9A-Z]{17}:hub-test$/),
    });
    expect(identity).toMatchObject({ Account: VENDOR, Arn: sessionArn });
    expect(hub).toMatchObject({ Account: ACCOUNT_ID, Arn: FUNCTIONS_CALLER_ARN });
  });

  it('refuses, all alike as AccessDenied, a role that trusts nobody, a wrong or missing ExternalId and an unknown role', async () => {
    // Prepare
    const assume = (RoleArn: string, ExternalId?: string) =>
      refusal(sts.send(new AssumeRoleCommand({ RoleArn, RoleSessionName: 'hub-test', ExternalId })));
    const unknownRole = `arn:aws:iam::${VENDOR}:role/no-such-role`;

    // Act
    const untrusting = await assume(targetRoleArn(UNREACHABLE, 'eu-west-1'), EXTERNAL_ID);
    const wrongId = await assume(targetRoleArn(VENDOR, 'us-east-1'), 'another-external-id');
    const noId = await assume(targetRoleArn(VENDOR, 'us-east-1'));
    const unknown = await assume(unknownRole, EXTERNAL_ID);
    const tooLong = await refusal(
      sts.send(
        new AssumeRoleCommand({
          RoleArn: targetRoleArn(VENDOR, 'us-east-1'),
          RoleSessionName: 'hub-test',
          ExternalId: EXTERNAL_ID,
          DurationSeconds: 7200,
        }),
      ),
    );

    // Assess
    const denied = (role: string) => ({
      name: 'AccessDenied',
      status: 403,
      message: `User: ${FUNCTIONS_CALLER_ARN} is not authorized to perform: sts:AssumeRole on resource: ${role}`,
    });
    expect(untrusting).toEqual(denied(targetRoleArn(UNREACHABLE, 'eu-west-1')));
    expect(wrongId).toEqual(denied(targetRoleArn(VENDOR, 'us-east-1')));
    expect(noId).toEqual(denied(targetRoleArn(VENDOR, 'us-east-1')));
    expect(unknown).toEqual(denied(unknownRole));
    expect(tooLong).toMatchObject({ name: 'ValidationError', status: 400 });
  });

  it("gives fromTemporaryCredentials clients that see the target's own workforce and teams", async () => {
    // Act
    const vendorUs = sagemakerIn(REGION, assumed(VENDOR, REGION));
    const vendorEu = sagemakerIn(EU, assumed(VENDOR, EU));
    const usWorkforces = await vendorUs.send(new ListWorkforcesCommand({}));
    const usTeams = await vendorUs.send(new ListWorkteamsCommand({}));
    const euWorkforces = await vendorEu.send(new ListWorkforcesCommand({}));
    const euTeams = await vendorEu.send(new ListWorkteamsCommand({}));

    // Assess
    expect(usWorkforces.Workforces?.map((w) => [w.WorkforceArn, w.CognitoConfig?.UserPool])).toEqual([
      [`arn:aws:sagemaker:${REGION}:${VENDOR}:workforce/default`, expect.stringMatching(/^us-east-1_/)],
    ]);
    expect(usTeams.Workteams?.map((team) => team.WorkteamArn)).toEqual([
      `arn:aws:sagemaker:${REGION}:${VENDOR}:workteam/private-crowd/target-annotators`,
    ]);
    expect(euWorkforces.Workforces?.map((w) => w.OidcConfig?.Issuer)).toEqual(['https://idp.example.com']);
    expect(euTeams.Workteams).toEqual([]);
    expect(LOCAL_TARGETS.filter((target) => !target.reachable).map((target) => target.account)).toEqual([UNREACHABLE]);
  });
});

describe('SageMaker per account and region', () => {
  it('keeps a team made under target credentials in that account and region only, its ARN naming them', async () => {
    // Prepare
    const name = `vendor-${randomUUID().slice(0, 8)}`;
    const vendorEu = sagemakerIn(EU, assumed(VENDOR, EU));
    const vendorUs = sagemakerIn(REGION, assumed(VENDOR, REGION));
    const hub = sagemakerIn(REGION);
    const hubEu = sagemakerIn(EU);

    try {
      // Act
      const arn = await oidcTeam(vendorEu, name);
      const there = await vendorEu.send(new DescribeWorkteamCommand({ WorkteamName: name }));
      const inHub = await refusal(hub.send(new DescribeWorkteamCommand({ WorkteamName: name })));
      const inHubEu = await refusal(hubEu.send(new DescribeWorkteamCommand({ WorkteamName: name })));
      const otherRegion = await refusal(vendorUs.send(new DescribeWorkteamCommand({ WorkteamName: name })));

      // Assess
      expect(arn).toBe(`arn:aws:sagemaker:${EU}:${VENDOR}:workteam/private-crowd/${name}`);
      expect(there.Workteam?.WorkforceArn).toBe(`arn:aws:sagemaker:${EU}:${VENDOR}:workforce/oidc-workforce`);
      for (const missing of [inHub, inHubEu, otherRegion]) expect(missing.name).toBe('ValidationException');
    } finally {
      await vendorEu.send(new DeleteWorkteamCommand({ WorkteamName: name }));
    }
  });

  it('keeps two teams of one name in two accounts apart', async () => {
    // Prepare
    const name = `shared-${randomUUID().slice(0, 8)}`;
    const vendor = sagemakerIn(EU, assumed(VENDOR, EU));
    const other = sagemakerIn(EU, unreachableAdmin);

    try {
      // Act
      const first = await oidcTeam(vendor, name);
      const second = await oidcTeam(other, name);
      await vendor.send(new DeleteWorkteamCommand({ WorkteamName: name }));
      const stillThere = await other.send(new DescribeWorkteamCommand({ WorkteamName: name }));

      // Assess
      expect(first).toBe(`arn:aws:sagemaker:${EU}:${VENDOR}:workteam/private-crowd/${name}`);
      expect(second).toBe(`arn:aws:sagemaker:${EU}:${UNREACHABLE}:workteam/private-crowd/${name}`);
      expect(stillThere.Workteam?.WorkteamArn).toBe(second);
    } finally {
      await other.send(new DeleteWorkteamCommand({ WorkteamName: name }));
    }
  });

  it('counts the quota of 25 teams per account and region', async () => {
    // Prepare
    const prefix = `quota-${randomUUID().slice(0, 6)}`;
    const vendor = sagemakerIn(EU, assumed(VENDOR, EU));
    const other = sagemakerIn(EU, unreachableAdmin);
    const made: string[] = [];

    try {
      // Act
      for (let index = 0; index < 25; index++) {
        await oidcTeam(vendor, `${prefix}-${index}`);
        made.push(`${prefix}-${index}`);
      }
      const over = await refusal(oidcTeam(vendor, `${prefix}-over`));
      const elsewhere = await oidcTeam(other, `${prefix}-elsewhere`);

      // Assess
      expect(over).toMatchObject({ name: 'ResourceLimitExceeded', status: 400 });
      expect(elsewhere).toBe(`arn:aws:sagemaker:${EU}:${UNREACHABLE}:workteam/private-crowd/${prefix}-elsewhere`);
    } finally {
      for (const name of made) await vendor.send(new DeleteWorkteamCommand({ WorkteamName: name }));
      await other.send(new DeleteWorkteamCommand({ WorkteamName: `${prefix}-elsewhere` })).catch(() => undefined);
    }
  });

  it("records a target's CreateWorkteam on the hub's bus with the target's account, region and role session", async () => {
    // Prepare
    const name = `trail-${randomUUID().slice(0, 8)}`;
    const vendor = sagemakerIn(EU, assumed(VENDOR, EU, 'hub-trail'));

    try {
      // Act
      await oidcTeam(vendor, name);
      const [event] = await waitForBusEvents(
        'aws.sagemaker',
        (candidate) =>
          candidate.detail.eventName === 'CreateWorkteam' &&
          (candidate.detail.requestParameters as { workteamName?: string } | null)?.workteamName === name,
      );

      // Assess: the session's ARN has no path; its issuer, the role, has the stack's
      expect(event).toMatchObject({ account: VENDOR, region: EU });
      expect(event?.detail).toMatchObject({
        awsRegion: EU,
        recipientAccountId: VENDOR,
        userIdentity: {
          type: 'AssumedRole',
          accountId: VENDOR,
          arn: `arn:aws:sts::${VENDOR}:assumed-role/${targetRoleName(EU)}/hub-trail`,
          sessionContext: {
            sessionIssuer: { type: 'Role', arn: targetRoleArn(VENDOR, EU), accountId: VENDOR },
          },
        },
        responseElements: { workteamArn: `arn:aws:sagemaker:${EU}:${VENDOR}:workteam/private-crowd/${name}` },
      });
      expect(targetRoleArn(VENDOR, EU)).toBe(
        `arn:aws:iam::${VENDOR}:role/workteam-automation/local/workteam-automation-target-local-${EU}`,
      );
    } finally {
      await vendor.send(new DeleteWorkteamCommand({ WorkteamName: name }));
    }
  });
});

describe('SNS and CloudTrail per account and region', () => {
  it('keeps topics of one name in two accounts apart, each listed and owned by its own account', async () => {
    // Prepare
    const name = `workteam-automation-local-same-${randomUUID().slice(0, 8)}`;
    const hub = snsIn(REGION);
    const vendor = snsIn(REGION, assumed(VENDOR, REGION));
    const vendorEu = snsIn(EU, assumed(VENDOR, EU));
    const arns: [SNSClient, string][] = [];

    try {
      // Act
      const hubArn = (await hub.send(new CreateTopicCommand({ Name: name }))).TopicArn ?? '';
      arns.push([hub, hubArn]);
      const vendorArn = (await vendor.send(new CreateTopicCommand({ Name: name }))).TopicArn ?? '';
      arns.push([vendor, vendorArn]);
      const euArn = (await vendorEu.send(new CreateTopicCommand({ Name: name }))).TopicArn ?? '';
      arns.push([vendorEu, euArn]);
      await vendor.send(new SubscribeCommand({ TopicArn: vendorArn, Protocol: 'email', Endpoint: 'dana@example.com' }));
      const vendorSubscriptions = await vendor.send(new ListSubscriptionsByTopicCommand({ TopicArn: vendorArn }));
      const hubSubscriptions = await hub.send(new ListSubscriptionsByTopicCommand({ TopicArn: hubArn }));
      const vendorTopics = (await vendor.send(new ListTopicsCommand({}))).Topics?.map((topic) => topic.TopicArn);
      const hubTopics = (await hub.send(new ListTopicsCommand({}))).Topics?.map((topic) => topic.TopicArn);
      const owner = await vendor.send(new GetTopicAttributesCommand({ TopicArn: vendorArn }));

      // Assess
      expect(hubArn).toBe(`arn:aws:sns:${REGION}:${ACCOUNT_ID}:${name}`);
      expect(vendorArn).toBe(`arn:aws:sns:${REGION}:${VENDOR}:${name}`);
      expect(euArn).toBe(`arn:aws:sns:${EU}:${VENDOR}:${name}`);
      expect(vendorSubscriptions.Subscriptions?.map((s) => [s.TopicArn, s.Endpoint])).toEqual([
        [vendorArn, 'dana@example.com'],
      ]);
      expect(hubSubscriptions.Subscriptions).toEqual([]);
      expect(vendorTopics).toContain(vendorArn);
      expect(vendorTopics).toContain(`arn:aws:sns:${REGION}:${VENDOR}:workteam-target-annotators`);
      expect(vendorTopics?.every((arn) => arn?.startsWith(`arn:aws:sns:${REGION}:${VENDOR}:`))).toBe(true);
      expect(hubTopics).toContain(hubArn);
      expect(hubTopics?.every((arn) => arn?.startsWith(`arn:aws:sns:${REGION}:${ACCOUNT_ID}:`))).toBe(true);
      expect(owner.Attributes).toMatchObject({ TopicArn: vendorArn, Owner: VENDOR });
    } finally {
      for (const [client, arn] of arns) await client.send(new DeleteTopicCommand({ TopicArn: arn }));
    }
  });

  it("answers each target's own trail, logging, in its region", async () => {
    // Prepare
    const trails = (credentials: AwsCredentialIdentityProvider | undefined, region: string) => {
      const client = new CloudTrailClient({ region, ...(credentials ? { credentials } : {}) });
      clients.push(client);
      return client.send(new DescribeTrailsCommand({ includeShadowTrails: false }));
    };

    // Act
    const vendorEu = await trails(assumed(VENDOR, EU), EU);
    const vendorUs = await trails(assumed(VENDOR, REGION), REGION);
    const hub = await trails(undefined, REGION);

    // Assess
    expect(vendorEu.trailList?.map((trail) => trail.TrailARN)).toEqual([
      `arn:aws:cloudtrail:${EU}:${VENDOR}:trail/management-events`,
    ]);
    expect(vendorUs.trailList?.map((trail) => trail.TrailARN)).toEqual([
      `arn:aws:cloudtrail:${REGION}:${VENDOR}:trail/management-events`,
    ]);
    expect(hub.trailList?.map((trail) => trail.TrailARN)).toEqual([
      `arn:aws:cloudtrail:${REGION}:${ACCOUNT_ID}:trail/management-events`,
    ]);
  });

  it("delivers a target's events only while its own trail logs them (the control routes name it by account and region)", async () => {
    // Prepare
    const control = (method: string, query: string, body?: unknown) =>
      fetch(`${process.env.LOCAL_CLOUDTRAIL_CONTROL_URL}/trails/management-events?${query}`, {
        method,
        headers: { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    const vendor = sagemakerIn(EU, assumed(VENDOR, EU));
    const silent = `silent-${randomUUID().slice(0, 8)}`;
    const heard = `heard-${randomUUID().slice(0, 8)}`;
    const named = (name: string) => (event: { detail: Record<string, unknown> }) =>
      (event.detail.requestParameters as { workteamName?: string } | null)?.workteamName === name;

    try {
      // Act
      const stopped = await control('PATCH', `account=${VENDOR}&region=${EU}`, { logging: false });
      await oidcTeam(vendor, silent);
      const restarted = await control('PATCH', `account=${VENDOR}&region=${EU}`, { logging: true });
      await oidcTeam(vendor, heard);
      await waitForBusEvents('aws.sagemaker', named(heard));
      const hubTrail = await (
        await fetch(`${process.env.LOCAL_CLOUDTRAIL_CONTROL_URL}/trails?account=${ACCOUNT_ID}`)
      ).json();

      // Assess
      expect(stopped.status).toBe(200);
      expect(restarted.status).toBe(200);
      expect((await busEvents('aws.sagemaker')).filter(named(silent))).toEqual([]);
      expect(hubTrail).toEqual([expect.objectContaining({ accountId: ACCOUNT_ID, logging: true })]);
    } finally {
      await fetch(`${process.env.LOCAL_CLOUDTRAIL_CONTROL_URL}/reset`, { method: 'POST' });
      for (const name of [silent, heard]) {
        await vendor.send(new DeleteWorkteamCommand({ WorkteamName: name })).catch(() => undefined);
      }
    }
  });

  it("records a target's Cognito change with the target's account, as the hub's CloudTrail proxy sees it", async () => {
    // Prepare
    const group = `vendor-${randomUUID().slice(0, 8)}`;
    const cognito = new CognitoIdentityProviderClient({ region: REGION, credentials: assumed(VENDOR, REGION) });
    clients.push(cognito);

    try {
      // Act
      await cognito.send(new CreateGroupCommand({ UserPoolId: TARGET_USER_POOL_ID, GroupName: group }));
      const [event] = await waitForBusEvents(
        'aws.cognito-idp',
        (candidate) => (candidate.detail.requestParameters as { groupName?: string } | null)?.groupName === group,
      );

      // Assess
      expect(event).toMatchObject({ account: VENDOR, region: REGION });
      expect(event?.detail).toMatchObject({
        recipientAccountId: VENDOR,
        userIdentity: { accountId: VENDOR, sessionContext: { sessionIssuer: { arn: targetRoleArn(VENDOR, REGION) } } },
      });
    } finally {
      await cognito.send(new DeleteGroupCommand({ UserPoolId: TARGET_USER_POOL_ID, GroupName: group }));
    }
  });
});
