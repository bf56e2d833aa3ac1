import { toWorkteamSpec } from '#lib/domain/desired-spec';
import { CLIENT_ID, MANAGEMENT_TAG, TOPIC_ARN, USER_POOL } from './fixtures';
import { desiredTeam, IDENTITY, thrownBy, WORKFORCE } from './team-fixtures';

describe('toWorkteamSpec', () => {
  it("gives a Cognito team one definition per group, with the workforce's user pool and app client", () => {
    // Act
    const spec = toWorkteamSpec(desiredTeam(), IDENTITY, TOPIC_ARN, MANAGEMENT_TAG);

    // Assess
    expect(spec.memberDefinitions).toEqual([
      { cognito: { userPool: USER_POOL, userGroup: 'labelers', clientId: CLIENT_ID } },
      { cognito: { userPool: USER_POOL, userGroup: 'reviewers', clientId: CLIENT_ID } },
    ]);
  });

  it('gives an OIDC team one definition holding all its groups', () => {
    // Act
    const spec = toWorkteamSpec(
      desiredTeam({ members: { oidcGroups: ['a', 'b'] } }),
      undefined,
      TOPIC_ARN,
      MANAGEMENT_TAG,
    );

    // Assess
    expect(spec.memberDefinitions).toEqual([{ oidc: { groups: ['a', 'b'] } }]);
  });

  it('refuses a Cognito team without a Cognito identity', () => {
    // Act
    const error = thrownBy(() => toWorkteamSpec(desiredTeam(), undefined, TOPIC_ARN, MANAGEMENT_TAG));

    // Assess
    expect(error).toBeInstanceOf(Error);
  });

  it('sets the topic while the team wants notifications', () => {
    // Act
    const spec = toWorkteamSpec(desiredTeam({ notifications: true }), IDENTITY, TOPIC_ARN, MANAGEMENT_TAG);

    // Assess
    expect(spec.notificationTopicArn).toBe(TOPIC_ARN);
  });

  it('leaves the topic out when the team does not want notifications', () => {
    // Act
    const spec = toWorkteamSpec(desiredTeam({ notifications: false }), IDENTITY, TOPIC_ARN, MANAGEMENT_TAG);

    // Assess
    expect(spec).not.toHaveProperty('notificationTopicArn');
  });

  it('leaves the topic out while there is none yet', () => {
    // Act
    const spec = toWorkteamSpec(desiredTeam({ notifications: true }), IDENTITY, undefined, MANAGEMENT_TAG);

    // Assess
    expect(spec).not.toHaveProperty('notificationTopicArn');
  });

  it('copies the worker access and the name, description and workforce', () => {
    // Prepare
    const team = desiredTeam({ workerAccess: { sourceIp: 'Disabled', vpcSourceIp: 'Enabled' } });

    // Act
    const spec = toWorkteamSpec(team, IDENTITY, TOPIC_ARN, MANAGEMENT_TAG);

    // Assess
    expect(spec).toMatchObject({
      name: 'labeling-team',
      description: 'Labels the product images',
      workforceName: WORKFORCE,
      workerAccess: { sourceIp: 'Disabled', vpcSourceIp: 'Enabled' },
    });
  });

  it('turns the tags into a list sorted by key, the managed-by tag among them', () => {
    // Act
    const spec = toWorkteamSpec(desiredTeam({ tags: { b: '2', a: '1', C: '3' } }), IDENTITY, TOPIC_ARN, MANAGEMENT_TAG);

    // Assess
    expect(spec.tags).toEqual([
      { key: 'C', value: '3' },
      { key: 'a', value: '1' },
      { key: 'b', value: '2' },
      { key: 'managed-by', value: 'workteam-automation-local' },
    ]);
  });

  it('tags a team without tags of its own as managed by this system', () => {
    // Act
    const spec = toWorkteamSpec(desiredTeam({ tags: {} }), IDENTITY, TOPIC_ARN, MANAGEMENT_TAG);

    // Assess
    expect(spec.tags).toEqual([{ key: 'managed-by', value: 'workteam-automation-local' }]);
  });

  it('keeps its own managed-by value over one a team stored before the key was reserved, in any case', () => {
    // Prepare
    const team = desiredTeam({ tags: { 'managed-by': 'someone-else', 'Managed-By': 'x', project: 'p' } });

    // Act
    const spec = toWorkteamSpec(team, IDENTITY, TOPIC_ARN, MANAGEMENT_TAG);

    // Assess
    expect(spec.tags).toEqual([
      { key: 'managed-by', value: 'workteam-automation-local' },
      { key: 'project', value: 'p' },
    ]);
  });
});
