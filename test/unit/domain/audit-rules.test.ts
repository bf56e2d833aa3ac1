import {
  type Finding,
  findingKey,
  type GroupState,
  type RuleId,
  resolvedByOf,
  type TeamAuditInput,
  type TopicState,
} from '#lib/domain/audit/findings';
import { accountRulesNotEvaluated, auditTeamCount, auditTrails } from '#lib/domain/audit/rules/account';
import { RULES } from '#lib/domain/audit/rules/catalogue';
import { LISTED_ADDRESSES_MAX } from '#lib/domain/audit/rules/notifications';
import { remediationFor } from '#lib/domain/audit/rules/remediation';
import { auditTeam, rulesNotEvaluated } from '#lib/domain/audit/rules/team';
import { auditWorkforce } from '#lib/domain/audit/rules/workforce';
import { allowsSageMakerPublish, teamTopicPolicy } from '#lib/domain/audit/topic-policy';
import { cidrWithin, parseCidr } from '#lib/domain/cidr';
import type { LiveWorkforce, LiveWorkteam } from '#lib/domain/live';
import type { Policy } from '#lib/domain/policy';
import { maskAddress } from '#lib/domain/privacy';
import type { HistoryEntry, TeamRecord } from '#lib/domain/team';
import { CLIENT_ID, MANAGEMENT_TAG, repeat, TOPIC_ARN, USER_POOL } from './fixtures';
import { desiredTeam, IDENTITY, liveTeam } from './team-fixtures';
import {
  DENY_ALL_BUT_WRONG_ACCOUNT,
  DENY_OTHER_SOURCE_ACCOUNTS,
  DENY_OUTSIDE_ORG,
  OPEN_PUBLISH_ANY_BUCKET,
  OPEN_SUBSCRIBE,
  ORG_SUBSCRIBE,
  OTHER_ACCOUNT,
  PROJECT_ALLOW,
  policyOf,
  SNS_DEFAULT,
} from './topic-policies';

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
    policy: JSON.stringify(teamTopicPolicy(TOPIC_ARN)),
    emailEndpoints: ['ana@example.com', 'ben@example.com'],
    pendingEmailEndpoints: [],
    ...overrides,
  };
}

/** What ListTags answers for `teamRecord()`'s team: its desired tags and the managed-by tag. */
const MANAGED_TAGS = { classification: 'internal', 'cost-center': '4711', 'managed-by': 'workteam-automation-local' };

/** A managed team that breaks no rule: live as desired, tags read, groups read, every worker subscribed. */
function managedTeam(overrides: Partial<TeamAuditInput> = {}): TeamAuditInput {
  return {
    name: NAME,
    live: listedTeam(),
    liveTags: MANAGED_TAGS,
    record: teamRecord(),
    workforce: workforce(),
    topic: topic(),
    groups: { labelers: group('ana@example.com'), reviewers: group('ben@example.com') },
    managementTag: MANAGEMENT_TAG,
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

    it('reports a missing team whose last change failed as remediable: a remediation is one more reconcile', () => {
      // Prepare
      const input = managedTeam({ live: undefined, record: teamRecord({ applyState: 'Failed' }) });

      // Act
      const findings = auditTeam(input, POLICY);

      // Assess
      expect(findings).toEqual([expect.objectContaining({ rule: 'team.missing', remediable: true })]);
      expect(findings[0]?.message).toMatch(/reconcile the team to create it again \(its last change failed/);
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

    it('reports drift of a Failed team against its desired state, as remediable (a reconcile applies it again)', () => {
      // Prepare
      const input = managedTeam({
        live: listedTeam({ description: 'Old description', workerAccess: { sourceIp: 'Disabled' } }),
        record: teamRecord({ applyState: 'Failed', pendingReason: 'SageMaker throttled for three hours' }),
      });

      // Act
      const findings = auditTeam(input, POLICY);

      // Assess
      expect(rulesOf(findings)).toEqual(['worker-access.drift', 'team.drift']);
      expect(findings.every(({ remediable }) => remediable)).toBe(true);
      expect(only(findings, 'worker-access.drift').message).toMatch(/its last change failed/);
    });

    describe('of a Pending team', () => {
      /** Version 3 changes the description; version 2 (applied) had the old one. */
      function pendingTeam(live: Partial<LiveWorkteam>, overrides: Partial<TeamRecord> = {}): TeamAuditInput {
        const applied = desiredTeam({ description: 'Old description' });
        return managedTeam({
          live: listedTeam(live),
          record: managedRecord(
            { description: 'New description' },
            { applyState: 'Pending', version: 3, appliedVersion: 2, appliedSpec: applied, ...overrides },
          ),
        });
      }

      test.each([
        ['the last applied one', 'Old description'],
        ['the pending one', 'New description'],
      ])('reports nothing for a field the pending change touches that holds %s', (_, description) => {
        // Act
        const findings = auditTeam(pendingTeam({ description }), POLICY);

        // Assess
        expect(findings).toEqual([]);
      });

      it('reports a field the pending change touches that holds neither value, as not remediable', () => {
        // Act
        const finding = only(auditTeam(pendingTeam({ description: 'Typed in the console' }), POLICY), 'team.drift');

        // Assess
        expect(finding).toMatchObject({
          desired: { description: 'New description' },
          actual: { description: 'Typed in the console' },
          remediable: false,
        });
        expect(finding.message).toMatch(/neither its pending change nor the state last applied/);
      });

      it('reports worker access switched off by hand while its change of something else waits (throttled)', () => {
        // Act
        const findings = auditTeam(
          pendingTeam({ description: 'Old description', workerAccess: { sourceIp: 'Disabled' } }),
          POLICY,
        );

        // Assess
        expect(findings).toEqual([
          expect.objectContaining({
            rule: 'worker-access.drift',
            severity: 'high',
            desired: { sourceIp: 'Enabled', vpcSourceIp: 'Disabled' },
            actual: { sourceIp: 'Disabled', vpcSourceIp: 'Disabled' },
            remediable: false,
          }),
        ]);
        expect(findings[0]?.message).toMatch(/let its pending change be applied/);
      });

      it('takes the value of a version superseded before it was applied as one the team may hold', () => {
        // Prepare
        const superseded = [{ version: 2, spec: desiredTeam({ description: 'Between' }) }];
        const input = pendingTeam(
          { description: 'Between' },
          { version: 4, appliedVersion: 1, supersededSpecs: superseded },
        );

        // Act
        const findings = auditTeam(input, POLICY);

        // Assess
        expect(findings).toEqual([]);
      });

      it('judges a team never applied against its desired state alone', () => {
        // Prepare
        const input = pendingTeam(
          { description: 'Old description' },
          { appliedVersion: undefined, appliedSpec: undefined },
        );

        // Act
        const findings = auditTeam(input, POLICY);

        // Assess
        expect(rulesOf(findings)).toEqual(['team.drift']);
      });
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
        topic: topic({ arn: `${TOPIC_ARN}-other`, policy: JSON.stringify(teamTopicPolicy(`${TOPIC_ARN}-other`)) }),
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

    describe('of a topic SageMaker kept when the notifications were turned off', () => {
      /** Version 3 turns notifications off; version 2 (applied) had them, with the topic SageMaker still shows. */
      function turnedOff(overrides: Partial<TeamRecord> = {}, live: Partial<LiveWorkteam> = {}): TeamAuditInput {
        return managedTeam({
          live: listedTeam(live),
          record: teamRecord({
            spec: desiredTeam({ notifications: false }),
            applyState: 'Pending',
            version: 3,
            pendingReason: `SageMaker still shows notification topic ${TOPIC_ARN} on the team …; it will be retried`,
            topicKeptBySageMaker: TOPIC_ARN,
            ...overrides,
          }),
        });
      }

      it('reports it on a Pending team, saying SageMaker kept it, as not remediable', () => {
        // Act
        const findings = auditTeam(turnedOff(), POLICY);

        // Assess
        expect(rulesOf(findings)).toEqual(['team.drift']);
        const finding = only(findings, 'team.drift');
        expect(finding).toMatchObject({
          desired: { notificationTopicArn: null },
          actual: { notificationTopicArn: TOPIC_ARN },
          remediable: false,
        });
        expect(finding.message).toContain(
          `still has notification topic ${TOPIC_ARN} in SageMaker although its notifications are turned off: SageMaker kept it`,
        );
        expect(finding.message).toMatch(/let its pending change be applied/);
        expect(finding.message).not.toMatch(/changed outside this system/);
      });

      it('reports nothing while the change is in transit (SageMaker not yet read back)', () => {
        // Act
        const findings = auditTeam(turnedOff({ topicKeptBySageMaker: undefined }), POLICY);

        // Assess
        expect(findings).toEqual([]);
      });

      it('reports nothing once SageMaker shows no topic, nor for a team whose notifications are on again', () => {
        // Act
        const removed = auditTeam(turnedOff({}, { notificationTopicArn: undefined }), POLICY);
        const onAgain = auditTeam(turnedOff({ spec: desiredTeam() }), POLICY);

        // Assess: an internal team without notifications is the policy's finding, not drift
        expect(rulesOf(removed)).toEqual(['notifications.not-configured']);
        expect(onAgain).toEqual([]);
      });

      it('reports it on a Failed team as remediable (one more removal), after a field changed by hand', () => {
        // Act
        const finding = only(
          auditTeam(turnedOff({ applyState: 'Failed' }, { description: 'Changed in the console' }), POLICY),
          'team.drift',
        );

        // Assess
        expect(finding.remediable).toBe(true);
        expect(finding.actual).toEqual({ description: 'Changed in the console', notificationTopicArn: TOPIC_ARN });
        expect(finding.message).toMatch(
          /^Work team 'labeling-team' differs from its desired state in description \(changed outside this system\)/,
        );
        expect(finding.message).toMatch(/SageMaker kept it .*ask SageMaker to remove the topic again/);
      });
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
        liveTags: { ...MANAGED_TAGS, classification: 'restricted' },
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
      expect(rulesOf(findings)).toEqual(['notifications.pending-leaver']);
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

  describe('a team in each state', () => {
    /** A managed team whose desired state would set right each finding it has: reconcile alone fixes them. */
    function brokenManagedTeam(applyState: TeamRecord['applyState']): TeamAuditInput {
      return managedTeam({
        live: listedTeam({ workerAccess: { sourceIp: 'Disabled', vpcSourceIp: 'Enabled' } }),
        record: managedRecord({ tags: { classification: 'confidential', 'cost-center': '4711' } }, { applyState }),
        topic: topic({ policy: 'not json', emailEndpoints: ['ben@example.com', 'dora@example.com'] }),
      });
    }

    const EVERY_FINDING = [
      'worker-access.drift',
      'worker-access.below-policy',
      'worker-access.vpc-without-vpc-config',
      'notifications.publish-denied',
      'notifications.workers-unsubscribed',
      'notifications.stale-subscriptions',
    ];

    test.each(['Applied', 'Failed'] as const)('has each finding of a %s team remediable', (applyState) => {
      // Act
      const findings = auditTeam(brokenManagedTeam(applyState), POLICY);

      // Assess
      expect(rulesOf(findings)).toEqual(EVERY_FINDING);
      expect(findings.filter(({ remediable }) => !remediable)).toEqual([]);
    });

    it('reports the same findings of a Pending team, drift included, none remediable', () => {
      // Act
      const findings = auditTeam(brokenManagedTeam('Pending'), POLICY);

      // Assess
      expect(rulesOf(findings)).toEqual(EVERY_FINDING);
      expect(findings.filter(({ remediable }) => remediable)).toEqual([]);
    });

    it('reports the same findings of a team whose managed-by tag was removed, none remediable', () => {
      // Prepare
      const input = { ...brokenManagedTeam('Applied'), liveTags: { classification: 'confidential' } };

      // Act
      const findings = auditTeam(input, POLICY);

      // Assess
      expect(rulesOf(findings)).toEqual(['team.managed-tag-removed', ...EVERY_FINDING]);
      expect(findings.filter(({ remediable }) => remediable)).toEqual([]);
      expect(only(findings, 'worker-access.drift').message).toMatch(
        /put the team's managed-by: workteam-automation-local tag back first/,
      );
    });

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

    it('tells to reconcile a Failed team, naming its failed change', () => {
      // Prepare
      const input = managedTeam({
        record: teamRecord({ applyState: 'Failed' }),
        topic: topic({ exists: false, policy: undefined, emailEndpoints: [] }),
      });

      // Act
      const finding = only(auditTeam(input, POLICY), 'notifications.topic-missing');

      // Assess
      expect(finding.remediable).toBe(true);
      expect(finding.message).toMatch(
        /reconcile the team to create it again and subscribe its workers \(its last change failed/,
      );
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

  test.each(['Pending', 'Failed'] as const)(
    'names no drift rule of a %s team: drift is judged in every state',
    (applyState) => {
      // Prepare
      const input = managedTeam({
        live: listedTeam({ workerAccess: { sourceIp: 'Disabled' } }),
        record: teamRecord({ applyState }),
      });

      // Act
      const rules = rulesNotEvaluated(input);

      // Assess
      expect(rules).toEqual([]);
      expect(rulesOf(auditTeam(input, POLICY))).toContain('worker-access.drift');
    },
  );

  it("names team.managed-tag-removed when a managed team's tags were not read", () => {
    // Act
    const rules = rulesNotEvaluated(managedTeam({ liveTags: undefined }));

    // Assess
    expect(rules).toEqual(['team.managed-tag-removed']);
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
    expect(rules).toEqual([
      'notifications.workers-unsubscribed',
      'notifications.stale-subscriptions',
      'notifications.pending-leaver',
    ]);
    expect(auditTeam(input, POLICY)).toEqual([]);
  });

  it('names the subscription rules, not the drift rules, of a Pending team with a group not read', () => {
    // Prepare
    const input = managedTeam({ record: teamRecord({ applyState: 'Pending' }), groups: {} });

    // Act
    const rules = rulesNotEvaluated(input);

    // Assess
    expect(rules).toEqual([
      'notifications.workers-unsubscribed',
      'notifications.stale-subscriptions',
      'notifications.pending-leaver',
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
    const allowed = allowsSageMakerPublish(JSON.stringify(teamTopicPolicy(TOPIC_ARN)), TOPIC_ARN);

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

describe('auditTrails', () => {
  const TRAIL = 'arn:aws:cloudtrail:eu-west-1:123456789012:trail/management-events';
  const ORGANISATION_TRAIL = 'arn:aws:cloudtrail:eu-west-1:111122223333:trail/org-trail';

  it('reports nothing while a trail logs the management write events', () => {
    // Act
    const findings = auditTrails({ logged: true, trails: [TRAIL] });

    // Assess
    expect(findings).toEqual([]);
  });

  it('reports nothing when CloudTrail cannot tell, and leaves the rule unjudged', () => {
    // Act
    const findings = auditTrails('cannot tell');

    // Assess
    expect(findings).toEqual([]);
    expect(accountRulesNotEvaluated('cannot tell')).toEqual(['account.no-trail']);
  });

  it('reports a region without a trail (high, not remediable), saying what goes without one and how to add one', () => {
    // Act
    const findings = auditTrails({ logged: false, trails: [] });

    // Assess
    expect(findings).toEqual([
      {
        rule: 'account.no-trail',
        severity: 'high',
        resource: 'account',
        message: expect.stringContaining('no trail applies to this region'),
        desired: {
          managementWriteEventsLogged: true,
          eventSources: ['sagemaker.amazonaws.com', 'cognito-idp.amazonaws.com'],
        },
        actual: { managementWriteEventsLogged: false, trails: [] },
        remediable: false,
      },
    ]);
    const [finding] = findings;
    expect(finding?.team).toBeUndefined();
    expect(finding?.message).toContain('the Cognito sync and the real-time audit receive no events without one');
    expect(finding?.message).toContain('organisation trail');
    expect(finding?.message).toContain('CREATE_TRAIL=true');
    expect(finding?.message).toContain('--param="createTrail=true"');
  });

  it('names the trails that apply to the region but do not log the events (stopped, or selecting others)', () => {
    // Act
    const findings = auditTrails({ logged: false, trails: [TRAIL, ORGANISATION_TRAIL] });

    // Assess
    expect(findings).toEqual([
      expect.objectContaining({
        rule: 'account.no-trail',
        actual: { managementWriteEventsLogged: false, trails: [TRAIL, ORGANISATION_TRAIL] },
      }),
    ]);
    expect(findings[0]?.message).toContain(`${TRAIL}, ${ORGANISATION_TRAIL}`);
  });

  it('is one finding across runs, whichever trails it names', () => {
    // Act
    const [none] = auditTrails({ logged: false, trails: [] });
    const [stopped] = auditTrails({ logged: false, trails: [TRAIL] });
    if (none === undefined || stopped === undefined) throw new Error('expected no-trail findings');

    // Assess
    expect(findingKey(none)).toBe('account#account.no-trail#high');
    expect(findingKey(stopped)).toBe(findingKey(none));
    expect(remediationFor(none, { ...POLICY, audit: { remediation: { 'account.no-trail': 'remediate' } } })).toBe(
      'report',
    );
  });
});

describe('accountRulesNotEvaluated', () => {
  it('names account.no-trail when CloudTrail was not asked (a single-team run)', () => {
    expect(accountRulesNotEvaluated(undefined)).toEqual(['account.no-trail']);
  });

  test.each([
    ['logged', { logged: true, trails: ['arn:aws:cloudtrail:eu-west-1:123456789012:trail/t'] }],
    ['not logged', { logged: false, trails: [] }],
  ])('names no rule when CloudTrail told: %s', (_what, state) => {
    expect(accountRulesNotEvaluated(state)).toEqual([]);
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

describe('auditTeam, the rules of the audit under concurrency', () => {
  describe('notifications.publish-denied as SNS evaluates conditions', () => {
    it('reports a Deny whose condition holds for SageMaker, naming it', () => {
      // Prepare
      const input = managedTeam({ topic: topic({ policy: policyOf(PROJECT_ALLOW, DENY_ALL_BUT_WRONG_ACCOUNT) }) });

      // Act
      const finding = only(auditTeam(input, POLICY), 'notifications.publish-denied');

      // Assess
      expect(finding).toMatchObject({
        severity: 'high',
        actual: { topicArn: TOPIC_ARN, sageMakerMayPublish: false, deniedBy: ['DenyOtherAccounts'] },
        remediable: true,
      });
      expect(finding.message).toContain("denied by 'DenyOtherAccounts'");
    });

    it('reports a Deny on a key it cannot evaluate as "cannot tell", medium, naming the key; never passes it', () => {
      // Prepare
      const input = managedTeam({ topic: topic({ policy: policyOf(PROJECT_ALLOW, DENY_OUTSIDE_ORG) }) });

      // Act
      const finding = only(auditTeam(input, POLICY), 'notifications.publish-denied');

      // Assess
      expect(finding).toMatchObject({
        severity: 'medium',
        actual: {
          sageMakerMayPublish: 'cannot tell',
          undecidedStatements: ['DenyOutsideOrganisation'],
          undecidedKeys: ['aws:PrincipalOrgID'],
        },
      });
      expect(finding.message).toMatch(/cannot tell/);
      expect(findingKey(finding)).not.toBe(`team/${NAME}#notifications.publish-denied#high`);
    });

    it('reports nothing for the usual guard against other source accounts', () => {
      // Prepare
      const input = managedTeam({ topic: topic({ policy: policyOf(PROJECT_ALLOW, DENY_OTHER_SOURCE_ACCOUNTS) }) });

      // Act
      const findings = auditTeam(input, POLICY);

      // Assess
      expect(findings).toEqual([]);
    });

    it("evaluates aws:SourceAccount as the work team's account", () => {
      // Prepare
      const input = managedTeam({
        live: listedTeam({ arn: `arn:aws:sagemaker:eu-west-1:${OTHER_ACCOUNT}:workteam/private-crowd/${NAME}` }),
      });

      // Act
      const findings = auditTeam(input, POLICY);

      // Assess
      expect(rulesOf(findings)).toEqual(['notifications.publish-denied']);
    });
  });

  describe('notifications.topic-open', () => {
    it('reports a topic anyone may subscribe to, naming the statement, as remediable for a managed team', () => {
      // Prepare
      const input = managedTeam({ topic: topic({ policy: policyOf(PROJECT_ALLOW, OPEN_SUBSCRIBE) }) });

      // Act
      const findings = auditTeam(input, POLICY);

      // Assess
      expect(findings).toEqual([
        {
          rule: 'notifications.topic-open',
          severity: 'high',
          resource: `team/${NAME}`,
          team: NAME,
          message: expect.stringContaining('anyone can subscribe and read its task notifications'),
          desired: { topicArn: TOPIC_ARN, openTo: [] },
          actual: { topicArn: TOPIC_ARN, openTo: ['sns:Subscribe'], statements: ['AllowSubscribe'] },
          remediable: true,
        },
      ]);
    });

    it('reports a topic anyone may publish to on an unmanaged team, as not remediable', () => {
      // Prepare
      const input = unmanagedTeam({ topic: topic({ policy: policyOf(PROJECT_ALLOW, OPEN_PUBLISH_ANY_BUCKET) }) });

      // Act
      const finding = only(auditTeam(input, POLICY), 'notifications.topic-open');

      // Assess
      expect(finding).toMatchObject({ actual: { openTo: ['sns:Publish'] }, remediable: false });
      expect(finding.message).toMatch(/aws:SourceAccount or aws:PrincipalOrgID/);
    });

    test.each([
      ["SNS's default statement", SNS_DEFAULT],
      ['a subscription confined to the organisation', ORG_SUBSCRIBE],
    ])('reports nothing for %s', (_, statement) => {
      // Prepare
      const input = managedTeam({ topic: topic({ policy: policyOf(PROJECT_ALLOW, statement) }) });

      // Act
      const findings = auditTeam(input, POLICY);

      // Assess
      expect(rulesOf(findings)).not.toContain('notifications.topic-open');
    });

    it('masks an e-mail address someone put in a statement id', () => {
      // Prepare
      const statement = { ...OPEN_SUBSCRIBE, Sid: 'ana.lopez@example.com' };
      const input = managedTeam({ topic: topic({ policy: policyOf(PROJECT_ALLOW, statement) }) });

      // Act
      const finding = only(auditTeam(input, POLICY), 'notifications.topic-open');

      // Assess
      expect(JSON.stringify(finding)).not.toContain('ana.lopez@');
    });
  });

  describe('notifications.kms-key-unusable', () => {
    test.each(['alias/aws/sns', 'arn:aws:kms:eu-west-1:123456789012:alias/aws/sns'])(
      'reports a topic encrypted with the AWS managed key (%s), as not remediable',
      (kmsMasterKeyId) => {
        // Prepare
        const input = managedTeam({ topic: topic({ kmsMasterKeyId }) });

        // Act
        const findings = auditTeam(input, POLICY);

        // Assess
        expect(findings).toEqual([
          expect.objectContaining({
            rule: 'notifications.kms-key-unusable',
            severity: 'high',
            actual: { topicArn: TOPIC_ARN, kmsMasterKeyId },
            remediable: false,
          }),
        ]);
      },
    );

    it('reports nothing for a customer managed key, whose policy the audit does not read', () => {
      // Prepare
      const input = managedTeam({ topic: topic({ kmsMasterKeyId: 'alias/workteam-notifications' }) });

      // Act
      const findings = auditTeam(input, POLICY);

      // Assess
      expect(findings).toEqual([]);
    });
  });

  describe('notifications.pending-leaver', () => {
    it('reports pending subscriptions of people in none of the groups, masked, low, not remediable', () => {
      // Prepare
      const input = managedTeam({
        topic: topic({ pendingEmailEndpoints: ['emil@example.com', 'ana@example.com', 'fritz@example.com'] }),
      });

      // Act
      const findings = auditTeam(input, POLICY);

      // Assess
      expect(findings).toEqual([
        {
          rule: 'notifications.pending-leaver',
          severity: 'low',
          resource: `team/${NAME}`,
          team: NAME,
          message: expect.stringContaining('SNS cannot remove a subscription before it is confirmed'),
          desired: { count: 0, addresses: [] },
          actual: { count: 2, addresses: ['e***@example.com', 'f****@example.com'] },
          remediable: false,
        },
      ]);
    });
  });

  describe('team.managed-tag-removed', () => {
    it('reports a managed team whose managed-by tag was removed in SageMaker, as not remediable', () => {
      // Prepare
      const input = managedTeam({ liveTags: { classification: 'internal', 'cost-center': '4711' } });

      // Act
      const findings = auditTeam(input, POLICY);

      // Assess
      expect(findings).toEqual([
        {
          rule: 'team.managed-tag-removed',
          severity: 'high',
          resource: `team/${NAME}`,
          team: NAME,
          message: expect.stringContaining('no longer carries it'),
          desired: { tags: { 'managed-by': 'workteam-automation-local' } },
          actual: { tags: { 'managed-by': null } },
          remediable: false,
        },
      ]);
    });

    it('reports a managed-by tag given another value', () => {
      // Prepare
      const input = managedTeam({ liveTags: { ...MANAGED_TAGS, 'managed-by': 'terraform' } });

      // Act
      const finding = only(auditTeam(input, POLICY), 'team.managed-tag-removed');

      // Assess
      expect(finding.actual).toEqual({ tags: { 'managed-by': 'terraform' } });
    });

    it("reports a managed team tagged for another stage as stripped of this stage's tag, so nothing of it is remediated", () => {
      // Prepare
      const input = managedTeam({
        live: listedTeam({ description: 'Changed by hand' }),
        liveTags: { ...MANAGED_TAGS, 'managed-by': 'workteam-automation-prod' },
      });

      // Act
      const findings = auditTeam(input, POLICY);

      // Assess
      expect(rulesOf(findings)).toEqual(['team.managed-tag-removed', 'team.drift']);
      expect(findings.filter(({ remediable }) => remediable)).toEqual([]);
    });

    it('takes a team tagged for another stage, without a record here, for a team nobody here manages', () => {
      // Act
      const findings = auditTeam(
        unmanagedTeam({ liveTags: { ...MANAGED_TAGS, 'managed-by': 'workteam-automation-prod' } }),
        POLICY,
      );

      // Assess
      expect(rulesOf(findings)).toEqual([]);
    });

    test.each([
      ['a team nobody manages', unmanagedTeam({ liveTags: {} })],
      ['a managed team whose tags were not read', managedTeam({ liveTags: undefined })],
    ])('reports nothing for %s', (_, input) => {
      // Act
      const findings = auditTeam(input, POLICY);

      // Assess
      expect(rulesOf(findings)).not.toContain('team.managed-tag-removed');
    });
  });
});

describe('resolvedByOf', () => {
  const OPENED = '2026-11-28T10:00:00.000Z';
  const entry = (at: string, summary: string, overrides: Partial<HistoryEntry> = {}): HistoryEntry => ({
    version: 2,
    at,
    by: 'system',
    action: 'reconciled',
    summary,
    ...overrides,
  });

  it('names the audit run whose remediation reconciled the team since the finding opened', () => {
    // Act
    const by = resolvedByOf(
      [
        entry(
          '2026-11-28T10:05:00.000Z',
          'reverted an out-of-band change of workerAccess (remediation by audit run 20261128T100500123Z-1a2b3c4d)',
        ),
      ],
      OPENED,
    );

    // Assess
    expect(by).toEqual({ kind: 'remediation', runId: '20261128T100500123Z-1a2b3c4d' });
  });

  it('names the system reconcile (the nightly resync) that put back an out-of-band change', () => {
    // Act
    const by = resolvedByOf(
      [
        entry('2026-11-28T10:05:00.000Z', 'reverted an out-of-band change of description (the nightly resync)'),
        entry('2026-11-28T11:00:00.000Z', 'reverted an out-of-band change of workerAccess (the Cognito sync)'),
      ],
      OPENED,
    );

    // Assess
    expect(by).toEqual({
      kind: 'system',
      by: 'reverted an out-of-band change of workerAccess (the Cognito sync)',
    });
  });

  test.each([
    ['no history', undefined],
    [
      'a reconcile before the finding opened',
      [entry('2026-11-28T09:59:59.999Z', 'reverted an out-of-band change of x')],
    ],
    ['a change by a person', [entry('2026-11-28T10:05:00.000Z', 'description', { by: 'user-sub', action: 'updated' })]],
  ])('says out of band with %s', (_, history) => {
    // Act
    const by = resolvedByOf(history, OPENED);

    // Assess
    expect(by).toEqual({ kind: 'out-of-band' });
  });
});
