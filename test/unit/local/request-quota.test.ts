/**
 * The local cloud's request-rate quotas (local/request-quota.ts): a token bucket per quota and resource holding one
 * second of the scaled rate, on an injected clock.
 */
import { createRequestQuotas, quotaScaleFromEnv } from '../../../local/request-quota';

function quotasAt(scale = 1) {
  let at = 0;
  const quotas = createRequestQuotas(
    { Subscribe: { perSecond: 10 }, ListSubscriptionsByTopic: { perSecond: 3 }, GetGroup: { perSecond: 2 } },
    { scale, now: () => at },
  );
  return {
    quotas,
    advance(ms: number) {
      at += ms;
    },
    takeMany(count: number, keys: readonly (readonly [string, string?])[]) {
      return Array.from({ length: count }, () => quotas.take(keys)).filter(Boolean).length;
    },
  };
}

describe('createRequestQuotas', () => {
  it('admits one second of the rate at once, then refuses', () => {
    // Prepare
    const { quotas, takeMany } = quotasAt();

    // Act
    const admitted = takeMany(15, [['Subscribe']]);

    // Assess
    expect(admitted).toBe(10);
    expect(quotas.state()).toEqual({ scale: 1, admitted: { Subscribe: 10 }, throttled: { Subscribe: 5 } });
  });

  it('refills at the rate, never beyond one second of it', () => {
    // Prepare
    const { advance, takeMany } = quotasAt();
    takeMany(10, [['Subscribe']]);

    // Act
    advance(300);
    const afterAThird = takeMany(10, [['Subscribe']]);
    advance(60_000);
    const afterAMinute = takeMany(30, [['Subscribe']]);

    // Assess
    expect(afterAThird).toBe(3);
    expect(afterAMinute).toBe(10);
  });

  it('keeps a bucket per quota and per resource', () => {
    // Prepare
    const { takeMany } = quotasAt();

    // Act
    const poolA = takeMany(5, [['GetGroup', 'pool-a']]);
    const poolB = takeMany(5, [['GetGroup', 'pool-b']]);
    const listings = takeMany(5, [['ListSubscriptionsByTopic']]);

    // Assess
    expect([poolA, poolB, listings]).toEqual([2, 2, 3]);
  });

  it('takes from every named quota or from none', () => {
    // Prepare
    const { quotas, takeMany } = quotasAt();
    takeMany(2, [['GetGroup', 'pool-a']]);

    // Act
    const both = quotas.take([['Subscribe'], ['GetGroup', 'pool-a']]);
    const subscribeAlone = takeMany(20, [['Subscribe']]);

    // Assess
    expect(both).toBe(false);
    expect(subscribeAlone).toBe(10);
    expect(quotas.state().throttled['Subscribe+GetGroup:pool-a']).toBe(1);
  });

  it('scales every rate, and lifts them at scale 0', () => {
    // Prepare
    const doubled = quotasAt(2);
    const lifted = quotasAt(0);

    // Act
    const admittedDoubled = doubled.takeMany(30, [['Subscribe']]);
    const admittedLifted = lifted.takeMany(1000, [['Subscribe']]);

    // Assess
    expect(admittedDoubled).toBe(20);
    expect(admittedLifted).toBe(1000);
  });

  it('refuses everything when the scaled rate holds less than one call', () => {
    // Prepare
    const { advance, takeMany } = quotasAt(0.05);

    // Act
    const now = takeMany(3, [['Subscribe']]);
    advance(10_000);
    const later = takeMany(3, [['Subscribe']]);

    // Assess
    expect([now, later]).toEqual([0, 0]);
  });

  it('starts full buckets at a new scale, and forgets the counts when told', () => {
    // Prepare
    const { quotas, takeMany } = quotasAt();
    takeMany(12, [['Subscribe']]);

    // Act
    quotas.setScale(0.5);
    const admitted = takeMany(8, [['Subscribe']]);
    quotas.resetCounts();

    // Assess
    expect(admitted).toBe(5);
    expect(quotas.state()).toEqual({ scale: 0.5, admitted: {}, throttled: {} });
  });

  it('refuses an unknown quota and a scale below 0', () => {
    // Prepare
    const { quotas } = quotasAt();

    // Act and assess
    expect(() => quotas.take([['Publish']])).toThrow("unknown quota 'Publish'");
    expect(() => quotas.setScale(-1)).toThrow('scale must be a number of at least 0');
    expect(() => quotas.setScale(Number.NaN)).toThrow('scale must be a number of at least 0');
  });
});

describe('quotaScaleFromEnv', () => {
  it("is AWS's rates unless LOCAL_QUOTA_SCALE says otherwise", () => {
    expect(quotaScaleFromEnv({})).toBe(1);
    expect(quotaScaleFromEnv({ LOCAL_QUOTA_SCALE: '' })).toBe(1);
    expect(quotaScaleFromEnv({ LOCAL_QUOTA_SCALE: '0' })).toBe(0);
    expect(quotaScaleFromEnv({ LOCAL_QUOTA_SCALE: '2.5' })).toBe(2.5);
  });

  it('refuses what is not a number of at least 0', () => {
    expect(() => quotaScaleFromEnv({ LOCAL_QUOTA_SCALE: 'fast' })).toThrow(
      "LOCAL_QUOTA_SCALE must be a number >= 0, not 'fast'",
    );
    expect(() => quotaScaleFromEnv({ LOCAL_QUOTA_SCALE: '-1' })).toThrow('LOCAL_QUOTA_SCALE must be a number >= 0');
  });
});
