import { validateWorkteamUpdate } from '#lib/domain/validation';
import { cognitoDefinition, oidcDefinition, pathsAndCodes, TOPIC_ARN } from './fixtures';

describe('validateWorkteamUpdate', () => {
  it('accepts a name alone, leaving every other field as it is', () => {
    // Act
    const violations = validateWorkteamUpdate({ name: 'labeling-team' });

    // Assess
    expect(violations).toEqual([]);
  });

  it('accepts every updatable field when valid', () => {
    // Prepare
    const update = {
      name: 'labeling-team',
      description: 'New description',
      memberDefinitions: [cognitoDefinition('labelers')],
      notificationTopicArn: TOPIC_ARN,
      workerAccess: { sourceIp: 'Disabled', vpcSourceIp: 'Enabled' },
    };

    // Act
    const violations = validateWorkteamUpdate(update);

    // Assess
    expect(violations).toEqual([]);
  });

  it('requires a name', () => {
    // Act
    const violations = validateWorkteamUpdate({ description: 'New description' });

    // Assess
    expect(pathsAndCodes(violations)).toEqual([{ path: 'name', code: 'Required' }]);
  });

  it('refuses a name that does not match the work-team name pattern', () => {
    // Act
    const violations = validateWorkteamUpdate({ name: 'labeling_team' });

    // Assess
    expect(pathsAndCodes(violations)).toEqual([{ path: 'name', code: 'Pattern' }]);
  });

  it('refuses a body that is not an object', () => {
    // Act
    const violations = validateWorkteamUpdate(null);

    // Assess
    expect(pathsAndCodes(violations)).toEqual([{ path: '', code: 'Type' }]);
  });

  it('refuses an empty description when one is given', () => {
    // Act
    const violations = validateWorkteamUpdate({ name: 'labeling-team', description: '' });

    // Assess
    expect(pathsAndCodes(violations)).toEqual([{ path: 'description', code: 'TooShort' }]);
  });

  it('refuses a description longer than 200 characters', () => {
    // Act
    const violations = validateWorkteamUpdate({ name: 'labeling-team', description: 'x'.repeat(201) });

    // Assess
    expect(pathsAndCodes(violations)).toEqual([{ path: 'description', code: 'TooLong' }]);
  });

  it('refuses an empty list of member definitions, since the list replaces the team', () => {
    // Act
    const violations = validateWorkteamUpdate({ name: 'labeling-team', memberDefinitions: [] });

    // Assess
    expect(pathsAndCodes(violations)).toEqual([{ path: 'memberDefinitions', code: 'TooFew' }]);
  });

  it('applies the member-definition rules to a given list', () => {
    // Prepare
    const memberDefinitions = [cognitoDefinition('labelers'), oidcDefinition('reviewers')];

    // Act
    const violations = validateWorkteamUpdate({ name: 'labeling-team', memberDefinitions });

    // Assess
    expect(pathsAndCodes(violations)).toEqual([{ path: 'memberDefinitions[1]', code: 'Conflict' }]);
  });

  it('refuses a worker-access toggle other than Enabled or Disabled', () => {
    // Act
    const violations = validateWorkteamUpdate({ name: 'labeling-team', workerAccess: { vpcSourceIp: 'true' } });

    // Assess
    expect(pathsAndCodes(violations)).toEqual([{ path: 'workerAccess.vpcSourceIp', code: 'Enum' }]);
  });

  it('refuses a notification topic that is not an SNS topic ARN', () => {
    // Act
    const violations = validateWorkteamUpdate({ name: 'labeling-team', notificationTopicArn: 'labeling-work' });

    // Assess
    expect(pathsAndCodes(violations)).toEqual([{ path: 'notificationTopicArn', code: 'Pattern' }]);
  });

  it('reports every violation of a body that breaks several rules', () => {
    // Prepare
    const update = {
      description: '',
      memberDefinitions: [cognitoDefinition('labelers'), cognitoDefinition('labelers')],
      workerAccess: { sourceIp: 'yes' },
    };

    // Act
    const violations = validateWorkteamUpdate(update);

    // Assess
    expect(pathsAndCodes(violations)).toEqual([
      { path: 'name', code: 'Required' },
      { path: 'description', code: 'TooShort' },
      { path: 'memberDefinitions[1].cognito.userGroup', code: 'Duplicate' },
      { path: 'workerAccess.sourceIp', code: 'Enum' },
    ]);
  });
});
