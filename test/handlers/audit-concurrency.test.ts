/**
 * The audit under concurrency, against the local cloud through the functions and the use case with the real
 * adapters: drift found on a team whose change is Pending, and never remediated there; a finding's events alternate
 * under many runs at once while its state flaps (read from the local bus); a burst of real-time events makes few
 * runs and one announcement; single-team runs never hide the latest run of every team; remediation refused by
 * SageMaker keeps the finding open and the desired state as it was; what resolved a finding is told. The
 * interleavings are set with the SageMaker emulator's holds and faults, never with timing.
 */

import { AddTagsCommand, DeleteTagsCommand, type Tag } from '@aws-sdk/client-sagemaker';
import { SetTopicAttributesCommand } from '@aws-sdk/client-sns';
import { buildAuditDeps } from '#lib/composition/audit';
import type { AuditReport } from '#lib/domain/audit/report';
import { forEachBounded } from '#lib/runtime/concurrency';
import type { AlreadyAudited } from '#lib/use-cases/audit/real-time';
import { runAudit } from '#lib/use-cases/audit/run';
import { handler as audit } from '../../functions/audit';
import { handler as worker } from '../../functions/audit-target';
import { handler as getAudit } from '../../functions/get-audit';
import { handler as resync } from '../../functions/resync';
import { handler as startAudit } from '../../functions/start-audit';
import { handler as updateTeam } from '../../functions/update-team';
import type { EventBridgeEvent } from '../../local/eventbridge';
import { scheduledAuditRun } from '../support/audit-runs';
import { busEvents } from '../support/events';
import { invokeHttp, lambdaContext, loadEvent } from '../support/invoke';
import { operator, operatorSns, setSourceIpByHand } from '../support/operator';
import {
  emulatorCalls,
  holdEmulatorCalls,
  injectEmulatorFault,
  releaseEmulatorCall,
  resetEmulatorCalls,
  setEmulatorKnobs,
  untilWaiting,
} from '../support/sagemaker-emulator-control';
import { givenTeam, liveTeam, registryRecord, retireCreatedTeams, topicArnOf } from '../support/steps';
import { ADMIN, call } from '../support/teams';

const sourceIpOf = async (team: string) =>
  (await liveTeam(team))?.WorkerAccessConfiguration?.S3Presign?.IamPolicyConstraints?.SourceIp;

const driftKey = (team: string) => `team/${team}#worker-access.drift#high`;

interface FindingDetail {
  key: string;
  team?: string;
  rule: string;
  runId: string;
  announcementId: string;
  resolvedBy?: unknown;
}

/** The Finding Opened / Finding Resolved events of one finding on the local bus, oldest first. */
async function findingEvents(key: string): Promise<{ type: string; detail: FindingDetail }[]> {
  return (await busEvents('workteam-automation'))
    .filter((event: EventBridgeEvent) => (event.detail as unknown as FindingDetail).key === key)
    .map((event) => ({ type: event['detail-type'], detail: event.detail as unknown as FindingDetail }));
}

/** Opened, Resolved, Opened, ...: each event the other kind than the one before, the first an opening. */
function alternates(types: string[]): boolean {
  return types.every((type, index) => type === (index % 2 === 0 ? 'Finding Opened' : 'Finding Resolved'));
}

const requestAudit = (team: string) => runAudit(buildAuditDeps(), { trigger: 'request', team });

async function scheduledAudit(): Promise<AuditReport> {
  return (await scheduledAuditRun(audit, worker)) as unknown as AuditReport;
}

afterEach(retireCreatedTeams);
afterAll(() => {
  operator.destroy();
  operatorSns.destroy();
});

describe('drift of a team whose change is Pending', () => {
  it('finds worker access switched off by hand while SageMaker throttles the change of its description, and does not remediate it', async () => {
    // Prepare: a change of the description left Pending (SageMaker throttling every call), then worker access
    // switched off in SageMaker by someone else.
    const { name, etag } = await givenTeam();
    await setEmulatorKnobs({ throttleRate: 1 });
    const patched = await call(updateTeam, 'updateTeam', 'update-team.json', {
      path: { name },
      body: { description: 'Changed while SageMaker throttles' },
      headers: { 'if-match': etag },
    });
    await setEmulatorKnobs({ throttleRate: 0 });
    await setSourceIpByHand(name, 'Disabled');
    const before = await registryRecord(name);

    // Act
    const result = await call(startAudit, 'startAudit', 'start-audit.json', {
      caller: ADMIN,
      body: { mode: 'remediate', team: name },
    });

    // Assess
    expect(patched.statusCode).toBe(202);
    expect(before?.applyState).toBe('Pending');
    const report = result.body as unknown as AuditReport;
    expect(report.findings.filter((finding) => finding.team === name)).toEqual([
      expect.objectContaining({
        rule: 'worker-access.drift',
        desired: { sourceIp: 'Enabled', vpcSourceIp: 'Disabled' },
        actual: { sourceIp: 'Disabled', vpcSourceIp: 'Disabled' },
        remediable: false,
        remediation: 'none',
        message: expect.stringContaining('let its pending change be applied'),
      }),
    ]);
    expect(await sourceIpOf(name)).toBe('Disabled');
    const after = await registryRecord(name);
    expect({ version: after?.version, applyState: after?.applyState }).toEqual({
      version: before?.version,
      applyState: 'Pending',
    });
  });
});

describe('many runs at once while the state flaps', () => {
  it("announce each finding's opening and resolution strictly in turn, Opened first", async () => {
    // Prepare
    const { name } = await givenTeam();
    const ROUNDS = 4;
    const RUNS = 6;
    const reports: AuditReport[] = [];

    // Act: rounds of six runs at once. The runs of a round read the finding records together, then wait at their
    // ListWorkteams call; each is let go with worker access the other way than the one before, so their
    // judgements flap and their steps race on the same records.
    for (let round = 0; round < ROUNDS; round++) {
      await holdEmulatorCalls('ListWorkteams', RUNS);
      const runs = Array.from({ length: RUNS }, () => requestAudit(name));
      await untilWaiting('ListWorkteams', RUNS);
      for (let index = 0; index < RUNS; index++) {
        await setSourceIpByHand(name, index % 2 === 0 ? 'Disabled' : 'Enabled');
        await releaseEmulatorCall('ListWorkteams');
      }
      reports.push(...(await Promise.all(runs)));
    }
    // Then steady: drift found, then gone, each by one run more.
    await setSourceIpByHand(name, 'Disabled');
    reports.push(await requestAudit(name));
    await setSourceIpByHand(name, 'Enabled');
    reports.push(await requestAudit(name));

    // Assess
    const events = await findingEvents(driftKey(name));
    const types = events.map(({ type }) => type);
    expect({ types, alternates: alternates(types) }).toEqual({ types, alternates: true });
    // Each round found the record as the round before left it: open it, resolve it, open it, ...
    expect(types).toHaveLength(ROUNDS + 2);
    expect(new Set(events.map(({ detail }) => detail.announcementId)).size).toBe(events.length);
    // Every opening a report says it made is the one its run announced.
    const openedBy = events.filter(({ type }) => type === 'Finding Opened').map(({ detail }) => detail.runId);
    const opening = reports.filter((report) => report.findings.some((f) => f.key === driftKey(name) && f.new));
    expect(opening.map((report) => report.runId).sort()).toEqual([...openedBy].sort());
  });
});

describe('a burst of real-time events', () => {
  it('makes few runs (at most one per second of CloudTrail time the calls span) and one Finding Opened', async () => {
    // Prepare: someone calls UpdateWorkteam 20 times at once on a managed team; the emulator records each in
    // CloudTrail.
    const { name } = await givenTeam();
    const CALLS = 20;
    await Promise.all(Array.from({ length: CALLS }, () => setSourceIpByHand(name, 'Disabled')));
    const records = (await busEvents('aws.sagemaker')).filter((event) => {
      const detail = event.detail as { eventName?: string; requestParameters?: { workteamName?: string } };
      return detail.eventName === 'UpdateWorkteam' && detail.requestParameters?.workteamName === name;
    });

    // Act: EventBridge delivers them to the audit at once.
    const answers = await Promise.all(records.map((record) => audit(record as never, lambdaContext('audit'))));

    // Assess
    expect(records).toHaveLength(CALLS);
    const seconds = new Set(records.map((record) => (record.detail as { eventTime: string }).eventTime));
    const reports = answers.filter((answer): answer is AuditReport => 'runId' in (answer as object));
    const skipped = answers.filter((answer): answer is AlreadyAudited => 'alreadyAudited' in (answer as object));
    expect(reports.length).toBeGreaterThanOrEqual(1);
    expect(reports.length).toBeLessThanOrEqual(seconds.size);
    expect(reports.length + skipped.length).toBe(CALLS);
    expect(reports.every((report) => report.team === name && report.trigger === 'event')).toBe(true);
    const types = (await findingEvents(driftKey(name))).map(({ type }) => type);
    expect(types).toEqual(['Finding Opened']);
  });

  it('answers an event whose change a finished run of the team already saw without a call to SageMaker', async () => {
    // Prepare
    const { name } = await givenTeam();
    await setSourceIpByHand(name, 'Disabled');
    const record = (await busEvents('aws.sagemaker')).findLast(
      (event) =>
        (event.detail as { requestParameters?: { workteamName?: string } }).requestParameters?.workteamName === name,
    );
    const first = (await audit(record as never, lambdaContext('audit'))) as AuditReport;
    await resetEmulatorCalls();

    // Act: the same event again (EventBridge delivers at least once), then a copy with an earlier eventID
    const again = await audit(record as never, lambdaContext('audit'));
    const replayed = structuredClone(record) as unknown as { detail: { eventID: string } };
    replayed.detail.eventID = '0a1b2c3d-0000-4000-8000-000000000000';
    const older = await audit(replayed as never, lambdaContext('audit'));

    // Assess
    for (const answer of [again, older]) {
      expect(answer).toEqual({
        alreadyAudited: { team: name, state: 'finished', startedAt: expect.any(String), runId: first.runId },
      });
    }
    expect(await emulatorCalls()).toEqual({});
  });
});

describe('GET /audit under a flood of single-team runs', () => {
  it('keeps showing the latest run of every team after 200 real-time runs; ?team= shows the latest of the team', async () => {
    // Prepare
    const { name } = await givenTeam();
    const full = await scheduledAudit();

    // Act
    const deps = buildAuditDeps();
    const single: AuditReport[] = [];
    await forEachBounded(Array.from({ length: 200 }), 10, async () => {
      single.push(await runAudit(deps, { trigger: 'event', triggeredBy: 'flood', team: name }));
    });
    const latest = await call(getAudit, 'getAudit', 'get-audit.json', { caller: ADMIN });
    const ofTeam = await invokeHttp(getAudit, 'getAudit', 'get-audit.json', (event) => {
      (event.requestContext as { authorizer: { lambda: unknown } }).authorizer.lambda = ADMIN;
      event.queryStringParameters = { team: name };
      event.rawQueryString = `team=${name}`;
    });
    const byId = await call(getAudit, 'getAudit', 'get-audit.json', {
      caller: ADMIN,
      path: { id: (single[0] as AuditReport).runId },
    });

    // Assess
    expect(latest.statusCode).toBe(200);
    expect(latest.body.runId).toBe(full.runId);
    expect(ofTeam.statusCode).toBe(200);
    expect(ofTeam.body).toMatchObject({ team: name, trigger: 'event' });
    const newest = single
      .map((report) => report.runId)
      .sort()
      .at(-1);
    expect(ofTeam.body.runId).toBe(newest);
    expect(byId.body).toMatchObject({ runId: (single[0] as AuditReport).runId, team: name });
  }, 120_000);
});

describe('remediation', () => {
  it('keeps the finding open, and the desired state and its version as they were, when SageMaker refuses it', async () => {
    // Prepare: the drift opened, then SageMaker refuses the next UpdateWorkteam
    const { name } = await givenTeam();
    await setSourceIpByHand(name, 'Disabled');
    const opened = await requestAudit(name);
    const before = await registryRecord(name);
    await injectEmulatorFault({
      operation: 'UpdateWorkteam',
      errorType: 'ValidationException',
      message: 'The request was refused',
      count: 1,
    });

    // Act
    const result = await call(startAudit, 'startAudit', 'start-audit.json', {
      caller: ADMIN,
      body: { mode: 'remediate', team: name },
    });
    const next = await requestAudit(name);

    // Assess
    expect(opened.findings.find((finding) => finding.key === driftKey(name))?.new).toBe(true);
    const report = result.body as unknown as AuditReport;
    expect(report.findings.find((finding) => finding.key === driftKey(name))).toMatchObject({
      remediation: 'failed',
      remediated: false,
      remediationError: expect.stringContaining('SageMaker refused the change'),
    });
    expect(report.resolved).toEqual([]);
    const after = await registryRecord(name);
    expect({ version: after?.version, spec: after?.spec }).toEqual({ version: before?.version, spec: before?.spec });
    expect(await sourceIpOf(name)).toBe('Disabled');
    expect(next.findings.find((finding) => finding.key === driftKey(name))).toMatchObject({ new: false });
    expect((await findingEvents(driftKey(name))).map(({ type }) => type)).toEqual(['Finding Opened']);
  });

  it("tells a resolution by the nightly resync's reconcile as the system's, from the team's history", async () => {
    // Prepare
    const { name } = await givenTeam();
    await setSourceIpByHand(name, 'Disabled');
    await requestAudit(name);

    // Act
    await resync(loadEvent('resync.json') as never, lambdaContext('resync'));
    const next = await requestAudit(name);

    // Assess
    const resolvedBy = {
      kind: 'system',
      by: expect.stringMatching(/^reverted an out-of-band change of .*workerAccess.* \(the nightly resync\)$/),
    };
    expect(next.resolved).toEqual([expect.objectContaining({ key: driftKey(name), resolvedBy })]);
    const events = await findingEvents(driftKey(name));
    expect(events.map(({ type, detail }) => ({ type, resolvedBy: detail.resolvedBy }))).toEqual([
      { type: 'Finding Opened', resolvedBy: undefined },
      { type: 'Finding Resolved', resolvedBy },
    ]);
  });

  it('tells a resolution nobody in this system made as out of band', async () => {
    // Prepare
    const { name } = await givenTeam();
    await setSourceIpByHand(name, 'Disabled');
    await requestAudit(name);

    // Act
    await setSourceIpByHand(name, 'Enabled');
    const next = await requestAudit(name);

    // Assess
    expect(next.resolved).toEqual([
      expect.objectContaining({ key: driftKey(name), resolvedBy: { kind: 'out-of-band' } }),
    ]);
    expect((await findingEvents(driftKey(name))).at(-1)?.detail.resolvedBy).toEqual({ kind: 'out-of-band' });
  });

  it("puts a topic opened to anyone back to SageMaker's publish only, and resolves the finding naming the run", async () => {
    // Prepare: someone lets anyone subscribe to the team's topic
    const { name } = await givenTeam();
    const topicArn = topicArnOf(name);
    await operatorSns.send(
      new SetTopicAttributesCommand({
        TopicArn: topicArn,
        AttributeName: 'Policy',
        AttributeValue: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'AllowSageMakerToPublish',
              Effect: 'Allow',
              Principal: { Service: 'sagemaker.amazonaws.com' },
              Action: 'sns:Publish',
              Resource: topicArn,
            },
            { Sid: 'AnyoneMaySubscribe', Effect: 'Allow', Principal: '*', Action: 'sns:Subscribe', Resource: topicArn },
          ],
        }),
      }),
    );

    // Act
    const found = await requestAudit(name);
    const remediated = await call(startAudit, 'startAudit', 'start-audit.json', {
      caller: ADMIN,
      body: { mode: 'remediate', team: name },
    });
    const next = await requestAudit(name);

    // Assess
    const key = `team/${name}#notifications.topic-open#high`;
    expect(found.findings.find((finding) => finding.key === key)).toMatchObject({
      actual: { openTo: ['sns:Subscribe'], statements: ['AnyoneMaySubscribe'] },
      remediable: true,
    });
    const report = remediated.body as unknown as AuditReport;
    expect(report.resolved).toEqual([
      expect.objectContaining({ key, resolvedBy: { kind: 'remediation', runId: report.runId } }),
    ]);
    expect(next.findings.filter((finding) => finding.team === name)).toEqual([]);
  });
});

describe('what the audit reads of SNS and SageMaker for its rules', () => {
  it('finds a topic encrypted with the AWS managed key, which SageMaker cannot use', async () => {
    // Prepare
    const { name } = await givenTeam();
    await operatorSns.send(
      new SetTopicAttributesCommand({
        TopicArn: topicArnOf(name),
        AttributeName: 'KmsMasterKeyId',
        AttributeValue: 'alias/aws/sns',
      }),
    );

    // Act
    const report = await requestAudit(name);

    // Assess
    expect(report.findings.filter((finding) => finding.team === name)).toEqual([
      expect.objectContaining({
        rule: 'notifications.kms-key-unusable',
        actual: { topicArn: topicArnOf(name), kmsMasterKeyId: 'alias/aws/sns' },
        remediable: false,
      }),
    ]);
  });

  it('finds a managed team whose managed-by tag someone removed, and remediates nothing of it', async () => {
    // Prepare
    const { name } = await givenTeam();
    await setSourceIpByHand(name, 'Disabled');
    const arn = (await liveTeam(name))?.WorkteamArn as string;
    await operator.send(new DeleteTagsCommand({ ResourceArn: arn, TagKeys: ['managed-by'] }));

    // Act
    const result = await call(startAudit, 'startAudit', 'start-audit.json', {
      caller: ADMIN,
      body: { mode: 'remediate', team: name },
    });

    // Assess
    const report = result.body as unknown as AuditReport;
    expect(report.findings.map(({ rule, remediable, remediation }) => ({ rule, remediable, remediation }))).toEqual(
      expect.arrayContaining([
        { rule: 'team.managed-tag-removed', remediable: false, remediation: 'none' },
        { rule: 'worker-access.drift', remediable: false, remediation: 'none' },
      ]),
    );
    expect(await sourceIpOf(name)).toBe('Disabled');
    const tag: Tag = { Key: 'managed-by', Value: 'workteam-automation-local' };
    await operator.send(new AddTagsCommand({ ResourceArn: arn, Tags: [tag] }));
  });
});
