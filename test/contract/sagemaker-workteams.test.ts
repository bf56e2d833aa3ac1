import {
  CreateWorkteamCommand,
  type CreateWorkteamCommandInput,
  DeleteWorkteamCommand,
  DescribeWorkforceCommand,
  DescribeWorkteamCommand,
  type EnabledOrDisabled,
  type SageMakerClient,
  UpdateWorkteamCommand,
} from '@aws-sdk/client-sagemaker';
import {
  ACCOUNT,
  CLIENT_ID,
  cognitoMember,
  createTeam,
  createWorkforce,
  failureOf,
  OIDC_CONFIG,
  oidcMember,
  REGION,
  TOPIC_ARN,
  teamInput,
  USER_POOL,
  unchecked,
  useOwnSageMakerEmulator,
  VPC_CONFIG,
} from '../support/sagemaker-contract';

describe('SageMaker emulator: work teams', () => {
  let client: SageMakerClient;

  const create = (input: CreateWorkteamCommandInput) => client.send(new CreateWorkteamCommand(input));
  const describeTeam = async (name: string) => {
    const { Workteam } = await client.send(new DescribeWorkteamCommand({ WorkteamName: name }));
    if (!Workteam) throw new Error('DescribeWorkteam returned no Workteam');
    return Workteam;
  };

  useOwnSageMakerEmulator((own) => {
    client = own.client;
  });

  describe('create and describe', () => {
    it('creates a work team and describes it with the exact Workteam shape', async () => {
      // Prepare
      const input = teamInput('labelers', {
        MemberDefinitions: [cognitoMember('group-a'), cognitoMember('group-b')],
        NotificationConfiguration: { NotificationTopicArn: TOPIC_ARN },
        WorkerAccessConfiguration: { S3Presign: { IamPolicyConstraints: { SourceIp: 'Enabled' } } },
      });
      const before = Date.now();

      // Act
      const created = await create(input);
      const workteam = await describeTeam('labelers');

      // Assess
      const arn = `arn:aws:sagemaker:${REGION}:${ACCOUNT}:workteam/private-crowd/labelers`;
      expect(created.WorkteamArn).toBe(arn);
      expect(workteam).toEqual({
        WorkteamName: 'labelers',
        MemberDefinitions: [cognitoMember('group-a'), cognitoMember('group-b')],
        WorkteamArn: arn,
        WorkforceArn: `arn:aws:sagemaker:${REGION}:${ACCOUNT}:workforce/default`,
        Description: 'The labelers team',
        SubDomain: expect.stringMatching(/^[a-z0-9]{10}\.labeling\.us-east-1\.sagemaker\.aws$/),
        CreateDate: expect.any(Date),
        LastUpdatedDate: expect.any(Date),
        NotificationConfiguration: { NotificationTopicArn: TOPIC_ARN },
        WorkerAccessConfiguration: { S3Presign: { IamPolicyConstraints: { SourceIp: 'Enabled' } } },
      });
      expect(workteam.CreateDate?.getTime()).toBeGreaterThanOrEqual(before - 1);
      expect(workteam.CreateDate?.getTime()).toBeLessThanOrEqual(Date.now() + 1);
      expect(workteam.LastUpdatedDate).toEqual(workteam.CreateDate);
    });

    it('leaves NotificationConfiguration and WorkerAccessConfiguration out when they are not set', async () => {
      // Prepare
      await createTeam(client, 'plain', { NotificationConfiguration: { NotificationTopicArn: '' } });

      // Act
      const workteam = await describeTeam('plain');

      // Assess
      expect(Object.keys(workteam).sort()).toEqual(
        [
          'CreateDate',
          'Description',
          'LastUpdatedDate',
          'MemberDefinitions',
          'SubDomain',
          'WorkforceArn',
          'WorkteamArn',
          'WorkteamName',
        ].sort(),
      );
    });

    it('gives every work team of the workforce the same SubDomain, the one of the workforce', async () => {
      // Prepare
      await createTeam(client, 'first');
      await createTeam(client, 'second');

      // Act
      const first = await describeTeam('first');
      const second = await describeTeam('second');
      const { Workforce } = await client.send(new DescribeWorkforceCommand({ WorkforceName: 'default' }));

      // Assess
      expect(first.SubDomain).toBe(Workforce?.SubDomain);
      expect(second.SubDomain).toBe(Workforce?.SubDomain);
    });
  });

  describe('WorkteamName, Description and MemberDefinitions constraints', () => {
    it.each([
      ['missing', undefined],
      ['empty', ''],
      ['64 characters long', 'a'.repeat(64)],
      ['with an underscore', 'bad_name'],
      ['starting with a hyphen', '-team'],
      ['ending with a hyphen', 'team-'],
    ])('refuses a WorkteamName %s with ValidationException', async (_case, name) => {
      // Act
      const error = await failureOf(create({ ...teamInput('x'), WorkteamName: name }));

      // Assess
      expect(error.name).toBe('ValidationException');
      expect(error.message).toContain('workteamName');
    });

    it('accepts a WorkteamName of 63 characters with inner hyphens', async () => {
      // Prepare
      const name = `a--${'b'.repeat(60)}`;

      // Act
      const arn = await createTeam(client, name);

      // Assess
      expect(arn.endsWith(`/${name}`)).toBe(true);
    });

    it.each([
      ['missing', undefined],
      ['empty', ''],
      ['201 characters long', 'd'.repeat(201)],
      ['spanning two lines', 'line one\nline two'],
    ])('refuses a Description %s with ValidationException', async (_case, description) => {
      // Act
      const error = await failureOf(create({ ...teamInput('x'), Description: description }));

      // Assess
      expect(error.name).toBe('ValidationException');
      expect(error.message).toContain('description');
    });

    it('accepts a Description of 200 characters', async () => {
      // Act
      await createTeam(client, 'long-description', { Description: 'd'.repeat(200) });

      // Assess
      expect((await describeTeam('long-description')).Description).toBe('d'.repeat(200));
    });

    it.each([
      ['missing', undefined],
      ['empty', []],
      ['of 11 items', Array.from({ length: 11 }, (_, i) => cognitoMember(`group-${i}`))],
    ])('refuses MemberDefinitions %s with ValidationException', async (_case, members) => {
      // Act
      const error = await failureOf(create({ ...teamInput('x'), MemberDefinitions: members }));

      // Assess
      expect(error.name).toBe('ValidationException');
      expect(error.message).toContain('memberDefinitions');
    });

    it('accepts 10 member definitions', async () => {
      // Prepare
      const members = Array.from({ length: 10 }, (_, i) => cognitoMember(`group-${i}`));

      // Act
      await createTeam(client, 'ten', { MemberDefinitions: members });

      // Assess
      expect((await describeTeam('ten')).MemberDefinitions).toEqual(members);
    });
  });

  describe('member definition rules', () => {
    it('refuses a member definition holding both CognitoMemberDefinition and OidcMemberDefinition', async () => {
      // Prepare
      const both = { ...cognitoMember('group-a'), ...oidcMember('oidc-a') };

      // Act
      const error = await failureOf(create(teamInput('both', { MemberDefinitions: [both] })));

      // Assess
      expect(error.name).toBe('ValidationException');
      expect(error.message).toContain('exactly one of CognitoMemberDefinition or OidcMemberDefinition');
    });

    it('refuses a member definition holding neither CognitoMemberDefinition nor OidcMemberDefinition', async () => {
      // Act
      const error = await failureOf(create(teamInput('neither', { MemberDefinitions: [{}] })));

      // Assess
      expect(error.name).toBe('ValidationException');
      expect(error.message).toContain('exactly one of CognitoMemberDefinition or OidcMemberDefinition');
    });

    it('refuses a team mixing Cognito and OIDC member definitions', async () => {
      // Act
      const error = await failureOf(
        create(teamInput('mixed', { MemberDefinitions: [cognitoMember('group-a'), oidcMember('oidc-a')] })),
      );

      // Assess
      expect(error.name).toBe('ValidationException');
      expect(error.message).toContain('cannot mix');
    });

    it.each(['UserPool', 'UserGroup', 'ClientId'] as const)(
      'refuses a CognitoMemberDefinition without %s',
      async (member) => {
        // Prepare
        const definition = { UserPool: USER_POOL, UserGroup: 'group-a', ClientId: CLIENT_ID, [member]: undefined };

        // Act
        const error = await failureOf(
          create(teamInput('partial', { MemberDefinitions: [{ CognitoMemberDefinition: definition }] })),
        );

        // Assess
        expect(error.name).toBe('ValidationException');
        expect(error.message).toContain(`cognitoMemberDefinition.${member.charAt(0).toLowerCase()}${member.slice(1)}`);
        expect(error.message).toContain('Member must not be null');
      },
    );

    it.each([
      ['UserPool', 'not a pool'],
      ['ClientId', 'bad client id'],
    ])('refuses a malformed Cognito %s', async (member, value) => {
      // Prepare
      const definition = { UserPool: USER_POOL, UserGroup: 'group-a', ClientId: CLIENT_ID, [member]: value };

      // Act
      const error = await failureOf(
        create(teamInput('malformed', { MemberDefinitions: [{ CognitoMemberDefinition: definition }] })),
      );

      // Assess
      expect(error.name).toBe('ValidationException');
      expect(error.message).toContain('regular expression pattern');
    });

    it('refuses Cognito member definitions with different UserPool values', async () => {
      // Prepare
      const members = [cognitoMember('group-a'), cognitoMember('group-b', 'us-east-1_OtherPool')];

      // Act
      const error = await failureOf(create(teamInput('pools', { MemberDefinitions: members })));

      // Assess
      expect(error.name).toBe('ValidationException');
      expect(error.message).toContain('same UserPool and ClientId');
    });

    it('refuses Cognito member definitions with different ClientId values', async () => {
      // Prepare
      const members = [cognitoMember('group-a'), cognitoMember('group-b', USER_POOL, 'otherclient')];

      // Act
      const error = await failureOf(create(teamInput('clients', { MemberDefinitions: members })));

      // Assess
      expect(error.name).toBe('ValidationException');
      expect(error.message).toContain('same UserPool and ClientId');
    });

    it('refuses the same Cognito user group listed twice in one team', async () => {
      // Act
      const error = await failureOf(
        create(teamInput('dupes', { MemberDefinitions: [cognitoMember('group-a'), cognitoMember('group-a')] })),
      );

      // Assess
      expect(error.name).toBe('ValidationException');
      expect(error.message).toContain("'group-a' is listed more than once");
    });

    it('refuses the same OIDC group listed twice in one team', async () => {
      // Prepare
      await createWorkforce(client, { CognitoConfig: undefined, OidcConfig: OIDC_CONFIG });

      // Act
      const error = await failureOf(create(teamInput('dupes', { MemberDefinitions: [oidcMember('g1', 'g1')] })));

      // Assess
      expect(error.name).toBe('ValidationException');
      expect(error.message).toContain("'g1' is listed more than once");
    });

    it.each([
      ['no groups', []],
      ['11 groups', Array.from({ length: 11 }, (_, i) => `g${i}`)],
    ])('refuses an OidcMemberDefinition with %s', async (_case, groups) => {
      // Prepare
      await createWorkforce(client, { CognitoConfig: undefined, OidcConfig: OIDC_CONFIG });

      // Act
      const error = await failureOf(create(teamInput('oidc', { MemberDefinitions: [oidcMember(...groups)] })));

      // Assess
      expect(error.name).toBe('ValidationException');
      expect(error.message).toContain('oidcMemberDefinition.groups');
    });

    it('accepts an OIDC team of ten groups on an OIDC workforce', async () => {
      // Prepare
      await createWorkforce(client, { CognitoConfig: undefined, OidcConfig: OIDC_CONFIG });
      const groups = Array.from({ length: 10 }, (_, i) => `g${i}`);

      // Act
      await createTeam(client, 'oidc', { MemberDefinitions: [oidcMember(...groups)] });

      // Assess
      expect((await describeTeam('oidc')).MemberDefinitions).toEqual([oidcMember(...groups)]);
    });
  });

  describe('workforce of a work team', () => {
    it('creates the region workforce "default" with the first Cognito work team, from its pool and client', async () => {
      // Act
      await createTeam(client, 'first');
      const { Workforce } = await client.send(new DescribeWorkforceCommand({ WorkforceName: 'default' }));

      // Assess
      expect(Workforce).toEqual({
        WorkforceName: 'default',
        WorkforceArn: `arn:aws:sagemaker:${REGION}:${ACCOUNT}:workforce/default`,
        LastUpdatedDate: expect.any(Date),
        SourceIpConfig: { Cidrs: [] },
        SubDomain: expect.stringMatching(/^[a-z0-9]{10}\.labeling\.us-east-1\.sagemaker\.aws$/),
        CognitoConfig: { UserPool: USER_POOL, ClientId: CLIENT_ID },
        CreateDate: expect.any(Date),
        Status: 'Active',
      });
    });

    it('does not create a workforce when the first work team is refused', async () => {
      // Prepare
      await failureOf(create(teamInput('bad', { Description: '' })));

      // Act
      const error = await failureOf(client.send(new DescribeWorkforceCommand({ WorkforceName: 'default' })));

      // Assess
      expect(error.name).toBe('ValidationException');
      expect(error.message).toContain('No workforce');
    });

    it("refuses a Cognito team whose UserPool is not the workforce's", async () => {
      // Prepare
      await createTeam(client, 'first');

      // Act
      const error = await failureOf(
        create(teamInput('other-pool', { MemberDefinitions: [cognitoMember('g', 'us-east-1_OtherPool')] })),
      );

      // Assess
      expect(error.name).toBe('ValidationException');
      expect(error.message).toContain("must match those of the workforce 'default'");
    });

    it("refuses a Cognito team whose ClientId is not the workforce's", async () => {
      // Prepare
      await createWorkforce(client);

      // Act
      const error = await failureOf(
        create(teamInput('other-client', { MemberDefinitions: [cognitoMember('g', USER_POOL, 'otherclient')] })),
      );

      // Assess
      expect(error.name).toBe('ValidationException');
      expect(error.message).toContain("must match those of the workforce 'my-workforce'");
    });

    it('refuses an OIDC team when no workforce exists', async () => {
      // Act
      const error = await failureOf(create(teamInput('oidc', { MemberDefinitions: [oidcMember('g1')] })));

      // Assess
      expect(error.name).toBe('ValidationException');
      expect(error.message).toContain('No workforce');
    });

    it('refuses an OIDC team on a Cognito workforce', async () => {
      // Prepare
      await createWorkforce(client);

      // Act
      const error = await failureOf(create(teamInput('oidc', { MemberDefinitions: [oidcMember('g1')] })));

      // Assess
      expect(error.name).toBe('ValidationException');
      expect(error.message).toContain('uses Amazon Cognito');
    });

    it('refuses a Cognito team on an OIDC workforce', async () => {
      // Prepare
      await createWorkforce(client, { CognitoConfig: undefined, OidcConfig: OIDC_CONFIG });

      // Act
      const error = await failureOf(create(teamInput('cognito')));

      // Assess
      expect(error.name).toBe('ValidationException');
      expect(error.message).toContain('uses an OIDC identity provider');
    });

    it('refuses a WorkforceName that names no existing workforce', async () => {
      // Prepare
      await createWorkforce(client);

      // Act
      const error = await failureOf(create(teamInput('team', { WorkforceName: 'elsewhere' })));

      // Assess
      expect(error.name).toBe('ValidationException');
      expect(error.message).toContain('No workforce');
    });

    it('refuses a WorkforceName when no workforce exists yet', async () => {
      // Act
      const error = await failureOf(create(teamInput('team', { WorkforceName: 'default' })));

      // Assess
      expect(error.name).toBe('ValidationException');
      expect(error.message).toContain('No workforce');
    });

    it('accepts the WorkforceName of the existing workforce and links the team to it', async () => {
      // Prepare
      const workforceArn = await createWorkforce(client);

      // Act
      await createTeam(client, 'team', { WorkforceName: 'my-workforce' });

      // Assess
      expect((await describeTeam('team')).WorkforceArn).toBe(workforceArn);
    });
  });

  describe('WorkerAccessConfiguration and NotificationConfiguration', () => {
    it.each([
      ['SourceIp', { SourceIp: unchecked<EnabledOrDisabled>('On') }],
      ['VpcSourceIp', { VpcSourceIp: unchecked<EnabledOrDisabled>('enabled') }],
    ])('refuses a %s other than Enabled or Disabled', async (member, constraints) => {
      // Act
      const error = await failureOf(
        create(
          teamInput('access', { WorkerAccessConfiguration: { S3Presign: { IamPolicyConstraints: constraints } } }),
        ),
      );

      // Assess
      expect(error.name).toBe('ValidationException');
      expect(error.message).toContain(`iamPolicyConstraints.${member.charAt(0).toLowerCase()}${member.slice(1)}`);
      expect(error.message).toContain('[Enabled, Disabled]');
    });

    it('refuses VpcSourceIp Enabled on the auto-created workforce, which has no WorkforceVpcConfig', async () => {
      // Act
      const error = await failureOf(
        create(
          teamInput('vpc', {
            WorkerAccessConfiguration: { S3Presign: { IamPolicyConstraints: { VpcSourceIp: 'Enabled' } } },
          }),
        ),
      );

      // Assess
      expect(error.name).toBe('ValidationException');
      expect(error.message).toContain('WorkforceVpcConfig');
    });

    it('refuses VpcSourceIp Enabled on a workforce without WorkforceVpcConfig', async () => {
      // Prepare
      await createWorkforce(client);

      // Act
      const error = await failureOf(
        create(
          teamInput('vpc', {
            WorkerAccessConfiguration: { S3Presign: { IamPolicyConstraints: { VpcSourceIp: 'Enabled' } } },
          }),
        ),
      );

      // Assess
      expect(error.name).toBe('ValidationException');
      expect(error.message).toContain('WorkforceVpcConfig');
    });

    it('accepts VpcSourceIp Enabled on a workforce with WorkforceVpcConfig', async () => {
      // Prepare
      await createWorkforce(client, { WorkforceVpcConfig: VPC_CONFIG });
      const access = { S3Presign: { IamPolicyConstraints: { SourceIp: 'Disabled', VpcSourceIp: 'Enabled' } } } as const;

      // Act
      await createTeam(client, 'vpc', { WorkerAccessConfiguration: access });

      // Assess
      expect((await describeTeam('vpc')).WorkerAccessConfiguration).toEqual(access);
    });

    it.each([
      'arn:aws:sqs:us-east-1:123456789012:queue',
      'arn:aws:sns:us-east-1:12345:topic',
      'arn:aws:sns:us-east-1:123456789012:',
      'not-an-arn',
    ])('refuses the NotificationTopicArn %s', async (arn) => {
      // Act
      const error = await failureOf(
        create(teamInput('notified', { NotificationConfiguration: { NotificationTopicArn: arn } })),
      );

      // Assess
      expect(error.name).toBe('ValidationException');
      expect(error.message).toContain('notificationConfiguration.notificationTopicArn');
    });

    it('accepts an SNS topic ARN of another partition', async () => {
      // Prepare
      const arn = 'arn:aws-us-gov:sns:us-gov-west-1:123456789012:work_items-1.fifo';

      // Act
      await createTeam(client, 'notified', { NotificationConfiguration: { NotificationTopicArn: arn } });

      // Assess
      expect((await describeTeam('notified')).NotificationConfiguration).toEqual({ NotificationTopicArn: arn });
    });
  });

  describe('names and limits', () => {
    it('refuses a taken WorkteamName with ResourceInUse', async () => {
      // Prepare
      await createTeam(client, 'taken');

      // Act
      const error = await failureOf(create(teamInput('taken')));

      // Assess
      expect(error.name).toBe('ResourceInUse');
      expect(error.message).toContain("'taken' already exists");
    });

    it('refuses a 26th work team with ResourceLimitExceeded', async () => {
      // Prepare
      for (let i = 1; i <= 25; i++) await createTeam(client, `team-${i}`);

      // Act
      const error = await failureOf(create(teamInput('team-26')));

      // Assess
      expect(error.name).toBe('ResourceLimitExceeded');
      expect(error.message).toContain('25');
    });

    it('accepts a new work team again once one of 25 is deleted', async () => {
      // Prepare
      for (let i = 1; i <= 25; i++) await createTeam(client, `team-${i}`);
      await client.send(new DeleteWorkteamCommand({ WorkteamName: 'team-7' }));

      // Act
      const arn = await createTeam(client, 'team-26');

      // Assess
      expect(arn.endsWith('/team-26')).toBe(true);
    });
  });

  describe('not found', () => {
    it('answers DescribeWorkteam of an unknown team with a ValidationException beginning "The work team"', async () => {
      // Act
      const error = await failureOf(client.send(new DescribeWorkteamCommand({ WorkteamName: 'ghost' })));

      // Assess
      expect(error.name).toBe('ValidationException');
      expect(error.message).toBe("The work team 'ghost' does not exist.");
    });

    it('answers UpdateWorkteam of an unknown team with a ValidationException beginning "The work team"', async () => {
      // Act
      const error = await failureOf(
        client.send(new UpdateWorkteamCommand({ WorkteamName: 'ghost', Description: 'x' })),
      );

      // Assess
      expect(error.name).toBe('ValidationException');
      expect(error.message.startsWith('The work team')).toBe(true);
    });

    it('answers DeleteWorkteam of an unknown team with a ValidationException beginning "The work team"', async () => {
      // Act
      const error = await failureOf(client.send(new DeleteWorkteamCommand({ WorkteamName: 'ghost' })));

      // Assess
      expect(error.name).toBe('ValidationException');
      expect(error.message.startsWith('The work team')).toBe(true);
    });
  });

  describe('UpdateWorkteam', () => {
    it('replaces the whole MemberDefinitions list: a group not listed again leaves the team', async () => {
      // Prepare
      await createTeam(client, 'team', { MemberDefinitions: [cognitoMember('stays'), cognitoMember('leaves')] });

      // Act
      const { Workteam } = await client.send(
        new UpdateWorkteamCommand({
          WorkteamName: 'team',
          MemberDefinitions: [cognitoMember('stays'), cognitoMember('joins')],
        }),
      );

      // Assess
      expect(Workteam?.MemberDefinitions).toEqual([cognitoMember('stays'), cognitoMember('joins')]);
      expect((await describeTeam('team')).MemberDefinitions).toEqual([cognitoMember('stays'), cognitoMember('joins')]);
    });

    it('replaces the OIDC groups: a group not listed again leaves the team', async () => {
      // Prepare
      await createWorkforce(client, { CognitoConfig: undefined, OidcConfig: OIDC_CONFIG });
      await createTeam(client, 'team', { MemberDefinitions: [oidcMember('g1', 'g2')] });

      // Act
      await client.send(new UpdateWorkteamCommand({ WorkteamName: 'team', MemberDefinitions: [oidcMember('g2')] }));

      // Assess
      expect((await describeTeam('team')).MemberDefinitions).toEqual([oidcMember('g2')]);
    });

    it('keeps every field left out as it is', async () => {
      // Prepare
      await createTeam(client, 'team', {
        NotificationConfiguration: { NotificationTopicArn: TOPIC_ARN },
        WorkerAccessConfiguration: { S3Presign: { IamPolicyConstraints: { SourceIp: 'Enabled' } } },
      });
      const before = await describeTeam('team');

      // Act
      const { Workteam } = await client.send(
        new UpdateWorkteamCommand({ WorkteamName: 'team', Description: 'New words' }),
      );

      // Assess
      expect(Workteam).toEqual({
        ...before,
        Description: 'New words',
        LastUpdatedDate: expect.any(Date),
      });
    });

    it('moves LastUpdatedDate forward and keeps CreateDate', async () => {
      // Prepare
      await createTeam(client, 'team');
      const before = await describeTeam('team');

      // Act
      const { Workteam } = await client.send(new UpdateWorkteamCommand({ WorkteamName: 'team', Description: 'x' }));

      // Assess
      expect(Workteam?.CreateDate).toEqual(before.CreateDate);
      expect(Workteam?.LastUpdatedDate?.getTime()).toBeGreaterThan(before.LastUpdatedDate?.getTime() ?? Infinity);
    });

    it('removes the notification configuration when given an empty NotificationTopicArn', async () => {
      // Prepare
      await createTeam(client, 'team', { NotificationConfiguration: { NotificationTopicArn: TOPIC_ARN } });

      // Act
      await client.send(
        new UpdateWorkteamCommand({ WorkteamName: 'team', NotificationConfiguration: { NotificationTopicArn: '' } }),
      );

      // Assess
      expect((await describeTeam('team')).NotificationConfiguration).toBeUndefined();
    });

    it('removes the notification configuration when given one without NotificationTopicArn', async () => {
      // Prepare
      await createTeam(client, 'team', { NotificationConfiguration: { NotificationTopicArn: TOPIC_ARN } });

      // Act
      await client.send(new UpdateWorkteamCommand({ WorkteamName: 'team', NotificationConfiguration: {} }));

      // Assess
      expect((await describeTeam('team')).NotificationConfiguration).toBeUndefined();
    });

    it('sets a new notification topic', async () => {
      // Prepare
      await createTeam(client, 'team');
      const arn = `arn:aws:sns:${REGION}:123456789012:other-topic`;

      // Act
      await client.send(
        new UpdateWorkteamCommand({ WorkteamName: 'team', NotificationConfiguration: { NotificationTopicArn: arn } }),
      );

      // Assess
      expect((await describeTeam('team')).NotificationConfiguration).toEqual({ NotificationTopicArn: arn });
    });

    it('replaces WorkerAccessConfiguration as a whole', async () => {
      // Prepare
      await createTeam(client, 'team', {
        WorkerAccessConfiguration: {
          S3Presign: { IamPolicyConstraints: { SourceIp: 'Enabled', VpcSourceIp: 'Disabled' } },
        },
      });

      // Act
      await client.send(
        new UpdateWorkteamCommand({
          WorkteamName: 'team',
          WorkerAccessConfiguration: { S3Presign: { IamPolicyConstraints: { SourceIp: 'Disabled' } } },
        }),
      );

      // Assess
      expect((await describeTeam('team')).WorkerAccessConfiguration).toEqual({
        S3Presign: { IamPolicyConstraints: { SourceIp: 'Disabled' } },
      });
    });

    it('refuses VpcSourceIp Enabled when the workforce has no WorkforceVpcConfig', async () => {
      // Prepare
      await createTeam(client, 'team');

      // Act
      const error = await failureOf(
        client.send(
          new UpdateWorkteamCommand({
            WorkteamName: 'team',
            WorkerAccessConfiguration: { S3Presign: { IamPolicyConstraints: { VpcSourceIp: 'Enabled' } } },
          }),
        ),
      );

      // Assess
      expect(error.name).toBe('ValidationException');
      expect(error.message).toContain('WorkforceVpcConfig');
    });

    it.each([
      ['an empty Description', { Description: '' }],
      ['empty MemberDefinitions', { MemberDefinitions: [] }],
      ['a member definition with both kinds', { MemberDefinitions: [{ ...cognitoMember('a'), ...oidcMember('b') }] }],
      ['a duplicate group', { MemberDefinitions: [cognitoMember('a'), cognitoMember('a')] }],
      ['another user pool', { MemberDefinitions: [cognitoMember('a', 'us-east-1_OtherPool')] }],
      ['a malformed topic', { NotificationConfiguration: { NotificationTopicArn: 'arn:aws:sns:topic' } }],
      [
        'an unknown SourceIp value',
        {
          WorkerAccessConfiguration: {
            S3Presign: { IamPolicyConstraints: { SourceIp: unchecked<EnabledOrDisabled>('Yes') } },
          },
        },
      ],
    ])('validates what is given like CreateWorkteam: refuses %s', async (_case, change) => {
      // Prepare
      await createTeam(client, 'team');
      const before = await describeTeam('team');

      // Act
      const error = await failureOf(client.send(new UpdateWorkteamCommand({ WorkteamName: 'team', ...change })));

      // Assess
      expect(error.name).toBe('ValidationException');
      expect(await describeTeam('team')).toEqual(before);
    });
  });

  describe('DeleteWorkteam', () => {
    it('deletes a work team and answers Success true', async () => {
      // Prepare
      await createTeam(client, 'doomed');

      // Act
      const response = await client.send(new DeleteWorkteamCommand({ WorkteamName: 'doomed' }));

      // Assess
      expect(response.Success).toBe(true);
      const error = await failureOf(client.send(new DescribeWorkteamCommand({ WorkteamName: 'doomed' })));
      expect(error.message).toBe("The work team 'doomed' does not exist.");
    });

    it('frees the name of a deleted work team', async () => {
      // Prepare
      await createTeam(client, 'reborn');
      await client.send(new DeleteWorkteamCommand({ WorkteamName: 'reborn' }));

      // Act
      const arn = await createTeam(client, 'reborn');

      // Assess
      expect(arn.endsWith('/reborn')).toBe(true);
    });
  });
});
