import { validateTags, validateWorkteamSpec, validateWorkteamUpdate } from '#lib/domain/validation';
import { cognitoDefinition, oidcDefinition, pathsAndCodes, validSpec } from './fixtures';

// The forms the SageMaker API reference gives and the real service (and the local emulator) enforce, which a
// length check alone lets through.

describe('validation against SageMaker patterns', () => {
  describe('description (pattern .+, one line)', () => {
    test.each([
      ['a line feed', 'first line\nsecond line'],
      ['a carriage return', 'first line\rsecond line'],
      ['a line separator', 'first line\u2028second line'],
      ['a next-line character', 'first line\u0085second line'],
      ['only a line feed', '\n'],
    ])('refuses a description holding %s', (_, description) => {
      // Act
      const violations = validateWorkteamSpec(validSpec({ description }));

      // Assess
      expect(violations).toEqual([
        { path: 'description', code: 'Pattern', message: 'description must be a single line (no line breaks)' },
      ]);
    });

    it('accepts a one-line description with tabs, accents and emoji', () => {
      // Act
      const violations = validateWorkteamSpec(validSpec({ description: 'Étiquetage\tdes images 🏷' }));

      // Assess
      expect(violations).toEqual([]);
    });

    it('refuses a multi-line description in an update too', () => {
      // Act
      const violations = validateWorkteamUpdate({ name: 'labeling-team', description: 'one\ntwo' });

      // Assess
      expect(pathsAndCodes(violations)).toEqual([{ path: 'description', code: 'Pattern' }]);
    });
  });

  describe('tag keys reserved by AWS', () => {
    test.each(['aws:cloudformation:stack-name', 'AWS:owner', 'Aws:x'])('refuses the tag key %s', (key) => {
      // Act
      const violations = validateTags([{ key, value: 'v' }]);

      // Assess
      expect(violations).toEqual([
        {
          path: 'tags[0].key',
          code: 'Reserved',
          message: "tags[0].key begins with 'aws:', which AWS reserves for its own tags",
        },
      ]);
    });

    test.each(['aws', 'awsome', 'my-aws:key'])('accepts the tag key %s, which only looks like it', (key) => {
      // Act
      const violations = validateTags([{ key, value: 'v' }]);

      // Assess
      expect(violations).toEqual([]);
    });

    it('refuses a reserved tag key in a CreateWorkteam body', () => {
      // Act
      const violations = validateWorkteamSpec(validSpec({ tags: [{ key: 'aws:owner', value: 'me' }] }));

      // Assess
      expect(pathsAndCodes(violations)).toEqual([{ path: 'tags[0].key', code: 'Reserved' }]);
    });
  });

  describe('tag characters (letters, spaces, digits and _ . : / = + - @)', () => {
    test.each(['cost#center', 'cost,center', 'cost!', 'a*b', 'tab\tkey', 'emoji🏷'])('refuses the tag key %j', (key) => {
      // Act
      const violations = validateTags([{ key, value: 'v' }]);

      // Assess
      expect(violations).toEqual([
        {
          path: 'tags[0].key',
          code: 'Pattern',
          message: 'tags[0].key must be letters, digits, spaces and the characters _ . : / = + - @',
        },
      ]);
    });

    test.each(['50%', 'a;b', '<script>', 'line\nbreak'])('refuses the tag value %j', (value) => {
      // Act
      const violations = validateTags([{ key: 'project', value }]);

      // Assess
      expect(pathsAndCodes(violations)).toEqual([{ path: 'tags[0].value', code: 'Pattern' }]);
    });

    it('accepts every character the pattern allows, including letters of any script and spaces', () => {
      // Act
      const violations = validateTags([
        { key: 'Kostenstelle Zürich_1.a:b/c=d+e-f@g', value: '東京 café 42 _.:/=+-@' },
        { key: 'empty-value', value: '' },
      ]);

      // Assess
      expect(violations).toEqual([]);
    });
  });

  describe('Cognito user pool (pattern [\\w-]+_[0-9a-zA-Z]+, at most 55 characters)', () => {
    test.each(['eu-west-1', 'eu-west-1_', '_AbC', 'eu-west-1_Ab-C', 'eu west 1_AbC'])(
      'refuses the user pool %j',
      (userPool) => {
        // Act
        const violations = validateWorkteamSpec(
          validSpec({ memberDefinitions: [cognitoDefinition('a', { userPool })] }),
        );

        // Assess
        expect(violations).toEqual([
          {
            path: 'memberDefinitions[0].cognito.userPool',
            code: 'Pattern',
            message: 'memberDefinitions[0].cognito.userPool must be a Cognito user pool id (region_id)',
          },
        ]);
      },
    );

    it('refuses a user pool longer than 55 characters', () => {
      // Prepare
      const userPool = `eu-west-1_${'a'.repeat(46)}`;

      // Act
      const violations = validateWorkteamSpec(validSpec({ memberDefinitions: [cognitoDefinition('a', { userPool })] }));

      // Assess
      expect(pathsAndCodes(violations)).toEqual([{ path: 'memberDefinitions[0].cognito.userPool', code: 'TooLong' }]);
    });

    it('reports a malformed shared user pool at every definition that uses it', () => {
      // Prepare
      const userPool = 'no-underscore';
      const memberDefinitions = [cognitoDefinition('a', { userPool }), cognitoDefinition('b', { userPool })];

      // Act
      const violations = validateWorkteamSpec(validSpec({ memberDefinitions }));

      // Assess
      expect(pathsAndCodes(violations)).toEqual([
        { path: 'memberDefinitions[0].cognito.userPool', code: 'Pattern' },
        { path: 'memberDefinitions[1].cognito.userPool', code: 'Pattern' },
      ]);
    });

    it('refuses a malformed user pool in an update too', () => {
      // Act
      const violations = validateWorkteamUpdate({
        name: 'labeling-team',
        memberDefinitions: [cognitoDefinition('a', { userPool: 'pool' })],
      });

      // Assess
      expect(pathsAndCodes(violations)).toEqual([{ path: 'memberDefinitions[0].cognito.userPool', code: 'Pattern' }]);
    });
  });

  describe('Cognito app client id (pattern [\\w+]+, at most 128 characters)', () => {
    test.each(['client-id', 'client id', 'client.id', 'client/id'])('refuses the client id %j', (clientId) => {
      // Act
      const violations = validateWorkteamSpec(validSpec({ memberDefinitions: [cognitoDefinition('a', { clientId })] }));

      // Assess
      expect(violations).toEqual([
        {
          path: 'memberDefinitions[0].cognito.clientId',
          code: 'Pattern',
          message: 'memberDefinitions[0].cognito.clientId must be a Cognito app client id (letters, digits, _ and +)',
        },
      ]);
    });

    it('accepts a client id of letters, digits, _ and +', () => {
      // Act
      const violations = validateWorkteamSpec(
        validSpec({ memberDefinitions: [cognitoDefinition('a', { clientId: 'Ab_12+x' })] }),
      );

      // Assess
      expect(violations).toEqual([]);
    });

    it('refuses a client id longer than 128 characters', () => {
      // Act
      const violations = validateWorkteamSpec(
        validSpec({ memberDefinitions: [cognitoDefinition('a', { clientId: 'c'.repeat(129) })] }),
      );

      // Assess
      expect(pathsAndCodes(violations)).toEqual([{ path: 'memberDefinitions[0].cognito.clientId', code: 'TooLong' }]);
    });

    it('reports a client id that differs from the first definition as a mismatch only, not also by its form', () => {
      // Prepare
      const memberDefinitions = [cognitoDefinition('a'), cognitoDefinition('b', { clientId: 'other client' })];

      // Act
      const violations = validateWorkteamSpec(validSpec({ memberDefinitions }));

      // Assess
      expect(pathsAndCodes(violations)).toEqual([{ path: 'memberDefinitions[1].cognito.clientId', code: 'Mismatch' }]);
    });
  });

  describe('member group names (letters, marks, symbols, digits, punctuation)', () => {
    it('refuses a Cognito group name with a space', () => {
      // Act
      const violations = validateWorkteamSpec(validSpec({ memberDefinitions: [cognitoDefinition('my group')] }));

      // Assess
      expect(pathsAndCodes(violations)).toEqual([{ path: 'memberDefinitions[0].cognito.userGroup', code: 'Pattern' }]);
    });

    it('refuses a Cognito group name longer than 128 characters', () => {
      // Act
      const violations = validateWorkteamSpec(validSpec({ memberDefinitions: [cognitoDefinition('g'.repeat(129))] }));

      // Assess
      expect(pathsAndCodes(violations)).toEqual([{ path: 'memberDefinitions[0].cognito.userGroup', code: 'TooLong' }]);
    });

    it('refuses an OIDC group longer than 63 characters', () => {
      // Act
      const violations = validateWorkteamSpec(validSpec({ memberDefinitions: [oidcDefinition('g'.repeat(64))] }));

      // Assess
      expect(pathsAndCodes(violations)).toEqual([{ path: 'memberDefinitions[0].oidc.groups[0]', code: 'TooLong' }]);
    });

    it('accepts an OIDC group of exactly 63 characters with punctuation and accents', () => {
      // Act
      const violations = validateWorkteamSpec(
        validSpec({ memberDefinitions: [oidcDefinition(`équipe-${'g'.repeat(56)}`)] }),
      );

      // Assess
      expect(violations).toEqual([]);
    });

    it('refuses an OIDC group with a line break', () => {
      // Act
      const violations = validateWorkteamSpec(validSpec({ memberDefinitions: [oidcDefinition('a\nb')] }));

      // Assess
      expect(pathsAndCodes(violations)).toEqual([{ path: 'memberDefinitions[0].oidc.groups[0]', code: 'Pattern' }]);
    });
  });
});
