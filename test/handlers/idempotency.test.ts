/**
 * `Idempotency-Key` on POST /teams: the function invoked as `serverless invoke local` invokes it, against the
 * running local cloud; the idempotency records are read straight from the idempotency table (dynalite), and
 * SageMaker's work is counted by the emulator.
 *
 * Invariants: the idempotency record of a key survives every refusal of a duplicate; keys are scoped to the
 * caller; a request without the header is not idempotent (the use case's own replay rules apply).
 */

import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { Caller } from '#lib/auth/caller';
import { handler as createTeam } from '../../functions/create-team';
import { handler as deleteTeam } from '../../functions/delete-team';
import type { HttpResult } from '../support/invoke';
import { emulatorCalls, resetEmulatorCalls, setEmulatorKnobs } from '../support/sagemaker-emulator-control';
import { ADMIN, ANY_VERSION, call, OWNER, SOMEONE_ELSE, teamBody, uniqueTeamName } from '../support/teams';

const dynamo = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const idempotencyTable = () => process.env.IDEMPOTENCY_TABLE as string;

const created: string[] = [];

type IdempotencyItem = Record<string, unknown> & { id: string; status?: string };

function post(body: unknown, options: { key?: string; caller?: Caller } = {}): Promise<HttpResult> {
  return call(createTeam, 'createTeam', 'create-team.json', {
    body,
    caller: options.caller ?? OWNER,
    ...(options.key === undefined ? {} : { headers: { 'idempotency-key': options.key } }),
  });
}

/** Every record of the idempotency table, by id. */
async function idempotencyRecords(): Promise<Map<string, IdempotencyItem>> {
  const records = new Map<string, IdempotencyItem>();
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await dynamo.send(new ScanCommand({ TableName: idempotencyTable(), ExclusiveStartKey }));
    for (const item of page.Items ?? []) records.set(String(item.id), item as IdempotencyItem);
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return records;
}

/** The records written since `before` was taken. */
async function recordsSince(before: Map<string, IdempotencyItem>): Promise<IdempotencyItem[]> {
  return [...(await idempotencyRecords()).values()].filter((record) => !before.has(record.id));
}

async function idempotencyRecord(id: string): Promise<IdempotencyItem | undefined> {
  const { Item } = await dynamo.send(new GetCommand({ TableName: idempotencyTable(), Key: { id } }));
  return Item as IdempotencyItem | undefined;
}

/** Polls the table until a record written since `before` has `status`: no fixed sleep. */
async function waitForNewRecord(before: Map<string, IdempotencyItem>, status: string): Promise<IdempotencyItem> {
  const deadline = Date.now() + 5_000;
  while (Date.now() < deadline) {
    const found = (await recordsSince(before)).find((record) => record.status === status);
    if (found) return found;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`no new ${status} idempotency record within 5 s`);
}

afterEach(async () => {
  await setEmulatorKnobs({ latencyMs: 0, throttleRate: 0, serverErrorRate: 0 });
  while (created.length > 0) {
    const name = created.pop() as string;
    await call(deleteTeam, 'deleteTeam', 'delete-team.json', { headers: ANY_VERSION, path: { name }, caller: ADMIN });
  }
});

describe('POST /teams with an Idempotency-Key', () => {
  it('answers the same key, body and caller with the stored response, and creates the team once', async () => {
    // Prepare
    const name = uniqueTeamName('idem');
    const key = `key-${name}`;
    await resetEmulatorCalls();
    const first = await post(teamBody(name), { key });
    created.push(name);
    const callsAfterFirst = await emulatorCalls();

    // Act
    const second = await post(teamBody(name), { key });

    // Assess: the stored answer (the use case itself would answer 200), and SageMaker was not even asked
    expect(first.statusCode).toBe(201);
    expect(second).toEqual(first);
    expect(await emulatorCalls()).toEqual(callsAfterFirst);
    expect(callsAfterFirst.CreateWorkteam).toBe(1);
  });

  it('refuses the same key with another body (422) and keeps the record: the original body still gets the stored answer', async () => {
    // Prepare
    const name = uniqueTeamName('idem');
    const key = `key-${name}`;
    const before = await idempotencyRecords();
    await resetEmulatorCalls();
    const first = await post(teamBody(name), { key });
    created.push(name);

    // Act
    const reused = await post(teamBody(name, { description: 'Something else' }), { key });
    const recordsAfterRefusal = await recordsSince(before);
    const original = await post(teamBody(name), { key });
    const reusedAgain = await post(teamBody(name, { description: 'Something else' }), { key });

    // Assess
    expect(first.statusCode).toBe(201);
    expect(reused.statusCode).toBe(422);
    expect(reused.body).toMatchObject({ error: { code: 'IdempotencyKeyReused' } });
    expect(recordsAfterRefusal).toEqual([expect.objectContaining({ status: 'COMPLETED' })]);
    expect(original).toEqual(first); // 201 again: a run of the use case would answer 200
    expect(reusedAgain.statusCode).toBe(422);
    expect(reusedAgain.body).toMatchObject({ error: { code: 'IdempotencyKeyReused' } });
    expect((await emulatorCalls()).CreateWorkteam).toBe(1);
  });

  it('answers 409 RequestInProgress to a duplicate while the first runs, and the stored answer once it is done', async () => {
    // Prepare: every SageMaker call of the first request is slow; the duplicate makes none
    const name = uniqueTeamName('idem');
    const key = `key-${name}`;
    const before = await idempotencyRecords();
    await resetEmulatorCalls();
    await setEmulatorKnobs({ latencyMs: 300 });
    const startedAt = Date.now();
    const firstRequest = post(teamBody(name), { key });
    created.push(name);
    const inProgress = await waitForNewRecord(before, 'INPROGRESS');

    // Act
    const duplicate = await post(teamBody(name), { key });
    const recordAfterRefusal = await idempotencyRecord(inProgress.id);
    const first = await firstRequest;
    await setEmulatorKnobs({ latencyMs: 0 });
    const afterwards = await post(teamBody(name), { key });

    // Assess: the duplicate was refused while the first ran, and the refusal left the record alone
    expect(duplicate.statusCode).toBe(409);
    expect(duplicate.body).toMatchObject({ error: { code: 'RequestInProgress' } });
    expect(recordAfterRefusal).toMatchObject({ status: 'INPROGRESS' });
    // Assess: the in-progress lock ends with the invocation's remaining time (10 s here), not with the 24 h
    // (Powertools adds the remaining time to a clock read a moment later: a second of slack)
    expect(inProgress.in_progress_expiration).toEqual(expect.any(Number));
    expect(inProgress.in_progress_expiration as number).toBeGreaterThan(startedAt);
    expect(inProgress.in_progress_expiration as number).toBeLessThan(startedAt + 10_000 + 1_000);
    // Assess: once done, the duplicate gets the stored answer; one team was created
    expect(first.statusCode).toBe(201);
    expect(afterwards).toEqual(first);
    expect((await emulatorCalls()).CreateWorkteam).toBe(1);
  });

  it("keeps keys apart per caller: another caller's same key and body run its own request, not a replay", async () => {
    // Prepare
    const name = uniqueTeamName('idem');
    const key = `key-${name}`;
    const first = await post(teamBody(name), { key });
    created.push(name);
    const before = await idempotencyRecords();

    // Act
    const other = await post(teamBody(name), { key, caller: SOMEONE_ELSE });
    const otherWithoutKey = await post(teamBody(name), { caller: SOMEONE_ELSE });

    // Assess: not the owner's stored 201, but what the use case answers this caller (the name is taken by
    // someone else's team), and a refusal is not stored under the key
    expect(first.statusCode).toBe(201);
    expect(other.statusCode).toBe(409);
    expect(other.body).toMatchObject({ error: { code: 'TeamExists' } });
    expect({ statusCode: other.statusCode, body: other.body }).toEqual({
      statusCode: otherWithoutKey.statusCode,
      body: otherWithoutKey.body,
    });
    expect(await recordsSince(before)).toHaveLength(0);
  });

  it('lets another caller use the same key for a request of its own, without refusing it as a reused key', async () => {
    // Prepare
    const mine = uniqueTeamName('idem');
    const theirs = uniqueTeamName('idem');
    const key = `key-${mine}`;
    const first = await post(teamBody(mine), { key });
    created.push(mine);

    // Act
    const other = await post(teamBody(theirs), { key, caller: SOMEONE_ELSE });
    created.push(theirs);

    // Assess
    expect(first.statusCode).toBe(201);
    expect(other.statusCode).toBe(201);
    expect(other.body).toMatchObject({ name: theirs, owner: SOMEONE_ELSE.sub });
  });

  it('does not make a request without the header idempotent: both run through the use case, no record is written', async () => {
    // Prepare
    const name = uniqueTeamName('idem');
    const before = await idempotencyRecords();

    // Act
    const first = await post(teamBody(name));
    created.push(name);
    const second = await post(teamBody(name));

    // Assess: the use case's own identical-repeat answer (a stored one would be the 201), and no record at all,
    // in particular none keyed on the caller alone
    expect(first.statusCode).toBe(201);
    expect(second.statusCode).toBe(200);
    expect(second.body).toEqual(first.body);
    expect(await recordsSince(before)).toEqual([]);
  });

  it('treats an empty Idempotency-Key header as none: no record, so no key shared by every empty header', async () => {
    // Prepare
    const name = uniqueTeamName('idem');
    const before = await idempotencyRecords();

    // Act
    const first = await post(teamBody(name), { key: '' });
    created.push(name);
    const second = await post(teamBody(name), { key: '' });

    // Assess
    expect(first.statusCode).toBe(201);
    expect(second.statusCode).toBe(200);
    expect(await recordsSince(before)).toEqual([]);
  });

  it('does not store a refused request: the key is released, so a retry with the same key runs again', async () => {
    // Prepare
    const name = uniqueTeamName('idem');
    const key = `key-${name}`;
    const before = await idempotencyRecords();

    // Act
    const refused = await post({ name }, { key });
    const recordsAfterRefusal = await recordsSince(before);
    const retried = await post(teamBody(name), { key });
    created.push(name);

    // Assess
    expect(refused.statusCode).toBe(400);
    expect(recordsAfterRefusal).toEqual([]);
    expect(retried.statusCode).toBe(201);
    expect(retried.body).toMatchObject({ name, owner: OWNER.sub });
  });
});
