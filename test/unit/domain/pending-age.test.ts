import { oldestPendingAgeSeconds, pendingSince } from '#lib/domain/pending-age';
import type { HistoryEntry, TeamRecord } from '#lib/domain/team';
import { desiredTeam } from './team-fixtures';

const NOW = new Date('2026-11-22T12:00:00.000Z');
const hoursAgo = (hours: number) => new Date(NOW.getTime() - hours * 3_600_000).toISOString();

function entry(version: number, at: string): HistoryEntry {
  return { version, at, by: 'owner-0001', action: version === 1 ? 'created' : 'updated', summary: 'changed' };
}

function record(overrides: Partial<TeamRecord> = {}): TeamRecord {
  return {
    name: 'labeling-team',
    spec: desiredTeam(),
    owner: 'owner-0001',
    version: 1,
    lifecycle: 'active',
    applyState: 'Pending',
    createdAt: hoursAgo(10),
    updatedAt: hoursAgo(0.1),
    history: [entry(1, hoursAgo(10))],
    ...overrides,
  };
}

describe('pendingSince', () => {
  it('counts from the oldest change not yet applied, not from the last attempt or the due time', () => {
    const pending = record({
      version: 4,
      appliedVersion: 2,
      retry: { attempts: 5, nextAttemptAt: hoursAgo(-0.5) },
      history: [entry(1, hoursAgo(10)), entry(2, hoursAgo(8)), entry(3, hoursAgo(3)), entry(4, hoursAgo(1))],
    });

    expect(pendingSince(pending).toISOString()).toBe(hoursAgo(3));
  });

  it("counts a record never applied from its creation, not from the entries of the name's earlier team", () => {
    const recreated = record({
      version: 5,
      createdAt: hoursAgo(2),
      history: [entry(3, hoursAgo(30)), entry(4, hoursAgo(29)), entry(5, hoursAgo(2))],
    });

    expect(pendingSince(recreated).toISOString()).toBe(hoursAgo(2));
  });

  it('counts a record pending at its applied version (a sync applying it again) from its last attempt', () => {
    const reapplied = record({ version: 3, appliedVersion: 3, updatedAt: hoursAgo(0.25) });

    expect(pendingSince(reapplied).toISOString()).toBe(hoursAgo(0.25));
  });
});

describe('oldestPendingAgeSeconds', () => {
  it('is the age of the longest-waiting Pending record, in whole seconds', () => {
    const records = [
      record({ name: 'a', createdAt: hoursAgo(1) }),
      record({ name: 'b', createdAt: new Date(NOW.getTime() - 7_200_500).toISOString() }),
    ];

    expect(oldestPendingAgeSeconds(records, NOW)).toBe(7200);
  });

  it('leaves out records that are not Pending', () => {
    const records = [
      record({ name: 'failed', applyState: 'Failed', createdAt: hoursAgo(9) }),
      record({ name: 'pending', createdAt: hoursAgo(1) }),
    ];

    expect(oldestPendingAgeSeconds(records, NOW)).toBe(3600);
  });

  it('is 0 when nothing is Pending', () => {
    expect(oldestPendingAgeSeconds([], NOW)).toBe(0);
  });

  it('is never negative (a clock behind the writer)', () => {
    expect(oldestPendingAgeSeconds([record({ createdAt: hoursAgo(-0.01) })], NOW)).toBe(0);
  });
});
