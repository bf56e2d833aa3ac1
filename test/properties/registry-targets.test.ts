/**
 * One teams table, many targets, as a property (fast-check, fixed seed): generated sequences of creates,
 * retirements and re-creations of a few team names in three targets (the hub, another account, the hub's account
 * in another region) run with each target's operations in order and the targets' sequences at once, against the
 * real registry adapter on dynalite. Whatever the interleaving, each target ends exactly as a model that knows that
 * target alone says: every record's lifecycle and version, its pending creations, and the walk of its active
 * records (two a page) — no write, listing or token of one target ever sees or moves another's.
 */
import { randomUUID } from 'node:crypto';
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { createTeamRegistry, teamKeyPrefix } from '#lib/adapters/registry';
import type { TeamRecord } from '#lib/domain/team';
import type { TeamRegistry } from '#lib/ports/teams';
import { createTableFromDefinition, readTableDefinitions } from '../../local/seed';

const SEED = 1717;
const RUNS = 15;
const TARGETS = [
  { hub: true, account: '000000000000', region: 'us-east-1' },
  { hub: false, account: '111111111111', region: 'us-east-1' },
  { hub: false, account: '000000000000', region: 'eu-west-1' },
] as const;
const NAMES = ['annotators', 'reviewers', 'labelers'] as const;
const AT = '2030-06-01T12:00:00.000Z';

type Operation = { target: number; name: (typeof NAMES)[number]; kind: 'create' | 'retire' | 'pend' };

const operationArb: fc.Arbitrary<Operation> = fc.record({
  target: fc.integer({ min: 0, max: TARGETS.length - 1 }),
  name: fc.constantFrom(...NAMES),
  kind: fc.constantFrom('create', 'retire', 'pend'),
});

let dynamo: DynamoDBClient;
let doc: DynamoDBDocumentClient;

beforeAll(() => {
  dynamo = new DynamoDBClient({});
  doc = DynamoDBDocumentClient.from(dynamo);
});

afterAll(() => dynamo.destroy());

function record(name: string, version: number, overrides: Partial<TeamRecord>): TeamRecord {
  return {
    name,
    spec: {
      name,
      description: 'A team',
      workforceName: 'default',
      members: { cognitoGroups: ['labelers-en'] },
      notifications: true,
      workerAccess: { sourceIp: 'Enabled', vpcSourceIp: 'Disabled' },
      tags: {},
    },
    owner: 'owner',
    version,
    lifecycle: 'active',
    applyState: 'Applied',
    createdAt: AT,
    updatedAt: AT,
    history: [{ version, at: AT, by: 'owner', action: 'created', summary: 'created' }],
    ...overrides,
  };
}

/** What one target's registry should hold: by name, the lifecycle, version and apply state of its record. */
type Model = Map<string, { lifecycle: 'active' | 'deleted'; version: number; pending: boolean }>;

/** Applies one operation to the target's registry and its model, as a use case would: read, then a conditional put. */
async function apply(registry: TeamRegistry, model: Model, operation: Operation): Promise<void> {
  const known = model.get(operation.name);
  const current = await registry.get(operation.name);
  expect(current?.version).toBe(known?.version);
  if (operation.kind === 'create' && (known === undefined || known.lifecycle === 'deleted')) {
    const version = (known?.version ?? 0) + 1;
    await registry.put(
      {
        ...record(operation.name, version, { applyState: 'Pending' }),
        ...(current ? { revision: current.revision } : {}),
      },
      known?.version,
    );
    model.set(operation.name, { lifecycle: 'active', version, pending: true });
  } else if (operation.kind === 'retire' && current && known?.lifecycle === 'active') {
    await registry.put(
      { ...current, version: current.version + 1, lifecycle: 'deleted', applyState: 'Applied' },
      current.version,
    );
    model.set(operation.name, { lifecycle: 'deleted', version: known.version + 1, pending: false });
  } else if (operation.kind === 'pend' && current && known?.lifecycle === 'active') {
    await registry.put({ ...current, applyState: known.pending ? 'Applied' : 'Pending' }, current.version);
    model.set(operation.name, { ...known, pending: !known.pending });
  }
}

async function activeNames(registry: TeamRegistry): Promise<string[]> {
  const names: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await registry.listActiveTeams({ limit: 2, nextToken });
    names.push(...page.items.map((each) => each.name));
    nextToken = page.nextToken;
  } while (nextToken);
  return names;
}

describe('one table, many targets', () => {
  it("keeps every target's records as that target's operations alone make them, whatever runs beside them", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(operationArb, { minLength: 1, maxLength: 24 }), async (operations) => {
        const tableName = `registry-targets-property-${randomUUID()}`;
        await createTableFromDefinition(dynamo, tableName, readTableDefinitions().TeamsTable);
        try {
          const registries = TARGETS.map((target) => createTeamRegistry(doc, tableName, teamKeyPrefix(target)));
          const models: Model[] = TARGETS.map(() => new Map());
          // Act: each target's operations in their order, the targets' sequences at once
          await Promise.all(
            TARGETS.map(async (_target, index) => {
              for (const operation of operations.filter((each) => each.target === index)) {
                await apply(registries[index] as TeamRegistry, models[index] as Model, operation);
              }
            }),
          );

          // Assess
          for (const [index, registry] of registries.entries()) {
            const model = models[index] as Model;
            for (const name of NAMES) {
              const stored = await registry.get(name);
              const expected = model.get(name);
              expect(stored && { lifecycle: stored.lifecycle, version: stored.version }).toEqual(
                expected && { lifecycle: expected.lifecycle, version: expected.version },
              );
            }
            const active = [...model].filter(([, state]) => state.lifecycle === 'active').map(([name]) => name);
            expect(await activeNames(registry)).toEqual(active.sort());
            const pendingCreations = [...model]
              .filter(([, state]) => state.lifecycle === 'active' && state.pending)
              .map(([name]) => name);
            expect((await registry.listPendingCreations()).sort()).toEqual(pendingCreations.sort());
          }
        } finally {
          await dynamo.send(new DeleteTableCommand({ TableName: tableName }));
        }
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
  }, 120_000);
});
