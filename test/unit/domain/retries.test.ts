import { afterFailedAttempt, nextAttemptAt } from '#lib/domain/retries';
import type { TeamRecord } from '#lib/domain/team';
import { desiredTeam } from './team-fixtures';

const NOW = new Date('2026-11-22T05:00:00.000Z');
const HOUR = 3_600_000;
const ago = (ms: number) => new Date(NOW.getTime() - ms).toISOString();

function pending(retry?: TeamRecord['retry']): TeamRecord {
  return {
    name: 'labeling-team',
    spec: desiredTeam(),
    owner: 'owner-0001',
    version: 2,
    lifecycle: 'active',
    applyState: 'Pending',
    retry,
    createdAt: ago(10 * HOUR),
    updatedAt: ago(0),
    history: [],
  };
}

describe('nextAttemptAt', () => {
  it.each([
    [1, '2026-11-22T05:01:00.000Z'],
    [2, '2026-11-22T05:02:00.000Z'],
    [3, '2026-11-22T05:04:00.000Z'],
    [6, '2026-11-22T05:32:00.000Z'],
  ])('waits twice as long after each failed attempt (attempt %i → %s)', (attempts, expected) => {
    expect(nextAttemptAt(NOW, attempts)).toBe(expected);
  });

  it('never waits more than an hour', () => {
    expect(nextAttemptAt(NOW, 30)).toBe('2026-11-22T06:00:00.000Z');
  });
});

describe('afterFailedAttempt', () => {
  it('starts the budget at the first failed attempt and schedules the next one', () => {
    // Act
    const next = afterFailedAttempt(pending(), NOW, 3 * HOUR);

    // Assess
    expect(next).toEqual({
      giveUp: false,
      retry: { attempts: 1, nextAttemptAt: '2026-11-22T05:01:00.000Z', since: NOW.toISOString() },
    });
  });

  it('keeps retrying however many attempts failed, while the budget lasts (a burst of throttled events)', () => {
    // Act: the hundredth failed attempt, ten minutes into the budget
    const next = afterFailedAttempt(
      pending({ attempts: 99, nextAttemptAt: ago(0), since: ago(HOUR / 6) }),
      NOW,
      3 * HOUR,
    );

    // Assess
    expect(next).toMatchObject({ giveUp: false, retry: { attempts: 100, since: ago(HOUR / 6) } });
  });

  it('gives up once the change has been retried for the whole budget, saying for how long', () => {
    // Act
    const next = afterFailedAttempt(
      pending({ attempts: 7, nextAttemptAt: ago(0), since: ago(3 * HOUR + 5 * 60_000) }),
      NOW,
      3 * HOUR,
    );

    // Assess
    expect(next).toEqual({
      giveUp: true,
      retry: { attempts: 8, nextAttemptAt: NOW.toISOString(), since: ago(3 * HOUR + 5 * 60_000) },
      triedFor: '3 h 5 min',
    });
  });

  it('counts a record retried before the budget was recorded (no since) from now', () => {
    // Act
    const next = afterFailedAttempt(pending({ attempts: 5, nextAttemptAt: ago(0) }), NOW, 3 * HOUR);

    // Assess
    expect(next).toMatchObject({ giveUp: false, retry: { attempts: 6, since: NOW.toISOString() } });
  });
});
