import { ValidationFailed } from '#lib/domain/errors';
import { toWorkteamSpec, toWorkteamUpdate } from '#lib/domain/validation';
import { CLIENT_ID, cognitoDefinition, pathsAndCodes, TOPIC_ARN, USER_POOL, validSpec } from './fixtures';

function thrownBy(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected the action to throw');
}

describe('toWorkteamSpec', () => {
  it('returns the model with only the known fields', () => {
    // Prepare
    const body = validSpec({ surprise: 'ignored', memberDefinitions: [{ ...cognitoDefinition('labelers'), x: 1 }] });

    // Act
    const spec = toWorkteamSpec(body);

    // Assess
    expect(spec).toStrictEqual({
      name: 'labeling-team',
      description: 'Labels the product images',
      workforceName: 'default',
      memberDefinitions: [{ cognito: { userPool: USER_POOL, userGroup: 'labelers', clientId: CLIENT_ID } }],
      notificationTopicArn: TOPIC_ARN,
      workerAccess: { sourceIp: 'Enabled', vpcSourceIp: 'Disabled' },
      tags: [
        { key: 'project', value: 'catalogue' },
        { key: 'owner', value: 'data-team' },
      ],
    });
  });

  it('leaves absent optional fields out and defaults tags to an empty list', () => {
    // Act
    const spec = toWorkteamSpec({ name: 'a', description: 'd', memberDefinitions: [{ oidc: { groups: ['g'] } }] });

    // Assess
    expect(spec).toStrictEqual({
      name: 'a',
      description: 'd',
      memberDefinitions: [{ oidc: { groups: ['g'] } }],
      tags: [],
    });
  });

  it('throws ValidationFailed with every violation', () => {
    // Act
    const error = thrownBy(() => toWorkteamSpec({ name: '', memberDefinitions: [] }));

    // Assess
    expect(error).toBeInstanceOf(ValidationFailed);
    expect(pathsAndCodes((error as ValidationFailed).details)).toEqual([
      { path: 'name', code: 'TooShort' },
      { path: 'description', code: 'Required' },
      { path: 'memberDefinitions', code: 'TooFew' },
    ]);
  });
});

describe('toWorkteamUpdate', () => {
  it('keeps only the fields that were given', () => {
    // Act
    const update = toWorkteamUpdate({ name: 'labeling-team', workerAccess: { vpcSourceIp: 'Enabled' } });

    // Assess
    expect(update).toStrictEqual({ name: 'labeling-team', workerAccess: { vpcSourceIp: 'Enabled' } });
  });

  it('carries a replacement list of member definitions', () => {
    // Act
    const update = toWorkteamUpdate({ name: 'labeling-team', memberDefinitions: [cognitoDefinition('reviewers')] });

    // Assess
    expect(update.memberDefinitions).toStrictEqual([
      { cognito: { userPool: USER_POOL, userGroup: 'reviewers', clientId: CLIENT_ID } },
    ]);
  });

  it('throws ValidationFailed when the name is missing', () => {
    // Act
    const error = thrownBy(() => toWorkteamUpdate({ description: 'x' }));

    // Assess
    expect(error).toBeInstanceOf(ValidationFailed);
    expect(pathsAndCodes((error as ValidationFailed).details)).toEqual([{ path: 'name', code: 'Required' }]);
  });
});
