/** When a managed team is InSync, Pending, Failed, Orphaned or Drifted: one pure decision. */
import { toWorkteamSpec } from '#lib/domain/desired-spec';
import type { LiveWorkteam } from '#lib/domain/live';
import type { TeamRecord } from '#lib/domain/team';
import { teamStatus } from '#lib/domain/team-status';
import { MANAGEMENT_TAG } from './fixtures';
import { desiredTeam, IDENTITY, TEAM_ARN } from './team-fixtures';

const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:workteam-automation-prod-labeling-team';

function record(overrides: Partial<TeamRecord> = {}): TeamRecord {
  return {
    name: 'labeling-team',
    spec: desiredTeam(),
    identity: IDENTITY,
    topicArn: TOPIC,
    owner: 'owner-0001',
    version: 3,
    lifecycle: 'active',
    applyState: 'Applied',
    createdAt: '2026-12-01T00:00:00.000Z',
    updatedAt: '2026-12-06T11:59:00.000Z',
    history: [],
    ...overrides,
  };
}

/** What SageMaker holds when it matches the record exactly. */
function liveOf(team: TeamRecord, overrides: Partial<LiveWorkteam> = {}): LiveWorkteam {
  const { name, description, memberDefinitions, notificationTopicArn, workerAccess, tags } = toWorkteamSpec(
    team.spec,
    team.identity,
    team.topicArn,
    MANAGEMENT_TAG,
  );
  return {
    name,
    arn: TEAM_ARN,
    description,
    memberDefinitions,
    notificationTopicArn,
    workerAccess,
    tags,
    ...overrides,
  };
}

describe('teamStatus', () => {
  it('is InSync when an applied team matches SageMaker', () => {
    expect(teamStatus(record(), liveOf(record()), MANAGEMENT_TAG)).toEqual({ status: 'InSync', differences: [] });
  });

  it('is Drifted, with the fields that differ, when SageMaker differs from an applied team', () => {
    const { status, differences } = teamStatus(
      record(),
      liveOf(record(), { description: 'changed by hand' }),
      MANAGEMENT_TAG,
    );
    expect(status).toBe('Drifted');
    expect(differences.map((difference) => difference.field)).toEqual(['description']);
  });

  it('is Pending, never Drifted, while a change is being applied: SageMaker has not been asked yet', () => {
    const pending = record({ applyState: 'Pending' });
    expect(teamStatus(pending, liveOf(pending, { description: 'old' }), MANAGEMENT_TAG)).toEqual({
      status: 'Pending',
      differences: [],
    });
  });

  it('is Failed with the differences when retries ran out', () => {
    const failed = record({ applyState: 'Failed' });
    expect(teamStatus(failed, liveOf(failed, { description: 'old' }), MANAGEMENT_TAG).status).toBe('Failed');
  });

  it('is Orphaned when its last Cognito group is gone, whatever else holds', () => {
    const orphaned = record({
      orphaned: { group: 'labelers', at: '2026-12-06T11:00:00.000Z' } as TeamRecord['orphaned'],
    });
    expect(teamStatus(orphaned, liveOf(orphaned), MANAGEMENT_TAG).status).toBe('Orphaned');
  });
});
