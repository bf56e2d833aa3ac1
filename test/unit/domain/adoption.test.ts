import { adoptionOf, isStageTopic } from '#lib/domain/adoption';
import { parsePolicy } from '#lib/domain/policy';
import policyFile from '../../../policy/policy.json';
import { liveTeam } from './team-fixtures';

const PREFIX = 'workteam-automation-prod-';
const OURS = 'arn:aws:sns:eu-west-1:123456789012:workteam-automation-prod-labeling-team';
const HAND_MADE = 'arn:aws:sns:eu-west-1:123456789012:labeling-alerts';
const policy = parsePolicy(policyFile);

describe("whether a topic is the stage's", () => {
  it.each([
    [OURS, true],
    [HAND_MADE, false],
    // Another stage's topic is not this stage's either: its roles may not touch it.
    ['arn:aws:sns:eu-west-1:123456789012:workteam-automation-dev-labeling-team', false],
    // The prefix must begin the name, not appear anywhere in the ARN.
    ['arn:aws:sns:eu-west-1:123456789012:copy-of-workteam-automation-prod-labeling-team', false],
  ])('%s: %s', (topicArn, expected) => {
    expect(isStageTopic(topicArn, PREFIX)).toBe(expected);
  });
});

describe('adoptionOf: the topic an adopted team already has', () => {
  it("keeps a topic outside the stage's prefix as the team's own (foreignTopic)", () => {
    // Act
    const adoption = adoptionOf(liveTeam({ notificationTopicArn: HAND_MADE }), 'default', policy, PREFIX);

    // Assess
    expect(adoption).toMatchObject({ topicArn: HAND_MADE, foreignTopic: true, team: { notifications: true } });
  });

  it("manages a topic of the stage's as for any team", () => {
    // Act
    const adoption = adoptionOf(liveTeam({ notificationTopicArn: OURS }), 'default', policy, PREFIX);

    // Assess
    expect(adoption.topicArn).toBe(OURS);
    expect(adoption.foreignTopic).toBeUndefined();
  });

  it('marks nothing for a team without a topic', () => {
    // Act
    const adoption = adoptionOf(liveTeam({ notificationTopicArn: undefined }), 'default', policy, PREFIX);

    // Assess
    expect([adoption.topicArn, adoption.foreignTopic]).toEqual([undefined, undefined]);
  });
});
