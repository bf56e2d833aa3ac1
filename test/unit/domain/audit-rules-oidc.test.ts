/**
 * The subscription rules on OIDC teams: nobody can list an OIDC provider's group members, so a team that names no
 * subscribers gets no subscription finding (its subscriptions are its owner's), and one that names some
 * (`notifications: { addresses }`) is audited against them, as a Cognito team is against its groups.
 */
import type { TeamAuditInput, TopicState } from '#lib/domain/audit/findings';
import { auditTeam, rulesNotEvaluated } from '#lib/domain/audit/rules/team';
import { teamTopicPolicy } from '#lib/domain/audit/topic-policy';
import type { Policy } from '#lib/domain/policy';
import type { TeamRecord } from '#lib/domain/team';
import { MANAGEMENT_TAG, TOPIC_ARN } from './fixtures';
import { desiredTeam, liveTeam } from './team-fixtures';

const POLICY: Policy = {
  version: '2026-11-22',
  namePattern: '^[a-z][a-z0-9-]{2,62}$',
  requiredTags: ['classification', 'cost-center'],
  classificationTag: 'classification',
  classifications: ['public', 'internal', 'confidential', 'restricted'],
  minimumWorkerAccess: {},
};

const OIDC_MEMBERS = [{ oidc: { groups: ['okta-labelers'] } }];

function topic(emailEndpoints: string[], pendingEmailEndpoints: string[] = []): TopicState {
  return {
    arn: TOPIC_ARN,
    exists: true,
    policy: JSON.stringify(teamTopicPolicy(TOPIC_ARN)),
    emailEndpoints,
    pendingEmailEndpoints,
  };
}

/** A managed OIDC team, live as desired; `addresses` are the subscribers it names (none: undefined). */
function oidcTeam(addresses: string[] | undefined, subscribed: TopicState): TeamAuditInput {
  const spec = desiredTeam({
    members: { oidcGroups: ['okta-labelers'] },
    ...(addresses === undefined ? {} : { notificationAddresses: addresses }),
  });
  const record: TeamRecord = {
    name: spec.name,
    spec,
    owner: 'owner-sub',
    version: 1,
    lifecycle: 'active',
    applyState: 'Applied',
    appliedVersion: 1,
    appliedSpec: spec,
    topicArn: TOPIC_ARN,
    createdAt: '2026-11-01T10:00:00.000Z',
    updatedAt: '2026-11-01T10:00:00.000Z',
    history: [],
  };
  return {
    name: spec.name,
    live: liveTeam({ memberDefinitions: OIDC_MEMBERS, tags: undefined }),
    liveTags: { ...spec.tags, [MANAGEMENT_TAG.key]: MANAGEMENT_TAG.value },
    record,
    topic: subscribed,
    groups: {},
    managementTag: MANAGEMENT_TAG,
  };
}

describe('the subscription rules on an OIDC team', () => {
  it('report nothing on a team that names no subscribers, whoever its owner subscribed', () => {
    // Act
    const findings = auditTeam(oidcTeam(undefined, topic(['ana@example.com'], ['ben@example.com'])), POLICY);

    // Assess
    expect(findings).toEqual([]);
  });

  it('audit a team that names its subscribers against them: missing, stale and pending leavers, masked', () => {
    // Prepare: Ana and Ben named; Ben not subscribed, Carla confirmed and Dora pending though named by nobody
    const input = oidcTeam(
      ['ana@example.com', 'Ben@example.com'],
      topic(['ANA@example.com', 'carla@example.com'], ['dora@example.com']),
    );

    // Act
    const findings = auditTeam(input, POLICY);

    // Assess
    expect(findings.map(({ rule, actual }) => ({ rule, actual }))).toEqual([
      { rule: 'notifications.workers-unsubscribed', actual: { count: 1, addresses: ['B**@example.com'] } },
      { rule: 'notifications.stale-subscriptions', actual: { count: 1, addresses: ['c****@example.com'] } },
      { rule: 'notifications.pending-leaver', actual: { count: 1, addresses: ['d***@example.com'] } },
    ]);
    expect(findings[1]?.message).toContain('none of the addresses it names');
    expect(JSON.stringify(findings)).not.toMatch(/ana@|ben@|carla@|dora@/i);
  });

  it('are evaluated (their open findings resolve) whether or not the team names subscribers', () => {
    // Act and assess
    expect(rulesNotEvaluated(oidcTeam(undefined, topic([])))).toEqual([]);
    expect(rulesNotEvaluated(oidcTeam(['ana@example.com'], topic([])))).toEqual([]);
  });
});
