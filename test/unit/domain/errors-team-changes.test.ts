import {
  DomainError,
  LastMemberGroup,
  MemberKindMismatch,
  MemberLimitExceeded,
  MemberNotFound,
  PreconditionFailed,
  TeamNotManaged,
} from '#lib/domain/errors';
import { statusOf } from '#lib/http/errors';

describe('domain errors of team changes', () => {
  test.each([
    ['MemberKindMismatch', () => new MemberKindMismatch('labeling-team', 'cognito', 'oidc'), 409],
    ['MemberLimitExceeded', () => new MemberLimitExceeded('labeling-team', 11), 409],
    ['MemberNotFound', () => new MemberNotFound('labeling-team', 'auditors'), 404],
    ['LastMemberGroup', () => new LastMemberGroup('labeling-team', 'labelers'), 409],
    ['PreconditionFailed', () => new PreconditionFailed(), 412],
    ['TeamNotManaged', () => new TeamNotManaged('labeling-team'), 409],
  ])('%s carries its name as code and name, and status %i', (expectedName, create, status) => {
    // Act
    const error: DomainError = create();

    // Assess
    expect(error).toBeInstanceOf(DomainError);
    expect({ name: error.name, code: error.code, status: statusOf(error) }).toEqual({
      name: expectedName,
      code: expectedName,
      status,
    });
  });

  it('MemberKindMismatch names both kinds', () => {
    // Act
    const error = new MemberKindMismatch('labeling-team', 'cognito', 'oidc');

    // Assess
    expect(error.message).toBe("Work team 'labeling-team' has Cognito groups; it cannot take OIDC groups");
  });

  it('MemberLimitExceeded defaults to the limit of 10 groups and details the limit and the count', () => {
    // Act
    const error = new MemberLimitExceeded('labeling-team', 12);

    // Assess
    expect(error.details).toEqual({ limit: 10, requested: 12 });
    expect(error.message).toBe(
      "Work team 'labeling-team' can hold at most 10 member groups; this change would give it 12",
    );
  });

  it('MemberNotFound masks a group name that is an e-mail address', () => {
    // Act
    const error = new MemberNotFound('labeling-team', 'jane.doe@example.com');

    // Assess
    expect(error.message).toBe("Work team 'labeling-team' has no member group '[email]'");
  });

  it('LastMemberGroup says how to go on', () => {
    // Act
    const error = new LastMemberGroup('labeling-team', 'labelers');

    // Assess
    expect(error.message).toContain('add another first, or delete the team');
  });

  it('PreconditionFailed takes the message it is given', () => {
    // Act
    const error = new PreconditionFailed('\'labeling-team\' is at "3", not "2"');

    // Assess
    expect(error.message).toBe('\'labeling-team\' is at "3", not "2"');
  });
});
