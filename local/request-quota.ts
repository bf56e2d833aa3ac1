/**
 * Request-rate quotas as AWS applies them: a token bucket per quota (and, where AWS has one, per resource such as
 * a user pool), refilled at the published requests per second and holding at most one second's worth. A call over
 * the quota is refused at once (the caller answers with the service's own throttling error); nothing waits.
 *
 * One knob scales every quota of a local cloud: `scale` 1 is AWS's published rates (the default), 2 doubles
 * them, 0 lifts them. Each refusal is counted by quota, so tests and the benchmark can see what was throttled.
 */

/** One quota: so many requests per second, over the whole account or per resource. */
export interface QuotaDefinition {
  /** Requests per second at AWS's published value. */
  perSecond: number;
}

export interface QuotaState {
  scale: number;
  /** Calls admitted, by quota key (`UserList`, `GetGroup:us-east-1_abc`, ...). */
  admitted: Record<string, number>;
  /** Calls refused as throttled, by quota key. */
  throttled: Record<string, number>;
}

export interface RequestQuotas {
  /**
   * Takes one request from each named quota (all or none): false when any of them is spent this instant.
   * `keys` are `[definitionName, resource?]`: the resource makes a bucket of its own (a per-pool quota).
   */
  take(keys: readonly (readonly [string, string?])[]): boolean;
  setScale(scale: number): void;
  state(): QuotaState;
  /** Forgets the counts (not the buckets). */
  resetCounts(): void;
}

interface Bucket {
  tokens: number;
  at: number;
}

export function createRequestQuotas(
  definitions: Readonly<Record<string, QuotaDefinition>>,
  options: { scale?: number; now?: () => number } = {},
): RequestQuotas {
  const now = options.now ?? (() => performance.now());
  let scale = options.scale ?? 1;
  const buckets = new Map<string, Bucket>();
  let admitted: Record<string, number> = {};
  let throttled: Record<string, number> = {};

  const bucketKey = ([name, resource]: readonly [string, string?]) => (resource ? `${name}:${resource}` : name);

  /** The bucket refilled to this instant; capacity is one second of the (scaled) rate. */
  const refilled = (key: string, rate: number, at: number): Bucket => {
    const bucket = buckets.get(key) ?? { tokens: rate, at };
    bucket.tokens = Math.min(rate, bucket.tokens + ((at - bucket.at) / 1000) * rate);
    bucket.at = at;
    buckets.set(key, bucket);
    return bucket;
  };

  return {
    take(keys) {
      if (scale <= 0) return true;
      const at = now();
      const taken: Bucket[] = [];
      for (const key of keys) {
        const definition = definitions[key[0]];
        if (!definition) throw new Error(`unknown quota '${key[0]}'`);
        const bucket = refilled(bucketKey(key), definition.perSecond * scale, at);
        taken.push(bucket);
      }
      const label = keys.map(bucketKey).join('+') || 'none';
      if (taken.some((bucket) => bucket.tokens < 1)) {
        throttled[label] = (throttled[label] ?? 0) + 1;
        return false;
      }
      for (const bucket of taken) bucket.tokens -= 1;
      admitted[label] = (admitted[label] ?? 0) + 1;
      return true;
    },
    setScale(next) {
      if (!Number.isFinite(next) || next < 0) throw new Error('scale must be a number of at least 0');
      scale = next;
      buckets.clear();
    },
    state() {
      return { scale, admitted: { ...admitted }, throttled: { ...throttled } };
    },
    resetCounts() {
      admitted = {};
      throttled = {};
    },
  };
}

/** The scale a local cloud starts with: LOCAL_QUOTA_SCALE (a number; 0 lifts the quotas), else AWS's rates. */
export function quotaScaleFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.LOCAL_QUOTA_SCALE;
  if (raw === undefined || raw === '') return 1;
  const scale = Number(raw);
  if (!Number.isFinite(scale) || scale < 0) throw new Error(`LOCAL_QUOTA_SCALE must be a number >= 0, not '${raw}'`);
  return scale;
}
