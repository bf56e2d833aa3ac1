/**
 * The team registry through the real SDK against dynalite, on a fresh table per test made from
 * infra/tables.json (the definitions serverless.yml deploys).
 */
import { randomUUID } from 'node:crypto';
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { createTeamRegistry, HISTORY_LIMIT } from '#lib/adapters/registry';
import type { HistoryEntry, TeamRecord } from '#lib/domain/team';
import { InvalidPaginationToken, RegistryConflict, type TeamRegistry } from '#lib/ports/teams';
import { createTableFromDefinition, readTableDefinitions } from '../../local/seed';

const NOW = new Date('2030-06-01T12:00:00.000Z');

let dynamo: DynamoDBClient;
let doc: DynamoDBDocumentClient;
let tableName: string;
let registry: TeamRegistry;

beforeAll(() => {
  dynamo = new DynamoDBClient({});
  doc = DynamoDBDocumentClient.from(dynamo);
});

afterAll(() => {
  dynamo.destroy();
});

beforeEach(async () => {
  tableName = `registry-test-${randomUUID()}`;
  await createTableFromDefinition(dynamo, tableName, readTableDefinitions().TeamsTable);
  registry = createTeamRegistry(doc, tableName);
});

afterEach(async () => {
  await dynamo.send(new DeleteTableCommand({ TableName: tableName }));
});

function minutesFromNow(minutes: number): string {
  return new Date(NOW.getTime() + minutes * 60_000).toISOString();
}

function historyEntry(version: number): HistoryEntry {
  return { version, at: NOW.toISOString(), by: 'user-sub-1', action: 'updated', summary: `version ${version}` };
}

function aRecord(overrides: Partial<TeamRecord> = {}): TeamRecord {
  const name = overrides.name ?? `team-${randomUUID().slice(0, 8)}`;
  return {
    name,
    spec: {
      name,
      description: 'Labels images',
      workforceName: 'default',
      members: { cognitoGroups: ['labelers-en'] },
      notifications: true,
      workerAccess: { sourceIp: 'Enabled', vpcSourceIp: 'Disabled' },
      tags: { classification: 'internal' },
    },
    identity: { userPool: 'us-east-1_pool', clientId: 'client' },
    owner: 'user-sub-1',
    version: 1,
    lifecycle: 'active',
    applyState: 'Applied',
    createdAt: minutesFromNow(-60),
    updatedAt: minutesFromNow(-60),
    history: [{ version: 1, at: minutesFromNow(-60), by: 'user-sub-1', action: 'created', summary: 'created' }],
    ...overrides,
  };
}

async function rawItem(name: string): Promise<Record<string, unknown> | undefined> {
  return (await doc.send(new GetCommand({ TableName: tableName, Key: { name } }))).Item;
}

describe('createTeamRegistry().put', () => {
  it('creates a record that get returns exactly as written', async () => {
    // Prepare
    const record = aRecord({ applyState: 'Pending', pendingReason: 'awaiting SageMaker' });

    // Act
    const stored = await registry.put(record, undefined);

    // Assess: the index attributes stay internal; the registry adds its revision
    expect(stored).toEqual({ ...record, revision: expect.any(String) });
    expect(await registry.get(record.name)).toEqual(stored);
  });

  it('returns undefined for a name it does not hold', async () => {
    // Act
    const record = await registry.get('no-such-team');

    // Assess
    expect(record).toBeUndefined();
  });

  it('accepts optional fields that are present but undefined', async () => {
    // Prepare
    const record = aRecord({ pendingReason: undefined, retry: undefined, topicArn: undefined });

    // Act
    const { revision } = await registry.put(record, undefined);

    // Assess
    expect(await registry.get(record.name)).toEqual({ ...aRecord({ name: record.name }), revision });
  });

  it('refuses a second create of the same name with RegistryConflict', async () => {
    // Prepare
    const record = aRecord();
    await registry.put(record, undefined);

    // Act / Assess
    await expect(registry.put({ ...record, owner: 'someone-else' }, undefined)).rejects.toThrow(RegistryConflict);
    expect((await registry.get(record.name))?.owner).toBe('user-sub-1');
  });

  it('replaces the record when the stored version is the expected one', async () => {
    // Prepare
    const record = aRecord();
    await registry.put(record, undefined);
    const next = { ...record, version: 2, spec: { ...record.spec, description: 'Labels more images' } };

    // Act
    const stored = await registry.put(next, 1);

    // Assess
    expect(await registry.get(record.name)).toEqual({ ...next, revision: stored.revision });
  });

  it('refuses a second write from the same read, even at the same version (RegistryConflict)', async () => {
    // Prepare: one read, then a write of that read's version (an apply state recorded)
    const record = aRecord();
    await registry.put(record, undefined);
    const read = (await registry.get(record.name)) as TeamRecord;
    await registry.put({ ...read, applyState: 'Applied' }, read.version);

    // Act: another write built from the same read
    const second = registry.put({ ...read, applyState: 'Failed' }, read.version);

    // Assess
    await expect(second).rejects.toThrow(RegistryConflict);
    expect(await registry.get(read.name)).toMatchObject({ applyState: 'Applied' });
  });

  it('gives every write a new revision', async () => {
    // Prepare
    const first = await registry.put(aRecord(), undefined);

    // Act
    const second = await registry.put({ ...first, pendingReason: 'x' }, first.version);

    // Assess
    expect(second.revision).toEqual(expect.any(String));
    expect(second.revision).not.toBe(first.revision);
  });

  it('refuses a stale version with RegistryConflict and keeps the stored record', async () => {
    // Prepare
    const record = aRecord();
    await registry.put(record, undefined);
    await registry.put({ ...record, version: 2 }, 1);

    // Act
    const stale = registry.put({ ...record, version: 2, owner: 'late-writer' }, 1);

    // Assess
    await expect(stale).rejects.toMatchObject({ name: 'RegistryConflict', teamName: record.name });
    expect(await registry.get(record.name)).toMatchObject({ version: 2, owner: 'user-sub-1' });
  });

  it('refuses an expected version when there is no record at all', async () => {
    // Act / Assess
    await expect(registry.put(aRecord({ version: 2 }), 1)).rejects.toThrow(RegistryConflict);
  });

  it(`keeps only the last ${HISTORY_LIMIT} history entries`, async () => {
    // Prepare
    const history = Array.from({ length: 130 }, (_, i) => historyEntry(i + 1));

    // Act
    const record = aRecord({ version: 130, history });
    await registry.put(record, undefined);

    // Assess
    const stored = await registry.get(record.name);
    expect(stored?.history).toHaveLength(HISTORY_LIMIT);
    expect(stored?.history[0]?.version).toBe(31);
    expect(stored?.history.at(-1)?.version).toBe(130);
  });
});

describe('createTeamRegistry().listPendingCreations', () => {
  it('names the active records that are pending and were never applied, due or not', async () => {
    // Prepare
    const neverApplied = aRecord({ applyState: 'Pending', retry: { attempts: 0, nextAttemptAt: minutesFromNow(30) } });
    const changePending = aRecord({ applyState: 'Pending', appliedVersion: 1, updatedAt: minutesFromNow(-5) });
    const deletionPending = aRecord({ applyState: 'Pending', lifecycle: 'deleted', updatedAt: minutesFromNow(-5) });
    const applied = aRecord({ applyState: 'Applied', appliedVersion: 1 });
    for (const record of [neverApplied, changePending, deletionPending, applied]) await registry.put(record, undefined);

    // Act
    const names = await registry.listPendingCreations();

    // Assess
    expect(names).toEqual([neverApplied.name]);
  });
});

describe('createTeamRegistry() and superseded desired states', () => {
  it('round-trips the states a refused change steps back to, hostile tag keys included', async () => {
    // Prepare
    const base = aRecord({ applyState: 'Pending', version: 3 });
    const record: TeamRecord = {
      ...base,
      supersededSpecs: [{ version: 2, spec: { ...base.spec, tags: { __proto__: 'x', constructor: 'y' } } }],
    };
    Object.defineProperty(record.supersededSpecs?.[0]?.spec.tags, '__proto__', {
      value: 'x',
      enumerable: true,
      configurable: true,
      writable: true,
    });

    // Act
    const stored = await registry.put(record, undefined);
    const read = await registry.get(record.name);

    // Assess
    expect(read).toEqual(stored);
    const tags = read?.supersededSpecs?.[0]?.spec.tags ?? {};
    expect(Object.hasOwn(tags, '__proto__')).toBe(true);
    expect(Object.hasOwn(tags, 'constructor')).toBe(true);
  });
});

describe('createTeamRegistry().listDuePending', () => {
  it('returns only the pending records that are due, retired ones too, oldest first', async () => {
    // Prepare
    const retriedRecently = aRecord({
      applyState: 'Pending',
      retry: { attempts: 2, nextAttemptAt: minutesFromNow(-1) },
      updatedAt: minutesFromNow(-30),
    });
    const pendingLongest = aRecord({ applyState: 'Pending', updatedAt: minutesFromNow(-10) });
    const retryLater = aRecord({ applyState: 'Pending', retry: { attempts: 1, nextAttemptAt: minutesFromNow(5) } });
    const applied = aRecord({ applyState: 'Applied', updatedAt: minutesFromNow(-20) });
    const deletionPending = aRecord({ applyState: 'Pending', lifecycle: 'deleted', updatedAt: minutesFromNow(-20) });
    const stored = new Map<string, TeamRecord>();
    for (const record of [retriedRecently, pendingLongest, retryLater, applied, deletionPending]) {
      stored.set(record.name, await registry.put(record, undefined));
    }

    // Act
    const due = await registry.listDuePending(NOW, 10);

    // Assess
    expect(due).toEqual([deletionPending, pendingLongest, retriedRecently].map((record) => stored.get(record.name)));
  });

  it('stops at the limit, keeping the oldest', async () => {
    // Prepare
    const records = [-3, -2, -1].map((minutes) =>
      aRecord({ applyState: 'Pending', updatedAt: minutesFromNow(minutes) }),
    );
    for (const record of records) await registry.put(record, undefined);

    // Act
    const due = await registry.listDuePending(NOW, 2);

    // Assess
    expect(due.map((record) => record.name)).toEqual([records[0]?.name, records[1]?.name]);
  });

  it('drops a record from the index when it leaves Pending', async () => {
    // Prepare
    const record = aRecord({ applyState: 'Pending', updatedAt: minutesFromNow(-1) });
    await registry.put(record, undefined);
    expect(await registry.listDuePending(NOW, 10)).toHaveLength(1);

    // Act
    await registry.put({ ...record, version: 2, applyState: 'Applied' }, 1);

    // Assess
    expect(await registry.listDuePending(NOW, 10)).toEqual([]);
    expect(await rawItem(record.name)).not.toHaveProperty('pendingKey');
  });

  it('drops a retired record from the index once its deletion is applied', async () => {
    // Prepare
    const record = aRecord({ applyState: 'Pending', lifecycle: 'deleted', updatedAt: minutesFromNow(-1) });
    await registry.put(record, undefined);

    // Act
    await registry.put({ ...record, version: 2, applyState: 'Applied' }, 1);

    // Assess
    expect(await registry.listDuePending(NOW, 10)).toEqual([]);
  });

  it('compares instants, not spellings: a due time written without milliseconds is due at that second', async () => {
    // Prepare: as strings, '…12:00:00Z' sorts after '…12:00:00.500Z'
    const record = aRecord({ applyState: 'Pending', retry: { attempts: 1, nextAttemptAt: '2030-06-01T12:00:00Z' } });
    await registry.put(record, undefined);

    // Act
    const due = await registry.listDuePending(new Date('2030-06-01T12:00:00.500Z'), 10);

    // Assess
    expect(due.map((entry) => entry.name)).toEqual([record.name]);
  });
});

describe('createTeamRegistry(): tag keys that are names of Object.prototype', () => {
  const HOSTILE_TAGS = Object.fromEntries([
    ['__proto__', 'x'],
    ['constructor', 'y'],
    ['toString', 'z'],
    ['hasOwnProperty', 'w'],
    ['valueOf', ''],
    ['classification', 'internal'],
  ]);

  function ownTags(tags: Record<string, string> | undefined): [string, string][] {
    expect(Object.getPrototypeOf(tags)).toBe(Object.prototype);
    return Object.entries(tags ?? {});
  }

  it('round-trips a record whose spec and applied spec carry them, as own properties', async () => {
    // Prepare
    const base = aRecord();
    const record: TeamRecord = {
      ...base,
      spec: { ...base.spec, tags: HOSTILE_TAGS },
      appliedVersion: 1,
      appliedSpec: { ...base.spec, tags: Object.fromEntries([['__proto__', 'old']]) },
    };

    // Act
    await registry.put(record, undefined);
    const read = await registry.get(record.name);

    // Assess
    expect(ownTags(read?.spec.tags)).toEqual(Object.entries(HOSTILE_TAGS));
    expect(ownTags(read?.appliedSpec?.tags)).toEqual([['__proto__', 'old']]);
    expect(Object.hasOwn(read?.spec.tags ?? {}, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  it('returns them from the pending index too', async () => {
    // Prepare
    const base = aRecord({ applyState: 'Pending', updatedAt: minutesFromNow(-1) });
    await registry.put({ ...base, spec: { ...base.spec, tags: HOSTILE_TAGS } }, undefined);

    // Act
    const [due] = await registry.listDuePending(NOW, 10);

    // Assess
    expect(ownTags(due?.spec.tags)).toEqual(Object.entries(HOSTILE_TAGS));
  });

  it('stores tags as a list of key and value pairs, whatever the keys', async () => {
    // Prepare
    const base = aRecord();

    // Act
    await registry.put({ ...base, spec: { ...base.spec, tags: HOSTILE_TAGS } }, undefined);

    // Assess
    const item = await rawItem(base.name);
    expect((item?.spec as { tags?: unknown } | undefined)?.tags).toEqual(
      Object.entries(HOSTILE_TAGS).map(([key, value]) => ({ key, value })),
    );
  });

  it('still reads an item written before, whose tags are a map', async () => {
    // Prepare: the item as the registry used to write it
    const record = aRecord({ appliedVersion: 1 });
    const legacy = { ...record, appliedSpec: { ...record.spec, tags: { classification: 'restricted' } } };
    await doc.send(new PutCommand({ TableName: tableName, Item: legacy }));

    // Act
    const read = await registry.get(record.name);

    // Assess
    expect(read).toEqual(legacy);
    expect(ownTags(read?.spec.tags)).toEqual([['classification', 'internal']]);
  });
});

/** A record of about 310 KB (a long history): four of them fill DynamoDB's 1 MB page. */
function aLargeRecord(overrides: Partial<TeamRecord> = {}): TeamRecord {
  const history = Array.from({ length: HISTORY_LIMIT }, (_, i) => ({
    ...historyEntry(i + 1),
    summary: `${i + 1} ${'x'.repeat(3_000)}`,
  }));
  return aRecord({ version: HISTORY_LIMIT, history, ...overrides });
}

/** Counts the Query requests the registry sends while `act` runs. */
async function countQueries<T>(act: () => Promise<T>): Promise<{ result: T; queries: number }> {
  const send = jest.spyOn(doc, 'send');
  try {
    const result = await act();
    return { result, queries: send.mock.calls.filter(([command]) => command instanceof QueryCommand).length };
  } finally {
    send.mockRestore();
  }
}

function tokenOf(json: string): string {
  return Buffer.from(json).toString('base64url');
}

describe('createTeamRegistry().listActiveTeams', () => {
  async function walk(limit: number): Promise<{ pages: TeamRecord[][]; tokens: (string | undefined)[] }> {
    const pages: TeamRecord[][] = [];
    const tokens: (string | undefined)[] = [];
    let nextToken: string | undefined;
    do {
      const page = await registry.listActiveTeams({ limit, nextToken });
      pages.push(page.items);
      tokens.push(page.nextToken);
      nextToken = page.nextToken;
    } while (nextToken !== undefined && pages.length < 20);
    return { pages, tokens };
  }

  it('walks every active record exactly once, in name order, two a page, and no retired one', async () => {
    // Prepare: retired names sort between the active ones, and are written last
    const active = ['team-e', 'team-a', 'team-d', 'team-b', 'team-g'].map((name) => aRecord({ name }));
    const retired = ['team-c', 'team-f'].map((name) => aRecord({ name, lifecycle: 'deleted' }));
    const stored = new Map<string, TeamRecord>();
    for (const record of [...active, ...retired]) stored.set(record.name, await registry.put(record, undefined));

    // Act
    const { pages, tokens } = await walk(2);

    // Assess: 2 + 2 + 1, the last page without a token, each record as stored
    expect(pages.map((page) => page.map((record) => record.name))).toEqual([
      ['team-a', 'team-b'],
      ['team-d', 'team-e'],
      ['team-g'],
    ]);
    expect(tokens.at(-1)).toBeUndefined();
    expect(pages.flat()).toEqual(['team-a', 'team-b', 'team-d', 'team-e', 'team-g'].map((name) => stored.get(name)));
  });

  it('ends with an empty page when the last full page was the end', async () => {
    // Prepare
    for (const name of ['team-a', 'team-b']) await registry.put(aRecord({ name }), undefined);

    // Act
    const { pages, tokens } = await walk(2);

    // Assess
    expect(pages.map((page) => page.map((record) => record.name))).toEqual([['team-a', 'team-b'], []]);
    expect(tokens).toEqual([expect.any(String), undefined]);
  });

  it('resumes after the last record of the page, even once that record is retired', async () => {
    // Prepare
    const records = ['team-a', 'team-b', 'team-c', 'team-d'].map((name) => aRecord({ name }));
    for (const record of records) await registry.put(record, undefined);
    const first = await registry.listActiveTeams({ limit: 2 });
    const lastOfPage = first.items.at(-1) as TeamRecord;
    await registry.put({ ...lastOfPage, version: 2, lifecycle: 'deleted' }, 1);

    // Act
    const second = await registry.listActiveTeams({ limit: 2, nextToken: first.nextToken });

    // Assess
    expect(lastOfPage.name).toBe('team-b');
    expect(second.items.map((record) => record.name)).toEqual(['team-c', 'team-d']);
  });

  it('drops a record from the walk once it is retired, and lists it again as a new active record', async () => {
    // Prepare
    const record = aRecord({ name: 'team-a' });
    const stored = await registry.put(record, undefined);
    const retired = await registry.put({ ...stored, version: 2, lifecycle: 'deleted' }, 1);
    expect((await registry.listActiveTeams({})).items).toEqual([]);

    // Act: a new team of the same name replaces the retired record
    const successor = await registry.put({ ...aRecord({ name: 'team-a' }), version: 3, revision: retired.revision }, 2);

    // Assess
    expect((await registry.listActiveTeams({})).items).toEqual([successor]);
  });

  it('fills the page across DynamoDB responses cut at 1 MB', async () => {
    // Prepare: five records of about 310 KB; a response holds four at most
    const records = ['team-a', 'team-b', 'team-c', 'team-d', 'team-e'].map((name) => aLargeRecord({ name }));
    for (const record of records) await registry.put(record, undefined);

    // Act
    const { result: page, queries } = await countQueries(() => registry.listActiveTeams({ limit: 5 }));

    // Assess
    expect(queries).toBeGreaterThan(1);
    expect(page.items.map((record) => record.name)).toEqual(records.map((record) => record.name));
    expect(page.items[0]?.history).toHaveLength(HISTORY_LIMIT);
  });

  it('lists a record written before the index existed, with nothing added to it', async () => {
    // Prepare: the item exactly as an earlier registry wrote it (no index attribute of its own)
    const legacy = aRecord({ name: 'team-a' });
    await doc.send(new PutCommand({ TableName: tableName, Item: legacy }));

    // Act
    const page = await registry.listActiveTeams({});

    // Assess
    expect(page.items).toEqual([legacy]);
  });

  it.each([
    ['text that is not base64url JSON', 'not a token!'],
    ['JSON that is not an object', tokenOf('["team-a"]')],
    ['a name that is not a string', tokenOf('{"name":1}')],
    ['an empty name', tokenOf('{"name":""}')],
    ['fields it never writes', tokenOf('{"name":"team-a","lifecycle":"deleted"}')],
    ['another spelling of a token it issued', tokenOf('{ "name": "team-a" }')],
    ['a name longer than any sort key', tokenOf(JSON.stringify({ name: 'a'.repeat(1_025) }))],
    ['an empty string', ''],
  ])('refuses a token it did not issue (%s) with InvalidPaginationToken', async (_, nextToken) => {
    // Prepare
    await registry.put(aRecord({ name: 'team-a' }), undefined);

    // Act / Assess
    await expect(registry.listActiveTeams({ nextToken })).rejects.toThrow(InvalidPaginationToken);
    await expect(registry.listActiveTeams({ nextToken })).rejects.toThrow(/nextToken is not valid/);
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses a limit of %p', async (limit) => {
    // Act / Assess
    await expect(registry.listActiveTeams({ limit })).rejects.toThrow(RangeError);
  });
});

describe('createTeamRegistry().listActiveTeamsWithCognitoGroup', () => {
  const POOL = 'us-east-1_pool';

  function withGroups(name: string, cognitoGroups: string[], overrides: Partial<TeamRecord> = {}): TeamRecord {
    const record = aRecord({ name, ...overrides });
    return { ...record, spec: { ...record.spec, members: { cognitoGroups } } };
  }

  it('returns exactly the active teams of that pool whose members include the group', async () => {
    // Prepare
    const oidc = aRecord({ name: 'oidc-team', identity: undefined });
    const records = [
      withGroups('uses-it-with-others', ['reviewers', 'labelers-en']),
      withGroups('uses-it-alone', ['labelers-en']),
      withGroups('retired', ['labelers-en'], { lifecycle: 'deleted' }),
      withGroups('other-pool', ['labelers-en'], { identity: { userPool: 'eu-west-1_other', clientId: 'client' } }),
      { ...oidc, spec: { ...oidc.spec, members: { oidcGroups: ['labelers-en'] } } },
      withGroups('longer-name', ['labelers-en-us']),
      withGroups('shorter-name', ['labelers']),
      withGroups('other-case', ['Labelers-EN']),
      withGroups('other-group', ['reviewers']),
    ];
    const stored = new Map<string, TeamRecord>();
    for (const record of records) stored.set(record.name, await registry.put(record, undefined));

    // Act
    const teams = await registry.listActiveTeamsWithCognitoGroup(POOL, 'labelers-en');

    // Assess
    expect(teams).toEqual([stored.get('uses-it-alone'), stored.get('uses-it-with-others')]);
  });

  it('matches whole group names: a group whose name is part of a member group finds nothing', async () => {
    // Prepare
    await registry.put(withGroups('team-a', ['labelers-en', 'reviewers']), undefined);

    // Act
    const teams = await registry.listActiveTeamsWithCognitoGroup(POOL, 'labelers');

    // Assess
    expect(teams).toEqual([]);
    expect(await registry.listActiveTeamsWithCognitoGroup(POOL, 'reviewers')).toHaveLength(1);
  });

  it('finds them across several DynamoDB responses', async () => {
    // Prepare: seven records of about 310 KB, so the index takes two responses; matches first and last
    const names = ['team-a', 'team-b', 'team-c', 'team-d', 'team-e', 'team-f', 'team-g'];
    const stored = new Map<string, TeamRecord>();
    for (const name of names) {
      const groups = name === 'team-a' || name === 'team-g' ? ['labelers-de'] : ['labelers-en'];
      const record = aLargeRecord({ name });
      stored.set(
        name,
        await registry.put({ ...record, spec: { ...record.spec, members: { cognitoGroups: groups } } }, undefined),
      );
    }

    // Act
    const { result: teams, queries } = await countQueries(() =>
      registry.listActiveTeamsWithCognitoGroup(POOL, 'labelers-de'),
    );

    // Assess
    expect(queries).toBeGreaterThan(1);
    expect(teams).toEqual([stored.get('team-a'), stored.get('team-g')]);
  });

  it('stops finding a team once the group is removed from its members', async () => {
    // Prepare
    const stored = await registry.put(withGroups('team-a', ['labelers-en', 'reviewers']), undefined);

    // Act
    await registry.put(
      { ...stored, version: 2, spec: { ...stored.spec, members: { cognitoGroups: ['reviewers'] } } },
      1,
    );

    // Assess
    expect(await registry.listActiveTeamsWithCognitoGroup(POOL, 'labelers-en')).toEqual([]);
  });
});
