import {
  CreateWorkforceCommand,
  type CreateWorkforceCommandInput,
  DeleteWorkforceCommand,
  DeleteWorkteamCommand,
  DescribeWorkforceCommand,
  ListTagsCommand,
  ListWorkforcesCommand,
  paginateListWorkforces,
  type SageMakerClient,
  type Workforce,
} from '@aws-sdk/client-sagemaker';
import {
  ACCOUNT,
  CLIENT_ID,
  createTeam,
  createWorkforce,
  failureOf,
  OIDC_CONFIG,
  REGION,
  USER_POOL,
  unchecked,
  useOwnSageMakerEmulator,
  VPC_CONFIG,
} from '../support/sagemaker-contract';

describe('SageMaker emulator: workforces', () => {
  let client: SageMakerClient;

  const createRaw = (input: Partial<CreateWorkforceCommandInput>) =>
    client.send(
      new CreateWorkforceCommand({
        WorkforceName: 'my-workforce',
        CognitoConfig: { UserPool: USER_POOL, ClientId: CLIENT_ID },
        ...input,
      }),
    );
  const describeWorkforce = async (name: string): Promise<Workforce> => {
    const { Workforce } = await client.send(new DescribeWorkforceCommand({ WorkforceName: name }));
    if (!Workforce) throw new Error('DescribeWorkforce returned no Workforce');
    return Workforce;
  };

  useOwnSageMakerEmulator((own) => {
    client = own.client;
  });

  describe('CreateWorkforce and DescribeWorkforce', () => {
    it('creates a Cognito workforce and describes it with the exact Workforce shape', async () => {
      // Act
      const arn = await createWorkforce(client, { SourceIpConfig: { Cidrs: ['10.0.0.0/16', '2001:db8::/32'] } });
      const workforce = await describeWorkforce('my-workforce');

      // Assess
      expect(arn).toBe(`arn:aws:sagemaker:${REGION}:${ACCOUNT}:workforce/my-workforce`);
      expect(workforce).toEqual({
        WorkforceName: 'my-workforce',
        WorkforceArn: arn,
        LastUpdatedDate: expect.any(Date),
        SourceIpConfig: { Cidrs: ['10.0.0.0/16', '2001:db8::/32'] },
        SubDomain: expect.stringMatching(/^[a-z0-9]{10}\.labeling\.us-east-1\.sagemaker\.aws$/),
        CognitoConfig: { UserPool: USER_POOL, ClientId: CLIENT_ID },
        CreateDate: expect.any(Date),
        Status: 'Active',
      });
    });

    it('describes an OIDC workforce without its client secret', async () => {
      // Prepare
      await createWorkforce(client, { CognitoConfig: undefined, OidcConfig: { ...OIDC_CONFIG, Scope: 'openid' } });

      // Act
      const workforce = await describeWorkforce('my-workforce');

      // Assess
      const { ClientSecret: _secret, ...visible } = OIDC_CONFIG;
      expect(workforce.OidcConfig).toEqual({ ...visible, Scope: 'openid' });
      expect(workforce.CognitoConfig).toBeUndefined();
      expect(workforce.SourceIpConfig).toEqual({ Cidrs: [] });
    });

    it('describes a VPC workforce with its WorkforceVpcConfig and a VpcEndpointId', async () => {
      // Prepare
      await createWorkforce(client, { WorkforceVpcConfig: VPC_CONFIG });

      // Act
      const workforce = await describeWorkforce('my-workforce');

      // Assess
      expect(workforce.WorkforceVpcConfig).toEqual({ ...VPC_CONFIG, VpcEndpointId: expect.stringMatching(/^vpce-/) });
    });

    it('refuses a second workforce in the region with ResourceLimitExceeded', async () => {
      // Prepare
      await createWorkforce(client);

      // Act
      const error = await failureOf(createRaw({ WorkforceName: 'another' }));

      // Assess
      expect(error.name).toBe('ResourceLimitExceeded');
      expect(error.message).toContain('one private workforce per region');
    });

    it('refuses a workforce when the first work team already created the default one', async () => {
      // Prepare
      await createTeam(client, 'first');

      // Act
      const error = await failureOf(createRaw({}));

      // Assess
      expect(error.name).toBe('ResourceLimitExceeded');
      expect(error.message).toContain("'default'");
    });

    it.each([
      ['missing', undefined],
      ['64 characters long', 'w'.repeat(64)],
      ['outside the pattern', 'my_workforce'],
    ])('refuses a WorkforceName %s with ValidationException', async (_case, name) => {
      // Act
      const error = await failureOf(createRaw({ WorkforceName: name }));

      // Assess
      expect(error.name).toBe('ValidationException');
      expect(error.message).toContain('workforceName');
    });

    it('refuses a workforce with both CognitoConfig and OidcConfig', async () => {
      // Act
      const error = await failureOf(createRaw({ OidcConfig: OIDC_CONFIG }));

      // Assess
      expect(error.name).toBe('ValidationException');
      expect(error.message).toContain('exactly one of CognitoConfig or OidcConfig');
    });

    it('refuses a workforce with neither CognitoConfig nor OidcConfig', async () => {
      // Act
      const error = await failureOf(createRaw({ CognitoConfig: undefined }));

      // Assess
      expect(error.name).toBe('ValidationException');
      expect(error.message).toContain('exactly one of CognitoConfig or OidcConfig');
    });

    it('refuses a CognitoConfig without ClientId', async () => {
      // Act
      const error = await failureOf(createRaw({ CognitoConfig: { UserPool: USER_POOL, ClientId: undefined } }));

      // Assess
      expect(error.name).toBe('ValidationException');
      expect(error.message).toContain('cognitoConfig.clientId');
    });

    it('refuses an OidcConfig without an endpoint', async () => {
      // Act
      const error = await failureOf(
        createRaw({ CognitoConfig: undefined, OidcConfig: { ...OIDC_CONFIG, TokenEndpoint: undefined } }),
      );

      // Assess
      expect(error.name).toBe('ValidationException');
      expect(error.message).toContain('oidcConfig.tokenEndpoint');
    });

    it.each([
      ['no CIDR', []],
      ['11 CIDRs', Array.from({ length: 11 }, (_, i) => `10.${i}.0.0/16`)],
      ['an address without prefix', ['10.0.0.1']],
      ['a prefix beyond 32', ['10.0.0.0/33']],
      ['an address out of range', ['300.0.0.0/8']],
    ])('refuses a SourceIpConfig with %s', async (_case, cidrs) => {
      // Act
      const error = await failureOf(createRaw({ SourceIpConfig: { Cidrs: cidrs } }));

      // Assess
      expect(error.name).toBe('ValidationException');
      expect(error.message).toContain('sourceIpConfig.cidrs');
    });

    it('accepts ten CIDRs', async () => {
      // Prepare
      const cidrs = Array.from({ length: 10 }, (_, i) => `192.168.${i}.0/24`);

      // Act
      await createRaw({ SourceIpConfig: { Cidrs: cidrs } });

      // Assess
      expect((await describeWorkforce('my-workforce')).SourceIpConfig).toEqual({ Cidrs: cidrs });
    });

    it.each([
      ['a malformed VpcId', { ...VPC_CONFIG, VpcId: 'vpc-xyz' }, 'vpcId'],
      ['no security group', { ...VPC_CONFIG, SecurityGroupIds: [] }, 'securityGroupIds'],
      ['a malformed subnet', { ...VPC_CONFIG, Subnets: ['subnet-1'] }, 'subnets'],
      ['no VpcId', { ...VPC_CONFIG, VpcId: undefined }, 'vpcId'],
    ])('refuses a WorkforceVpcConfig with %s', async (_case, vpc, member) => {
      // Act
      const error = await failureOf(createRaw({ WorkforceVpcConfig: vpc }));

      // Assess
      expect(error.name).toBe('ValidationException');
      expect(error.message).toContain(`workforceVpcConfig.${member}`);
    });

    it('stores the Tags given on CreateWorkforce on the workforce', async () => {
      // Prepare
      const arn = await createWorkforce(client, { Tags: [{ Key: 'team', Value: 'labeling' }] });

      // Act
      const { Tags } = await client.send(new ListTagsCommand({ ResourceArn: arn }));

      // Assess
      expect(Tags).toEqual([{ Key: 'team', Value: 'labeling' }]);
    });

    it('refuses duplicate tag keys on CreateWorkforce', async () => {
      // Act
      const error = await failureOf(
        createRaw({
          Tags: [
            { Key: 'k', Value: '1' },
            { Key: 'k', Value: '2' },
          ],
        }),
      );

      // Assess
      expect(error.name).toBe('ValidationException');
      expect(error.message).toContain('unique');
    });
  });

  describe('not found and DeleteWorkforce', () => {
    it('answers DescribeWorkforce of an unknown workforce with a ValidationException containing "No workforce"', async () => {
      // Act
      const error = await failureOf(client.send(new DescribeWorkforceCommand({ WorkforceName: 'ghost' })));

      // Assess
      expect(error.name).toBe('ValidationException');
      expect(error.message).toBe("No workforce found with name 'ghost'.");
    });

    it('answers DescribeWorkforce of another name than the existing workforce with "No workforce"', async () => {
      // Prepare
      await createWorkforce(client);

      // Act
      const error = await failureOf(client.send(new DescribeWorkforceCommand({ WorkforceName: 'default' })));

      // Assess
      expect(error.name).toBe('ValidationException');
      expect(error.message).toContain('No workforce');
    });

    it('answers DeleteWorkforce of an unknown workforce with a ValidationException containing "No workforce"', async () => {
      // Act
      const error = await failureOf(client.send(new DeleteWorkforceCommand({ WorkforceName: 'ghost' })));

      // Assess
      expect(error.name).toBe('ValidationException');
      expect(error.message).toContain('No workforce');
    });

    it('refuses to delete a workforce that still has work teams', async () => {
      // Prepare
      await createTeam(client, 'member');

      // Act
      const error = await failureOf(client.send(new DeleteWorkforceCommand({ WorkforceName: 'default' })));

      // Assess
      expect(error.name).toBe('ValidationException');
      expect(error.message).toContain('still has 1 work team');
      expect((await describeWorkforce('default')).WorkforceName).toBe('default');
    });

    it('deletes a workforce without work teams, after which a new one can be created', async () => {
      // Prepare
      await createTeam(client, 'member');
      await client.send(new DeleteWorkteamCommand({ WorkteamName: 'member' }));

      // Act
      await client.send(new DeleteWorkforceCommand({ WorkforceName: 'default' }));

      // Assess
      const error = await failureOf(client.send(new DescribeWorkforceCommand({ WorkforceName: 'default' })));
      expect(error.message).toContain('No workforce');
      expect(await createWorkforce(client)).toContain('workforce/my-workforce');
    });
  });

  describe('ListWorkforces', () => {
    it('lists nothing when the region has no workforce', async () => {
      // Act
      const response = await client.send(new ListWorkforcesCommand({}));

      // Assess
      expect(response.Workforces).toEqual([]);
      expect(response.NextToken).toBeUndefined();
    });

    it('lists the workforce with the same shape as DescribeWorkforce', async () => {
      // Prepare
      await createWorkforce(client, { WorkforceVpcConfig: VPC_CONFIG });
      const described = await describeWorkforce('my-workforce');

      // Act
      const response = await client.send(new ListWorkforcesCommand({}));

      // Assess
      expect(response.Workforces).toEqual([described]);
    });

    it('walks the pages with the SDK paginator', async () => {
      // Prepare
      await createTeam(client, 'first');

      // Act
      const pages: Workforce[][] = [];
      for await (const page of paginateListWorkforces({ client, pageSize: 1 }, { SortBy: 'Name' })) {
        pages.push(page.Workforces ?? []);
      }

      // Assess
      expect(pages.map((page) => page.map((w) => w.WorkforceName))).toEqual([['default']]);
    });

    it('filters with NameContains', async () => {
      // Prepare
      await createWorkforce(client);

      // Act
      const matching = await client.send(new ListWorkforcesCommand({ NameContains: 'work' }));
      const other = await client.send(new ListWorkforcesCommand({ NameContains: 'default' }));

      // Assess
      expect(matching.Workforces?.map((w) => w.WorkforceName)).toEqual(['my-workforce']);
      expect(other.Workforces).toEqual([]);
    });

    it.each([
      ['MaxResults 0', { MaxResults: 0 }],
      ['MaxResults 101', { MaxResults: 101 }],
      ['an unknown SortBy', { SortBy: unchecked<'Name'>('Size') }],
      ['an unknown SortOrder', { SortOrder: unchecked<'Ascending'>('Up') }],
      ['an invalid NextToken', { NextToken: 'garbage' }],
      ['an empty NameContains', { NameContains: '' }],
    ])('refuses %s with ValidationException', async (_case, input) => {
      // Act
      const error = await failureOf(client.send(new ListWorkforcesCommand(input)));

      // Assess
      expect(error.name).toBe('ValidationException');
    });
  });
});
