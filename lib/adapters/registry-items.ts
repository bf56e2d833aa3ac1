/**
 * How a team record is kept as a teams-table item (lib/adapters/registry.ts): its key (the target's prefix and the
 * team's name), the attributes of the indexes (`pendingKey`, `pendingDueAt`, another target's `targetKey`), the
 * history cut to HISTORY_LIMIT entries, and tags as a list of pairs; and how an item reads back as a record.
 */
import type { DesiredTeam, TeamRecord } from '../domain/team';

/** How many history entries an item keeps; older ones are dropped on write, so an item never outgrows 400 KB. */
export const HISTORY_LIMIT = 100;

/** The partition of the `pendingByDueTime` index: every record whose apply is pending. */
export const PENDING_KEY_VALUE = 'pending';

interface IndexAttributes {
  pendingKey?: string;
  pendingDueAt?: string;
  /** Another target's records: `<account>/<region>` (lib/adapters/registry.ts). */
  targetKey?: string;
}

export type StoredTeam = TeamRecord & IndexAttributes;

/** A target's `targetKey` (undefined for the hub): its key prefix without the last `/`. */
export function targetKeyOf(keyPrefix: string): string | undefined {
  return keyPrefix === '' ? undefined : keyPrefix.slice(0, -1);
}

export function toStoredItem(record: TeamRecord, keyPrefix: string): Record<string, unknown> {
  const { spec, appliedSpec, supersededSpecs, ...rest } = record;
  const item: Omit<StoredTeam, 'spec' | 'appliedSpec' | 'supersededSpecs'> & {
    spec: StoredSpec;
    appliedSpec?: StoredSpec;
    supersededSpecs?: { version: number; spec: StoredSpec }[];
  } = {
    ...rest,
    name: `${keyPrefix}${record.name}`,
    targetKey: targetKeyOf(keyPrefix),
    spec: toStoredSpec(spec),
    ...(appliedSpec === undefined ? {} : { appliedSpec: toStoredSpec(appliedSpec) }),
    ...(supersededSpecs === undefined
      ? {}
      : {
          supersededSpecs: supersededSpecs.map((entry) => ({ version: entry.version, spec: toStoredSpec(entry.spec) })),
        }),
    history: record.history.slice(-HISTORY_LIMIT),
  };
  // Deleted records can be pending too: a retirement SageMaker has not carried out yet.
  if (record.applyState === 'Pending') {
    item.pendingKey = PENDING_KEY_VALUE;
    item.pendingDueAt = normaliseInstant(record.retry?.nextAttemptAt ?? record.updatedAt);
  } else {
    // A put replaces the whole item, so leaving these out takes the record out of the index.
    delete item.pendingKey;
    delete item.pendingDueAt;
  }
  return withoutUndefined(item) as Record<string, unknown>;
}

export function fromStoredItem(item: StoredTeam, keyPrefix: string): TeamRecord {
  const { pendingKey: _pendingKey, pendingDueAt: _pendingDueAt, targetKey: _targetKey, ...stored } = item;
  const record = { ...stored, name: stored.name.slice(keyPrefix.length) };
  // Typed as a TeamRecord, but the tags of `spec` and `appliedSpec` are in their stored form (see toStoredSpec).
  const spec: unknown = record.spec;
  const appliedSpec: unknown = record.appliedSpec;
  const superseded: unknown = record.supersededSpecs;
  return {
    ...record,
    ...(isPlainRecord(spec) ? { spec: fromStoredSpec(spec) } : {}),
    ...(isPlainRecord(appliedSpec) ? { appliedSpec: fromStoredSpec(appliedSpec) } : {}),
    ...(Array.isArray(superseded)
      ? {
          supersededSpecs: superseded.filter(isPlainRecord).map((entry) => ({
            version: Number(entry.version),
            spec: fromStoredSpec(isPlainRecord(entry.spec) ? entry.spec : {}),
          })),
        }
      : {}),
  };
}

/**
 * The index sorts `pendingDueAt` as a string, so every value must have the exact shape of
 * `Date.toISOString()` (with milliseconds): '…00Z' would otherwise sort after '…00.500Z'.
 */
function normaliseInstant(value: string): string {
  const time = Date.parse(value);
  return Number.isNaN(time) ? value : new Date(time).toISOString();
}

/** The document client refuses `undefined` unless it was built with `removeUndefinedValues`: drop them here. */
function withoutUndefined(value: unknown): unknown {
  if (Array.isArray(value)) return value.filter((entry) => entry !== undefined).map(withoutUndefined);
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, entry]) => entry !== undefined)
        .map(([key, entry]) => [key, withoutUndefined(entry)]),
    );
  }
  return value;
}

/**
 * Tags as the item stores them: a list of `{ key, value }` pairs. A tag key is any text the client chose,
 * `__proto__` and `constructor` included, and the document client's marshaller cannot take such keys as the
 * names of a map (it fails, or loses them); list items have fixed names, whatever the keys.
 */
type StoredTags = { key: string; value: string }[];

type StoredSpec = Omit<DesiredTeam, 'tags'> & { tags: StoredTags };

function toStoredSpec(spec: DesiredTeam): StoredSpec {
  return { ...spec, tags: Object.entries(spec.tags).map(([key, value]) => ({ key, value })) };
}

/** Reads a spec back; items written before tags were stored as a list hold them as a map, which still reads. */
function fromStoredSpec(spec: Record<string, unknown>): DesiredTeam {
  return { ...(spec as unknown as DesiredTeam), tags: tagsFromItem(spec.tags) };
}

/**
 * The tags as a plain object whose every key is an own property: `Object.fromEntries` defines them (a `__proto__`
 * key too), where `tags[key] = value` would set the prototype instead.
 */
function tagsFromItem(stored: unknown): Record<string, string> {
  if (Array.isArray(stored)) {
    return Object.fromEntries(
      stored
        .filter((tag): tag is { key: unknown; value: unknown } => isPlainRecord(tag))
        .map(({ key, value }) => [String(key), String(value ?? '')]),
    );
  }
  if (isPlainRecord(stored)) {
    return Object.fromEntries(Object.entries(stored).map(([key, value]) => [key, String(value ?? '')]));
  }
  return {};
}

export function isPlainRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
