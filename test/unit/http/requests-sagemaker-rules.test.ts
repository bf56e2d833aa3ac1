import fc from 'fast-check';
import { toWorkteamSpec } from '#lib/domain/desired-spec';
import { MemberLimitExceeded } from '#lib/domain/errors';
import { addMembers } from '#lib/domain/members';
import type { DesiredTeam, Members } from '#lib/domain/team';
import { toDesiredTeam, validateDesiredTeam } from '#lib/domain/team-commands';
import {
  parseCreateTeamRequest,
  parseTeamPatch,
  validateCreateTeamRequest,
  validateMembersRequest,
  validateTeamPatch,
} from '#lib/http/requests';
import { TeamPathSchema } from '#lib/http/schemas';
import { MANAGEMENT_TAG, pathsAndCodes, repeat, TOPIC_ARN } from '../domain/fixtures';
import { createRequest, desiredTeam, IDENTITY, thrownBy, WORKFORCE } from '../domain/team-fixtures';

// The SageMaker rules (the seeds and the public API reference), at their boundaries, against the checks the
// request path runs: the bodies of POST /teams, PATCH /teams/{name} and POST /teams/{name}/members, the {name} of
// the team routes, and the spec that reconcile sends to SageMaker. requests.test.ts holds the API's own rules.

function groups(count: number, prefix = 'group'): string[] {
  return repeat(count, (index) => `${prefix}-${index}`);
}

describe('validateCreateTeamRequest: SageMaker rules', () => {
  describe('the body', () => {
    it('refuses a missing body with a Type violation on the whole body', () => {
      // Act
      const violations = validateCreateTeamRequest(undefined);

      // Assess
      expect(pathsAndCodes(violations)).toEqual([{ path: '', code: 'Type' }]);
    });

    it('lists every violation of a body that breaks a rule in every field, each with its path', () => {
      // Prepare
      const body = {
        name: '-bad-name',
        description: '',
        workforceName: 'my_workforce',
        members: { cognitoGroups: ['labelers', '', 'labelers', 'a b'] },
        notifications: 'yes',
        workerAccess: { sourceIp: 'On' },
        tags: { project: 'a', 'aws:owner': 'b', 'cost#center': 'c' },
      };

      // Act
      const violations = validateCreateTeamRequest(body);

      // Assess
      expect(pathsAndCodes(violations)).toEqual([
        { path: 'name', code: 'Pattern' },
        { path: 'description', code: 'TooShort' },
        { path: 'workforceName', code: 'Pattern' },
        { path: 'members.cognitoGroups[1]', code: 'TooShort' },
        { path: 'members.cognitoGroups[2]', code: 'Duplicate' },
        { path: 'members.cognitoGroups[3]', code: 'Pattern' },
        { path: 'notifications', code: 'Type' },
        { path: 'workerAccess.sourceIp', code: 'Enum' },
        { path: 'tags.aws:owner', code: 'Reserved' },
        { path: 'tags.cost#center', code: 'Pattern' },
      ]);
    });
  });

  describe('name (1-63 characters, letters and digits joined by hyphens)', () => {
    it('refuses a name that is not a string', () => {
      // Act
      const violations = validateCreateTeamRequest(createRequest({ name: 42 }));

      // Assess
      expect(pathsAndCodes(violations)).toEqual([{ path: 'name', code: 'Type' }]);
    });

    it('refuses an empty name', () => {
      // Act
      const violations = validateCreateTeamRequest(createRequest({ name: '' }));

      // Assess
      expect(pathsAndCodes(violations)).toEqual([{ path: 'name', code: 'TooShort' }]);
    });

    it('refuses a name longer than 63 characters, naming the limit', () => {
      // Act
      const violations = validateCreateTeamRequest(createRequest({ name: 'a'.repeat(64) }));

      // Assess
      expect(violations).toEqual([
        { path: 'name', code: 'TooLong', message: 'name holds 64 characters; at most 63 are allowed' },
      ]);
    });

    it('accepts a name of exactly 63 characters', () => {
      // Act
      const violations = validateCreateTeamRequest(createRequest({ name: 'a'.repeat(63) }));

      // Assess
      expect(violations).toEqual([]);
    });

    it('refuses a name that holds a letter outside ASCII', () => {
      // Act
      const violations = validateCreateTeamRequest(createRequest({ name: 'équipe' }));

      // Assess
      expect(pathsAndCodes(violations)).toEqual([{ path: 'name', code: 'Pattern' }]);
    });

    it('accepts a name with consecutive hyphens between letters', () => {
      // Act
      const violations = validateCreateTeamRequest(createRequest({ name: 'team--a1' }));

      // Assess
      expect(violations).toEqual([]);
    });
  });

  describe('description (1-200 characters, pattern .+: one line)', () => {
    it('refuses an empty description', () => {
      // Act
      const violations = validateCreateTeamRequest(createRequest({ description: '' }));

      // Assess
      expect(pathsAndCodes(violations)).toEqual([{ path: 'description', code: 'TooShort' }]);
    });

    it('refuses a description longer than 200 characters, naming the limit', () => {
      // Act
      const violations = validateCreateTeamRequest(createRequest({ description: 'x'.repeat(201) }));

      // Assess
      expect(violations).toEqual([
        { path: 'description', code: 'TooLong', message: 'description holds 201 characters; at most 200 are allowed' },
      ]);
    });

    it('accepts a description of exactly 200 characters', () => {
      // Act
      const violations = validateCreateTeamRequest(createRequest({ description: 'x'.repeat(200) }));

      // Assess
      expect(violations).toEqual([]);
    });

    it('counts characters rather than UTF-16 units', () => {
      // Prepare: 200 emoji are 400 UTF-16 units
      const description = '🏷'.repeat(200);

      // Act
      const violations = validateCreateTeamRequest(createRequest({ description }));

      // Assess
      expect(violations).toEqual([]);
    });

    test.each([
      ['a line feed', 'first line\nsecond line'],
      ['a carriage return', 'first line\rsecond line'],
      ['a line separator', 'first line\u2028second line'],
      ['a next-line character', 'first line\u0085second line'],
      ['only a line feed', '\n'],
    ])('refuses a description holding %s', (_label, description) => {
      // Act
      const violations = validateCreateTeamRequest(createRequest({ description }));

      // Assess
      expect(violations).toEqual([
        { path: 'description', code: 'Pattern', message: 'description must be a single line (no line breaks)' },
      ]);
    });

    it('accepts a one-line description with tabs, accents and emoji', () => {
      // Act
      const violations = validateCreateTeamRequest(createRequest({ description: 'Étiquetage\tdes images 🏷' }));

      // Assess
      expect(violations).toEqual([]);
    });
  });

  describe('members (one to ten groups, Cognito or OIDC)', () => {
    it('refuses Cognito groups that are not a list', () => {
      // Act
      const violations = validateCreateTeamRequest(createRequest({ members: { cognitoGroups: 'labelers' } }));

      // Assess
      expect(pathsAndCodes(violations)).toEqual([{ path: 'members.cognitoGroups', code: 'Type' }]);
    });

    it('refuses an empty list of Cognito groups, naming the minimum', () => {
      // Act
      const violations = validateCreateTeamRequest(createRequest({ members: { cognitoGroups: [] } }));

      // Assess
      expect(violations).toEqual([
        {
          path: 'members.cognitoGroups',
          code: 'TooFew',
          message: 'members.cognitoGroups holds 0 items; at least 1 is required',
        },
      ]);
    });

    it('refuses more than 10 OIDC groups, naming the limit', () => {
      // Act
      const violations = validateCreateTeamRequest(createRequest({ members: { oidcGroups: groups(11) } }));

      // Assess
      expect(violations).toEqual([
        {
          path: 'members.oidcGroups',
          code: 'TooMany',
          message: 'members.oidcGroups holds 11 items; at most 10 are allowed',
        },
      ]);
    });

    it('accepts exactly 10 OIDC groups', () => {
      // Act
      const violations = validateCreateTeamRequest(createRequest({ members: { oidcGroups: groups(10) } }));

      // Assess
      expect(violations).toEqual([]);
    });

    it('refuses null as a Cognito group', () => {
      // Act
      const violations = validateCreateTeamRequest(createRequest({ members: { cognitoGroups: ['labelers', null] } }));

      // Assess
      expect(pathsAndCodes(violations)).toEqual([{ path: 'members.cognitoGroups[1]', code: 'Type' }]);
    });

    it('refuses an empty Cognito group', () => {
      // Act
      const violations = validateCreateTeamRequest(createRequest({ members: { cognitoGroups: ['labelers', ''] } }));

      // Assess
      expect(pathsAndCodes(violations)).toEqual([{ path: 'members.cognitoGroups[1]', code: 'TooShort' }]);
    });

    it('refuses an OIDC group that is not a string', () => {
      // Act
      const violations = validateCreateTeamRequest(createRequest({ members: { oidcGroups: [7] } }));

      // Assess
      expect(pathsAndCodes(violations)).toEqual([{ path: 'members.oidcGroups[0]', code: 'Type' }]);
    });
  });

  describe('group names (letters, marks, symbols, digits, punctuation; Cognito 128, OIDC 63 characters)', () => {
    it('refuses a Cognito group name with a space', () => {
      // Act
      const violations = validateCreateTeamRequest(createRequest({ members: { cognitoGroups: ['my group'] } }));

      // Assess
      expect(violations).toEqual([
        {
          path: 'members.cognitoGroups[0]',
          code: 'Pattern',
          message: 'members.cognitoGroups[0] must be letters, marks, symbols, digits and punctuation, without spaces',
        },
      ]);
    });

    it('refuses an OIDC group longer than 63 characters', () => {
      // Act
      const violations = validateCreateTeamRequest(createRequest({ members: { oidcGroups: ['g'.repeat(64)] } }));

      // Assess
      expect(pathsAndCodes(violations)).toEqual([{ path: 'members.oidcGroups[0]', code: 'TooLong' }]);
    });

    it('accepts an OIDC group of exactly 63 characters with punctuation and accents', () => {
      // Act
      const violations = validateCreateTeamRequest(
        createRequest({ members: { oidcGroups: [`équipe-${'g'.repeat(56)}`] } }),
      );

      // Assess
      expect(violations).toEqual([]);
    });

    it('refuses an OIDC group with a line break', () => {
      // Act
      const violations = validateCreateTeamRequest(createRequest({ members: { oidcGroups: ['a\nb'] } }));

      // Assess
      expect(pathsAndCodes(violations)).toEqual([{ path: 'members.oidcGroups[0]', code: 'Pattern' }]);
    });
  });

  describe('workerAccess (each toggle Enabled or Disabled)', () => {
    test.each(['sourceIp', 'vpcSourceIp'])('refuses a %s other than Enabled or Disabled', (field) => {
      // Act
      const violations = validateCreateTeamRequest(createRequest({ workerAccess: { [field]: 'enabled' } }));

      // Assess
      expect(violations).toEqual([
        {
          path: `workerAccess.${field}`,
          code: 'Enum',
          message: `workerAccess.${field} must be one of 'Enabled', 'Disabled'`,
        },
      ]);
    });

    test.each([
      ['Enabled', 'Enabled'],
      ['Enabled', 'Disabled'],
      ['Disabled', 'Enabled'],
      ['Disabled', 'Disabled'],
    ])('accepts sourceIp %s with vpcSourceIp %s', (sourceIp, vpcSourceIp) => {
      // Act
      const violations = validateCreateTeamRequest(createRequest({ workerAccess: { sourceIp, vpcSourceIp } }));

      // Assess
      expect(violations).toEqual([]);
    });
  });

  describe('tags (key 1-128, value 0-256 characters, unique keys, at most 49 besides managed-by)', () => {
    test.each(['aws:cloudformation:stack-name', 'AWS:owner', 'Aws:x'])(
      'refuses the tag key %s, which AWS reserves',
      (key) => {
        // Act
        const violations = validateCreateTeamRequest(createRequest({ tags: { [key]: 'v' } }));

        // Assess
        expect(violations).toEqual([
          {
            path: `tags.${key}`,
            code: 'Reserved',
            message: "the tag key begins with 'aws:', which AWS reserves for its own tags",
          },
        ]);
      },
    );

    test.each(['managed-by', 'Managed-By', 'MANAGED-BY'])(
      'refuses the tag key %s, which this service keeps for the tag that marks its teams',
      (key) => {
        // Act
        const violations = validateCreateTeamRequest(createRequest({ tags: { [key]: 'workteam-automation' } }));

        // Assess
        expect(violations).toEqual([
          {
            path: `tags.${key}`,
            code: 'Reserved',
            message:
              "the tag key is 'managed-by', which this service sets on every team it manages and nobody else may",
          },
        ]);
      },
    );

    test.each(['aws', 'awsome', 'my-aws:key', 'managed-by-team', 'managed'])(
      'accepts the tag key %s, which only looks reserved',
      (key) => {
        // Act
        const violations = validateCreateTeamRequest(createRequest({ tags: { [key]: 'v' } }));

        // Assess
        expect(violations).toEqual([]);
      },
    );

    test.each(['cost#center', 'cost,center', 'cost!', 'a*b', 'tab\tkey', 'emoji🏷'])(
      'refuses the tag key %j, outside the tag characters',
      (key) => {
        // Act
        const violations = validateCreateTeamRequest(createRequest({ tags: { [key]: 'v' } }));

        // Assess
        expect(violations).toEqual([
          {
            path: `tags.${key}`,
            code: 'Pattern',
            message: 'the tag key must be letters, digits, spaces and the characters _ . : / = + - @',
          },
        ]);
      },
    );

    test.each(['50%', 'a;b', '<script>', 'line\nbreak'])(
      'refuses the tag value %j, outside the tag characters',
      (value) => {
        // Act
        const violations = validateCreateTeamRequest(createRequest({ tags: { project: value } }));

        // Assess
        expect(pathsAndCodes(violations)).toEqual([{ path: 'tags.project', code: 'Pattern' }]);
      },
    );

    it('accepts every character the pattern allows, including letters of any script and spaces', () => {
      // Act
      const violations = validateCreateTeamRequest(
        createRequest({ tags: { 'Kostenstelle Zürich_1.a:b/c=d+e-f@g': '東京 café 42 _.:/=+-@', 'empty-value': '' } }),
      );

      // Assess
      expect(violations).toEqual([]);
    });

    it('refuses a tag key longer than 128 characters, naming the limit without quoting the key', () => {
      // Prepare
      const key = 'k'.repeat(129);

      // Act
      const violations = validateCreateTeamRequest(createRequest({ tags: { [key]: 'v' } }));

      // Assess
      expect(violations).toEqual([
        { path: `tags.${key}`, code: 'TooLong', message: 'the tag key holds 129 characters; at most 128 are allowed' },
      ]);
    });

    it('accepts a tag key of exactly 128 characters', () => {
      // Act
      const violations = validateCreateTeamRequest(createRequest({ tags: { ['k'.repeat(128)]: 'v' } }));

      // Assess
      expect(violations).toEqual([]);
    });

    it('accepts an empty tag value', () => {
      // Act
      const violations = validateCreateTeamRequest(createRequest({ tags: { project: '' } }));

      // Assess
      expect(violations).toEqual([]);
    });

    it('accepts a tag value of exactly 256 characters', () => {
      // Act
      const violations = validateCreateTeamRequest(createRequest({ tags: { project: 'v'.repeat(256) } }));

      // Assess
      expect(violations).toEqual([]);
    });

    it('refuses null as a tag value on create', () => {
      // Act
      const violations = validateCreateTeamRequest(createRequest({ tags: { project: null } }));

      // Assess
      expect(violations).toEqual([
        { path: 'tags.project', code: 'Type', message: 'the tag value must be a string, not null' },
      ]);
    });

    it('accepts keys that differ only in case, which are different keys', () => {
      // Act
      const violations = validateCreateTeamRequest(createRequest({ tags: { Project: 'a', project: 'b' } }));

      // Assess
      expect(violations).toEqual([]);
    });

    it('keeps one tag for a key the JSON body repeats, so that the team never holds a key twice', () => {
      // Prepare
      const body = JSON.parse(
        '{"name":"labeling-team","description":"d","members":{"oidcGroups":["a"]},"tags":{"project":"1","project":"2"}}',
      );

      // Act
      const spec = toWorkteamSpec(
        toDesiredTeam(parseCreateTeamRequest(body), WORKFORCE),
        undefined,
        TOPIC_ARN,
        MANAGEMENT_TAG,
      );

      // Assess
      expect(spec.tags).toEqual([
        { key: 'managed-by', value: 'workteam-automation-local' },
        { key: 'project', value: '2' },
      ]);
    });
  });
});

describe('parseCreateTeamRequest: only what was given', () => {
  it('leaves absent optional fields out rather than setting them to undefined', () => {
    // Act
    const request = parseCreateTeamRequest({ name: 'a', description: 'd', members: { oidcGroups: ['g'] } });

    // Assess
    expect(request).toStrictEqual({ name: 'a', description: 'd', members: { oidcGroups: ['g'] } });
  });
});

describe('validateMembersRequest: SageMaker group-name rules', () => {
  it('applies the length and form of a group name to every group it adds', () => {
    // Act
    const violations = validateMembersRequest({ oidcGroups: ['g'.repeat(64), 'a b'] });

    // Assess
    expect(pathsAndCodes(violations)).toEqual([
      { path: 'oidcGroups[0]', code: 'TooLong' },
      { path: 'oidcGroups[1]', code: 'Pattern' },
    ]);
  });
});

describe('validateDesiredTeam: every tag has a value', () => {
  it('requires a value for every tag of a stored team', () => {
    // Prepare: a record read back from the registry does not honour the type
    const team = desiredTeam({ tags: { project: undefined as unknown as string } });

    // Act
    const violations = validateDesiredTeam(team);

    // Assess
    expect(violations).toEqual([{ path: 'tags.project', code: 'Required', message: 'the tag value is required' }]);
  });
});

describe('validateTeamPatch: SageMaker rules of the fields it changes', () => {
  it('refuses an empty description when one is given', () => {
    // Act
    const violations = validateTeamPatch({ description: '' });

    // Assess
    expect(pathsAndCodes(violations)).toEqual([{ path: 'description', code: 'TooShort' }]);
  });

  it('refuses a description longer than 200 characters', () => {
    // Act
    const violations = validateTeamPatch({ description: 'x'.repeat(201) });

    // Assess
    expect(pathsAndCodes(violations)).toEqual([{ path: 'description', code: 'TooLong' }]);
  });

  it('refuses a vpcSourceIp other than Enabled, Disabled or null', () => {
    // Act
    const violations = validateTeamPatch({ workerAccess: { vpcSourceIp: 'true' } });

    // Assess
    expect(pathsAndCodes(violations)).toEqual([{ path: 'workerAccess.vpcSourceIp', code: 'Enum' }]);
  });

  it('lists every violation of a patch that breaks several rules, each with its path', () => {
    // Prepare
    const patch = {
      name: 'new-name',
      description: '',
      notifications: 'yes',
      workerAccess: { sourceIp: 'yes' },
      tags: { 'aws:owner': 'me' },
    };

    // Act
    const violations = validateTeamPatch(patch);

    // Assess
    expect(pathsAndCodes(violations)).toEqual([
      { path: 'name', code: 'NotPatchable' },
      { path: 'description', code: 'TooShort' },
      { path: 'notifications', code: 'Type' },
      { path: 'workerAccess.sourceIp', code: 'Enum' },
      { path: 'tags.aws:owner', code: 'Reserved' },
    ]);
  });
});

describe('parseTeamPatch: only what was given', () => {
  it('keeps only the fields that were given', () => {
    // Act
    const patch = parseTeamPatch({ workerAccess: { vpcSourceIp: 'Enabled' } });

    // Assess
    expect(patch).toStrictEqual({ workerAccess: { vpcSourceIp: 'Enabled' } });
  });
});

describe('TeamPathSchema: the {name} of PATCH /teams/{name} and the other team routes', () => {
  test.each([
    ['that is missing', {}],
    ['that is empty', { name: '' }],
    ['with an underscore', { name: 'labeling_team' }],
    ['starting with a hyphen', { name: '-team' }],
    ['of 64 characters', { name: 'a'.repeat(64) }],
  ])('refuses a name %s', (_label, path) => {
    // Act
    const result = TeamPathSchema.safeParse(path);

    // Assess
    expect(result.success).toBe(false);
  });

  test.each([
    ['with inner hyphens', 'labeling-team'],
    ['of exactly 63 characters', 'a'.repeat(63)],
  ])('accepts a name %s', (_label, name) => {
    // Act
    const result = TeamPathSchema.safeParse({ name });

    // Assess
    expect(result.success).toBe(true);
  });
});

describe('addMembers: the limit of an OIDC team', () => {
  it('refuses to take an OIDC team beyond 10 groups with MemberLimitExceeded', () => {
    // Prepare
    const team = desiredTeam({ members: { oidcGroups: groups(9) } });

    // Act
    const error = thrownBy(() => addMembers(team, { oidcGroups: groups(2, 'new') }));

    // Assess
    expect(error).toBeInstanceOf(MemberLimitExceeded);
    expect((error as MemberLimitExceeded).details).toEqual({ limit: 10, requested: 11 });
  });
});

describe('toWorkteamSpec: what reconcile sends to SageMaker keeps its rules', () => {
  const groupName = fc.stringMatching(/^[A-Za-z0-9_@-]{1,20}$/);
  const members: fc.Arbitrary<Members> = fc.oneof(
    fc.uniqueArray(groupName, { minLength: 1, maxLength: 10 }).map((cognitoGroups) => ({ cognitoGroups })),
    fc.uniqueArray(groupName, { minLength: 1, maxLength: 10 }).map((oidcGroups) => ({ oidcGroups })),
  );
  const tagKey = fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,20}$/);
  const tagValue = fc.stringMatching(/^[\w .:/=+@-]{0,30}$/);
  const tags = fc.dictionary(tagKey, tagValue, { maxKeys: 50 });
  const validTeam: fc.Arbitrary<DesiredTeam> = fc
    .record({ members, tags })
    .map((fields) => desiredTeam(fields))
    .filter((team) => validateDesiredTeam(team).length === 0);

  it('gives 1-10 member definitions of one kind, each Cognito one with the same user pool and app client', () => {
    fc.assert(
      fc.property(validTeam, (team) => {
        // Act
        const { memberDefinitions } = toWorkteamSpec(team, IDENTITY, TOPIC_ARN, MANAGEMENT_TAG);

        // Assess
        expect(memberDefinitions.length).toBeGreaterThanOrEqual(1);
        expect(memberDefinitions.length).toBeLessThanOrEqual(10);
        const kinds = new Set(memberDefinitions.map((definition) => Object.keys(definition).join('+')));
        expect([['cognito'], ['oidc']]).toContainEqual([...kinds]);
        for (const { cognito } of memberDefinitions) {
          if (cognito !== undefined) {
            expect({ userPool: cognito.userPool, clientId: cognito.clientId }).toEqual(IDENTITY);
          }
        }
      }),
    );
  });

  it('gives no group twice and an OIDC definition of 1-10 groups', () => {
    fc.assert(
      fc.property(validTeam, (team) => {
        // Act
        const { memberDefinitions } = toWorkteamSpec(team, IDENTITY, TOPIC_ARN, MANAGEMENT_TAG);

        // Assess
        const groupNames = memberDefinitions.flatMap(({ cognito, oidc }) =>
          cognito !== undefined ? [cognito.userGroup] : (oidc?.groups ?? []),
        );
        expect(groupNames.length).toBeGreaterThanOrEqual(1);
        expect(groupNames.length).toBeLessThanOrEqual(10);
        expect(new Set(groupNames).size).toBe(groupNames.length);
      }),
    );
  });

  it("gives at most 50 tags, each key once: the team's own and the managed-by tag", () => {
    fc.assert(
      fc.property(validTeam, (team) => {
        // Act
        const spec = toWorkteamSpec(team, IDENTITY, TOPIC_ARN, MANAGEMENT_TAG);

        // Assess
        const keys = spec.tags.map(({ key }) => key);
        expect(keys.length).toBeLessThanOrEqual(50);
        expect(new Set(keys).size).toBe(keys.length);
        expect(keys.length).toBe(Object.keys(team.tags).length + 1);
        expect(spec.tags).toContainEqual({ key: 'managed-by', value: 'workteam-automation-local' });
      }),
    );
  });
});
