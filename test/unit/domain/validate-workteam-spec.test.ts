import fc from 'fast-check';
import { validateWorkteamSpec } from '#lib/domain/validation';
import {
  CLIENT_ID,
  cognitoDefinition,
  oidcDefinition,
  pathsAndCodes,
  repeat,
  TOPIC_ARN,
  USER_POOL,
  validSpec,
} from './fixtures';

describe('validateWorkteamSpec', () => {
  describe('a valid body', () => {
    it('accepts a complete Cognito work team', () => {
      // Prepare
      const spec = validSpec();

      // Act
      const violations = validateWorkteamSpec(spec);

      // Assess
      expect(violations).toEqual([]);
    });

    it('accepts a team with only the required fields', () => {
      // Prepare
      const spec = { name: 'a', description: 'd', memberDefinitions: [cognitoDefinition('labelers')] };

      // Act
      const violations = validateWorkteamSpec(spec);

      // Assess
      expect(violations).toEqual([]);
    });

    it('accepts an OIDC work team', () => {
      // Prepare
      const spec = validSpec({ memberDefinitions: [oidcDefinition('labelers', 'reviewers')] });

      // Act
      const violations = validateWorkteamSpec(spec);

      // Assess
      expect(violations).toEqual([]);
    });
  });

  describe('the body itself', () => {
    test.each([
      ['null', null],
      ['a list', [validSpec()]],
      ['a string', 'labeling-team'],
      ['undefined', undefined],
    ])('refuses %s as the body, with a Type violation on the whole body', (_label, body) => {
      // Act
      const violations = validateWorkteamSpec(body);

      // Assess
      expect(pathsAndCodes(violations)).toEqual([{ path: '', code: 'Type' }]);
    });

    it('never throws, whatever JSON value it is given', () => {
      // Prepare
      const anyJson = fc.oneof(
        fc.jsonValue(),
        fc.record(
          { name: fc.jsonValue(), memberDefinitions: fc.array(fc.jsonValue()), tags: fc.jsonValue() },
          { requiredKeys: [] },
        ),
      );

      // Act & Assess
      fc.assert(
        fc.property(anyJson, (body) => {
          expect(Array.isArray(validateWorkteamSpec(body))).toBe(true);
        }),
      );
    });
  });

  describe('name', () => {
    it('requires a name', () => {
      // Prepare
      const spec = validSpec({ name: undefined });

      // Act
      const violations = validateWorkteamSpec(spec);

      // Assess
      expect(pathsAndCodes(violations)).toEqual([{ path: 'name', code: 'Required' }]);
    });

    it('refuses a name that is not a string', () => {
      // Act
      const violations = validateWorkteamSpec(validSpec({ name: 42 }));

      // Assess
      expect(pathsAndCodes(violations)).toEqual([{ path: 'name', code: 'Type' }]);
    });

    it('refuses an empty name', () => {
      // Act
      const violations = validateWorkteamSpec(validSpec({ name: '' }));

      // Assess
      expect(pathsAndCodes(violations)).toEqual([{ path: 'name', code: 'TooShort' }]);
    });

    it('refuses a name longer than 63 characters, naming the limit', () => {
      // Prepare
      const spec = validSpec({ name: 'a'.repeat(64) });

      // Act
      const violations = validateWorkteamSpec(spec);

      // Assess
      expect(violations).toEqual([
        { path: 'name', code: 'TooLong', message: 'name holds 64 characters; at most 63 are allowed' },
      ]);
    });

    it('accepts a name of exactly 63 characters', () => {
      // Act
      const violations = validateWorkteamSpec(validSpec({ name: 'a'.repeat(63) }));

      // Assess
      expect(violations).toEqual([]);
    });

    test.each([
      ['starts with a hyphen', '-team'],
      ['ends with a hyphen', 'team-'],
      ['holds an underscore', 'team_a'],
      ['holds a space', 'team a'],
      ['holds a letter outside ASCII', 'équipe'],
    ])('refuses a name that %s', (_label, name) => {
      // Act
      const violations = validateWorkteamSpec(validSpec({ name }));

      // Assess
      expect(pathsAndCodes(violations)).toEqual([{ path: 'name', code: 'Pattern' }]);
    });

    it('accepts a name with consecutive hyphens between letters', () => {
      // Act
      const violations = validateWorkteamSpec(validSpec({ name: 'team--a1' }));

      // Assess
      expect(violations).toEqual([]);
    });
  });

  describe('description', () => {
    it('requires a description', () => {
      // Act
      const violations = validateWorkteamSpec(validSpec({ description: undefined }));

      // Assess
      expect(pathsAndCodes(violations)).toEqual([{ path: 'description', code: 'Required' }]);
    });

    it('refuses an empty description', () => {
      // Act
      const violations = validateWorkteamSpec(validSpec({ description: '' }));

      // Assess
      expect(pathsAndCodes(violations)).toEqual([{ path: 'description', code: 'TooShort' }]);
    });

    it('refuses a description longer than 200 characters', () => {
      // Act
      const violations = validateWorkteamSpec(validSpec({ description: 'x'.repeat(201) }));

      // Assess
      expect(violations).toEqual([
        { path: 'description', code: 'TooLong', message: 'description holds 201 characters; at most 200 are allowed' },
      ]);
    });

    it('accepts a description of exactly 200 characters', () => {
      // Act
      const violations = validateWorkteamSpec(validSpec({ description: 'x'.repeat(200) }));

      // Assess
      expect(violations).toEqual([]);
    });

    it('counts characters rather than UTF-16 units', () => {
      // Prepare: 200 emoji are 400 UTF-16 units
      const description = '🏷'.repeat(200);

      // Act
      const violations = validateWorkteamSpec(validSpec({ description }));

      // Assess
      expect(violations).toEqual([]);
    });
  });

  describe('workforceName', () => {
    it('accepts a body without a workforce name', () => {
      // Act
      const violations = validateWorkteamSpec(validSpec({ workforceName: undefined }));

      // Assess
      expect(violations).toEqual([]);
    });

    it('refuses a workforce name with characters other than letters, digits and hyphens', () => {
      // Act
      const violations = validateWorkteamSpec(validSpec({ workforceName: 'my_workforce' }));

      // Assess
      expect(pathsAndCodes(violations)).toEqual([{ path: 'workforceName', code: 'Pattern' }]);
    });
  });

  describe('memberDefinitions', () => {
    it('requires member definitions', () => {
      // Act
      const violations = validateWorkteamSpec(validSpec({ memberDefinitions: undefined }));

      // Assess
      expect(pathsAndCodes(violations)).toEqual([{ path: 'memberDefinitions', code: 'Required' }]);
    });

    it('refuses member definitions that are not a list', () => {
      // Act
      const violations = validateWorkteamSpec(validSpec({ memberDefinitions: cognitoDefinition('labelers') }));

      // Assess
      expect(pathsAndCodes(violations)).toEqual([{ path: 'memberDefinitions', code: 'Type' }]);
    });

    it('refuses an empty list of member definitions', () => {
      // Act
      const violations = validateWorkteamSpec(validSpec({ memberDefinitions: [] }));

      // Assess
      expect(violations).toEqual([
        {
          path: 'memberDefinitions',
          code: 'TooFew',
          message: 'memberDefinitions holds 0 items; at least 1 is required',
        },
      ]);
    });

    it('refuses more than 10 member definitions, naming the limit', () => {
      // Prepare
      const memberDefinitions = repeat(11, (index) => cognitoDefinition(`group-${index}`));

      // Act
      const violations = validateWorkteamSpec(validSpec({ memberDefinitions }));

      // Assess
      expect(violations).toEqual([
        {
          path: 'memberDefinitions',
          code: 'TooMany',
          message: 'memberDefinitions holds 11 items; at most 10 are allowed',
        },
      ]);
    });

    it('accepts exactly 10 member definitions', () => {
      // Prepare
      const memberDefinitions = repeat(10, (index) => cognitoDefinition(`group-${index}`));

      // Act
      const violations = validateWorkteamSpec(validSpec({ memberDefinitions }));

      // Assess
      expect(violations).toEqual([]);
    });

    it('refuses a member definition that is not an object', () => {
      // Act
      const violations = validateWorkteamSpec(validSpec({ memberDefinitions: [cognitoDefinition('a'), 'b'] }));

      // Assess
      expect(pathsAndCodes(violations)).toEqual([{ path: 'memberDefinitions[1]', code: 'Type' }]);
    });

    it('refuses a definition that holds neither cognito nor oidc', () => {
      // Act
      const violations = validateWorkteamSpec(validSpec({ memberDefinitions: [cognitoDefinition('a'), {}] }));

      // Assess
      expect(pathsAndCodes(violations)).toEqual([{ path: 'memberDefinitions[1]', code: 'Required' }]);
    });

    it('refuses a definition that holds both cognito and oidc', () => {
      // Prepare
      const both = { ...cognitoDefinition('labelers'), ...oidcDefinition('labelers') };

      // Act
      const violations = validateWorkteamSpec(validSpec({ memberDefinitions: [both] }));

      // Assess
      expect(pathsAndCodes(violations)).toEqual([{ path: 'memberDefinitions[0]', code: 'Conflict' }]);
    });

    it('refuses a team that mixes Cognito and OIDC definitions, naming the odd one', () => {
      // Prepare
      const memberDefinitions = [cognitoDefinition('labelers'), oidcDefinition('reviewers')];

      // Act
      const violations = validateWorkteamSpec(validSpec({ memberDefinitions }));

      // Assess
      expect(pathsAndCodes(violations)).toEqual([{ path: 'memberDefinitions[1]', code: 'Conflict' }]);
    });
  });

  describe('Cognito member definitions', () => {
    test.each(['userPool', 'userGroup', 'clientId'])('requires cognito.%s', (field) => {
      // Prepare
      const memberDefinitions = [cognitoDefinition('labelers', { [field]: undefined })];

      // Act
      const violations = validateWorkteamSpec(validSpec({ memberDefinitions }));

      // Assess
      expect(pathsAndCodes(violations)).toEqual([{ path: `memberDefinitions[0].cognito.${field}`, code: 'Required' }]);
    });

    test.each(['userPool', 'userGroup', 'clientId'])('refuses an empty cognito.%s', (field) => {
      // Prepare
      const memberDefinitions = [cognitoDefinition('labelers', { [field]: '' })];

      // Act
      const violations = validateWorkteamSpec(validSpec({ memberDefinitions }));

      // Assess
      expect(pathsAndCodes(violations)).toEqual([{ path: `memberDefinitions[0].cognito.${field}`, code: 'TooShort' }]);
    });

    it('refuses a cognito member that is not an object', () => {
      // Act
      const violations = validateWorkteamSpec(validSpec({ memberDefinitions: [{ cognito: 'labelers' }] }));

      // Assess
      expect(pathsAndCodes(violations)).toEqual([{ path: 'memberDefinitions[0].cognito', code: 'Type' }]);
    });

    it('refuses a definition whose user pool differs from the first, naming its index', () => {
      // Prepare
      const memberDefinitions = [
        cognitoDefinition('labelers'),
        cognitoDefinition('reviewers'),
        cognitoDefinition('auditors', { userPool: 'eu-west-1_Other' }),
      ];

      // Act
      const violations = validateWorkteamSpec(validSpec({ memberDefinitions }));

      // Assess
      expect(violations).toEqual([
        {
          path: 'memberDefinitions[2].cognito.userPool',
          code: 'Mismatch',
          message:
            'memberDefinitions[2].cognito.userPool differs from memberDefinitions[0]; all Cognito definitions of a team must use the same user pool',
        },
      ]);
    });

    it('refuses a definition whose app client differs from the first, naming its index', () => {
      // Prepare
      const memberDefinitions = [
        cognitoDefinition('labelers'),
        cognitoDefinition('reviewers', { clientId: 'another-client' }),
      ];

      // Act
      const violations = validateWorkteamSpec(validSpec({ memberDefinitions }));

      // Assess
      expect(pathsAndCodes(violations)).toEqual([{ path: 'memberDefinitions[1].cognito.clientId', code: 'Mismatch' }]);
    });

    it('refuses the same Cognito group listed twice, naming the repeat', () => {
      // Prepare
      const memberDefinitions = [
        cognitoDefinition('labelers'),
        cognitoDefinition('reviewers'),
        cognitoDefinition('labelers'),
      ];

      // Act
      const violations = validateWorkteamSpec(validSpec({ memberDefinitions }));

      // Assess
      expect(pathsAndCodes(violations)).toEqual([
        { path: 'memberDefinitions[2].cognito.userGroup', code: 'Duplicate' },
      ]);
    });
  });

  describe('OIDC member definitions', () => {
    it('requires oidc.groups', () => {
      // Act
      const violations = validateWorkteamSpec(validSpec({ memberDefinitions: [{ oidc: {} }] }));

      // Assess
      expect(pathsAndCodes(violations)).toEqual([{ path: 'memberDefinitions[0].oidc.groups', code: 'Required' }]);
    });

    it('refuses an empty list of OIDC groups', () => {
      // Act
      const violations = validateWorkteamSpec(validSpec({ memberDefinitions: [oidcDefinition()] }));

      // Assess
      expect(pathsAndCodes(violations)).toEqual([{ path: 'memberDefinitions[0].oidc.groups', code: 'TooFew' }]);
    });

    it('refuses more than 10 OIDC groups, naming the limit', () => {
      // Prepare
      const memberDefinitions = [oidcDefinition(...repeat(11, (index) => `group-${index}`))];

      // Act
      const violations = validateWorkteamSpec(validSpec({ memberDefinitions }));

      // Assess
      expect(violations).toEqual([
        {
          path: 'memberDefinitions[0].oidc.groups',
          code: 'TooMany',
          message: 'memberDefinitions[0].oidc.groups holds 11 items; at most 10 are allowed',
        },
      ]);
    });

    it('accepts exactly 10 OIDC groups', () => {
      // Prepare
      const memberDefinitions = [oidcDefinition(...repeat(10, (index) => `group-${index}`))];

      // Act
      const violations = validateWorkteamSpec(validSpec({ memberDefinitions }));

      // Assess
      expect(violations).toEqual([]);
    });

    it('refuses an empty OIDC group name', () => {
      // Act
      const violations = validateWorkteamSpec(validSpec({ memberDefinitions: [oidcDefinition('labelers', '')] }));

      // Assess
      expect(pathsAndCodes(violations)).toEqual([{ path: 'memberDefinitions[0].oidc.groups[1]', code: 'TooShort' }]);
    });

    it('refuses an OIDC group that is not a string', () => {
      // Act
      const violations = validateWorkteamSpec(validSpec({ memberDefinitions: [oidcDefinition(7)] }));

      // Assess
      expect(pathsAndCodes(violations)).toEqual([{ path: 'memberDefinitions[0].oidc.groups[0]', code: 'Type' }]);
    });
  });

  describe('workerAccess', () => {
    test.each(['sourceIp', 'vpcSourceIp'])('refuses a %s other than Enabled or Disabled', (field) => {
      // Act
      const violations = validateWorkteamSpec(validSpec({ workerAccess: { [field]: 'enabled' } }));

      // Assess
      expect(pathsAndCodes(violations)).toEqual([{ path: `workerAccess.${field}`, code: 'Enum' }]);
    });

    test.each([
      ['Enabled', 'Enabled'],
      ['Enabled', 'Disabled'],
      ['Disabled', 'Enabled'],
      ['Disabled', 'Disabled'],
    ])('accepts sourceIp %s with vpcSourceIp %s', (sourceIp, vpcSourceIp) => {
      // Act
      const violations = validateWorkteamSpec(validSpec({ workerAccess: { sourceIp, vpcSourceIp } }));

      // Assess
      expect(violations).toEqual([]);
    });

    it('refuses a workerAccess that is not an object', () => {
      // Act
      const violations = validateWorkteamSpec(validSpec({ workerAccess: 'Enabled' }));

      // Assess
      expect(pathsAndCodes(violations)).toEqual([{ path: 'workerAccess', code: 'Type' }]);
    });
  });

  describe('notificationTopicArn', () => {
    test.each([
      ['an SQS queue ARN', 'arn:aws:sqs:eu-west-1:123456789012:labeling-work'],
      ['an ARN without an account', 'arn:aws:sns:eu-west-1::labeling-work'],
      ['an ARN with an 11-digit account', 'arn:aws:sns:eu-west-1:12345678901:labeling-work'],
      ['an ARN without a topic name', 'arn:aws:sns:eu-west-1:123456789012:'],
      ['a bare topic name', 'labeling-work'],
      ['an empty string', ''],
    ])('refuses %s', (_label, notificationTopicArn) => {
      // Act
      const violations = validateWorkteamSpec(validSpec({ notificationTopicArn }));

      // Assess
      expect(pathsAndCodes(violations)).toEqual([{ path: 'notificationTopicArn', code: 'Pattern' }]);
    });

    test.each([
      TOPIC_ARN,
      'arn:aws-cn:sns:cn-north-1:123456789012:labeling_work',
      'arn:aws-us-gov:sns:us-gov-west-1:123456789012:Labeling-Work-1',
    ])('accepts the SNS topic ARN %s', (notificationTopicArn) => {
      // Act
      const violations = validateWorkteamSpec(validSpec({ notificationTopicArn }));

      // Assess
      expect(violations).toEqual([]);
    });
  });

  describe('tags', () => {
    it('reports tag violations under tags', () => {
      // Prepare
      const tags = [{ key: 'project', value: 'a' }, { value: 'b' }];

      // Act
      const violations = validateWorkteamSpec(validSpec({ tags }));

      // Assess
      expect(pathsAndCodes(violations)).toEqual([{ path: 'tags[1].key', code: 'Required' }]);
    });
  });

  describe('a body that breaks several rules', () => {
    it('reports every violation with its path, not just the first', () => {
      // Prepare
      const body = {
        name: '-bad-name',
        description: '',
        memberDefinitions: [
          { cognito: { userPool: USER_POOL, userGroup: 'labelers', clientId: CLIENT_ID } },
          { cognito: { userPool: 'eu-west-1_Other', userGroup: '', clientId: CLIENT_ID } },
          { ...cognitoDefinition('x'), ...oidcDefinition('y') },
          oidcDefinition(),
        ],
        notificationTopicArn: 'arn:aws:sqs:eu-west-1:123456789012:q',
        workerAccess: { sourceIp: 'On' },
        tags: [
          { key: 'project', value: 'a' },
          { key: 'project', value: 'b' },
        ],
      };

      // Act
      const violations = validateWorkteamSpec(body);

      // Assess
      expect(pathsAndCodes(violations)).toEqual([
        { path: 'name', code: 'Pattern' },
        { path: 'description', code: 'TooShort' },
        { path: 'memberDefinitions[1].cognito.userGroup', code: 'TooShort' },
        { path: 'memberDefinitions[2]', code: 'Conflict' },
        { path: 'memberDefinitions[3].oidc.groups', code: 'TooFew' },
        { path: 'memberDefinitions[3]', code: 'Conflict' },
        { path: 'memberDefinitions[1].cognito.userPool', code: 'Mismatch' },
        { path: 'notificationTopicArn', code: 'Pattern' },
        { path: 'workerAccess.sourceIp', code: 'Enum' },
        { path: 'tags[1].key', code: 'Duplicate' },
      ]);
    });
  });
});
