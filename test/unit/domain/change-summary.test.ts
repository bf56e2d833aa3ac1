import { describeChange } from '#lib/domain/change-summary';
import { desiredTeam } from './team-fixtures';

describe('describeChange', () => {
  it('is empty when nothing changed', () => {
    // Act
    const summary = describeChange(desiredTeam(), desiredTeam());

    // Assess
    expect(summary).toBe('');
  });

  it('names the description, a toggle with its transition and an added group', () => {
    // Prepare
    const before = desiredTeam({
      workerAccess: { sourceIp: 'Disabled', vpcSourceIp: 'Disabled' },
      members: { cognitoGroups: ['labelers'] },
    });
    const after = desiredTeam({
      description: 'Something else',
      workerAccess: { sourceIp: 'Enabled', vpcSourceIp: 'Disabled' },
      members: { cognitoGroups: ['labelers', 'reviewers'] },
    });

    // Act
    const summary = describeChange(before, after);

    // Assess
    expect(summary).toBe('description, workerAccess.sourceIp: Disabled→Enabled, +group reviewers');
  });

  it('names removed groups, notifications and tag keys, but never a tag value or the description text', () => {
    // Prepare
    const before = desiredTeam({ tags: { keep: 'same', change: 'old-value', drop: 'x' } });
    const after = desiredTeam({
      description: 'secret plans',
      members: { cognitoGroups: ['labelers'] },
      notifications: false,
      tags: { keep: 'same', change: 'new-value', add: 'y' },
    });

    // Act
    const summary = describeChange(before, after);

    // Assess
    expect(summary).toBe('description, notifications: true→false, -group reviewers, +tag add, ~tag change, -tag drop');
  });

  it('masks an e-mail address that a group name or tag key holds', () => {
    // Prepare
    const before = desiredTeam({ members: { cognitoGroups: ['labelers'] } });
    const after = desiredTeam({ members: { cognitoGroups: ['labelers', 'jane.doe@example.com'] } });

    // Act
    const summary = describeChange(before, after);

    // Assess
    expect(summary).toBe('+group [email]');
  });
});
