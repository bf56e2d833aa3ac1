/**
 * The audit fanned out over the targets of the local cloud (the hub, 111111111111 in us-east-1 and eu-west-1, and
 * 222222222222/eu-west-1 whose role refuses the hub), as Lambda runs it: the scheduled run writes its header and a
 * message per target to the audit-targets queue, the worker (functions/audit-target.ts) audits each and records its
 * row, and the run is answered assembled: every target named, the refusing one failed with its reason. A message
 * delivered twice makes one row; a run whose workers never run is partial at its deadline; a transient failure comes
 * again until its last delivery, which records the target failed; two targets' teams of one name keep their
 * findings apart.
 */
import {
  CreateWorkteamCommand,
  DeleteWorkteamCommand,
  DescribeWorkteamCommand,
  SageMakerClient as SageMaker,
  type SageMakerClient,
  UpdateWorkteamCommand,
} from '@aws-sdk/client-sagemaker';
import type { Message } from '@aws-sdk/client-sqs';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { buildAuditStore } from '#lib/composition/audit-store';
import type { AuditRunView } from '#lib/domain/audit/fan-out';
import { handler as audit } from '../../functions/audit';
import { handler as worker } from '../../functions/audit-target';
import { handler as getAudit } from '../../functions/get-audit';
import { handler as startAudit } from '../../functions/start-audit';
import { newRunId } from '../../lib/use-cases/audit/run';
import { auditTargetsQueue, deliverToWorker, receiveAuditTargets, scheduledAuditRun } from '../support/audit-runs';
import { busEvents, clearBusEvents } from '../support/events';
import { lambdaContext } from '../support/invoke';
import { operator } from '../support/operator';
import { clearEmulatorFaultsAndHolds, injectEmulatorFault } from '../support/sagemaker-emulator-control';
import { ADMIN, call, uniqueTeamName } from '../support/teams';

const localContext = () => lambdaContext('audit');

const HUB = { account: '000000000000', region: 'us-east-1' };
const VENDOR = { account: '111111111111', region: 'us-east-1' };
const OIDC = { account: '111111111111', region: 'eu-west-1' };
const REFUSING = { account: '222222222222', region: 'eu-west-1' };

const outcomeOf = (run: AuditRunView) =>
  run.targets.map(({ account, region, status }) => ({ account, region, status }));

/** What the queue holds now, received until `count` messages are in hand. */
async function messagesOnQueue(count: number): Promise<Message[]> {
  const messages: Message[] = [];
  for (let tries = 0; tries < 50 && messages.length < count; tries++) messages.push(...(await receiveAuditTargets()));
  return messages;
}

beforeAll(() => auditTargetsQueue());

describe('the scheduled audit, fanned out', () => {
  it('names every target: the reachable ones complete, the refusing one failed with its reason', async () => {
    // Act
    const run = await scheduledAuditRun(audit, worker);

    // Assess
    expect(run.status).toBe('complete');
    expect(outcomeOf(run)).toEqual([
      { ...HUB, status: 'complete' },
      { ...VENDOR, status: 'complete' },
      { ...OIDC, status: 'complete' },
      { ...REFUSING, status: 'failed' },
    ]);
    expect(run.targets[3]?.reason).toMatch(/222222222222\/eu-west-1 cannot be reached: its role cannot be assumed/);
    // The seeded teams of two accounts, each named with its target; the totals add the targets' counts up.
    expect(run.teams).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'medical-annotators', ...HUB }),
        expect.objectContaining({ name: 'target-annotators', ...VENDOR }),
      ]),
    );
    const audited = run.targets.map((target) => target.counts?.teamsAudited ?? 0);
    expect(run.counts.teamsAudited).toBe(audited.reduce((sum, count) => sum + count, 0));
  });

  it('is partial at its deadline when no worker ran, every target missing', async () => {
    // Act: 7 s of invocation, so the run waits 2 s (5 s of margin) and nobody takes its messages
    const run = await scheduledAuditRun(audit, worker, { timeoutMs: 7000, deliver: false });

    // Assess
    expect(run.status).toBe('partial');
    expect(run.targets.map((target) => target.status)).toEqual(['missing', 'missing', 'missing', 'missing']);
    expect(run.targets[0]?.reason).toMatch(/no report by the deadline/);
    // Its messages are taken now: the rows come late, and the run reads complete from then on
    await deliverToWorker(worker, await messagesOnQueue(4));
    const later = await call(getAudit, 'getAudit', 'get-audit.json', { caller: ADMIN, path: { id: run.runId } });
    expect(later.body).toMatchObject({ runId: run.runId, status: 'complete' });
  });
});

describe('POST /audit, fanned out', () => {
  it('answers 202 with the run running; a message delivered twice makes one row', async () => {
    // Act
    const started = await call(startAudit, 'startAudit', 'start-audit.json', { caller: ADMIN, body: {} });
    const run = started.body as unknown as AuditRunView;
    const messages = await messagesOnQueue(4);
    await deliverToWorker(worker, messages, { times: 2 });
    const assembled = await call(getAudit, 'getAudit', 'get-audit.json', { caller: ADMIN, path: { id: run.runId } });

    // Assess
    expect(started.statusCode).toBe(202);
    expect(started.headers.location).toBe(`/audit/runs/${run.runId}`);
    expect(run.status).toBe('running');
    expect(messages).toHaveLength(4);
    const view = assembled.body as unknown as AuditRunView;
    expect(view.status).toBe('complete');
    expect(outcomeOf(view).map((target) => target.status)).toEqual(['complete', 'complete', 'complete', 'failed']);
    // One row per target: the hub's teams listed once, not once per delivery
    const hubTeams = view.teams.filter((team) => team.account === HUB.account);
    expect(new Set(hubTeams.map((team) => team.name)).size).toBe(hubTeams.length);
  });
});

/** A run of the hub started, and its one message on the audit-targets queue, taken. */
async function hubRunOnQueue() {
  const runId = newRunId(new Date());
  const store = buildAuditStore();
  await store.startRun({
    runId,
    trigger: 'request',
    mode: 'policy',
    dryRun: false,
    startedAt: new Date().toISOString(),
    deadline: new Date(Date.now() + 60_000).toISOString(),
    targets: [HUB],
  });
  const { url } = await auditTargetsQueue();
  await new SQSClient({ useQueueUrlAsEndpoint: false }).send(
    new SendMessageCommand({ QueueUrl: url, MessageBody: JSON.stringify({ runId, ...HUB, trigger: 'request' }) }),
  );
  const [message] = (await messagesOnQueue(1)) as [Message];
  return { runId, store, message };
}

describe('POST /audit naming one target', () => {
  it("audits that target in place, and is not GET /audit's latest run of every team", async () => {
    // Prepare: a run of every target, complete
    const full = (await call(startAudit, 'startAudit', 'start-audit.json', { caller: ADMIN, body: {} })).body;
    await deliverToWorker(worker, await messagesOnQueue(4));

    // Act
    const one = await call(startAudit, 'startAudit', 'start-audit.json', {
      caller: ADMIN,
      body: { account: '111111111111', region: 'us-east-1' },
    });
    const latest = await call(getAudit, 'getAudit', 'get-audit.json', { caller: ADMIN });

    // Assess
    expect(one.statusCode).toBe(201);
    expect((one.body as unknown as AuditRunView).targets.map((target) => target.account)).toEqual(['111111111111']);
    expect(latest.body).toMatchObject({ runId: full.runId, status: 'complete' });
  });
});

describe('the worker', () => {
  afterEach(clearEmulatorFaultsAndHolds);

  it("audits a target again in place when SageMaker throttles past the SDK's retries once: the row in one delivery", async () => {
    // Prepare: a run of the hub, ListWorkforces throttled for exactly one attempt's three calls
    const { runId, store, message } = await hubRunOnQueue();
    await injectEmulatorFault({
      operation: 'ListWorkforces',
      errorType: 'ThrottlingException',
      message: 'Rate exceeded',
      count: 3,
    });

    // Act
    const failed = await deliverToWorker(worker, [message], { receiveCount: 1 });
    const run = await store.getRun(runId);

    // Assess: nothing handed back; the hub's row is its report
    expect(failed).toEqual([]);
    expect(run && 'rows' in run ? run.rows : undefined).toEqual([
      expect.objectContaining({ ...HUB, status: 'complete' }),
    ]);
  });

  it('hands a transient failure back to SQS, and records the target failed at its last delivery', async () => {
    // Prepare: a run of the hub, SageMaker throttling ListWorkforces past the SDK's retries and the worker's own
    // attempts (3 calls each of 3 attempts) at both deliveries
    const { runId, store, message } = await hubRunOnQueue();
    await injectEmulatorFault({
      operation: 'ListWorkforces',
      errorType: 'ThrottlingException',
      message: 'Rate exceeded',
      count: 18,
    });

    // Act
    const first = await deliverToWorker(worker, [message], { receiveCount: 1 });
    const afterFirst = await store.getRun(runId);
    const last = await deliverToWorker(worker, [message], { receiveCount: 3 });
    const afterLast = await store.getRun(runId);

    // Assess
    expect(first).toEqual([message.MessageId]);
    expect(afterFirst && 'rows' in afterFirst ? afterFirst.rows : undefined).toEqual([]);
    expect(last).toEqual([]);
    expect(afterLast && 'rows' in afterLast ? afterLast.rows : undefined).toEqual([
      expect.objectContaining({
        ...HUB,
        status: 'failed',
        reason: expect.stringMatching(/^ThrottlingException: .*after 3 deliveries/),
      }),
    ]);
  });
});

describe('two targets with a team of one name', () => {
  /** The vendor's own administrator (a temporary key of account 111111111111, as the local cloud files them). */
  const vendor = new SageMaker({
    region: VENDOR.region,
    credentials: { accessKeyId: 'ASIA111111111111TEST', secretAccessKey: 'local' },
  });
  const name = uniqueTeamName('twin');

  /** A restricted team of `name` without the SourceIp constraint, like a seeded team of that target's. */
  async function restrictedTwin(client: SageMakerClient, like: string): Promise<void> {
    const { Workteam } = await client.send(new DescribeWorkteamCommand({ WorkteamName: like }));
    await client.send(
      new CreateWorkteamCommand({
        WorkteamName: name,
        WorkforceName: Workteam?.WorkforceArn?.split('/').at(-1),
        Description: 'A twin in each of two accounts',
        MemberDefinitions: Workteam?.MemberDefinitions,
        Tags: [{ Key: 'classification', Value: 'restricted' }],
      }),
    );
  }

  beforeAll(async () => {
    await restrictedTwin(operator, 'medical-annotators');
    await restrictedTwin(vendor, 'target-annotators');
  });

  afterAll(async () => {
    for (const client of [operator, vendor]) {
      await client.send(new DeleteWorkteamCommand({ WorkteamName: name })).catch(() => undefined);
    }
  });

  it('keeps their findings apart: each named with its target, keyed apart, announced apart', async () => {
    // Prepare
    await clearBusEvents();

    // Act
    const run = await scheduledAuditRun(audit, worker);

    // Assess
    const twins = run.findings.filter(
      (finding) => finding.team === name && finding.rule === 'worker-access.below-policy',
    );
    expect(
      twins.map(({ account, region, key }) => ({ account, region, key })).sort((a, b) => (a.key < b.key ? -1 : 1)),
    ).toEqual([
      { ...VENDOR, key: `111111111111/us-east-1/team/${name}#worker-access.below-policy#high` },
      { ...HUB, key: `team/${name}#worker-access.below-policy#high` },
    ]);
    expect(twins.every((finding) => finding.new)).toBe(true);
    const opened = (await busEvents('workteam-automation')).filter(
      (event) =>
        event['detail-type'] === 'Finding Opened' &&
        (event.detail as { team?: string; rule?: string }).team === name &&
        (event.detail as { rule?: string }).rule === 'worker-access.below-policy',
    );
    const where = opened.map((event) => event.detail as { account: string; region: string; key: string });
    expect(where.map(({ account, region }) => `${account}/${region}`).sort()).toEqual([
      '000000000000/us-east-1',
      '111111111111/us-east-1',
    ]);
  });

  it("audits a change in real time in the target it comes from, that target's team of the name", async () => {
    // Prepare: the CloudTrail record of the vendor's own change to its twin
    await vendor.send(new UpdateWorkteamCommand({ WorkteamName: name, Description: 'Changed by the vendor' }));
    const records = (await busEvents('aws.sagemaker')).filter((event) => {
      const detail = event.detail as { eventName?: string; requestParameters?: { workteamName?: string } };
      return (
        event.account === VENDOR.account &&
        detail.eventName === 'UpdateWorkteam' &&
        detail.requestParameters?.workteamName === name
      );
    });
    const record = records.at(-1);

    // Act
    const report = (await audit(record as never, localContext())) as { account?: string; team?: string };

    // Assess
    expect(record).toBeDefined();
    expect(report).toMatchObject({ ...VENDOR, team: name, trigger: 'event' });
  });
});
