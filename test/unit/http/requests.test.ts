/**
 * The API's own rules for its request bodies: lib/http/requests.ts validates and parses the bodies of POST /teams,
 * PATCH /teams/{name} and POST /teams/{name}/members, and lib/domain/team-commands.ts turns them into a desired
 * team (defaults, fingerprint, patches). requests-sagemaker-rules.test.ts holds SageMaker's rules on the same path.
 */
import fc from 'fast-check';
import { ValidationFailed } from '#lib/domain/errors';
import type { DesiredTeam } from '#lib/domain/team';
import {
  applyTeamPatch,
  type CreateTeamRequest,
  createFingerprint,
  toDesiredTeam,
  validateDesiredTeam,
} from '#lib/domain/team-commands';
import {
  parseCreateTeamRequest,
  parseMembers,
  parseTeamPatch,
  validateCreateTeamRequest,
  validateMembersRequest,
  validateTeamPatch,
} from '#lib/http/requests';
import { pathsAndCodes, repeat } from '../domain/fixtures';
import { createRequest, desiredTeam, thrownBy, WORKFORCE } from '../domain/team-fixtures';

function groups(count: number, prefix = 'group'): string[] {
  return repeat(count, (index) => `${prefix}-${index}`);
}

function tagRecord(count: number): Record<string, string> {
  return Object.fromEntries(repeat(count, (index) => [`key-${index}`, 'v']));
}

const validRequest: CreateTeamRequest = {
  name: 'labeling-team',
  description: 'Labels the product images',
  members: { cognitoGroups: ['labelers', 'reviewers'] },
};

describe('validateCreateTeamRequest', () => {
  describe('a valid body', () => {
    it('accepts a complete Cognito request', () => {
      // Act
      const violations = validateCreateTeamRequest(createRequest());

      // Assess
      expect(violations).toEqual([]);
    });

    it('accepts an OIDC request with only the required fields', () => {
      // Prepare
      const body = { name: 'a', description: 'd', members: { oidcGroups: ['labelers'] } };

      // Act
      const violations = validateCreateTeamRequest(body);

      // Assess
      expect(violations).toEqual([]);
    });
  });

  describe('the body itself', () => {
    test.each([null, [], 'team', 7, true])('refuses the body %j, which is not an object', (body) => {
      // Act
      const violations = validateCreateTeamRequest(body);

      // Assess
      expect(pathsAndCodes(violations)).toEqual([{ path: '', code: 'Type' }]);
    });

    it('refuses an unknown field, so that a typo is not silently ignored', () => {
      // Prepare
      const body = createRequest({ descripton: 'typo' });

      // Act
      const violations = validateCreateTeamRequest(body);

      // Assess
      expect(violations).toEqual([
        {
          path: 'descripton',
          code: 'Unknown',
          message:
            'This field is not known here; the fields are name, description, workforceName, members, notifications, workerAccess, tags',
        },
      ]);
    });

    it('lists every violation at once', () => {
      // Prepare
      const body = { name: '-bad', description: '', members: { cognitoGroups: [] }, notifications: 'yes', extra: 1 };

      // Act
      const violations = validateCreateTeamRequest(body);

      // Assess
      expect(pathsAndCodes(violations)).toEqual([
        { path: 'extra', code: 'Unknown' },
        { path: 'name', code: 'Pattern' },
        { path: 'description', code: 'TooShort' },
        { path: 'members.cognitoGroups', code: 'TooFew' },
        { path: 'notifications', code: 'Type' },
      ]);
    });
  });

  describe('name, description, workforceName', () => {
    it('requires a name', () => {
      // Act
      const violations = validateCreateTeamRequest(createRequest({ name: undefined }));

      // Assess
      expect(pathsAndCodes(violations)).toEqual([{ path: 'name', code: 'Required' }]);
    });

    test.each(['-team', 'team-', 'team_a', 'team a'])('refuses the name %j, against the SageMaker pattern', (name) => {
      // Act
      const violations = validateCreateTeamRequest(createRequest({ name }));

      // Assess
      expect(pathsAndCodes(violations)).toEqual([{ path: 'name', code: 'Pattern' }]);
    });

    it('refuses a name longer than 63 characters', () => {
      // Act
      const violations = validateCreateTeamRequest(createRequest({ name: 'a'.repeat(64) }));

      // Assess
      expect(pathsAndCodes(violations)).toEqual([{ path: 'name', code: 'TooLong' }]);
    });

    it('requires a description', () => {
      // Act
      const violations = validateCreateTeamRequest(createRequest({ description: undefined }));

      // Assess
      expect(pathsAndCodes(violations)).toEqual([{ path: 'description', code: 'Required' }]);
    });

    it('refuses a description longer than 200 characters', () => {
      // Act
      const violations = validateCreateTeamRequest(createRequest({ description: 'd'.repeat(201) }));

      // Assess
      expect(pathsAndCodes(violations)).toEqual([{ path: 'description', code: 'TooLong' }]);
    });

    it('refuses a description of more than one line', () => {
      // Act
      const violations = validateCreateTeamRequest(createRequest({ description: 'one\ntwo' }));

      // Assess
      expect(pathsAndCodes(violations)).toEqual([{ path: 'description', code: 'Pattern' }]);
    });

    it('refuses a malformed workforce name', () => {
      // Act
      const violations = validateCreateTeamRequest(createRequest({ workforceName: 'my workforce' }));

      // Assess
      expect(pathsAndCodes(violations)).toEqual([{ path: 'workforceName', code: 'Pattern' }]);
    });
  });

  describe('members', () => {
    it('requires members', () => {
      // Act
      const violations = validateCreateTeamRequest(createRequest({ members: undefined }));

      // Assess
      expect(pathsAndCodes(violations)).toEqual([{ path: 'members', code: 'Required' }]);
    });

    it('refuses members that are not an object', () => {
      // Act
      const violations = validateCreateTeamRequest(createRequest({ members: ['labelers'] }));

      // Assess
      expect(pathsAndCodes(violations)).toEqual([{ path: 'members', code: 'Type' }]);
    });

    it('refuses both cognitoGroups and oidcGroups', () => {
      // Act
      const violations = validateCreateTeamRequest(
        createRequest({ members: { cognitoGroups: ['a'], oidcGroups: ['b'] } }),
      );

      // Assess
      expect(pathsAndCodes(violations)).toEqual([{ path: 'members', code: 'Conflict' }]);
    });

    it('requires cognitoGroups or oidcGroups', () => {
      // Act
      const violations = validateCreateTeamRequest(createRequest({ members: {} }));

      // Assess
      expect(violations).toEqual([
        { path: 'members', code: 'Required', message: 'members must hold cognitoGroups or oidcGroups' },
      ]);
    });

    it('refuses an unknown field of members', () => {
      // Act
      const violations = validateCreateTeamRequest(createRequest({ members: { cognitoGroups: ['a'], groups: [] } }));

      // Assess
      expect(pathsAndCodes(violations)).toEqual([{ path: 'members.groups', code: 'Unknown' }]);
    });

    it('refuses an empty list of groups', () => {
      // Act
      const violations = validateCreateTeamRequest(createRequest({ members: { oidcGroups: [] } }));

      // Assess
      expect(pathsAndCodes(violations)).toEqual([{ path: 'members.oidcGroups', code: 'TooFew' }]);
    });

    it('refuses more than 10 groups, naming the limit', () => {
      // Act
      const violations = validateCreateTeamRequest(createRequest({ members: { cognitoGroups: groups(11) } }));

      // Assess
      expect(violations).toEqual([
        {
          path: 'members.cognitoGroups',
          code: 'TooMany',
          message: 'members.cognitoGroups holds 11 items; at most 10 are allowed',
        },
      ]);
    });

    it('accepts exactly 10 groups', () => {
      // Act
      const violations = validateCreateTeamRequest(createRequest({ members: { cognitoGroups: groups(10) } }));

      // Assess
      expect(violations).toEqual([]);
    });

    it('refuses a Cognito group name longer than 128 characters, naming its index', () => {
      // Act
      const violations = validateCreateTeamRequest(
        createRequest({ members: { cognitoGroups: ['labelers', 'g'.repeat(129)] } }),
      );

      // Assess
      expect(pathsAndCodes(violations)).toEqual([{ path: 'members.cognitoGroups[1]', code: 'TooLong' }]);
    });

    it('accepts a Cognito group name of exactly 128 characters', () => {
      // Act
      const violations = validateCreateTeamRequest(createRequest({ members: { cognitoGroups: ['g'.repeat(128)] } }));

      // Assess
      expect(violations).toEqual([]);
    });

    it('refuses an empty OIDC group', () => {
      // Act
      const violations = validateCreateTeamRequest(createRequest({ members: { oidcGroups: ['a', ''] } }));

      // Assess
      expect(pathsAndCodes(violations)).toEqual([{ path: 'members.oidcGroups[1]', code: 'TooShort' }]);
    });

    it('refuses a group that is not a string', () => {
      // Act
      const violations = validateCreateTeamRequest(createRequest({ members: { cognitoGroups: ['a', 7] } }));

      // Assess
      expect(pathsAndCodes(violations)).toEqual([{ path: 'members.cognitoGroups[1]', code: 'Type' }]);
    });

    it('refuses a repeated group, naming the repeat', () => {
      // Act
      const violations = validateCreateTeamRequest(createRequest({ members: { cognitoGroups: ['a', 'b', 'a'] } }));

      // Assess
      expect(violations).toEqual([
        {
          path: 'members.cognitoGroups[2]',
          code: 'Duplicate',
          message: 'members.cognitoGroups[2] repeats members.cognitoGroups[0]; each group is listed once',
        },
      ]);
    });
  });

  describe('notifications and workerAccess', () => {
    it('refuses notifications that are not true or false', () => {
      // Act
      const violations = validateCreateTeamRequest(createRequest({ notifications: 'true' }));

      // Assess
      expect(pathsAndCodes(violations)).toEqual([{ path: 'notifications', code: 'Type' }]);
    });

    it('refuses a worker-access toggle other than Enabled or Disabled', () => {
      // Act
      const violations = validateCreateTeamRequest(createRequest({ workerAccess: { sourceIp: 'enabled' } }));

      // Assess
      expect(pathsAndCodes(violations)).toEqual([{ path: 'workerAccess.sourceIp', code: 'Enum' }]);
    });

    it('refuses null for a worker-access toggle on create', () => {
      // Act
      const violations = validateCreateTeamRequest(createRequest({ workerAccess: { vpcSourceIp: null } }));

      // Assess
      expect(pathsAndCodes(violations)).toEqual([{ path: 'workerAccess.vpcSourceIp', code: 'Enum' }]);
    });

    it('refuses an unknown field of workerAccess', () => {
      // Act
      const violations = validateCreateTeamRequest(createRequest({ workerAccess: { sourceIP: 'Enabled' } }));

      // Assess
      expect(pathsAndCodes(violations)).toEqual([{ path: 'workerAccess.sourceIP', code: 'Unknown' }]);
    });

    it('refuses workerAccess that is not an object', () => {
      // Act
      const violations = validateCreateTeamRequest(createRequest({ workerAccess: 'Enabled' }));

      // Assess
      expect(pathsAndCodes(violations)).toEqual([{ path: 'workerAccess', code: 'Type' }]);
    });
  });

  describe('tags', () => {
    it('refuses tags given as a list rather than an object', () => {
      // Act
      const violations = validateCreateTeamRequest(createRequest({ tags: [{ key: 'a', value: 'b' }] }));

      // Assess
      expect(pathsAndCodes(violations)).toEqual([{ path: 'tags', code: 'Type' }]);
    });

    it('refuses a tag value that is not a string, naming the tag in the path', () => {
      // Act
      const violations = validateCreateTeamRequest(createRequest({ tags: { project: 7 } }));

      // Assess
      expect(violations).toEqual([
        { path: 'tags.project', code: 'Type', message: 'the tag value must be a string, not a number' },
      ]);
    });

    it('refuses a tag key longer than 128 characters', () => {
      // Prepare
      const key = 'k'.repeat(129);

      // Act
      const violations = validateCreateTeamRequest(createRequest({ tags: { [key]: 'v' } }));

      // Assess
      expect(pathsAndCodes(violations)).toEqual([{ path: `tags.${key}`, code: 'TooLong' }]);
    });

    it('refuses an empty tag key', () => {
      // Act
      const violations = validateCreateTeamRequest(createRequest({ tags: { '': 'v' } }));

      // Assess
      expect(pathsAndCodes(violations)).toEqual([{ path: 'tags.', code: 'TooShort' }]);
    });

    it('refuses a tag key that AWS reserves', () => {
      // Act
      const violations = validateCreateTeamRequest(createRequest({ tags: { 'aws:owner': 'me' } }));

      // Assess
      expect(pathsAndCodes(violations)).toEqual([{ path: 'tags.aws:owner', code: 'Reserved' }]);
    });

    it('refuses tag keys and values with characters SageMaker refuses', () => {
      // Act
      const violations = validateCreateTeamRequest(createRequest({ tags: { 'cost#center': 'v', project: '50%' } }));

      // Assess
      expect(pathsAndCodes(violations)).toEqual([
        { path: 'tags.cost#center', code: 'Pattern' },
        { path: 'tags.project', code: 'Pattern' },
      ]);
    });

    it('refuses a tag value longer than 256 characters', () => {
      // Act
      const violations = validateCreateTeamRequest(createRequest({ tags: { project: 'v'.repeat(257) } }));

      // Assess
      expect(pathsAndCodes(violations)).toEqual([{ path: 'tags.project', code: 'TooLong' }]);
    });

    it("refuses more than 49 tags, naming the limit and why it is below SageMaker's 50", () => {
      // Act
      const violations = validateCreateTeamRequest(createRequest({ tags: tagRecord(50) }));

      // Assess
      expect(violations).toEqual([
        {
          path: 'tags',
          code: 'TooMany',
          message:
            "tags holds 50 tags; at most 49 are allowed (SageMaker's 50, less the 'managed-by' tag this service adds)",
        },
      ]);
    });

    it('accepts exactly 49 tags', () => {
      // Act
      const violations = validateCreateTeamRequest(createRequest({ tags: tagRecord(49) }));

      // Assess
      expect(violations).toEqual([]);
    });

    it('never echoes a tag key or value in its messages', () => {
      // Prepare
      const address = 'jane.doe@example.com';

      // Act
      const violations = validateCreateTeamRequest(
        createRequest({ tags: { [address]: 7, [`aws:${address}`]: address, [`${address}#`]: `${address}%` } }),
      );

      // Assess
      expect(violations.length).toBe(4);
      expect(violations.map(({ message }) => message).join('\n')).not.toContain(address);
    });
  });

  describe('properties', () => {
    it('never throws, whatever JSON it is given', () => {
      fc.assert(
        fc.property(fc.json(), (text) => {
          // Act
          const violations = validateCreateTeamRequest(JSON.parse(text));

          // Assess
          expect(Array.isArray(violations)).toBe(true);
        }),
      );
    });

    it('never throws, whatever value it is given', () => {
      fc.assert(
        fc.property(fc.anything(), (body) => {
          // Act
          const violations = validateCreateTeamRequest(body);

          // Assess
          expect(Array.isArray(violations)).toBe(true);
        }),
      );
    });

    it('turns every body it accepts into a desired team that validateDesiredTeam accepts', () => {
      // Prepare: mostly valid bodies, so that many are accepted; the rest are skipped.
      const groupName = fc.stringMatching(/^[A-Za-z0-9_.@-]{1,20}$/);
      const toggle = fc.constantFrom('Enabled', 'Disabled');
      const body = fc.record(
        {
          name: fc.stringMatching(/^[a-z0-9]{1,10}(-[a-z0-9]{1,10}){0,3}$/),
          description: fc.string({ minLength: 1, maxLength: 200 }),
          workforceName: fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,20}$/),
          members: fc.oneof(
            fc.uniqueArray(groupName, { minLength: 1, maxLength: 10 }).map((cognitoGroups) => ({ cognitoGroups })),
            fc.uniqueArray(groupName, { minLength: 1, maxLength: 10 }).map((oidcGroups) => ({ oidcGroups })),
          ),
          notifications: fc.boolean(),
          workerAccess: fc.record({ sourceIp: toggle, vpcSourceIp: toggle }, { requiredKeys: [] }),
          tags: fc.dictionary(
            fc.stringMatching(/^[a-z][a-z0-9:_./=+@ -]{0,20}$/),
            fc.stringMatching(/^[\w .:/=+@-]{0,30}$/),
            { maxKeys: 10 },
          ),
        },
        { requiredKeys: ['name', 'description', 'members'] },
      );

      fc.assert(
        fc.property(body, (candidate) => {
          fc.pre(validateCreateTeamRequest(candidate).length === 0);

          // Act
          const team = toDesiredTeam(parseCreateTeamRequest(candidate), WORKFORCE);

          // Assess
          expect(validateDesiredTeam(team)).toEqual([]);
        }),
      );
    });
  });
});

describe('parseCreateTeamRequest', () => {
  it('returns a valid body typed, with only its own fields', () => {
    // Act
    const request = parseCreateTeamRequest(createRequest({ workerAccess: { sourceIp: 'Enabled' } }));

    // Assess
    expect(request).toEqual({
      name: 'labeling-team',
      description: 'Labels the product images',
      workforceName: WORKFORCE,
      members: { cognitoGroups: ['labelers', 'reviewers'] },
      notifications: true,
      workerAccess: { sourceIp: 'Enabled' },
      tags: { classification: 'internal', 'cost-center': '4711' },
    });
  });

  it('throws ValidationFailed with every violation of an invalid body', () => {
    // Act
    const error = thrownBy(() => parseCreateTeamRequest({ name: '' }));

    // Assess
    expect(error).toBeInstanceOf(ValidationFailed);
    expect(pathsAndCodes((error as ValidationFailed).details)).toEqual([
      { path: 'name', code: 'TooShort' },
      { path: 'description', code: 'Required' },
      { path: 'members', code: 'Required' },
    ]);
  });
});

describe('toDesiredTeam', () => {
  it('fills in the defaults: notifications on, worker access Disabled, no tags', () => {
    // Act
    const team = toDesiredTeam(validRequest, WORKFORCE);

    // Assess
    expect(team).toEqual({
      name: 'labeling-team',
      description: 'Labels the product images',
      workforceName: WORKFORCE,
      members: { cognitoGroups: ['labelers', 'reviewers'] },
      notifications: true,
      workerAccess: { sourceIp: 'Disabled', vpcSourceIp: 'Disabled' },
      tags: {},
    });
  });

  it('keeps what the request gives', () => {
    // Prepare
    const request: CreateTeamRequest = {
      ...validRequest,
      notifications: false,
      workerAccess: { vpcSourceIp: 'Enabled' },
      tags: { project: 'catalogue' },
    };

    // Act
    const team = toDesiredTeam(request, WORKFORCE);

    // Assess
    expect(team).toMatchObject({
      notifications: false,
      workerAccess: { sourceIp: 'Disabled', vpcSourceIp: 'Enabled' },
      tags: { project: 'catalogue' },
    });
  });

  it("uses the request's workforce when it names one, else the one it is given", () => {
    // Act
    const named = toDesiredTeam({ ...validRequest, workforceName: 'other' }, WORKFORCE);
    const unnamed = toDesiredTeam(validRequest, WORKFORCE);

    // Assess
    expect([named.workforceName, unnamed.workforceName]).toEqual(['other', WORKFORCE]);
  });

  it('copies the groups and tags, so that a later change of the request does not reach the team', () => {
    // Prepare
    const request: CreateTeamRequest = {
      ...validRequest,
      members: { cognitoGroups: ['labelers'] },
      tags: { project: 'a' },
    };
    const team = toDesiredTeam(request, WORKFORCE);

    // Act
    if ('cognitoGroups' in request.members) request.members.cognitoGroups.push('intruders');
    if (request.tags) request.tags.project = 'b';

    // Assess
    expect([team.members, team.tags]).toEqual([{ cognitoGroups: ['labelers'] }, { project: 'a' }]);
  });
});

describe('createFingerprint', () => {
  it('is the same for the same request with its keys in another order', () => {
    // Prepare
    const first: CreateTeamRequest = {
      ...validRequest,
      tags: { a: '1', b: '2' },
      workerAccess: { sourceIp: 'Enabled' },
    };
    const reordered: CreateTeamRequest = {
      workerAccess: { sourceIp: 'Enabled' },
      tags: { b: '2', a: '1' },
      members: { cognitoGroups: ['labelers', 'reviewers'] },
      description: 'Labels the product images',
      name: 'labeling-team',
    };

    // Act
    const fingerprints = [createFingerprint(first, WORKFORCE), createFingerprint(reordered, WORKFORCE)];

    // Assess
    expect(fingerprints[0]).toMatch(/^[0-9a-f]{64}$/);
    expect(fingerprints[1]).toBe(fingerprints[0]);
  });

  it('is the same for a request that spells out the defaults', () => {
    // Prepare
    const explicit: CreateTeamRequest = {
      ...validRequest,
      workforceName: WORKFORCE,
      notifications: true,
      workerAccess: { sourceIp: 'Disabled', vpcSourceIp: 'Disabled' },
      tags: {},
    };

    // Act
    const fingerprints = [createFingerprint(validRequest, WORKFORCE), createFingerprint(explicit, WORKFORCE)];

    // Assess
    expect(fingerprints[1]).toBe(fingerprints[0]);
  });

  it('differs when the request asks for something else', () => {
    // Prepare
    const other: CreateTeamRequest = { ...validRequest, description: 'Another description' };

    // Act
    const fingerprints = [createFingerprint(validRequest, WORKFORCE), createFingerprint(other, WORKFORCE)];

    // Assess
    expect(fingerprints[1]).not.toBe(fingerprints[0]);
  });
});

describe('validateTeamPatch', () => {
  it('accepts an empty patch', () => {
    // Act
    const violations = validateTeamPatch({});

    // Assess
    expect(violations).toEqual([]);
  });

  it('accepts a patch of every field it may hold, with nulls where they remove', () => {
    // Prepare
    const patch = {
      description: 'New description',
      notifications: false,
      workerAccess: { sourceIp: null, vpcSourceIp: 'Enabled' },
      tags: { project: null, owner: 'data-team' },
    };

    // Act
    const violations = validateTeamPatch(patch);

    // Assess
    expect(violations).toEqual([]);
  });

  it('accepts null for workerAccess and for tags', () => {
    // Act
    const violations = validateTeamPatch({ workerAccess: null, tags: null });

    // Assess
    expect(violations).toEqual([]);
  });

  test.each([null, [], 'patch'])('refuses the body %j, which is not an object', (body) => {
    // Act
    const violations = validateTeamPatch(body);

    // Assess
    expect(pathsAndCodes(violations)).toEqual([{ path: '', code: 'Type' }]);
  });

  it('refuses a change of the name', () => {
    // Act
    const violations = validateTeamPatch({ name: 'new-name' });

    // Assess
    expect(pathsAndCodes(violations)).toEqual([{ path: 'name', code: 'NotPatchable' }]);
  });

  it('refuses a change of the workforce', () => {
    // Act
    const violations = validateTeamPatch({ workforceName: 'other' });

    // Assess
    expect(pathsAndCodes(violations)).toEqual([{ path: 'workforceName', code: 'NotPatchable' }]);
  });

  it('refuses members, pointing to their own endpoint', () => {
    // Act
    const violations = validateTeamPatch({ members: { cognitoGroups: ['a'] } });

    // Assess
    expect(violations).toEqual([
      {
        path: 'members',
        code: 'NotPatchable',
        message:
          'members cannot be changed by PATCH: members have their own endpoint: POST /teams/{name}/members adds groups, DELETE /teams/{name}/members/{group} removes one',
      },
    ]);
  });

  it('refuses an unknown field', () => {
    // Act
    const violations = validateTeamPatch({ notification: false });

    // Assess
    expect(pathsAndCodes(violations)).toEqual([{ path: 'notification', code: 'Unknown' }]);
  });

  test.each(['description', 'notifications'])('refuses null for %s, which cannot be removed', (field) => {
    // Act
    const violations = validateTeamPatch({ [field]: null });

    // Assess
    expect(pathsAndCodes(violations)).toEqual([{ path: field, code: 'Required' }]);
  });

  it('refuses a description that breaks the create rules', () => {
    // Act
    const violations = validateTeamPatch({ description: 'one\ntwo' });

    // Assess
    expect(pathsAndCodes(violations)).toEqual([{ path: 'description', code: 'Pattern' }]);
  });

  it('refuses notifications that are not true or false', () => {
    // Act
    const violations = validateTeamPatch({ notifications: 0 });

    // Assess
    expect(pathsAndCodes(violations)).toEqual([{ path: 'notifications', code: 'Type' }]);
  });

  it('refuses a worker-access toggle other than Enabled, Disabled or null', () => {
    // Act
    const violations = validateTeamPatch({ workerAccess: { sourceIp: 'On' } });

    // Assess
    expect(pathsAndCodes(violations)).toEqual([{ path: 'workerAccess.sourceIp', code: 'Enum' }]);
  });

  it('refuses tag values that are neither strings nor null, and reserved keys', () => {
    // Act
    const violations = validateTeamPatch({ tags: { project: 7, 'aws:x': 'y' } });

    // Assess
    expect(pathsAndCodes(violations)).toEqual([
      { path: 'tags.project', code: 'Type' },
      { path: 'tags.aws:x', code: 'Reserved' },
    ]);
  });

  it('refuses a patch that removes or sets the managed-by tag, in any case', () => {
    // Act
    const violations = validateTeamPatch({ tags: { 'managed-by': null, 'Managed-By': 'someone-else' } });

    // Assess
    expect(pathsAndCodes(violations)).toEqual([
      { path: 'tags.managed-by', code: 'Reserved' },
      { path: 'tags.Managed-By', code: 'Reserved' },
    ]);
  });

  it('refuses a patch that alone sets more than 49 tags', () => {
    // Act
    const violations = validateTeamPatch({ tags: tagRecord(50) });

    // Assess
    expect(pathsAndCodes(violations)).toEqual([{ path: 'tags', code: 'TooMany' }]);
  });

  it('never throws, whatever JSON it is given', () => {
    fc.assert(
      fc.property(fc.json(), (text) => {
        // Act
        const violations = validateTeamPatch(JSON.parse(text));

        // Assess
        expect(Array.isArray(violations)).toBe(true);
      }),
    );
  });

  it('never throws, whatever value it is given', () => {
    fc.assert(
      fc.property(fc.anything(), (body) => {
        // Act
        const violations = validateTeamPatch(body);

        // Assess
        expect(Array.isArray(violations)).toBe(true);
      }),
    );
  });
});

describe('parseTeamPatch', () => {
  it('returns a valid patch typed, nulls kept', () => {
    // Act
    const patch = parseTeamPatch({ workerAccess: { sourceIp: null }, tags: { a: null, b: 'x' } });

    // Assess
    expect(patch).toEqual({ workerAccess: { sourceIp: null }, tags: { a: null, b: 'x' } });
  });

  it('throws ValidationFailed for an invalid patch', () => {
    // Act
    const error = thrownBy(() => parseTeamPatch({ name: 'x' }));

    // Assess
    expect(error).toBeInstanceOf(ValidationFailed);
  });
});

describe('applyTeamPatch', () => {
  it('leaves the team as it is for an empty patch', () => {
    // Prepare
    const team = desiredTeam();

    // Act
    const patched = applyTeamPatch(team, {});

    // Assess
    expect(patched).toEqual(desiredTeam());
  });

  it('sets the description and notifications it is given', () => {
    // Act
    const patched = applyTeamPatch(desiredTeam(), { description: 'New', notifications: false });

    // Assess
    expect(patched).toEqual(desiredTeam({ description: 'New', notifications: false }));
  });

  it('adds and changes the tags it gives and removes those set to null, keeping the rest', () => {
    // Prepare
    const team = desiredTeam({ tags: { keep: '1', change: '2', drop: '3' } });

    // Act
    const patched = applyTeamPatch(team, { tags: { change: 'two', drop: null, add: '4' } });

    // Assess
    expect(patched.tags).toEqual({ keep: '1', change: 'two', add: '4' });
  });

  it('removes every tag for tags: null', () => {
    // Act
    const patched = applyTeamPatch(desiredTeam(), { tags: null });

    // Assess
    expect(patched.tags).toEqual({});
  });

  it('resets one worker-access toggle to Disabled for null, keeping the other', () => {
    // Prepare
    const team = desiredTeam({ workerAccess: { sourceIp: 'Enabled', vpcSourceIp: 'Enabled' } });

    // Act
    const patched = applyTeamPatch(team, { workerAccess: { sourceIp: null } });

    // Assess
    expect(patched.workerAccess).toEqual({ sourceIp: 'Disabled', vpcSourceIp: 'Enabled' });
  });

  it('resets both worker-access toggles for workerAccess: null', () => {
    // Prepare
    const team = desiredTeam({ workerAccess: { sourceIp: 'Enabled', vpcSourceIp: 'Enabled' } });

    // Act
    const patched = applyTeamPatch(team, { workerAccess: null });

    // Assess
    expect(patched.workerAccess).toEqual({ sourceIp: 'Disabled', vpcSourceIp: 'Disabled' });
  });

  it('does not change the team it is given', () => {
    // Prepare
    const team = desiredTeam();

    // Act
    applyTeamPatch(team, { description: 'New', tags: null, workerAccess: null });

    // Assess
    expect(team).toEqual(desiredTeam());
  });

  it('can produce a team that validateDesiredTeam refuses, which the use case re-validates', () => {
    // Prepare
    const team = desiredTeam({ tags: tagRecord(30) });
    const patch = parseTeamPatch({ tags: Object.fromEntries(repeat(21, (index) => [`more-${index}`, 'v'])) });

    // Act
    const violations = validateDesiredTeam(applyTeamPatch(team, patch));

    // Assess
    expect(pathsAndCodes(violations)).toEqual([{ path: 'tags', code: 'TooMany' }]);
  });
});

describe('validateDesiredTeam', () => {
  it('accepts a valid team', () => {
    // Act
    const violations = validateDesiredTeam(desiredTeam());

    // Assess
    expect(violations).toEqual([]);
  });

  it('requires the workforce name, which a stored team always has', () => {
    // Prepare
    const { workforceName: _, ...withoutWorkforce } = desiredTeam();

    // Act
    const violations = validateDesiredTeam(withoutWorkforce as DesiredTeam);

    // Assess
    expect(pathsAndCodes(violations)).toEqual([{ path: 'workforceName', code: 'Required' }]);
  });
});

describe('validateMembersRequest', () => {
  test.each([{ cognitoGroups: ['a', 'b'] }, { oidcGroups: ['a'] }])('accepts %j', (body) => {
    // Act
    const violations = validateMembersRequest(body);

    // Assess
    expect(violations).toEqual([]);
  });

  it('refuses a body that is not an object', () => {
    // Act
    const violations = validateMembersRequest(['a']);

    // Assess
    expect(pathsAndCodes(violations)).toEqual([{ path: '', code: 'Type' }]);
  });

  it('refuses both keys', () => {
    // Act
    const violations = validateMembersRequest({ cognitoGroups: ['a'], oidcGroups: ['b'] });

    // Assess
    expect(pathsAndCodes(violations)).toEqual([{ path: '', code: 'Conflict' }]);
  });

  it('requires one of the keys', () => {
    // Act
    const violations = validateMembersRequest({});

    // Assess
    expect(violations).toEqual([
      { path: '', code: 'Required', message: 'The request must hold cognitoGroups or oidcGroups' },
    ]);
  });

  it('refuses an unknown field', () => {
    // Act
    const violations = validateMembersRequest({ cognitoGroups: ['a'], groups: ['b'] });

    // Assess
    expect(pathsAndCodes(violations)).toEqual([{ path: 'groups', code: 'Unknown' }]);
  });

  it('refuses an empty list', () => {
    // Act
    const violations = validateMembersRequest({ cognitoGroups: [] });

    // Assess
    expect(pathsAndCodes(violations)).toEqual([{ path: 'cognitoGroups', code: 'TooFew' }]);
  });

  it('refuses more than 10 groups', () => {
    // Act
    const violations = validateMembersRequest({ oidcGroups: groups(11) });

    // Assess
    expect(pathsAndCodes(violations)).toEqual([{ path: 'oidcGroups', code: 'TooMany' }]);
  });

  it('refuses an empty group', () => {
    // Act
    const violations = validateMembersRequest({ cognitoGroups: ['a', ''] });

    // Assess
    expect(pathsAndCodes(violations)).toEqual([{ path: 'cognitoGroups[1]', code: 'TooShort' }]);
  });

  it('refuses a repeated group', () => {
    // Act
    const violations = validateMembersRequest({ oidcGroups: ['a', 'a'] });

    // Assess
    expect(pathsAndCodes(violations)).toEqual([{ path: 'oidcGroups[1]', code: 'Duplicate' }]);
  });
});

describe('parseMembers', () => {
  it('returns a valid body typed', () => {
    // Act
    const members = parseMembers({ oidcGroups: ['a', 'b'] });

    // Assess
    expect(members).toEqual({ oidcGroups: ['a', 'b'] });
  });

  it('throws ValidationFailed for an invalid body', () => {
    // Act
    const error = thrownBy(() => parseMembers({}));

    // Assess
    expect(error).toBeInstanceOf(ValidationFailed);
  });
});
