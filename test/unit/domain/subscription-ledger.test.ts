import { addressKey, mayAsk, nextLedger, type SubscriptionLedger } from '#lib/domain/subscription-ledger';

const NOW = new Date('2026-12-06T12:00:00.000Z');
const DAY = 24 * 60 * 60_000;
const WINDOW = 7 * DAY;
const ago = (ms: number) => new Date(NOW.getTime() - ms).toISOString();
const ANA = 'ana@example.com';
const BEN = 'ben@example.com';

describe('the subscription ledger', () => {
  it('keeps no address: only keys derived from them, the same whatever the case', () => {
    // Act
    const ledger = nextLedger({}, { wanted: [ANA], confirmed: [], pending: [], asked: ['Ana@Example.com'] }, NOW);

    // Assess
    expect(JSON.stringify(ledger)).not.toContain('example.com');
    expect(ledger[addressKey(ANA)]).toEqual({ state: 'asked', at: NOW.toISOString() });
  });

  it('asks an address it never asked', () => {
    expect(mayAsk({}, ANA, NOW, WINDOW)).toBe(true);
  });

  it('does not ask again within the window an address whose mail went unanswered (SNS dropped it after 48 h)', () => {
    // Prepare
    const ledger: SubscriptionLedger = { [addressKey(ANA)]: { state: 'asked', at: ago(3 * DAY) } };

    // Act / Assess
    expect(mayAsk(ledger, ANA, NOW, WINDOW)).toBe(false);
    expect(mayAsk(ledger, ANA, new Date(NOW.getTime() + 4 * DAY), WINDOW)).toBe(true);
  });

  it('records an opt-out when an address seen confirmed is gone, and never asks it again while it stays wanted', () => {
    // Prepare: ana confirmed on an earlier sync
    const before: SubscriptionLedger = { [addressKey(ANA)]: { state: 'confirmed', at: ago(DAY) } };

    // Act: ana is wanted, but neither subscribed nor pending any more (she clicked "unsubscribe")
    const after = nextLedger(before, { wanted: [ANA], confirmed: [], pending: [], asked: [] }, NOW);

    // Assess
    expect(after[addressKey(ANA)]).toEqual({ state: 'optedOut', at: NOW.toISOString() });
    expect(mayAsk(after, ANA, new Date(NOW.getTime() + 365 * DAY), WINDOW)).toBe(false);
  });

  it('forgets an address that left the team, so that rejoining asks it again', () => {
    // Prepare: ana opted out; then she leaves the team's groups
    const optedOut: SubscriptionLedger = { [addressKey(ANA)]: { state: 'optedOut', at: ago(DAY) } };

    // Act
    const left = nextLedger(optedOut, { wanted: [BEN], confirmed: [BEN], pending: [], asked: [] }, NOW);

    // Assess
    expect(left[addressKey(ANA)]).toBeUndefined();
    expect(mayAsk(left, ANA, NOW, WINDOW)).toBe(true);
    expect(left[addressKey(BEN)]).toEqual({ state: 'confirmed', at: NOW.toISOString() });
  });

  it('keeps the time of the mail for an address still pending, and the first sighting of a confirmed one', () => {
    // Prepare
    const before: SubscriptionLedger = {
      [addressKey(ANA)]: { state: 'asked', at: ago(2 * DAY) },
      [addressKey(BEN)]: { state: 'confirmed', at: ago(5 * DAY) },
    };

    // Act
    const after = nextLedger(before, { wanted: [ANA, BEN], confirmed: [BEN], pending: [ANA], asked: [] }, NOW);

    // Assess
    expect(after).toEqual(before);
  });
});
