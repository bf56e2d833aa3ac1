import { cidrWithin, maskAddress, parseCidr } from '#lib/domain/addresses';
import {
  type Finding,
  findingKey,
  type GroupState,
  type RuleId,
  type TeamAuditInput,
  type TopicState,
} from '#lib/domain/audit/findings';
import {
  allowsSageMakerPublish,
  auditTeam,
  auditTeamCount,
  auditWorkforce,
  LISTED_ADDRESSES_MAX,
  RULES,
  remediationFor,
  rulesNotEvaluated,
} from '#lib/domain/audit/rules';
import type { LiveWorkforce, LiveWorkteam } from '#lib/domain/live';
import type { Policy } from '#lib/domain/policy';
import type { TeamRecord } from '#lib/domain/team';
import { CLIENT_ID, repeat, TOPIC_ARN, USER_POOL } from './fixtures';
import { desiredTeam, IDENTITY, liveTeam } from './team-fixtures';

// ---------------------------------------------------------------------------------------------------------------
// Builders: plain data, one thing changed at a time.

const POLICY: Policy = {
  version: '2026-11-22',
  namePattern: '^[a-z][a-z0-9-]{2,62}$',
  requiredTags: ['classification', 'cost-center'],
  classificationTag: 'classification',
  classifications: ['public', 'internal', 'confidential', 'restricted'],
  minimumWorkerAccess: { restricted: { sourceIp: 'Enabled' }, confidential: { sourceIp: 'Enabled' } },
  audit: {
    notificationsRequiredFor: ['internal', 'confidential', 'restricted'],
    workforceSourceCidrs: ['10.0.0.0/8', '192.0.2.0/24'],
    teamLimitWarningPercent: 80,
  },
};

const NAME = 'labeling-team';

/** The shape of `sageMakerPublishPolicy` in lib/adapters/notifications.ts (the domain cannot import it). */
function projectTopicPolicy(topicArn: string) {
  return {
    Version: '2012-10-17',
    Id: 'workteam-notifications',
    Statement: [
      {
        Sid: 'AllowSageMakerToPublish',
        Effect: 'Allow',
        Principal: { Service: 'sagemaker.amazonaws.com' },
        Action: 'sns:Publish',
        Resource: topicArn,
        Condition: { StringEquals: { 'aws:SourceAccount': topicArn.split(':')[4] } },
      },
    ],
  };
}

function topicPolicy(...statements: Record<string, unknown>[]): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: statements });
}

/** A live team as ListWorkteams lists it (no tags), matching `teamRecord()`'s desired state. */
function listedTeam(overrides: Partial<LiveWorkteam> = {}): LiveWorkteam {
  return liveTeam({ tags: undefined, ...overrides });
}

function teamRecord(overrides: Partial<TeamRecord> = {}): TeamRecord {
  const spec = desiredTeam();
  return {
    name: NAME,
    spec,
    identity: IDENTITY,
    owner: 'owner-sub',
    version: 2,
    lifecycle: 'active',
    applyState: 'Applied',
    appliedVersion: 2,
    appliedSpec: spec,
    topicArn: TOPIC_ARN,
    topicMayExist: true,
    createdAt: '2026-11-01T10:00:00.000Z',
    updatedAt: '2026-11-02T10:00:00.000Z',
    history: [],
    ...overrides,
  };
}

function workforce(overrides: Partial<LiveWorkforce> = {}): LiveWorkforce {
  return {
    name: 'default',
    arn: 'arn:aws:sagemaker:eu-west-1:123456789012:workforce/default',
    cognito: { userPool: USER_POOL, clientId: CLIENT_ID },
    sourceIpCidrs: ['10.20.0.0/16'],
    status: 'Active',
    ...overrides,
  };
}

function group(...emails: string[]): GroupState {
  return { exists: true, emails };
}

const GONE: GroupState = { exists: false, emails: [] };

function topic(overrides: Partial<TopicState> = {}): TopicState {
  return {
    arn: TOPIC_ARN,
    exists: true,
    policy: JSON.stringify(projectTopicPolicy(TOPIC_ARN)),
    emailEndpoints: ['ana@example.com', 'ben@example.com'],
    pendingEmailEndpoints: [],
    ...overrides,
  };
}

/** A managed team that breaks no rule: live as desired, groups read, every worker subscribed. */
function managedTeam(overrides: Partial<TeamAuditInput> = {}): TeamAuditInput {
  return {
    name: NAME,
    live: listedTeam(),
    record: teamRecord(),
    workforce: workforce(),
    topic: topic(),
    groups: { labelers: group('ana@example.com'), reviewers: group('ben@example.com') },
    ...overrides,
  };
}

/** The same team, but nobody manages it: its tags come from ListTags. */
function unmanagedTeam(overrides: Partial<TeamAuditInput> = {}): TeamAuditInput {
  return managedTeam({
    record: undefined,
    liveTags: { classification: 'internal', 'cost-center': '4711' },
    ...overrides,
  });
}

/** A managed team whose desired state is `desiredTeam(specOverrides)`. */
function managedRecord(specOverrides: Parameters<typeof desiredTeam>[0], overrides: Partial<TeamRecord> = {}) {
  const spec = desiredTeam(specOverrides);
  return teamRecord({ spec, appliedSpec: spec, ...overrides });
}

function rulesOf(findings: Finding[]): RuleId[] {
  return findings.map(({ rule }) => rule);
}

function only(findings: Finding[], rule: RuleId): Finding {
  const matching = findings.filter((finding) => finding.rule === rule);
  if (matching.length !== 1) throw new Error(`expected one ${rule} finding, got ${rulesOf(findings).join(', ')}`);
  return matching[0] as Finding;
}

function aFinding(overrides: Partial<Finding> = {}): Finding {
  return {
    rule: 'worker-access.drift',
    severity: 'high',
    resource: `team/${NAME}`,
    team: NAME,
    message: 'drifted',
    desired: {},
    actual: {},
    remediable: true,
    ...overrides,
  };
}

const ADDRESS_PATTERN = /[^\s@*]+@[a-z0-9.-]+\.[a-z]{2,}/i;

// ---------------------------------------------------------------------------------------------------------------

describe('auditTeam', () => {
  it('reports nothing for a managed team that is as desired and as the policy wants', () => {
    // Act
    const findings = auditTeam(managedTeam(), POLICY);

    // Assess
    expect(findings).toEqual([]);
  });

  describe('team.missing', () => {
    it('reports a managed team that SageMaker no longer has, and nothing else about it', () => {
      // Prepare
      const input = managedTeam({
        live: undefined,
        record: teamRecord({ orphaned: { group: 'labelers', at: '2026-11-03T10:00:00.000Z' } }),
        topic: topic({ exists: false }),
      });

      // Act
      const findings = auditTeam(input, POLICY);

      // Assess
      expect(findings).toEqual([
        {
          rule: 'team.missing',
          severity: 'high',
          resource: `team/${NAME}`,
          team: NAME,
          message: expect.stringContaining(`'${NAME}'`),
          desired: { exists: true },
          actual: { exists: false },
          remediable: true,
        },
      ]);
    });

    it('reports no missing team for a record whose team was never created yet', () => {
      // Prepare
      const input = managedTeam({
        live: undefined,
        record: teamRecord({ applyState: 'Pending', appliedVersion: undefined, appliedSpec: undefined }),
      });

      // Act
      const findings = auditTeam(input, POLICY);

      // Assess
      expect(findings).toEqual([]);
    });

    it('reports a missing team whose change is pending once an earlier version was applied, as not remediable', () => {
      // Prepare
      const input = managedTeam({ live: undefined, record: teamRecord({ applyState: 'Pending', version: 3 }) });

      // Act
      const findings = auditTeam(input, POLICY);

      // Assess
      expect(findings).toEqual([expect.objectContaining({ rule: 'team.missing', remediable: false })]);
      expect(findings[0]?.message).not.toMatch(/reconcile/);
    });

    it('reports a missing team whose last change failed, as not remediable', () => {
      // Prepare
      const input = managedTeam({ live: undefined, record: teamRecord({ applyState: 'Failed' }) });

      // Act
      const findings = auditTeam(input, POLICY);

      // Assess
      expect(findings).toEqual([expect.objectContaining({ rule: 'team.missing', remediable: false })]);
    });

    it('reports nothing for a deleted record whose team is gone', () => {
      // Prepare
      const input = managedTeam({ live: undefined, record: teamRecord({ lifecycle: 'deleted' }) });

      // Act
      const findings = auditTeam(input, POLICY);

      // Assess
      expect(findings).toEqual([]);
    });
  });

  describe('worker-access.drift', () => {
    it('reports worker access switched off by hand on a managed team as drift', () => {
      // Prepare
      const input = managedTeam({ live: listedTeam({ workerAccess: { sourceIp: 'Disabled' } }) });

      // Act
      const findings = auditTeam(input, POLICY);

      // Assess
      expect(findings).toEqual([
        {
          rule: 'worker-access.drift',
          severity: 'high',
          resource: `team/${NAME}`,
          team: NAME,
          message: expect.stringContaining(`'${NAME}'`),
          desired: { sourceIp: 'Enabled', vpcSourceIp: 'Disabled' },
          actual: { sourceIp: 'Disabled', vpcSourceIp: 'Disabled' },
          remediable: true,
        },
      ]);
      expect(findings[0]?.message).toMatch(/reconcile/);
    });

    it('reports no drift for a Failed team, which differs because its own change failed', () => {
      // Prepare
      const input = managedTeam({
        live: listedTeam({ description: 'Old description', workerAccess: undefined }),
        record: teamRecord({ applyState: 'Failed' }),
      });

      // Act
      const findings = auditTeam(input, POLICY);

      // Assess
      expect(findings).toEqual([]);
    });

    it('reports no drift for a Pending team, whose change is still being applied', () => {
      // Prepare
      const input = managedTeam({
        live: listedTeam({ description: 'Old description', workerAccess: { sourceIp: 'Disabled' } }),
        record: teamRecord({ applyState: 'Pending', version: 3 }),
      });

      // Act
      const findings = auditTeam(input, POLICY);

      // Assess
      expect(findings).toEqual([]);
    });

    it('reports no drift for a team that nobody manages', () => {
      // Prepare
      const input = unmanagedTeam({ live: listedTeam({ workerAccess: { sourceIp: 'Disabled' } }) });

      // Act
      const findings = auditTeam(input, POLICY);

      // Assess
      expect(findings).toEqual([]);
    });
  });

  describe('team.drift', () => {
    it('reports a description and topic changed by hand, with only the fields that differ', () => {
      // Prepare
      const input = managedTeam({
        live: listedTeam({ description: 'Changed in the console', notificationTopicArn: `${TOPIC_ARN}-other` }),
        topic: topic({ arn: `${TOPIC_ARN}-other`, policy: JSON.stringify(projectTopicPolicy(`${TOPIC_ARN}-other`)) }),
      });

      // Act
      const finding = only(auditTeam(input, POLICY), 'team.drift');

      // Assess
      expect(finding).toEqual({
        rule: 'team.drift',
        severity: 'medium',
        resource: `team/${NAME}`,
        team: NAME,
        message: expect.stringContaining('description, notificationTopicArn'),
        desired: { description: 'Labels the product images', notificationTopicArn: TOPIC_ARN },
        actual: { description: 'Changed in the console', notificationTopicArn: `${TOPIC_ARN}-other` },
        remediable: true,
      });
    });

    it('reports a member group removed by hand as drift', () => {
      // Prepare
      const live = listedTeam({ memberDefinitions: [{ cognito: { ...IDENTITY, userGroup: 'labelers' } }] });
      const input = managedTeam({ live, groups: { labelers: group('ana@example.com') }, topic: undefined });

      // Act
      const finding = only(auditTeam(input, POLICY), 'team.drift');

      // Assess
      expect(finding.desired).toEqual({ members: ['labelers', 'reviewers'] });
      expect(finding.actual).toEqual({ members: ['labelers'] });
    });

    it('does not count a Cognito group that no longer exists as member drift, but as a missing group', () => {
      // Prepare
      const live = listedTeam({ memberDefinitions: [{ cognito: { ...IDENTITY, userGroup: 'labelers' } }] });
      const input = managedTeam({
        live,
        groups: { labelers: group('ana@example.com'), reviewers: GONE },
        topic: topic({ emailEndpoints: ['ana@example.com'] }),
      });

      // Act
      const findings = auditTeam(input, POLICY);

      // Assess
      expect(rulesOf(findings)).toEqual(['members.group-missing']);
    });

    it('does not count a missing group that SageMaker still lists as drift either', () => {
      // Prepare
      const input = managedTeam({
        groups: { labelers: group('ana@example.com'), reviewers: GONE },
        topic: topic({ emailEndpoints: ['ana@example.com'] }),
      });

      // Act
      const findings = auditTeam(input, POLICY);

      // Assess
      expect(rulesOf(findings)).toEqual(['members.group-missing']);
    });

    it('masks an e-mail address typed into a drifted description', () => {
      // Prepare
      const input = managedTeam({ live: listedTeam({ description: 'Ask ana@example.com' }) });

      // Act
      const finding = only(auditTeam(input, POLICY), 'team.drift');

      // Assess
      expect(JSON.stringify(finding)).not.toContain('ana@example.com');
    });
  });

  describe('worker-access.below-policy', () => {
    it('reports an unmanaged restricted team without source-IP restriction, and not as remediable', () => {
      // Prepare
      const input = unmanagedTeam({
        live: listedTeam({ workerAccess: undefined }),
        liveTags: { classification: 'restricted' },
      });

      // Act
      const finding = only(auditTeam(input, POLICY), 'worker-access.below-policy');

      // Assess
      expect(finding).toEqual({
        rule: 'worker-access.below-policy',
        severity: 'high',
        resource: `team/${NAME}`,
        team: NAME,
        message: expect.stringContaining("classified 'restricted'"),
        desired: { sourceIp: 'Enabled' },
        actual: { sourceIp: 'Disabled', vpcSourceIp: 'Disabled' },
        remediable: false,
      });
    });

    it('reports a managed team below the minimum as remediable when its desired state meets it', () => {
      // Prepare
      const input = managedTeam({
        live: listedTeam({ workerAccess: { sourceIp: 'Disabled', vpcSourceIp: 'Disabled' } }),
        record: managedRecord({ tags: { classification: 'confidential', 'cost-center': '4711' } }),
      });

      // Act
      const finding = only(auditTeam(input, POLICY), 'worker-access.below-policy');

      // Assess
      expect(finding.remediable).toBe(true);
    });

    it('reports a managed team whose desired state is itself below the minimum as not remediable', () => {
      // Prepare
      const input = managedTeam({
        live: listedTeam({ workerAccess: { sourceIp: 'Disabled', vpcSourceIp: 'Disabled' } }),
        record: managedRecord({
          tags: { classification: 'confidential', 'cost-center': '4711' },
          workerAccess: { sourceIp: 'Disabled', vpcSourceIp: 'Disabled' },
        }),
      });

      // Act
      const findings = auditTeam(input, POLICY);

      // Assess
      expect(findings).toEqual([expect.objectContaining({ rule: 'worker-access.below-policy', remediable: false })]);
      expect(findings[0]?.message).toMatch(/update the team/);
    });

    it('reports nothing for a restricted team with sourceIp Enabled', () => {
      // Prepare
      const input = unmanagedTeam({ liveTags: { classification: 'restricted' } });

      // Act
      const findings = auditTeam(input, POLICY);

      // Assess
      expect(findings).toEqual([]);
    });

    it('classifies a managed team by its desired tags, not by what ListTags would say', () => {
      // Prepare
      const input = managedTeam({
        live: listedTeam({ workerAccess: undefined }),
        record: managedRecord({ tags: { classification: 'public', 'cost-center': '4711' } }),
        liveTags: { classification: 'restricted' },
      });

      // Act
      const findings = auditTeam(input, POLICY);

      // Assess
      expect(rulesOf(findings)).toEqual(['worker-access.drift']);
    });

    it('reads a classification tag named __proto__ as a tag, not as the object prototype', () => {
      // Prepare
      const policy: Policy = { ...POLICY, classificationTag: '__proto__' };
      const input = unmanagedTeam({
        live: listedTeam({ workerAccess: undefined }),
        liveTags: JSON.parse('{"__proto__": "restricted"}'),
      });

      // Act
      const findings = auditTeam(input, policy);

      // Assess
      expect(rulesOf(findings)).toEqual(['worker-access.below-policy']);
    });

    it('reports nothing for an unmanaged team read without tags', () => {
      // Prepare
      const input = unmanagedTeam({ live: listedTeam({ workerAccess: undefined }), liveTags: undefined });

      // Act
      const findings = auditTeam(input, POLICY);

      // Assess
      expect(findings).toEqual([]);
    });
  });

  describe('worker-access.vpc-without-vpc-config', () => {
    const vpcEnabled = { sourceIp: 'Enabled', vpcSourceIp: 'Enabled' } as const;

    it('reports VpcSourceIp Enabled by hand on a team whose workforce has no VPC, as remediable', () => {
      // Prepare
      const input = managedTeam({ live: listedTeam({ workerAccess: vpcEnabled }) });

      // Act
      const finding = only(auditTeam(input, POLICY), 'worker-access.vpc-without-vpc-config');

      // Assess
      expect(finding).toEqual({
        rule: 'worker-access.vpc-without-vpc-config',
        severity: 'high',
        resource: `team/${NAME}`,
        team: NAME,
        message: expect.stringContaining("workforce 'default' has no WorkforceVpcConfig"),
        desired: { vpcSourceIp: 'Disabled' },
        actual: { vpcSourceIp: 'Enabled', workforceVpcConfig: false },
        remediable: true,
      });
    });

    it('reports it as not remediable on an unmanaged team', () => {
      // Prepare
      const input = unmanagedTeam({ live: listedTeam({ workerAccess: vpcEnabled }) });

      // Act
      const findings = auditTeam(input, POLICY);

      // Assess
      expect(findings).toEqual([
        expect.objectContaining({ rule: 'worker-access.vpc-without-vpc-config', remediable: false }),
      ]);
    });

    it('reports nothing when the workforce has a VPC configuration', () => {
      // Prepare
      const vpc = { vpcId: 'vpc-1', securityGroupIds: ['sg-1'], subnets: ['subnet-1'] };
      const input = unmanagedTeam({ live: listedTeam({ workerAccess: vpcEnabled }), workforce: workforce({ vpc }) });

      // Act
      const findings = auditTeam(input, POLICY);

      // Assess
      expect(findings).toEqual([]);
    });

    it('reports nothing when the workforce is not known', () => {
      // Prepare
      const input = unmanagedTeam({ live: listedTeam({ workerAccess: vpcEnabled }), workforce: undefined });

      // Act
      const findings = auditTeam(input, POLICY);

      // Assess
      expect(findings).toEqual([]);
    });
  });

  describe('notifications.not-configured', () => {
    it('reports an unmanaged internal team without a topic, which the policy wants notified', () => {
      // Prepare
      const input = unmanagedTeam({ live: listedTeam({ notificationTopicArn: undefined }), topic: undefined });

      // Act
      const findings = auditTeam(input, POLICY);

      // Assess
      expect(findings).toEqual([
        {
          rule: 'notifications.not-configured',
          severity: 'medium',
          resource: `team/${NAME}`,
          team: NAME,
          message: expect.stringContaining("classified 'internal'"),
          desired: { notifications: true },
          actual: { notifications: false },
          remediable: false,
        },
      ]);
    });

    it('counts an empty topic ARN as no topic', () => {
      // Prepare
      const input = unmanagedTeam({ live: listedTeam({ notificationTopicArn: '' }), topic: undefined });

      // Act
      const findings = auditTeam(input, POLICY);

      // Assess
      expect(rulesOf(findings)).toEqual(['notifications.not-configured']);
    });

    it('reports nothing for a public team without a topic', () => {
      // Prepare
      const input = unmanagedTeam({
        live: listedTeam({ notificationTopicArn: undefined }),
        liveTags: { classification: 'public' },
        topic: undefined,
      });

      // Act
      const findings = auditTeam(input, POLICY);

      // Assess
      expect(findings).toEqual([]);
    });

    it('reports a public managed team that wants notifications but lost its topic, as remediable', () => {
      // Prepare
      const input = managedTeam({
        live: listedTeam({ notificationTopicArn: undefined }),
        record: managedRecord({ tags: { classification: 'public', 'cost-center': '4711' } }),
        topic: undefined,
      });

      // Act
      const finding = only(auditTeam(input, POLICY), 'notifications.not-configured');

      // Assess
      expect(finding.remediable).toBe(true);
    });

    it('reports a managed internal team that does not want notifications, as not remediable', () => {
      // Prepare
      const input = managedTeam({
        live: listedTeam({ notificationTopicArn: undefined }),
        record: managedRecord({ notifications: false }),
        topic: undefined,
      });

      // Act
      const findings = auditTeam(input, POLICY);

      // Assess
      expect(findings).toEqual([expect.objectContaining({ rule: 'notifications.not-configured', remediable: false })]);
      expect(findings[0]?.message).toMatch(/notifications true/);
    });

    it('requires no topic anywhere when the policy has no audit section', () => {
      // Prepare
      const { audit: _, ...policy } = POLICY;
      const input = unmanagedTeam({ live: listedTeam({ notificationTopicArn: undefined }), topic: undefined });

      // Act
      const findings = auditTeam(input, policy);

      // Assess
      expect(findings).toEqual([]);
    });
  });

  describe('notifications.topic-missing', () => {
    it("reports a managed team's deleted topic as remediable, and checks nothing else of it", () => {
      // Prepare
      const input = managedTeam({ topic: topic({ exists: false, policy: undefined, emailEndpoints: [] }) });

      // Act
      const findings = auditTeam(input, POLICY);

      // Assess
      expect(findings).toEqual([
        {
          rule: 'notifications.topic-missing',
          severity: 'high',
          resource: `team/${NAME}`,
          team: NAME,
          message: expect.stringContaining('reconcile'),
          desired: { topicArn: TOPIC_ARN, exists: true },
          actual: { topicArn: TOPIC_ARN, exists: false },
          remediable: true,
        },
      ]);
    });

    it("reports an unmanaged team's deleted topic as not remediable", () => {
      // Prepare
      const input = unmanagedTeam({ topic: topic({ exists: false, policy: undefined, emailEndpoints: [] }) });

      // Act
      const findings = auditTeam(input, POLICY);

      // Assess
      expect(findings).toEqual([expect.objectContaining({ rule: 'notifications.topic-missing', remediable: false })]);
    });
  });

  describe('notifications.publish-denied', () => {
    it('reports a topic whose policy no longer lets SageMaker publish', () => {
      // Prepare
      const input = managedTeam({ topic: topic({ policy: topicPolicy() }) });

      // Act
      const findings = auditTeam(input, POLICY);

      // Assess
      expect(findings).toEqual([
        {
          rule: 'notifications.publish-denied',
          severity: 'high',
          resource: `team/${NAME}`,
          team: NAME,
          message: expect.stringContaining('sagemaker.amazonaws.com'),
          desired: { topicArn: TOPIC_ARN, sageMakerMayPublish: true },
          actual: { topicArn: TOPIC_ARN, sageMakerMayPublish: false },
          remediable: true,
        },
      ]);
    });

    it('reports it as not remediable for a managed team that does not want notifications', () => {
      // Prepare
      const input = managedTeam({
        record: managedRecord({ notifications: false }),
        live: listedTeam({ notificationTopicArn: TOPIC_ARN }),
        topic: topic({ policy: undefined }),
      });

      // Act
      const finding = only(auditTeam(input, POLICY), 'notifications.publish-denied');

      // Assess
      expect(finding.remediable).toBe(false);
    });
  });

  describe('notifications.workers-unsubscribed', () => {
    it('reports workers of the groups who are not subscribed, masked and counted', () => {
      // Prepare
      const input = managedTeam({
        groups: { labelers: group('ana@example.com', 'carla@example.com'), reviewers: group('ben@example.com') },
      });

      // Act
      const findings = auditTeam(input, POLICY);

      // Assess
      expect(findings).toEqual([
        {
          rule: 'notifications.workers-unsubscribed',
          severity: 'medium',
          resource: `team/${NAME}`,
          team: NAME,
          message: expect.stringContaining('1 worker(s)'),
          desired: { count: 0, addresses: [] },
          actual: { count: 1, addresses: ['c****@example.com'] },
          remediable: true,
        },
      ]);
    });

    it('lists at most 20 addresses but counts them all', () => {
      // Prepare
      const many = repeat(25, (index) => `worker${index}@example.com`);
      const input = managedTeam({ groups: { labelers: group('ana@example.com', ...many), reviewers: group() } });

      // Act
      const finding = only(auditTeam(input, POLICY), 'notifications.workers-unsubscribed');

      // Assess
      expect(finding.actual).toEqual({ count: 25, addresses: expect.any(Array) });
      expect((finding.actual as { addresses: string[] }).addresses).toHaveLength(LISTED_ADDRESSES_MAX);
    });

    it('takes an address subscribed in another case for the same mailbox', () => {
      // Prepare
      const input = managedTeam({ topic: topic({ emailEndpoints: ['ANA@example.com', 'Ben@Example.com'] }) });

      // Act
      const findings = auditTeam(input, POLICY);

      // Assess
      expect(findings).toEqual([]);
    });

    it('reports an unmanaged team’s unsubscribed workers as not remediable', () => {
      // Prepare
      const input = unmanagedTeam({ topic: topic({ emailEndpoints: ['ana@example.com'] }) });

      // Act
      const findings = auditTeam(input, POLICY);

      // Assess
      expect(findings).toEqual([
        expect.objectContaining({ rule: 'notifications.workers-unsubscribed', remediable: false }),
      ]);
    });

    it('counts a worker whose subscription is pending confirmation as subscribed', () => {
      // Prepare
      const input = managedTeam({
        topic: topic({ emailEndpoints: ['ana@example.com'], pendingEmailEndpoints: ['Ben@example.com'] }),
      });

      // Act
      const findings = auditTeam(input, POLICY);

      // Assess
      expect(findings).toEqual([]);
    });

    it('checks no subscription when a group of the team could not be read', () => {
      // Prepare
      const input = managedTeam({
        groups: { labelers: group('ana@example.com', 'carla@example.com') },
        topic: topic({ emailEndpoints: ['dora@example.com'] }),
      });

      // Act
      const findings = auditTeam(input, POLICY);

      // Assess
      expect(findings).toEqual([]);
    });
  });

  describe('notifications.stale-subscriptions', () => {
    it('reports addresses subscribed for nobody in the groups, masked and counted', () => {
      // Prepare
      const input = managedTeam({
        topic: topic({ emailEndpoints: ['ana@example.com', 'ben@example.com', 'dora@example.com'] }),
      });

      // Act
      const findings = auditTeam(input, POLICY);

      // Assess
      expect(findings).toEqual([
        {
          rule: 'notifications.stale-subscriptions',
          severity: 'medium',
          resource: `team/${NAME}`,
          team: NAME,
          message: expect.stringContaining('1 address(es)'),
          desired: { count: 0, addresses: [] },
          actual: { count: 1, addresses: ['d***@example.com'] },
          remediable: true,
        },
      ]);
    });

    it('leaves out a subscription pending confirmation, which lapses on its own', () => {
      // Prepare
      const input = managedTeam({
        topic: topic({
          emailEndpoints: ['ana@example.com', 'ben@example.com', 'dora@example.com'],
          pendingEmailEndpoints: ['emil@example.com'],
        }),
      });

      // Act
      const finding = only(auditTeam(input, POLICY), 'notifications.stale-subscriptions');

      // Assess
      expect(finding.actual).toEqual({ count: 1, addresses: ['d***@example.com'] });
    });

    it('reports no stale subscription when only a pending one belongs to nobody', () => {
      // Prepare
      const input = managedTeam({ topic: topic({ pendingEmailEndpoints: ['emil@example.com'] }) });

      // Act
      const findings = auditTeam(input, POLICY);

      // Assess
      expect(findings).toEqual([]);
    });

    it('counts the subscriptions of the workers of a group that no longer exists as stale', () => {
      // Prepare
      const input = managedTeam({ groups: { labelers: group('ana@example.com'), reviewers: GONE } });

      // Act
      const findings = auditTeam(input, POLICY);

      // Assess
      expect(rulesOf(findings)).toEqual(['members.group-missing', 'notifications.stale-subscriptions']);
    });
  });

  describe('members.group-missing', () => {
    it('reports the Cognito groups that no longer exist, as not remediable', () => {
      // Prepare
      const input = managedTeam({
        groups: { labelers: GONE, reviewers: GONE },
        topic: topic({ emailEndpoints: [] }),
      });

      // Act
      const findings = auditTeam(input, POLICY);

      // Assess
      expect(findings).toEqual([
        {
          rule: 'members.group-missing',
          severity: 'high',
          resource: `team/${NAME}`,
          team: NAME,
          message: expect.stringContaining("'labelers', 'reviewers'"),
          desired: { missing: [] },
          actual: { missing: ['labelers', 'reviewers'] },
          remediable: false,
        },
      ]);
      expect(findings[0]?.message).toMatch(/restore the groups .* or remove them from the team/);
    });

    it("reports a missing group that only a managed team's desired state names", () => {
      // Prepare
      const input = managedTeam({
        record: managedRecord({ members: { cognitoGroups: ['labelers', 'reviewers', 'auditors'] } }),
        groups: { labelers: group('ana@example.com'), reviewers: group('ben@example.com'), auditors: GONE },
      });

      // Act
      const findings = auditTeam(input, POLICY);

      // Assess
      expect(findings).toEqual([
        expect.objectContaining({ rule: 'members.group-missing', actual: { missing: ['auditors'] } }),
      ]);
    });

    it('reports nothing for a group that was not read', () => {
      // Prepare
      const input = unmanagedTeam({ groups: {}, topic: undefined });

      // Act
      const findings = auditTeam(input, POLICY);

      // Assess
      expect(findings).toEqual([]);
    });
  });

  describe('team.orphaned', () => {
    it('reports a managed team left orphaned, as not remediable', () => {
      // Prepare
      const input = managedTeam({
        record: teamRecord({ orphaned: { group: 'labelers', at: '2026-11-03T10:00:00.000Z' } }),
      });

      // Act
      const findings = auditTeam(input, POLICY);

      // Assess
      expect(findings).toEqual([
        {
          rule: 'team.orphaned',
          severity: 'high',
          resource: `team/${NAME}`,
          team: NAME,
          message: expect.stringContaining("last Cognito group 'labelers' was deleted"),
          desired: { orphaned: false },
          actual: { orphaned: true, group: 'labelers', since: '2026-11-03T10:00:00.000Z' },
          remediable: false,
        },
      ]);
    });

    it('reports no orphan for a deleted record', () => {
      // Prepare
      const input = managedTeam({
        record: teamRecord({ lifecycle: 'deleted', orphaned: { group: 'labelers', at: '2026-11-03T10:00:00.000Z' } }),
        liveTags: { classification: 'internal' },
      });

      // Act
      const findings = auditTeam(input, POLICY);

      // Assess
      expect(findings).toEqual([]);
    });
  });

  describe('a team that is not steady', () => {
    /** A managed team whose desired state would set right each finding it has: reconcile alone fixes them. */
    function brokenManagedTeam(applyState: TeamRecord['applyState']): TeamAuditInput {
      return managedTeam({
        live: listedTeam({ workerAccess: { sourceIp: 'Disabled', vpcSourceIp: 'Enabled' } }),
        record: managedRecord({ tags: { classification: 'confidential', 'cost-center': '4711' } }, { applyState }),
        topic: topic({ policy: 'not json', emailEndpoints: ['ben@example.com', 'dora@example.com'] }),
      });
    }

    it('has each finding remediable while it is steady (Applied)', () => {
      // Act
      const findings = auditTeam(brokenManagedTeam('Applied'), POLICY);

      // Assess
      expect(rulesOf(findings)).toEqual([
        'worker-access.drift',
        'worker-access.below-policy',
        'worker-access.vpc-without-vpc-config',
        'notifications.publish-denied',
        'notifications.workers-unsubscribed',
        'notifications.stale-subscriptions',
      ]);
      expect(findings.filter(({ remediable }) => !remediable)).toEqual([]);
    });

    test.each(['Pending', 'Failed'] as const)(
      'reports the same findings of a %s team but drift, none remediable',
      (applyState) => {
        // Act
        const findings = auditTeam(brokenManagedTeam(applyState), POLICY);

        // Assess
        expect(rulesOf(findings)).toEqual([
          'worker-access.below-policy',
          'worker-access.vpc-without-vpc-config',
          'notifications.publish-denied',
          'notifications.workers-unsubscribed',
          'notifications.stale-subscriptions',
        ]);
        expect(findings.filter(({ remediable }) => remediable)).toEqual([]);
      },
    );

    it("tells to let a Pending team's change be applied, not to reconcile it", () => {
      // Prepare
      const input = managedTeam({
        live: listedTeam({ notificationTopicArn: undefined }),
        record: teamRecord({ applyState: 'Pending', version: 3 }),
        topic: undefined,
      });

      // Act
      const finding = only(auditTeam(input, POLICY), 'notifications.not-configured');

      // Assess
      expect(finding.remediable).toBe(false);
      expect(finding.message).toMatch(/let its pending change be applied/);
      expect(finding.message).not.toMatch(/reconcile/);
    });

    it('tells to change a Failed team again, not to reconcile it', () => {
      // Prepare
      const input = managedTeam({
        record: teamRecord({ applyState: 'Failed' }),
        topic: topic({ exists: false, policy: undefined, emailEndpoints: [] }),
      });

      // Act
      const finding = only(auditTeam(input, POLICY), 'notifications.topic-missing');

      // Assess
      expect(finding.remediable).toBe(false);
      expect(finding.message).toMatch(/change the team through the API again/);
      expect(finding.message).not.toMatch(/reconcile/);
    });
  });

  describe('every finding', () => {
    /** A team that breaks every team rule it can at once (drift needs a record, so none here). */
    function brokenUnmanagedTeam(): TeamAuditInput {
      return unmanagedTeam({
        live: listedTeam({ workerAccess: { sourceIp: 'Disabled', vpcSourceIp: 'Enabled' } }),
        liveTags: { classification: 'restricted' },
        groups: { labelers: group('anastasia@example.com', 'carla@example.com'), reviewers: GONE },
        topic: topic({ policy: 'not json', emailEndpoints: ['dorothea@example.com'] }),
      });
    }

    it('is never remediable for a team that nobody manages', () => {
      // Act
      const findings = auditTeam(brokenUnmanagedTeam(), POLICY);

      // Assess
      expect(rulesOf(findings)).toEqual([
        'worker-access.below-policy',
        'worker-access.vpc-without-vpc-config',
        'members.group-missing',
        'notifications.publish-denied',
        'notifications.workers-unsubscribed',
        'notifications.stale-subscriptions',
      ]);
      expect(findings.filter(({ remediable }) => remediable)).toEqual([]);
    });

    it('never holds an e-mail address or a whole local part, and always names the team in its message', () => {
      // Act
      const findings = auditTeam(brokenUnmanagedTeam(), POLICY);

      // Assess
      const text = JSON.stringify(findings);
      for (const local of ['anastasia', 'carla', 'dorothea']) expect(text).not.toContain(local);
      expect(text).toContain('a********@example.com');
      for (const { message } of findings) {
        expect(message).not.toMatch(ADDRESS_PATTERN);
        expect(message).toContain(`'${NAME}'`);
      }
    });

    it('takes its severity from RULES', () => {
      // Act
      const findings = auditTeam(brokenUnmanagedTeam(), POLICY);

      // Assess
      for (const finding of findings) expect(finding.severity).toBe(RULES[finding.rule].severity);
    });
  });
});

describe('rulesNotEvaluated', () => {
  it('names no rule for a steady managed team whose groups were all read', () => {
    // Act
    const rules = rulesNotEvaluated(managedTeam());

    // Assess
    expect(rules).toEqual([]);
  });

  it('names no rule for a team that nobody manages, whose drift is no question', () => {
    // Prepare
    const input = unmanagedTeam({ record: teamRecord({ lifecycle: 'deleted', applyState: 'Pending' }) });

    // Act
    const rules = rulesNotEvaluated(input);

    // Assess
    expect(rules).toEqual([]);
  });

  test.each(['Pending', 'Failed'] as const)('names the drift rules of a %s team', (applyState) => {
    // Prepare
    const input = managedTeam({
      live: listedTeam({ workerAccess: { sourceIp: 'Disabled' } }),
      record: teamRecord({ applyState }),
    });

    // Act
    const rules = rulesNotEvaluated(input);

    // Assess
    expect(rules).toEqual(['team.drift', 'worker-access.drift']);
    expect(rulesOf(auditTeam(input, POLICY))).not.toContain('worker-access.drift');
  });

  it('names the drift rules of a Cognito team whose pool is not recorded', () => {
    // Prepare
    const input = managedTeam({
      live: listedTeam({ workerAccess: { sourceIp: 'Disabled' } }),
      record: teamRecord({ identity: undefined }),
    });

    // Act
    const rules = rulesNotEvaluated(input);

    // Assess
    expect(rules).toEqual(['team.drift', 'worker-access.drift']);
    expect(rulesOf(auditTeam(input, POLICY))).not.toContain('worker-access.drift');
  });

  it('names the subscription rules when a Cognito group of the team was not read', () => {
    // Prepare
    const input = managedTeam({
      groups: { labelers: group('ana@example.com', 'carla@example.com') },
      topic: topic({ emailEndpoints: ['dora@example.com'] }),
    });

    // Act
    const rules = rulesNotEvaluated(input);

    // Assess
    expect(rules).toEqual(['notifications.workers-unsubscribed', 'notifications.stale-subscriptions']);
    expect(auditTeam(input, POLICY)).toEqual([]);
  });

  it('names the drift and the subscription rules of a Pending team with a group not read', () => {
    // Prepare
    const input = managedTeam({ record: teamRecord({ applyState: 'Pending' }), groups: {} });

    // Act
    const rules = rulesNotEvaluated(input);

    // Assess
    expect(rules).toEqual([
      'team.drift',
      'worker-access.drift',
      'notifications.workers-unsubscribed',
      'notifications.stale-subscriptions',
    ]);
  });

  it('names no subscription rule when every group was read, one of them found gone', () => {
    // Prepare
    const input = managedTeam({ groups: { labelers: group('ana@example.com'), reviewers: GONE } });

    // Act
    const rules = rulesNotEvaluated(input);

    // Assess
    expect(rules).toEqual([]);
  });

  it('names no subscription rule when the topic does not exist, which topic-missing reports', () => {
    // Prepare
    const input = managedTeam({
      groups: {},
      topic: topic({ exists: false, policy: undefined, emailEndpoints: [] }),
    });

    // Act
    const rules = rulesNotEvaluated(input);

    // Assess
    expect(rules).toEqual([]);
  });
});

describe('findingKey', () => {
  it('is the same for the same resource, rule and severity', () => {
    // Act
    const first = findingKey(aFinding({ message: 'one message' }));
    const second = findingKey(aFinding({ message: 'another message', actual: { changed: true } }));

    // Assess
    expect(first).toBe(second);
  });

  it('makes the team limit reached (high) a new finding, apart from the warning near it (medium)', () => {
    // Prepare
    const [warning] = auditTeamCount(20, POLICY);
    const [reached] = auditTeamCount(25, POLICY);
    if (warning === undefined || reached === undefined) throw new Error('expected team-limit findings');

    // Act
    const keys = [findingKey(warning), findingKey(reached)];

    // Assess
    expect(keys).toEqual(['account#account.team-limit#medium', 'account#account.team-limit#high']);
  });
});

describe('allowsSageMakerPublish', () => {
  const allowAll = { Effect: 'Allow', Principal: '*', Action: 'sns:Publish', Resource: TOPIC_ARN };

  it("allows with the project's own topic policy, whose aws:SourceAccount condition does not count against it", () => {
    // Act
    const allowed = allowsSageMakerPublish(JSON.stringify(projectTopicPolicy(TOPIC_ARN)), TOPIC_ARN);

    // Assess
    expect(allowed).toBe(true);
  });

  test.each([
    [
      'principal and action as lists',
      {
        Principal: { Service: ['events.amazonaws.com', 'sagemaker.amazonaws.com'] },
        Action: ['sns:Subscribe', 'sns:Publish'],
      },
    ],
    ['Principal "*"', { Principal: '*' }],
    ['Principal {"AWS": "*"}', { Principal: { AWS: '*' } }],
    ['Action sns:*', { Action: 'sns:*' }],
    ['Action *', { Action: '*' }],
    ['Action in another case', { Action: 'SNS:Publish' }],
    ['Resource *', { Resource: '*' }],
    ['no Resource', { Resource: undefined }],
  ])('allows with %s', (_, change) => {
    // Prepare
    const statement = { ...allowAll, Principal: { Service: 'sagemaker.amazonaws.com' }, ...change };

    // Act
    const allowed = allowsSageMakerPublish(topicPolicy(statement), TOPIC_ARN);

    // Assess
    expect(allowed).toBe(true);
  });

  it('allows with a single statement that is not in a list', () => {
    // Act
    const allowed = allowsSageMakerPublish(JSON.stringify({ Statement: allowAll }), TOPIC_ARN);

    // Assess
    expect(allowed).toBe(true);
  });

  test.each([
    ['another service', { Principal: { Service: 'events.amazonaws.com' } }],
    ['an account principal', { Principal: { AWS: 'arn:aws:iam::123456789012:root' } }],
    ['another action', { Action: 'sns:Subscribe' }],
    ['another topic', { Resource: `${TOPIC_ARN}-other` }],
    ['Effect Deny alone', { Effect: 'Deny' }],
  ])('does not allow with %s', (_, change) => {
    // Act
    const allowed = allowsSageMakerPublish(topicPolicy({ ...allowAll, ...change }), TOPIC_ARN);

    // Assess
    expect(allowed).toBe(false);
  });

  it('lets a Deny for SageMaker win over an Allow', () => {
    // Prepare
    const deny = { Effect: 'Deny', Principal: { Service: 'sagemaker.amazonaws.com' }, Action: 'sns:*', Resource: '*' };

    // Act
    const allowed = allowsSageMakerPublish(topicPolicy(allowAll, deny), TOPIC_ARN);

    // Assess
    expect(allowed).toBe(false);
  });

  it('does not let a conditional Deny, such as one refusing unencrypted transport, count against it', () => {
    // Prepare
    const deny = {
      Effect: 'Deny',
      Principal: '*',
      Action: 'sns:Publish',
      Resource: TOPIC_ARN,
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    };

    // Act
    const allowed = allowsSageMakerPublish(topicPolicy(allowAll, deny), TOPIC_ARN);

    // Assess
    expect(allowed).toBe(true);
  });

  test.each([
    ['no policy', undefined],
    ['text that is not JSON', '{"Statement": '],
    ['JSON without statements', '{}'],
    ['a JSON list', '[]'],
  ])('does not allow with %s', (_, policy) => {
    // Act
    const allowed = allowsSageMakerPublish(policy, TOPIC_ARN);

    // Assess
    expect(allowed).toBe(false);
  });
});

describe('auditWorkforce', () => {
  it('reports nothing for an active workforce whose CIDRs lie within the allowed ranges', () => {
    // Act
    const findings = auditWorkforce(workforce({ sourceIpCidrs: ['10.20.0.0/16', '192.0.2.128/25'] }), POLICY);

    // Assess
    expect(findings).toEqual([]);
  });

  it('reports a workforce that is not Active as critical, with its failure reason', () => {
    // Prepare
    const failed = workforce({ status: 'Failed', failureReason: 'The user pool client does not exist' });

    // Act
    const findings = auditWorkforce(failed, POLICY);

    // Assess
    expect(findings).toEqual([
      {
        rule: 'workforce.not-active',
        severity: 'critical',
        resource: 'workforce/default',
        message: expect.stringContaining("Workforce 'default' is Failed"),
        desired: { status: 'Active' },
        actual: { status: 'Failed', failureReason: 'The user pool client does not exist' },
        remediable: false,
      },
    ]);
  });

  it('reports nothing about the status of a workforce whose status was not read', () => {
    // Act
    const findings = auditWorkforce(workforce({ status: undefined }), POLICY);

    // Assess
    expect(findings).toEqual([]);
  });

  it('reports a workforce without source-IP CIDRs, open to any address', () => {
    // Act
    const findings = auditWorkforce(workforce({ sourceIpCidrs: [] }), POLICY);

    // Assess
    expect(findings).toEqual([
      {
        rule: 'workforce.source-ip-missing',
        severity: 'high',
        resource: 'workforce/default',
        message: expect.stringContaining('open to any address'),
        desired: { within: ['10.0.0.0/8', '192.0.2.0/24'] },
        actual: { cidrs: [] },
        remediable: false,
      },
    ]);
  });

  it('reports a workforce without source-IP CIDRs even when the policy names no ranges', () => {
    // Prepare
    const { audit: _, ...policy } = POLICY;

    // Act
    const findings = auditWorkforce(workforce({ sourceIpCidrs: [] }), policy);

    // Assess
    expect(rulesOf(findings)).toEqual(['workforce.source-ip-missing']);
  });

  it('reports the CIDRs that lie outside every allowed range', () => {
    // Prepare
    const open = workforce({ sourceIpCidrs: ['10.20.0.0/16', '0.0.0.0/0', '192.0.2.0/23'] });

    // Act
    const findings = auditWorkforce(open, POLICY);

    // Assess
    expect(findings).toEqual([
      {
        rule: 'workforce.source-ip-outside-policy',
        severity: 'high',
        resource: 'workforce/default',
        message: expect.stringContaining('0.0.0.0/0, 192.0.2.0/23'),
        desired: { within: ['10.0.0.0/8', '192.0.2.0/24'] },
        actual: { cidrs: ['10.20.0.0/16', '0.0.0.0/0', '192.0.2.0/23'], outside: ['0.0.0.0/0', '192.0.2.0/23'] },
        remediable: false,
      },
    ]);
  });

  it('checks IPv6 CIDRs against IPv6 ranges', () => {
    // Prepare
    const policy: Policy = { ...POLICY, audit: { workforceSourceCidrs: ['2001:db8::/32'] } };

    // Act
    const findings = auditWorkforce(workforce({ sourceIpCidrs: ['2001:db8:1::/48', '2001:db9::/48'] }), policy);

    // Assess
    expect(only(findings, 'workforce.source-ip-outside-policy').actual).toEqual({
      cidrs: ['2001:db8:1::/48', '2001:db9::/48'],
      outside: ['2001:db9::/48'],
    });
  });

  it('allows any CIDR when the policy names no ranges', () => {
    // Prepare
    const { audit: _, ...policy } = POLICY;

    // Act
    const findings = auditWorkforce(workforce({ sourceIpCidrs: ['0.0.0.0/0'] }), policy);

    // Assess
    expect(findings).toEqual([]);
  });
});

describe('auditTeamCount', () => {
  test.each([0, 19])('reports nothing for %i teams', (count) => {
    // Act
    const findings = auditTeamCount(count, POLICY);

    // Assess
    expect(findings).toEqual([]);
  });

  test.each([20, 24])('warns (medium) from 80 %% of the limit: %i teams', (count) => {
    // Act
    const findings = auditTeamCount(count, POLICY);

    // Assess
    expect(findings).toEqual([
      {
        rule: 'account.team-limit',
        severity: 'medium',
        resource: 'account',
        message: expect.stringContaining(`${count} of SageMaker's 25 work teams`),
        desired: { limit: 25, warnFrom: 20 },
        actual: { count },
        remediable: false,
      },
    ]);
  });

  test.each([25, 30])('reports the limit reached (high) at %i teams', (count) => {
    // Act
    const findings = auditTeamCount(count, POLICY);

    // Assess
    expect(findings).toEqual([expect.objectContaining({ rule: 'account.team-limit', severity: 'high' })]);
  });

  it("warns from the policy's share of the limit, rounded up", () => {
    // Prepare
    const policy: Policy = { ...POLICY, audit: { teamLimitWarningPercent: 50 } };

    // Act
    const below = auditTeamCount(12, policy);
    const at = auditTeamCount(13, policy);

    // Assess
    expect(below).toEqual([]);
    expect(at).toEqual([expect.objectContaining({ desired: { limit: 25, warnFrom: 13 }, severity: 'medium' })]);
  });

  it('warns from 80 % when the policy has no audit section', () => {
    // Prepare
    const { audit: _, ...policy } = POLICY;

    // Act
    const findings = auditTeamCount(20, policy);

    // Assess
    expect(findings).toEqual([expect.objectContaining({ desired: { limit: 25, warnFrom: 20 } })]);
  });
});

describe('remediationFor', () => {
  const remediating: Policy = { ...POLICY, audit: { remediation: { 'worker-access.drift': 'remediate' } } };

  it("remediates a remediable finding whose rule the policy sets to 'remediate'", () => {
    // Act
    const mode = remediationFor(aFinding(), remediating);

    // Assess
    expect(mode).toBe('remediate');
  });

  it('only reports a remediable finding whose rule the policy does not name', () => {
    // Act
    const mode = remediationFor(aFinding({ rule: 'team.drift' }), remediating);

    // Assess
    expect(mode).toBe('report');
  });

  it('only reports by default, when the policy has no audit section', () => {
    // Prepare
    const { audit: _, ...policy } = POLICY;

    // Act
    const mode = remediationFor(aFinding(), policy);

    // Assess
    expect(mode).toBe('report');
  });

  it("lets the run's override decide for a remediable finding", () => {
    // Act
    const reported = remediationFor(aFinding(), remediating, 'report');
    const remediated = remediationFor(aFinding({ rule: 'team.drift' }), POLICY, 'remediate');

    // Assess
    expect(reported).toBe('report');
    expect(remediated).toBe('remediate');
  });

  it('never remediates a finding that is not remediable, whatever the policy or the override', () => {
    // Prepare
    const finding = aFinding({ remediable: false });

    // Act
    const mode = remediationFor(finding, remediating, 'remediate');

    // Assess
    expect(mode).toBe('report');
  });
});

describe('maskAddress', () => {
  test.each([
    ['ana@example.com', 'a**@example.com'],
    ['anastasia@example.com', 'a********@example.com'],
    ['al@example.com', 'a**@example.com'],
    ['a@example.com', '***@example.com'],
    ['first@sub@example.com', 'f********@example.com'],
    ['no-domain', 'n********'],
  ])('masks %s as %s', (address, masked) => {
    // Act
    const result = maskAddress(address);

    // Assess
    expect(result).toBe(masked);
  });

  test.each(['ana@example.com', 'a@example.com', 'Zoë.Müller+labeling@example.org'])(
    'never shows the whole local part of %s',
    (address) => {
      // Prepare
      const local = address.slice(0, address.lastIndexOf('@'));

      // Act
      const result = maskAddress(address);

      // Assess
      expect(result.slice(0, result.lastIndexOf('@'))).not.toContain(local);
      expect(result.endsWith(address.slice(address.lastIndexOf('@')))).toBe(true);
    },
  );
});

describe('parseCidr', () => {
  test.each([
    '10.0.0.0/8',
    '192.0.2.1/32',
    '0.0.0.0/0',
    '2001:db8::/32',
    '::/0',
    '::1/128',
    '::ffff:10.0.0.1/128',
    '1:2:3:4:5:6:7::/112',
  ])('reads %s', (text) => {
    // Act
    const cidr = parseCidr(text);

    // Assess
    expect(cidr).toBeDefined();
  });

  test.each([
    '10.0.0.0',
    '10.0.0.256/8',
    '10.0.0/8',
    '010.0.0.0/8',
    '10.0.0.0/33',
    '10.0.0.0/08',
    '10.0.0.0/',
    '2001:db8::/129',
    '2001:db8::1::/64',
    '1:2:3:4:5:6:7:8:9/64',
    '1:2:3:4:5:6:7/64',
    '2001:db8::g/64',
    '10.0.0.1::/64',
    'fe80::1%eth0/64',
    'not a cidr',
  ])('refuses %s', (text) => {
    // Act
    const cidr = parseCidr(text);

    // Assess
    expect(cidr).toBeUndefined();
  });

  it('reads the same address however an IPv6 CIDR is written', () => {
    // Act
    const long = parseCidr('2001:0db8:0000:0000:0000:0000:0000:0001/128');
    const short = parseCidr('2001:DB8::1/128');

    // Assess
    expect(long).toEqual(short);
    expect(long?.address).toBe(0x20010db8000000000000000000000001n);
  });
});

describe('cidrWithin', () => {
  function within(inner: string, outer: string): boolean {
    const innerCidr = parseCidr(inner);
    const outerCidr = parseCidr(outer);
    if (innerCidr === undefined || outerCidr === undefined) throw new Error('bad CIDR in the test');
    return cidrWithin(innerCidr, outerCidr);
  }

  test.each([
    ['10.20.0.0/16', '10.0.0.0/8'],
    ['10.0.0.0/8', '10.0.0.0/8'],
    ['192.0.2.7/32', '192.0.2.0/24'],
    ['10.1.2.3/16', '10.0.0.0/8'],
    ['2001:db8:1::/48', '2001:db8::/32'],
    ['::ffff:10.1.0.0/112', '::ffff:10.0.0.0/104'],
  ])('finds %s within %s', (inner, outer) => {
    // Act
    const result = within(inner, outer);

    // Assess
    expect(result).toBe(true);
  });

  test.each([
    ['11.0.0.0/16', '10.0.0.0/8'],
    ['10.0.0.0/7', '10.0.0.0/8'],
    ['0.0.0.0/0', '10.0.0.0/8'],
    ['192.0.3.0/24', '192.0.2.0/24'],
    ['2001:db9::/48', '2001:db8::/32'],
    ['::ffff:10.0.0.0/104', '10.0.0.0/8'],
  ])('does not find %s within %s', (inner, outer) => {
    // Act
    const result = within(inner, outer);

    // Assess
    expect(result).toBe(false);
  });
});
