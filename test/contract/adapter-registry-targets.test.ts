/**
 * One teams table, many targets: each target's registry, leases and ledgers see only that target's teams, so a team
 * name taken in one account and region is free in every other, and no listing, token or lease crosses targets. The
 * hub's records keep the keys they always had (the team's name). Real SDK against dynalite, a fresh table per test.
 */
import { randomUUID } from 'node:crypto';
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { createTeamLeases } from '#lib/adapters/leases';
import { createTeamRegistry, teamKeyPrefix } from '#lib/adapters/registry';
import { createSubscriptionLedgers } from '#lib/adapters/subscription-ledgers';
import type { TeamRecord } from '#lib/domain/team';
import { InvalidPaginationToken, type TeamRegistry } from '#lib/ports/teams';
import { createTableFromDefinition, readTableDefinitions } from '../../local/seed';

const NOW = new Date('2030-06-01T12:00:00.000Z');
const HUB = { hub: true, account: '000000000000', region: 'us-east-1' };
const PROD_EU = { hub: false, account: '111111111111', region: 'eu-west-1' };
/** The hub's account in another region: another target, with keys of its own. */
const HUB_EU = { hub: false, account: '000000000000', region: 'eu-west-1' };
const TARGETS = [HUB, PROD_EU, HUB_EU];

let dynamo: DynamoDBClient;
let doc: DynamoDBDocumentClient;
let tableName: string;

beforeAll(() => {
  dynamo = new DynamoDBClient({});
  doc = DynamoDBDocumentClient.from(dynamo);
});

afterAll(() => dynamo.destroy());

beforeEach(async () => {
  tableName = `registry-targets-${randomUUID()}`;
  await createTableFromDefinition(dynamo, tableName, readTableDefinitions().TeamsTable);
});

afterEach(async () => {
  await dynamo.send(new DeleteTableCommand({ TableName: tableName }));
});

function registryOf(target: (typeof TARGETS)[number]): TeamRegistry {
  return createTeamRegistry(doc, tableName, teamKeyPrefix(target));
}

function aRecord(name: string, overrides: Partial<TeamRecord> = {}): TeamRecord {
  const at = new Date(NOW.getTime() - 60_000).toISOString();
  return {
    name,
    spec: {
      name,
      description: 'Labels images',
      workforceName: 'default',
      members: { cognitoGroups: ['labelers-en'] },
      notifications: true,
      workerAccess: { sourceIp: 'Enabled', vpcSourceIp: 'Disabled' },
      tags: {},
    },
    identity: { userPool: 'us-east-1_pool', clientId: 'client' },
    owner: 'user-sub-1',
    version: 1,
    lifecycle: 'active',
    applyState: 'Applied',
    createdAt: at,
    updatedAt: at,
    history: [{ version: 1, at, by: 'user-sub-1', action: 'created', summary: 'created' }],
    ...overrides,
  };
}

describe('a registry per target', () => {
  it('keeps a team of one name in every target apart: each get sees its own, no put conflicts with another', async () => {
    // Prepare: the same name in the three targets, each with its own description
    for (const target of TARGETS) {
      const record = aRecord('annotators');
      await registryOf(target).put({ ...record, spec: { ...record.spec, description: target.region } }, undefined);
    }

    // Act
    const read = await Promise.all(TARGETS.map((target) => registryOf(target).get('annotators')));

    // Assess: three records, each the one its target wrote; the hub's keyed by the bare name, as before targets
    expect(read.map((record) => record?.spec.description)).toEqual(['us-east-1', 'eu-west-1', 'eu-west-1']);
    expect(read.map((record) => record?.name)).toEqual(['annotators', 'annotators', 'annotators']);
    const keys = ['annotators', '111111111111/eu-west-1/annotators', '000000000000/eu-west-1/annotators'];
    for (const key of keys) {
      expect((await doc.send(new GetCommand({ TableName: tableName, Key: { name: key } }))).Item).toBeDefined();
    }
  });

  it("lists each target's active records only, page after page, and refuses a token of another target's listing", async () => {
    // Prepare: 5 teams in each target, names interleaving across targets
    for (const target of TARGETS) {
      for (const index of [1, 2, 3, 4, 5]) await registryOf(target).put(aRecord(`team-${index}`), undefined);
    }
    await registryOf(PROD_EU).put(aRecord('retired', { lifecycle: 'deleted' }), undefined);

    // Act: walk each target's listing two records a page
    const walked: Record<string, string[]> = {};
    const tokens: Record<string, string> = {};
    for (const target of TARGETS) {
      const names: string[] = [];
      let nextToken: string | undefined;
      do {
        const page = await registryOf(target).listActiveTeams({ limit: 2, nextToken });
        names.push(...page.items.map((record) => record.name));
        nextToken = page.nextToken;
        if (nextToken) tokens[target.region + target.account] = nextToken;
      } while (nextToken);
      walked[`${target.account}/${target.region}`] = names;
    }

    // Assess
    for (const names of Object.values(walked))
      expect(names).toEqual(['team-1', 'team-2', 'team-3', 'team-4', 'team-5']);
    const prodToken = tokens[PROD_EU.region + PROD_EU.account] as string;
    await expect(registryOf(HUB).listActiveTeams({ nextToken: prodToken })).rejects.toBeInstanceOf(
      InvalidPaginationToken,
    );
    await expect(registryOf(HUB_EU).listActiveTeams({ nextToken: prodToken })).rejects.toBeInstanceOf(
      InvalidPaginationToken,
    );
  });

  it("finds due and pending records, pending creations and a group's teams in the target's records only", async () => {
    // Prepare: a pending creation and a team of group 'reviewers' in each target
    const due = new Date(NOW.getTime() - 1000).toISOString();
    for (const target of TARGETS) {
      await registryOf(target).put(
        aRecord('pending-team', { applyState: 'Pending', retry: { attempts: 1, nextAttemptAt: due } }),
        undefined,
      );
      const reviewers = aRecord('reviewers-team');
      await registryOf(target).put(
        { ...reviewers, spec: { ...reviewers.spec, members: { cognitoGroups: ['reviewers'] } } },
        undefined,
      );
    }

    for (const target of TARGETS) {
      const registry = registryOf(target);
      // Act
      const [duePending, pending, creations, withGroup] = await Promise.all([
        registry.listDuePending(NOW, 10),
        registry.listPending(),
        registry.listPendingCreations(),
        registry.listActiveTeamsWithCognitoGroup('us-east-1_pool', 'reviewers'),
      ]);

      // Assess: one of each, named as the target's callers name it
      expect(duePending.map((record) => record.name)).toEqual(['pending-team']);
      expect(pending.map((record) => record.name)).toEqual(['pending-team']);
      expect(creations).toEqual(['pending-team']);
      expect(withGroup.map((record) => record.name)).toEqual(['reviewers-team']);
    }
  });
});

describe('leases and ledgers per target', () => {
  it("lets two targets' teams of one name be leased at once, and keeps their ledgers apart", async () => {
    // Prepare
    const until = new Date(NOW.getTime() + 60_000);
    const leases = TARGETS.map((target) => createTeamLeases(doc, tableName, teamKeyPrefix(target)));
    const ledgers = TARGETS.map((target) => createSubscriptionLedgers(doc, tableName, teamKeyPrefix(target)));

    // Act
    const taken = await Promise.all(
      leases.map((lease, index) => lease.tryAcquire('annotators', `holder-${index}`, until, NOW)),
    );
    const takenAgain = await leases[1]?.tryAcquire('annotators', 'someone-else', until, NOW);
    await Promise.all(
      ledgers.map((ledger, index) =>
        ledger.put('annotators', { [`key-${index}`]: { state: 'asked', at: NOW.toISOString() } }),
      ),
    );
    await ledgers[0]?.forget('annotators');

    // Assess: each target held its own lease, a second holder in one target is refused; a forgotten ledger is the
    // hub's only
    expect(taken).toEqual([true, true, true]);
    expect(takenAgain).toBe(false);
    expect(await ledgers[0]?.get('annotators')).toEqual({});
    expect(Object.keys((await ledgers[1]?.get('annotators')) ?? {})).toEqual(['key-1']);
    expect(Object.keys((await ledgers[2]?.get('annotators')) ?? {})).toEqual(['key-2']);
  });
});
