/**
 * `anything-but` with `wildcard` in the local event bus's patterns, as EventBridge documents it ("Anything-but
 * using a wildcard"): the audit's real-time rule leaves out the sessions of this stage's roles in every account
 * (the hub's and the targets', which share the stage's IAM path) with it.
 */
import { compilePattern, matchesPattern } from '../../../local/event-pattern';

const OWN = 'arn:aws:iam::*:role/workteam-automation/ci/*';

function issuer(arn: string | undefined) {
  return { detail: { userIdentity: { sessionContext: { sessionIssuer: arn === undefined ? {} : { arn } } } } };
}

describe('anything-but with a wildcard', () => {
  const pattern = compilePattern(
    {
      detail: { userIdentity: { sessionContext: { sessionIssuer: { arn: [{ 'anything-but': { wildcard: OWN } }] } } } },
    },
    'in the test',
  );

  it.each([
    ['a role of the stage in the hub', 'arn:aws:iam::000000000000:role/workteam-automation/ci/AuditRole', false],
    [
      "a target's role of the stage",
      'arn:aws:iam::111111111111:role/workteam-automation/ci/workteam-automation-target-ci-eu-west-1',
      false,
    ],
    ['a role of another stage', 'arn:aws:iam::111111111111:role/workteam-automation/ci-eu/x', true],
    ['a role without the path', 'arn:aws:iam::111111111111:role/workteam-automation-ci-x', true],
    ['a role of a longer account field', 'arn:aws:iam::1:role/other/workteam-automation/ci/x', true],
  ])('matches %s: %s', (_who, arn, matched) => {
    expect(matchesPattern(pattern, issuer(arn))).toBe(matched);
  });

  it('never matches a field that is not there, as every anything-but', () => {
    expect(matchesPattern(pattern, issuer(undefined))).toBe(false);
  });

  it('takes a list of wildcards, and a star escaped as itself', () => {
    const listed = compilePattern({ name: [{ 'anything-but': { wildcard: ['a*', 'b\\*c'] } }] }, 'in the test');
    expect(matchesPattern(listed, { name: 'abc' })).toBe(false);
    expect(matchesPattern(listed, { name: 'b*c' })).toBe(false);
    expect(matchesPattern(listed, { name: 'bxc' })).toBe(true);
  });

  it('refuses a wildcard that is not a string or a list of strings', () => {
    expect(() => compilePattern({ name: [{ 'anything-but': { wildcard: 3 } }] }, 'in the test')).toThrow(/wildcard/);
  });
});
