import { checkPolicy, type Policy, PolicyInvalid, parsePolicy } from '#lib/domain/policy';
import type { Violation } from '#lib/domain/validation';
import type { Toggle } from '#lib/domain/workteam';
import policyFile from '../../../policy/policy.json';
import { pathsAndCodes } from './fixtures';
import { desiredTeam, thrownBy } from './team-fixtures';

const POLICY: Policy = {
  version: '2026-11-22',
  namePattern: '^[a-z][a-z0-9-]{2,62}$',
  requiredTags: ['classification', 'cost-center'],
  classificationTag: 'classification',
  classifications: ['public', 'internal', 'confidential', 'restricted'],
  minimumWorkerAccess: { restricted: { sourceIp: 'Enabled' }, confidential: { sourceIp: 'Enabled' } },
};

const NO_VPC = { hasVpcConfig: false };

function policyJson(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...POLICY, ...overrides };
}

function policyInvalidBy(json: unknown): PolicyInvalid {
  const error = thrownBy(() => parsePolicy(json));
  if (!(error instanceof PolicyInvalid)) throw new Error('expected PolicyInvalid');
  return error;
}

function classified(classification: string, sourceIp: Toggle = 'Disabled') {
  return desiredTeam({
    tags: { classification, 'cost-center': '4711' },
    workerAccess: { sourceIp, vpcSourceIp: 'Disabled' },
  });
}

describe('parsePolicy', () => {
  it("accepts the repository's policy file", () => {
    // Act
    const policy = parsePolicy(policyFile);

    // Assess
    expect(policy).toMatchObject(POLICY);
    expect(policy.autoProvisioning?.groupPattern).toBe('^labelers-(?<team>[a-z0-9](-*[a-z0-9]){0,61})$');
  });

  it('refuses an auto-provisioning pattern that does not capture the team name', () => {
    // Act
    const error = policyInvalidBy({
      ...POLICY,
      autoProvisioning: {
        groupPattern: '^labelers-[a-z]+$',
        description: 'x',
        notifications: true,
        workerAccess: { sourceIp: 'Enabled', vpcSourceIp: 'Disabled' },
        tags: {},
      },
    });

    // Assess
    expect(error.issues).toEqual([
      { path: 'autoProvisioning.groupPattern', message: 'must capture the team name as (?<team>…)' },
    ]);
  });

  it('refuses a policy without a version, naming the field', () => {
    // Prepare
    const { version: _, ...withoutVersion } = POLICY;

    // Act
    const error = policyInvalidBy(withoutVersion);

    // Assess
    expect(error.issues.map(({ path }) => path)).toEqual(['version']);
    expect(error.message).toContain('version');
  });

  it('refuses a name pattern that is not a regular expression', () => {
    // Act
    const error = policyInvalidBy(policyJson({ namePattern: '^[a-z' }));

    // Assess
    expect(error.issues).toEqual([{ path: 'namePattern', message: 'must be a valid regular expression' }]);
  });

  it('refuses an unknown field, so that a typo in the policy is not silently ignored', () => {
    // Act
    const error = policyInvalidBy(policyJson({ requiredTag: ['owner'] }));

    // Assess
    expect(error.message).toContain('requiredTag');
  });

  it('refuses a worker-access minimum other than Enabled or Disabled', () => {
    // Act
    const error = policyInvalidBy(policyJson({ minimumWorkerAccess: { restricted: { sourceIp: 'On' } } }));

    // Assess
    expect(error.issues.map(({ path }) => path)).toEqual(['minimumWorkerAccess.restricted.sourceIp']);
  });

  it('refuses a worker-access minimum for a classification that is not listed', () => {
    // Act
    const error = policyInvalidBy(policyJson({ minimumWorkerAccess: { secret: { sourceIp: 'Enabled' } } }));

    // Assess
    expect(error.issues).toEqual([{ path: 'minimumWorkerAccess.secret', message: 'is not one of classifications' }]);
  });

  it('refuses an empty list of classifications', () => {
    // Act
    const error = policyInvalidBy(policyJson({ classifications: [], minimumWorkerAccess: {} }));

    // Assess
    expect(error.issues.map(({ path }) => path)).toEqual(['classifications']);
  });

  it("accepts the repository's audit settings", () => {
    // Act
    const policy = parsePolicy(policyFile);

    // Assess
    expect(policy.audit).toMatchObject({
      notificationsRequiredFor: ['internal', 'confidential', 'restricted'],
      workforceSourceCidrs: ['10.0.0.0/8', '192.0.2.0/24'],
      teamLimitWarningPercent: 80,
    });
    expect(Object.values(policy.audit?.remediation ?? {})).not.toContain('remediate');
  });

  it('accepts a policy without an audit section, whose settings all have defaults', () => {
    // Act
    const policy = parsePolicy(POLICY);

    // Assess
    expect(policy).toEqual(POLICY);
  });

  it('accepts IPv4 and IPv6 ranges and a remediation mode per audit rule', () => {
    // Prepare
    const audit = {
      workforceSourceCidrs: ['10.0.0.0/8', '2001:db8::/32'],
      remediation: { 'worker-access.drift': 'remediate', 'team.drift': 'report' },
    };

    // Act
    const policy = parsePolicy(policyJson({ audit }));

    // Assess
    expect(policy.audit).toEqual(audit);
  });

  it('refuses a remediation setting for a rule the audit does not have, naming the rules it has', () => {
    // Act
    const error = policyInvalidBy(policyJson({ audit: { remediation: { 'worker-acess.drift': 'remediate' } } }));

    // Assess
    expect(error.issues).toEqual([
      {
        path: 'audit.remediation.worker-acess.drift',
        message: expect.stringMatching(/^is not an audit rule \(the rules are team\.missing, .*worker-access\.drift/),
      },
    ]);
  });

  it('refuses a remediation mode other than report or remediate', () => {
    // Act
    const error = policyInvalidBy(policyJson({ audit: { remediation: { 'team.drift': 'fix' } } }));

    // Assess
    expect(error.issues.map(({ path }) => path)).toEqual(['audit.remediation.team.drift']);
  });

  test.each(['10.0.0.0', '10.0.0.0/33', '300.0.0.0/8', '2001:db8::/129', 'internal'])(
    'refuses the workforce source range %j, which is no CIDR',
    (cidr) => {
      // Act
      const error = policyInvalidBy(policyJson({ audit: { workforceSourceCidrs: ['10.0.0.0/8', cidr] } }));

      // Assess
      expect(error.issues).toEqual([{ path: 'audit.workforceSourceCidrs.1', message: 'must be an IPv4 or IPv6 CIDR' }]);
    },
  );

  it('refuses a classification that needs notifications but is not listed', () => {
    // Act
    const error = policyInvalidBy(policyJson({ audit: { notificationsRequiredFor: ['internal', 'secret'] } }));

    // Assess
    expect(error.issues).toEqual([
      { path: 'audit.notificationsRequiredFor.1', message: 'is not one of classifications' },
    ]);
  });

  test.each([0, 101])('refuses a team-limit warning share of %i %%', (percent) => {
    // Act
    const error = policyInvalidBy(policyJson({ audit: { teamLimitWarningPercent: percent } }));

    // Assess
    expect(error.issues.map(({ path }) => path)).toEqual(['audit.teamLimitWarningPercent']);
  });

  it('refuses an unknown field of the audit section', () => {
    // Act
    const error = policyInvalidBy(policyJson({ audit: { teamLimitWarning: 80 } }));

    // Assess
    expect(error.message).toContain('teamLimitWarning');
  });

  it('refuses something that is not a policy at all, as a plain Error named PolicyInvalid', () => {
    // Act
    const error = policyInvalidBy('policy');

    // Assess
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('PolicyInvalid');
    expect(error.issues.map(({ path }) => path)).toEqual(['(the policy)']);
  });
});

describe('checkPolicy', () => {
  it('accepts a team that follows every rule', () => {
    // Act
    const violations = checkPolicy(desiredTeam(), POLICY, NO_VPC);

    // Assess
    expect(violations).toEqual([]);
  });

  it('refuses a name that does not match the name pattern, naming the rule and the version', () => {
    // Act
    const violations = checkPolicy(desiredTeam({ name: 'Labeling-Team' }), POLICY, NO_VPC);

    // Assess
    expect(violations).toEqual<Violation[]>([
      {
        path: 'name',
        code: 'Policy',
        message: 'name must match ^[a-z][a-z0-9-]{2,62}$ (policy 2026-11-22, rule namePattern)',
      },
    ]);
  });

  it('matches the name pattern against the whole name even when the pattern is not anchored', () => {
    // Prepare
    const policy = { ...POLICY, namePattern: '[a-z]+' };

    // Act
    const violations = checkPolicy(desiredTeam({ name: 'team-1' }), policy, NO_VPC);

    // Assess
    expect(pathsAndCodes(violations)).toEqual([{ path: 'name', code: 'Policy' }]);
  });

  it('requires every required tag', () => {
    // Act
    const violations = checkPolicy(desiredTeam({ tags: { classification: 'internal' } }), POLICY, NO_VPC);

    // Assess
    expect(violations).toEqual([
      {
        path: 'tags.cost-center',
        code: 'Policy',
        message: "tag 'cost-center' is required and must not be empty (policy 2026-11-22, rule requiredTags)",
      },
    ]);
  });

  test.each(['', '   '])('refuses the required tag value %j as empty', (value) => {
    // Act
    const violations = checkPolicy(
      desiredTeam({ tags: { classification: 'internal', 'cost-center': value } }),
      POLICY,
      NO_VPC,
    );

    // Assess
    expect(pathsAndCodes(violations)).toEqual([{ path: 'tags.cost-center', code: 'Policy' }]);
  });

  it('does not take an inherited property of the tags for a tag', () => {
    // Prepare
    const policy = { ...POLICY, requiredTags: ['toString'] };

    // Act
    const violations = checkPolicy(desiredTeam(), policy, NO_VPC);

    // Assess
    expect(pathsAndCodes(violations)).toEqual([{ path: 'tags.toString', code: 'Policy' }]);
  });

  it('refuses a classification that the policy does not list, naming those it does', () => {
    // Act
    const violations = checkPolicy(classified('secret'), POLICY, NO_VPC);

    // Assess
    expect(violations).toEqual([
      {
        path: 'tags.classification',
        code: 'Policy',
        message:
          "tag 'classification' must be one of public, internal, confidential, restricted (policy 2026-11-22, rule classifications)",
      },
    ]);
  });

  test.each(['restricted', 'confidential'])(
    'requires workerAccess.sourceIp Enabled for a %s team',
    (classification) => {
      // Act
      const violations = checkPolicy(classified(classification), POLICY, NO_VPC);

      // Assess
      expect(violations).toEqual([
        {
          path: 'workerAccess.sourceIp',
          code: 'Policy',
          message: `workerAccess.sourceIp must be Enabled for a team classified '${classification}' (policy 2026-11-22, rule minimumWorkerAccess)`,
        },
      ]);
    },
  );

  it('accepts a restricted team with workerAccess.sourceIp Enabled', () => {
    // Act
    const violations = checkPolicy(classified('restricted', 'Enabled'), POLICY, NO_VPC);

    // Assess
    expect(violations).toEqual([]);
  });

  it('accepts a public team with worker access Disabled', () => {
    // Act
    const violations = checkPolicy(classified('public'), POLICY, NO_VPC);

    // Assess
    expect(violations).toEqual([]);
  });

  it('refuses workerAccess.vpcSourceIp Enabled when the workforce has no VPC, explaining why', () => {
    // Prepare
    const team = desiredTeam({ workerAccess: { sourceIp: 'Enabled', vpcSourceIp: 'Enabled' } });

    // Act
    const violations = checkPolicy(team, POLICY, NO_VPC);

    // Assess
    expect(violations).toEqual([
      {
        path: 'workerAccess.vpcSourceIp',
        code: 'Policy',
        message:
          'workerAccess.vpcSourceIp cannot be Enabled: VpcSourceIp only works from a private worker portal inside a VPC, and this workforce has no WorkforceVpcConfig (policy 2026-11-22, rule vpcSourceIpNeedsVpc)',
      },
    ]);
  });

  it('accepts workerAccess.vpcSourceIp Enabled when the workforce has a VPC', () => {
    // Prepare
    const team = desiredTeam({ workerAccess: { sourceIp: 'Enabled', vpcSourceIp: 'Enabled' } });

    // Act
    const violations = checkPolicy(team, POLICY, { hasVpcConfig: true });

    // Assess
    expect(violations).toEqual([]);
  });

  it('lists every broken rule at once', () => {
    // Prepare
    const team = desiredTeam({
      name: 'X',
      tags: { classification: 'restricted' },
      workerAccess: { sourceIp: 'Disabled', vpcSourceIp: 'Enabled' },
    });

    // Act
    const violations = checkPolicy(team, POLICY, NO_VPC);

    // Assess
    expect(pathsAndCodes(violations)).toEqual([
      { path: 'name', code: 'Policy' },
      { path: 'tags.cost-center', code: 'Policy' },
      { path: 'workerAccess.sourceIp', code: 'Policy' },
      { path: 'workerAccess.vpcSourceIp', code: 'Policy' },
    ]);
  });
});
