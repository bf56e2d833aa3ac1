import fc from 'fast-check';
import { LastMemberGroup, MemberKindMismatch, MemberLimitExceeded, MemberNotFound } from '#lib/domain/errors';
import { addMembers, removeMember, sameMembers } from '#lib/domain/members';
import type { Members } from '#lib/domain/team';
import { statusOf } from '#lib/http/errors';
import { repeat } from './fixtures';
import { desiredTeam, thrownBy } from './team-fixtures';

function groups(count: number, prefix = 'group'): string[] {
  return repeat(count, (index) => `${prefix}-${index}`);
}

describe('addMembers', () => {
  it('appends the new groups after the existing ones, ignoring those the team has', () => {
    // Prepare
    const team = desiredTeam({ members: { cognitoGroups: ['labelers', 'reviewers'] } });

    // Act
    const result = addMembers(team, { cognitoGroups: ['auditors', 'labelers', 'auditors', 'admins'] });

    // Assess
    expect(result.members).toEqual({ cognitoGroups: ['labelers', 'reviewers', 'auditors', 'admins'] });
  });

  it('adds OIDC groups to an OIDC team', () => {
    // Prepare
    const team = desiredTeam({ members: { oidcGroups: ['a'] } });

    // Act
    const result = addMembers(team, { oidcGroups: ['b'] });

    // Assess
    expect(result.members).toEqual({ oidcGroups: ['a', 'b'] });
  });

  it('refuses OIDC groups for a Cognito team with MemberKindMismatch (409)', () => {
    // Act
    const error = thrownBy(() => addMembers(desiredTeam(), { oidcGroups: ['a'] }));

    // Assess
    expect(error).toBeInstanceOf(MemberKindMismatch);
    expect(statusOf(error as MemberKindMismatch)).toBe(409);
  });

  it('refuses Cognito groups for an OIDC team with MemberKindMismatch', () => {
    // Act
    const error = thrownBy(() => addMembers(desiredTeam({ members: { oidcGroups: ['a'] } }), { cognitoGroups: ['b'] }));

    // Assess
    expect(error).toBeInstanceOf(MemberKindMismatch);
  });

  it('refuses to go beyond 10 groups with MemberLimitExceeded (409), naming the limit and the count', () => {
    // Prepare
    const team = desiredTeam({ members: { cognitoGroups: groups(8) } });

    // Act
    const error = thrownBy(() => addMembers(team, { cognitoGroups: groups(3, 'new') }));

    // Assess
    expect(error).toBeInstanceOf(MemberLimitExceeded);
    const exceeded = error as MemberLimitExceeded;
    expect({ status: statusOf(exceeded), details: exceeded.details, message: exceeded.message }).toEqual({
      status: 409,
      details: { limit: 10, requested: 11 },
      message: "Work team 'labeling-team' can hold at most 10 member groups; this change would give it 11",
    });
  });

  it('accepts reaching exactly 10 groups', () => {
    // Prepare
    const team = desiredTeam({ members: { cognitoGroups: groups(8) } });

    // Act
    const result = addMembers(team, { cognitoGroups: groups(2, 'new') });

    // Assess
    expect('cognitoGroups' in result.members && result.members.cognitoGroups).toHaveLength(10);
  });

  it('counts only the groups that are new against the limit', () => {
    // Prepare
    const team = desiredTeam({ members: { cognitoGroups: groups(10) } });

    // Act
    const result = addMembers(team, { cognitoGroups: ['group-0', 'group-9'] });

    // Assess
    expect(result.members).toEqual({ cognitoGroups: groups(10) });
  });

  it('does not change the team it is given', () => {
    // Prepare
    const team = desiredTeam();

    // Act
    addMembers(team, { cognitoGroups: ['auditors'] });

    // Assess
    expect(team).toEqual(desiredTeam());
  });

  it('keeps every existing group, in order, for any additions within the limit', () => {
    const groupName = fc.stringMatching(/^[a-z]{1,3}$/);
    const scenario = fc
      .uniqueArray(groupName, { minLength: 1, maxLength: 10 })
      .chain((existing) =>
        fc.record({
          existing: fc.constant(existing),
          additions: fc.array(fc.oneof(groupName, fc.constantFrom(...existing)), { minLength: 1, maxLength: 10 }),
        }),
      )
      .filter(({ existing, additions }) => new Set([...existing, ...additions]).size <= 10);

    fc.assert(
      fc.property(scenario, fc.boolean(), ({ existing, additions }, cognito) => {
        // Prepare
        const members: Members = cognito ? { cognitoGroups: existing } : { oidcGroups: existing };
        const add: Members = cognito ? { cognitoGroups: additions } : { oidcGroups: additions };

        // Act
        const result = addMembers(desiredTeam({ members }), add);

        // Assess
        const resultGroups =
          'cognitoGroups' in result.members ? result.members.cognitoGroups : result.members.oidcGroups;
        expect(resultGroups.slice(0, existing.length)).toEqual(existing);
        expect(new Set(resultGroups)).toEqual(new Set([...existing, ...additions]));
        expect(resultGroups).toHaveLength(new Set(resultGroups).size);
      }),
    );
  });
});

describe('removeMember', () => {
  it('removes the group and keeps the others in order', () => {
    // Prepare
    const team = desiredTeam({ members: { cognitoGroups: ['a', 'b', 'c'] } });

    // Act
    const result = removeMember(team, 'b');

    // Assess
    expect(result.members).toEqual({ cognitoGroups: ['a', 'c'] });
  });

  it('refuses a group the team does not have with MemberNotFound (404)', () => {
    // Act
    const error = thrownBy(() => removeMember(desiredTeam(), 'auditors'));

    // Assess
    expect(error).toBeInstanceOf(MemberNotFound);
    expect(statusOf(error as MemberNotFound)).toBe(404);
  });

  it('refuses to remove the only group with LastMemberGroup (409)', () => {
    // Prepare
    const team = desiredTeam({ members: { oidcGroups: ['only'] } });

    // Act
    const error = thrownBy(() => removeMember(team, 'only'));

    // Assess
    expect(error).toBeInstanceOf(LastMemberGroup);
    expect(statusOf(error as LastMemberGroup)).toBe(409);
  });
});

describe('sameMembers', () => {
  it.each([
    [{ cognitoGroups: ['a', 'b'] }, { cognitoGroups: ['b', 'a'] }, true],
    [{ cognitoGroups: ['a'] }, { cognitoGroups: ['a', 'b'] }, false],
    [{ cognitoGroups: ['a', 'b'] }, { cognitoGroups: ['a', 'c'] }, false],
    [{ cognitoGroups: ['a'] }, { oidcGroups: ['a'] }, false],
    [{ oidcGroups: ['x', 'y'] }, { oidcGroups: ['y', 'x'] }, true],
  ] as [Members, Members, boolean][])('compares %j with %j: %s', (a, b, same) => {
    // Act / Assess: order does not count, the identity provider and every group do
    expect(sameMembers(a, b)).toBe(same);
    expect(sameMembers(b, a)).toBe(same);
  });
});
