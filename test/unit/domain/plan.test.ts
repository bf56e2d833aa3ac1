import fc from 'fast-check';
import { toWorkteamSpec } from '#lib/domain/desired-spec';
import type { LiveWorkteam } from '#lib/domain/live';
import { differences, planWorkteam, removesTopic, topicKeptAfter } from '#lib/domain/plan';
import type { MemberDefinition, Toggle, WorkteamSpec } from '#lib/domain/workteam';
import { CLIENT_ID, MANAGEMENT_TAG, TOPIC_ARN, USER_POOL } from './fixtures';
import { desiredTeam, IDENTITY, liveTeam, workteamSpec } from './team-fixtures';

const OTHER_TOPIC_ARN = 'arn:aws:sns:eu-west-1:123456789012:other-topic';

function cognito(userGroup: string, userPool = USER_POOL): MemberDefinition {
  return { cognito: { userPool, userGroup, clientId: CLIENT_ID } };
}

describe('planWorkteam', () => {
  describe('no live team', () => {
    it('creates the whole spec, tags included, with no separate tag calls', () => {
      // Prepare
      const desired = workteamSpec();

      // Act
      const plan = planWorkteam(desired, undefined);

      // Assess
      expect(plan).toEqual({ action: 'create', create: desired, tagsToAdd: [], tagKeysToRemove: [] });
    });
  });

  describe('a live team', () => {
    it('does nothing when the live team matches', () => {
      // Act
      const plan = planWorkteam(workteamSpec(), liveTeam());

      // Assess
      expect(plan).toEqual({ action: 'none', tagsToAdd: [], tagKeysToRemove: [] });
    });

    it('updates only the description when only it differs', () => {
      // Act
      const plan = planWorkteam(workteamSpec({ description: 'New' }), liveTeam());

      // Assess
      expect(plan).toEqual({
        action: 'update',
        update: { name: 'labeling-team', description: 'New' },
        tagsToAdd: [],
        tagKeysToRemove: [],
      });
    });

    it('sends the full desired member list when a group is added, as UpdateWorkteam replaces it', () => {
      // Prepare
      const memberDefinitions = [cognito('labelers'), cognito('reviewers'), cognito('auditors')];

      // Act
      const plan = planWorkteam(workteamSpec({ memberDefinitions }), liveTeam());

      // Assess
      expect(plan.update).toEqual({ name: 'labeling-team', memberDefinitions });
    });

    it('sends the full desired member list when a group is removed', () => {
      // Prepare
      const memberDefinitions = [cognito('labelers')];

      // Act
      const plan = planWorkteam(workteamSpec({ memberDefinitions }), liveTeam());

      // Assess
      expect(plan.update).toEqual({ name: 'labeling-team', memberDefinitions });
    });

    it('ignores the order of the member definitions', () => {
      // Prepare
      const live = liveTeam({ memberDefinitions: [cognito('reviewers'), cognito('labelers')] });

      // Act
      const plan = planWorkteam(workteamSpec(), live);

      // Assess
      expect(plan.action).toBe('none');
    });

    it('ignores the order of OIDC groups', () => {
      // Prepare
      const desired = workteamSpec({ memberDefinitions: [{ oidc: { groups: ['a', 'b'] } }] });
      const live = liveTeam({ memberDefinitions: [{ oidc: { groups: ['b', 'a'] } }] });

      // Act
      const plan = planWorkteam(desired, live);

      // Assess
      expect(plan.action).toBe('none');
    });

    it('updates the members when the same group names sit in another user pool', () => {
      // Prepare
      const live = liveTeam({
        memberDefinitions: [cognito('labelers', 'eu-west-1_Other'), cognito('reviewers', 'eu-west-1_Other')],
      });

      // Act
      const plan = planWorkteam(workteamSpec(), live);

      // Assess
      expect(plan.update?.memberDefinitions).toEqual(workteamSpec().memberDefinitions);
    });

    it('removes the topic with null when the spec has none but the live team does', () => {
      // Prepare
      const { notificationTopicArn: _, ...withoutTopic } = workteamSpec();

      // Act
      const plan = planWorkteam(withoutTopic, liveTeam());

      // Assess
      expect(plan.update).toEqual({ name: 'labeling-team', notificationTopicArn: null });
    });

    it('sets the topic when it differs', () => {
      // Act
      const plan = planWorkteam(workteamSpec({ notificationTopicArn: OTHER_TOPIC_ARN }), liveTeam());

      // Assess
      expect(plan.update).toEqual({ name: 'labeling-team', notificationTopicArn: OTHER_TOPIC_ARN });
    });

    it('sets the topic when the live team has none', () => {
      // Act
      const plan = planWorkteam(workteamSpec(), liveTeam({ notificationTopicArn: undefined }));

      // Assess
      expect(plan.update).toEqual({ name: 'labeling-team', notificationTopicArn: TOPIC_ARN });
    });

    it('does nothing about a topic that neither side has', () => {
      // Prepare
      const { notificationTopicArn: _, ...withoutTopic } = workteamSpec();

      // Act
      const plan = planWorkteam(withoutTopic, liveTeam({ notificationTopicArn: undefined }));

      // Assess
      expect(plan.action).toBe('none');
    });

    it('sends both worker-access toggles when one differs', () => {
      // Prepare
      const desired = workteamSpec({ workerAccess: { sourceIp: 'Enabled', vpcSourceIp: 'Enabled' } });

      // Act
      const plan = planWorkteam(desired, liveTeam());

      // Assess
      expect(plan.update).toEqual({
        name: 'labeling-team',
        workerAccess: { sourceIp: 'Enabled', vpcSourceIp: 'Enabled' },
      });
    });

    it('takes absent worker access as Disabled on both sides', () => {
      // Prepare
      const desired = workteamSpec({ workerAccess: { sourceIp: 'Disabled', vpcSourceIp: 'Disabled' } });
      const live = liveTeam({ workerAccess: undefined });

      // Act
      const plan = planWorkteam(desired, live);

      // Assess
      expect(plan.action).toBe('none');
    });

    it('enables a toggle that the live team leaves out', () => {
      // Prepare
      const { workerAccess: _, ...withoutAccess } = workteamSpec();
      const live = liveTeam({ workerAccess: { sourceIp: 'Enabled' } });

      // Act
      const plan = planWorkteam(withoutAccess, live);

      // Assess
      expect(plan.update).toEqual({
        name: 'labeling-team',
        workerAccess: { sourceIp: 'Disabled', vpcSourceIp: 'Disabled' },
      });
    });
  });

  describe('tags', () => {
    it('adds the tags the live team lacks or holds with another value', () => {
      // Prepare
      const live = liveTeam({ tags: [{ key: 'classification', value: 'public' }] });

      // Act
      const plan = planWorkteam(workteamSpec(), live);

      // Assess
      expect(plan.tagsToAdd).toEqual([
        { key: 'classification', value: 'internal' },
        { key: 'cost-center', value: '4711' },
      ]);
    });

    it('removes live tags that are not desired, but never those AWS reserves', () => {
      // Prepare
      const live = liveTeam({
        tags: [
          ...workteamSpec().tags,
          { key: 'stale', value: 'x' },
          { key: 'aws:cloudformation:stack-name', value: 's' },
        ],
      });

      // Act
      const plan = planWorkteam(workteamSpec(), live);

      // Assess
      expect({ add: plan.tagsToAdd, remove: plan.tagKeysToRemove }).toEqual({ add: [], remove: ['stale'] });
    });

    it('adds the managed-by tag to a team that lacks it, and never plans to remove it', () => {
      // Prepare
      const team = desiredTeam({ tags: { project: 'p' } });
      const desired = toWorkteamSpec(team, IDENTITY, TOPIC_ARN, MANAGEMENT_TAG);
      const untagged = liveTeam({ ...desired, tags: [{ key: 'project', value: 'p' }] });
      const tagged = liveTeam({ ...desired, tags: desired.tags });

      // Act
      const plans = [planWorkteam(desired, untagged), planWorkteam(desired, tagged)];

      // Assess
      expect(plans.map(({ action, tagsToAdd, tagKeysToRemove }) => ({ action, tagsToAdd, tagKeysToRemove }))).toEqual([
        {
          action: 'update',
          tagsToAdd: [{ key: 'managed-by', value: 'workteam-automation-local' }],
          tagKeysToRemove: [],
        },
        { action: 'none', tagsToAdd: [], tagKeysToRemove: [] },
      ]);
    });

    it('plans an update without an UpdateWorkteam call when only the tags differ', () => {
      // Prepare
      const live = liveTeam({ tags: [] });

      // Act
      const plan = planWorkteam(workteamSpec(), live);

      // Assess
      expect(plan.action).toBe('update');
      expect(plan.update).toBeUndefined();
      expect(plan.tagsToAdd).toHaveLength(2);
    });

    it('changes no tags when the live tags are unknown', () => {
      // Prepare
      const live = liveTeam({ tags: undefined });

      // Act
      const plan = planWorkteam(workteamSpec(), live);

      // Assess
      expect(plan).toEqual({ action: 'none', tagsToAdd: [], tagKeysToRemove: [] });
    });
  });
});

describe('differences', () => {
  it('names the whole team when there is no live team', () => {
    // Act
    const result = differences(workteamSpec(), undefined);

    // Assess
    expect(result).toEqual([{ field: 'team', desired: 'labeling-team', live: null }]);
  });

  it('is empty when the live team matches', () => {
    // Act
    const result = differences(workteamSpec(), liveTeam());

    // Assess
    expect(result).toEqual([]);
  });

  it('gives one entry per differing field, in API form', () => {
    // Prepare
    const { notificationTopicArn: _, ...withoutTopic } = workteamSpec();
    const desired: WorkteamSpec = {
      ...withoutTopic,
      description: 'New',
      memberDefinitions: [cognito('labelers'), cognito('auditors')],
      workerAccess: { sourceIp: 'Disabled', vpcSourceIp: 'Enabled' },
    };

    // Act
    const result = differences(desired, liveTeam());

    // Assess
    expect(result).toEqual([
      { field: 'description', desired: 'New', live: 'Labels the product images' },
      { field: 'members', desired: ['labelers', 'auditors'], live: ['labelers', 'reviewers'] },
      { field: 'notificationTopicArn', desired: null, live: TOPIC_ARN },
      { field: 'workerAccess.sourceIp', desired: 'Disabled', live: 'Enabled' },
      { field: 'workerAccess.vpcSourceIp', desired: 'Enabled', live: 'Disabled' },
    ]);
  });

  it('gives one entry per differing tag, not counting those AWS reserves', () => {
    // Prepare
    const live = liveTeam({
      tags: [
        { key: 'classification', value: 'public' },
        { key: 'stale', value: 'x' },
        { key: 'aws:cloudformation:stack-name', value: 's' },
      ],
    });

    // Act
    const result = differences(workteamSpec(), live);

    // Assess
    expect(result).toEqual([
      { field: 'tags.classification', desired: 'internal', live: 'public' },
      { field: 'tags.cost-center', desired: '4711', live: null },
      { field: 'tags.stale', desired: null, live: 'x' },
    ]);
  });

  it('names the managed-by tag a team lacks, so that the team shows as drifted until reconcile adds it', () => {
    // Prepare
    const desired = toWorkteamSpec(desiredTeam({ tags: {} }), IDENTITY, TOPIC_ARN, MANAGEMENT_TAG);

    // Act
    const result = differences(desired, liveTeam({ ...desired, tags: [] }));

    // Assess
    expect(result).toEqual([{ field: 'tags.managed-by', desired: 'workteam-automation-local', live: null }]);
  });

  it('does not compare tags that were not read', () => {
    // Act
    const result = differences(workteamSpec(), liveTeam({ tags: undefined }));

    // Assess
    expect(result).toEqual([]);
  });

  it("is empty exactly when the plan is 'none'", () => {
    const toggle = fc.option(fc.constantFrom<Toggle>('Enabled', 'Disabled'), { nil: undefined });
    const access = fc.option(fc.record({ sourceIp: toggle, vpcSourceIp: toggle }), { nil: undefined });
    const groups = fc.uniqueArray(fc.constantFrom('a', 'b', 'c'), { minLength: 1, maxLength: 3 });
    const tags = fc.uniqueArray(
      fc.record({ key: fc.constantFrom('x', 'y', 'aws:z'), value: fc.constantFrom('1', '2') }),
      { selector: ({ key }) => key, maxLength: 3 },
    );
    const side = fc.record({
      description: fc.constantFrom('one', 'two'),
      groups,
      topic: fc.option(fc.constantFrom(TOPIC_ARN, OTHER_TOPIC_ARN), { nil: undefined }),
      access,
      tags,
    });

    fc.assert(
      fc.property(side, side, fc.boolean(), (mine, theirs, tagsKnown) => {
        // Prepare
        const desired = workteamSpec({
          description: mine.description,
          memberDefinitions: mine.groups.map((group) => cognito(group)),
          notificationTopicArn: mine.topic,
          workerAccess: mine.access,
          tags: mine.tags.filter(({ key }) => !key.startsWith('aws:')),
        });
        const live: LiveWorkteam = liveTeam({
          description: theirs.description,
          memberDefinitions: theirs.groups.map((group) => cognito(group)),
          notificationTopicArn: theirs.topic,
          workerAccess: theirs.access,
          tags: tagsKnown ? theirs.tags : undefined,
        });

        // Act
        const plan = planWorkteam(desired, live);
        const result = differences(desired, live);

        // Assess
        expect(result.length === 0).toBe(plan.action === 'none');
      }),
    );
  });
});

describe('removesTopic and topicKeptAfter: a removal of the topic read back', () => {
  const { notificationTopicArn: _, ...withoutTopic } = workteamSpec();

  it('calls a plan that takes the topic away a removal, and no other plan', () => {
    // Act
    const removal = planWorkteam(withoutTopic, liveTeam());
    const other = planWorkteam(workteamSpec({ notificationTopicArn: OTHER_TOPIC_ARN }), liveTeam());
    const nothing = planWorkteam(withoutTopic, liveTeam({ notificationTopicArn: undefined }));
    const creation = planWorkteam(withoutTopic, undefined);

    // Assess
    expect([removal, other, nothing, creation].map(removesTopic)).toEqual([true, false, false, false]);
  });

  it('names the topic SageMaker still shows, and nothing when it shows none, an empty one or no team', () => {
    // Act
    const kept = topicKeptAfter(liveTeam());
    const gone = [
      topicKeptAfter(liveTeam({ notificationTopicArn: undefined })),
      topicKeptAfter(liveTeam({ notificationTopicArn: '' })),
      topicKeptAfter(undefined),
    ];

    // Assess
    expect(kept).toBe(TOPIC_ARN);
    expect(gone).toEqual([undefined, undefined, undefined]);
  });
});
