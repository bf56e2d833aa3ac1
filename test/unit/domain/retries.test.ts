import { nextAttemptAt } from '#lib/use-cases/reconcile';

describe('nextAttemptAt', () => {
  const now = new Date('2026-11-22T05:00:00.000Z');

  it.each([
    [1, '2026-11-22T05:01:00.000Z'],
    [2, '2026-11-22T05:02:00.000Z'],
    [3, '2026-11-22T05:04:00.000Z'],
    [6, '2026-11-22T05:32:00.000Z'],
  ])('waits twice as long after each failed attempt (attempt %i → %s)', (attempts, expected) => {
    expect(nextAttemptAt(now, attempts)).toBe(expected);
  });

  it('never waits more than an hour', () => {
    expect(nextAttemptAt(now, 30)).toBe('2026-11-22T06:00:00.000Z');
  });
});
