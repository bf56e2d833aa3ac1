import { appliedRecord, failedRecord, pendingRecord, topicFacts } from '#lib/domain/apply-state';
import type { TeamRecord } from '#lib/domain/team';
import { desiredTeam } from './team-fixtures';

const NOW = new Date('2026-12-06T12:00:00.000Z');
const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:workteam-automation-prod-labeling-team';

function record(overrides: Partial<TeamRecord> = {}): TeamRecord {
  return {
    name: 'labeling-team',
    spec: desiredTeam(),
    owner: 'owner-0001',
    version: 3,
    lifecycle: 'active',
    applyState: 'Pending',
    appliedVersion: 2,
    appliedSpec: desiredTeam({ description: 'Before' }),
    supersededSpecs: [{ version: 2, spec: desiredTeam({ description: 'Superseded' }) }],
    retry: { attempts: 2, nextAttemptAt: '2026-12-06T12:02:00.000Z', since: '2026-12-06T11:58:00.000Z' },
    pendingReason: 'ThrottlingException: SageMaker did not accept the change yet; it will be retried',
    createdAt: '2026-12-01T00:00:00.000Z',
    updatedAt: '2026-12-06T11:59:00.000Z',
    history: [
      { version: 3, at: '2026-12-06T11:58:00.000Z', by: 'owner-0001', action: 'updated', summary: 'description' },
    ],
    ...overrides,
  };
}

describe('the apply-state transitions', () => {
  it('applied: the version and spec become the applied ones; retries, superseded states and the reason go', () => {
    // Act
    const applied = appliedRecord(record(), record(), { topicArn: TOPIC, missingGroups: [] }, NOW);

    // Assess
    expect(applied).toMatchObject({ applyState: 'Applied', appliedVersion: 3, topicArn: TOPIC, topicMayExist: true });
    expect(applied.appliedSpec).toEqual(record().spec);
    expect([applied.retry, applied.supersededSpecs, applied.pendingReason]).toEqual([undefined, undefined, undefined]);
    expect(applied.history).toEqual(record().history);
  });

  it("applied: an out-of-band change put back is in the history, as the system's, naming the fields and who asked", () => {
    // Act
    const steady = record({ applyState: 'Applied', appliedVersion: 3 });
    const applied = appliedRecord(
      steady,
      steady,
      { missingGroups: [], reverted: ['workerAccess', 'tags'] },
      NOW,
      'the nightly resync',
    );

    // Assess
    expect(applied.history.at(-1)).toEqual({
      version: 3,
      at: NOW.toISOString(),
      by: 'system',
      action: 'reconciled',
      summary: 'reverted an out-of-band change of workerAccess, tags (the nightly resync)',
    });
  });

  it('applied: a team without notifications keeps no topic; deleted groups are the reason shown', () => {
    // Act
    const quiet = record({ spec: desiredTeam({ notifications: false }), topicArn: TOPIC, topicMayExist: true });
    const applied = appliedRecord(quiet, quiet, { missingGroups: ['labelers-old'] }, NOW);

    // Assess
    expect([applied.topicArn, applied.topicMayExist]).toEqual([undefined, undefined]);
    expect(applied.pendingReason).toContain('labelers-old');
  });

  it("applied: the team's own topic (foreignTopic) goes with notifications, and stays while they are on", () => {
    // Prepare
    const own = 'arn:aws:sns:eu-west-1:123456789012:labeling-alerts';
    const quiet = record({ spec: desiredTeam({ notifications: false }), topicArn: own, foreignTopic: true });
    const notifying = record({ topicArn: own, foreignTopic: true });

    // Act
    const off = appliedRecord(quiet, quiet, { missingGroups: [] }, NOW);
    const on = appliedRecord(notifying, notifying, { topicArn: own, missingGroups: [] }, NOW);

    // Assess
    expect([off.topicArn, off.foreignTopic]).toEqual([undefined, undefined]);
    expect([on.topicArn, on.foreignTopic]).toEqual([own, true]);
  });

  it('pending: kept with its reason and next retry, and never forgets a topic a pass learnt of', () => {
    // Act
    const retry = { attempts: 3, nextAttemptAt: '2026-12-06T12:04:00.000Z', since: '2026-12-06T11:58:00.000Z' };
    const pending = pendingRecord(
      record(),
      { topicArn: TOPIC },
      'TooManyRequestsException: Cognito did not accept the change yet; it will be retried',
      retry,
      NOW,
    );

    // Assess
    expect(pending).toMatchObject({ applyState: 'Pending', retry, topicArn: TOPIC, topicMayExist: true, version: 3 });
    expect(pending.pendingReason).toContain('Cognito');
  });

  it('failed: kept as it is for a person, the reason without e-mail addresses', () => {
    // Act
    const failed = failedRecord(record(), 'refused: ana@example.com is not a member', NOW);

    // Assess
    expect(failed).toMatchObject({ applyState: 'Failed', version: 3, spec: record().spec });
    expect(failed.pendingReason).not.toContain('ana@example.com');
  });

  it('pending: a topic SageMaker kept when it was to remove it is recorded, and stays until the change is applied', () => {
    // Prepare
    const retry = { attempts: 1, nextAttemptAt: '2026-12-06T12:01:00.000Z', since: NOW.toISOString() };
    const quiet = record({ spec: desiredTeam({ notifications: false }), topicArn: TOPIC, topicMayExist: true });

    // Act
    const kept = pendingRecord(quiet, { topicKeptBySageMaker: TOPIC }, 'SageMaker still shows it', retry, NOW);
    const throttledNext = pendingRecord(kept, {}, 'ThrottlingException', retry, NOW);
    const givenUp = failedRecord({ ...kept, ...topicFacts(kept, {}) }, 'gave up', NOW);
    const applied = appliedRecord(kept, kept, { missingGroups: [] }, NOW);

    // Assess
    expect(kept).toMatchObject({ applyState: 'Pending', topicKeptBySageMaker: TOPIC, topicArn: TOPIC });
    expect(throttledNext.topicKeptBySageMaker).toBe(TOPIC);
    expect(givenUp.topicKeptBySageMaker).toBe(TOPIC);
    expect(applied).toMatchObject({ applyState: 'Applied', topicKeptBySageMaker: undefined, topicArn: undefined });
  });

  it('topic facts: what is known of the topic is carried forward', () => {
    expect(topicFacts(record(), {})).toEqual({ topicArn: undefined, topicMayExist: undefined });
    expect(topicFacts(record({ topicMayExist: true }), {})).toEqual({ topicArn: undefined, topicMayExist: true });
    expect(topicFacts(record(), { topicArn: TOPIC })).toEqual({ topicArn: TOPIC, topicMayExist: true });
    expect(topicFacts(record({ topicKeptBySageMaker: TOPIC }), {})).toMatchObject({ topicKeptBySageMaker: TOPIC });
  });
});
