/**
 * The compliance audit through its functions, against the local cloud: the scheduled run (events/audit-schedule.json),
 * the real-time run on a CloudTrail record of an out-of-band work-team call (recorded by the SageMaker emulator),
 * POST /audit with remediation, GET /audit, and what other systems and people are told (Finding events on the
 * local EventBridge, the operations topic).
 */

import { DeleteWorkteamCommand, UpdateWorkteamCommand } from '@aws-sdk/client-sagemaker';
import type { AuditReport, ReportedFinding } from '#lib/domain/audit/report';
import { handler as audit } from '../../functions/audit';
import { handler as worker } from '../../functions/audit-target';
import { handler as getAudit } from '../../functions/get-audit';
import { handler as startAudit } from '../../functions/start-audit';
import { OPERATOR_ACCESS_KEY_ID } from '../../local/cloud';
import { scheduledAuditRun } from '../support/audit-runs';
import { busEvents, clearBusEvents } from '../support/events';
import { lambdaContext, loadEvent } from '../support/invoke';
import { operator } from '../support/operator';
import {
  emulatorCalls,
  holdEmulatorCalls,
  releaseEmulatorCall,
  resetEmulatorCalls,
  untilWaiting,
} from '../support/sagemaker-emulator-control';
import { givenTeam, liveTeam, operationsInbox, retireCreatedTeams } from '../support/steps';
import { ADMIN, call, OWNER } from '../support/teams';

/** The hub alone audited now, in place (`POST /audit` naming the hub): one target, no queue between. */
async function hubAudit(body: Record<string, unknown> = {}): Promise<AuditReport> {
  const result = await call(startAudit, 'startAudit', 'start-audit.json', { caller: ADMIN, body: { ...HUB, ...body } });
  if (result.statusCode !== 201) throw new Error(`the hub's audit failed: ${JSON.stringify(result.body)}`);
  return result.body as unknown as AuditReport;
}

const HUB = { account: '000000000000', region: 'us-east-1' };

async function scheduledAudit(): Promise<AuditReport> {
  return (await scheduledAuditRun(audit, worker)) as unknown as AuditReport;
}

/** The CloudTrail record the emulator made of the latest call `eventName` on `team`. */
async function cloudTrailRecordOf(eventName: string, team: string) {
  const records = (await busEvents('aws.sagemaker')).filter((event) => {
    const detail = event.detail as { eventName?: string; requestParameters?: { workteamName?: string } };
    return detail.eventName === eventName && detail.requestParameters?.workteamName === team;
  });
  const record = records.at(-1);
  if (!record) throw new Error(`no CloudTrail record of ${eventName} on ${team}`);
  return record;
}

async function switchSourceIpOffByHand(team: string): Promise<void> {
  await operator.send(
    new UpdateWorkteamCommand({
      WorkteamName: team,
      WorkerAccessConfiguration: {
        S3Presign: { IamPolicyConstraints: { SourceIp: 'Disabled', VpcSourceIp: 'Disabled' } },
      },
    }),
  );
}

function findingsOf(report: AuditReport, team: string): ReportedFinding[] {
  return report.findings.filter((finding) => finding.team === team);
}

const sourceIpOf = async (team: string) =>
  (await liveTeam(team))?.WorkerAccessConfiguration?.S3Presign?.IamPolicyConstraints?.SourceIp;

afterEach(retireCreatedTeams);

describe('the scheduled audit', () => {
  it("reports the seeded medical-annotators below its classification's minimum, and nothing else of the seeded stack", async () => {
    // Act
    const report = await scheduledAudit();

    // Assess
    const seeded = ['image-labelers', 'translation-reviewers', 'medical-annotators', 'sentiment-raters'];
    const aboutSeeded = report.findings.filter((finding) => seeded.includes(finding.team ?? ''));
    expect(aboutSeeded.map(({ team, rule, severity }) => ({ team, rule, severity }))).toEqual([
      { team: 'medical-annotators', rule: 'worker-access.below-policy', severity: 'high' },
    ]);
    expect(aboutSeeded[0]).toMatchObject({ desired: { sourceIp: 'Enabled' }, remediable: false });
    const inHub = report.findings.filter((finding) => (finding as { account?: string }).account === HUB.account);
    expect(inHub.filter((finding) => finding.resource.startsWith('workforce/'))).toEqual([]);
    const medical = report.teams.find((team) => team.name === 'medical-annotators');
    expect(medical).toEqual({
      name: 'medical-annotators',
      ...HUB,
      managed: false,
      exists: true,
      compliant: false,
      findings: 1,
    });
    expect(report).toMatchObject({ trigger: 'schedule', mode: 'policy', dryRun: false });
  });

  it('finds worker access switched off by hand on a managed team, and leaves it as it is (remediation is off by default)', async () => {
    // Prepare
    const { name } = await givenTeam();
    await switchSourceIpOffByHand(name);

    // Act
    const report = await scheduledAudit();

    // Assess
    const drift = findingsOf(report, name).find((finding) => finding.rule === 'worker-access.drift');
    expect(drift).toMatchObject({
      severity: 'high',
      desired: { sourceIp: 'Enabled', vpcSourceIp: 'Disabled' },
      actual: { sourceIp: 'Disabled', vpcSourceIp: 'Disabled' },
      remediable: true,
      remediation: 'none',
      remediated: false,
      new: true,
    });
    expect(await sourceIpOf(name)).toBe('Disabled');
  });

  it('announces a finding once: one Finding Opened event and one operations message, none when the next run finds the same', async () => {
    // Prepare
    const { name } = await givenTeam();
    const inbox = await operationsInbox();
    await switchSourceIpOffByHand(name);
    await clearBusEvents();

    // Act
    const first = await scheduledAudit();
    const second = await scheduledAudit();

    // Assess
    const opened = (await busEvents('workteam-automation')).filter(
      (event) => event['detail-type'] === 'Finding Opened' && (event.detail as { team?: string }).team === name,
    );
    expect(opened.map((event) => (event.detail as { rule: string }).rule).sort()).toEqual(
      findingsOf(first, name)
        .map((finding) => finding.rule)
        .sort(),
    );
    expect(findingsOf(second, name).every((finding) => !finding.new)).toBe(true);
    expect(second.counts.opened).toBe(0);
    const summaries = (await inbox.messages()).filter((message) => message.event === 'AuditFindingsOpened');
    expect(summaries.map((message) => message.runId)).toEqual([first.runId]);
  });
});

describe('two audits at once', () => {
  it('open each new finding once: one Finding Opened event per finding, one operations summary per run that opened one', async () => {
    // Prepare: both runs list the teams only once both are under way, so each sees the drift as new.
    const { name } = await givenTeam();
    await switchSourceIpOffByHand(name);
    const inbox = await operationsInbox();
    await clearBusEvents();
    await holdEmulatorCalls('ListWorkteams', 2);

    // Act
    const runs = [hubAudit(), hubAudit()];
    await untilWaiting('ListWorkteams', 2);
    await releaseEmulatorCall('ListWorkteams');
    await releaseEmulatorCall('ListWorkteams');
    const [one, other] = (await Promise.all(runs)) as [AuditReport, AuditReport];

    // Assess
    const opened = (await busEvents('workteam-automation')).filter(
      (event) => event['detail-type'] === 'Finding Opened' && (event.detail as { team?: string }).team === name,
    );
    const rules = opened.map((event) => (event.detail as { rule: string }).rule);
    expect(rules).toContain('worker-access.drift');
    expect(new Set(rules).size).toBe(rules.length);
    const newIn = (report: AuditReport) => findingsOf(report, name).filter((finding) => finding.new).length;
    expect(newIn(one) + newIn(other)).toBe(rules.length);
    const summaries = (await inbox.messages()).filter((message) => message.event === 'AuditFindingsOpened');
    expect(summaries.length).toBeLessThanOrEqual(2);
    expect(summaries.map((message) => message.runId)).toEqual(
      [one, other].filter((report) => newIn(report) > 0).map((report) => report.runId),
    );
  });
});

describe('the real-time audit', () => {
  it('reports a managed team deleted out of band as missing, and remediation creates it again', async () => {
    // Prepare
    const { name } = await givenTeam();
    await operator.send(new DeleteWorkteamCommand({ WorkteamName: name }));
    const record = await cloudTrailRecordOf('DeleteWorkteam', name);

    // Act
    const found = (await audit(record as never, lambdaContext('audit'))) as AuditReport;
    const remediated = await call(startAudit, 'startAudit', 'start-audit.json', {
      caller: ADMIN,
      body: { mode: 'remediate', team: name },
    });

    // Assess
    expect(findingsOf(found, name)).toEqual([
      expect.objectContaining({ rule: 'team.missing', severity: 'high', remediable: true }),
    ]);
    expect(found.teams).toEqual([{ name, managed: true, exists: false, compliant: false, findings: 1 }]);
    expect(remediated.statusCode).toBe(201);
    expect(await sourceIpOf(name)).toBe('Enabled');
  });

  it('audits the one team an out-of-band UpdateWorkteam names, from the CloudTrail record the call left', async () => {
    // Prepare
    const { name } = await givenTeam();
    await switchSourceIpOffByHand(name);
    const record = await cloudTrailRecordOf('UpdateWorkteam', name);

    // Act
    const report = (await audit(record as never, lambdaContext('audit'))) as AuditReport;

    // Assess
    expect(report).toMatchObject({
      trigger: 'event',
      team: name,
      triggeredBy: (record.detail as { eventID: string }).eventID,
    });
    expect(report.teams.map((team) => team.name)).toEqual([name]);
    expect(findingsOf(report, name).map((finding) => finding.rule)).toContain('worker-access.drift');
  });

  it("records the operator's call with the operator's identity and the system's own calls with its role", async () => {
    // Prepare
    const { name } = await givenTeam();
    await switchSourceIpOffByHand(name);

    // Act
    const own = await cloudTrailRecordOf('CreateWorkteam', name);
    const operators = await cloudTrailRecordOf('UpdateWorkteam', name);

    // Assess
    const arnOf = (event: { detail: unknown }) => (event.detail as { userIdentity: { arn: string } }).userIdentity.arn;
    expect(arnOf(own)).toMatch(/^arn:aws:sts::000000000000:assumed-role\/workteam-automation-local-/);
    expect(arnOf(operators)).toBe(`arn:aws:iam::000000000000:user/${OPERATOR_ACCESS_KEY_ID}`);
  });

  it('ignores a call SageMaker refused: it changed nothing', async () => {
    // Prepare
    const event = loadEvent('audit-workteam-update.json') as { detail: Record<string, unknown> };
    event.detail.errorCode = 'ValidationException';

    // Act
    const result = await audit(event as never, lambdaContext('audit'));

    // Assess
    expect(result).toEqual({ ignored: 'the call failed' });
  });
});

describe('POST /audit', () => {
  it('remediates drift on a managed team with mode remediate, leaves an unmanaged team untouched, and resolves it naming the run', async () => {
    // Prepare
    const { name } = await givenTeam();
    await switchSourceIpOffByHand(name);
    await clearBusEvents();

    // Act
    const result = await call(startAudit, 'startAudit', 'start-audit.json', {
      caller: ADMIN,
      body: { mode: 'remediate', ...HUB },
    });
    const next = await scheduledAudit();

    // Assess
    expect(result.statusCode).toBe(201);
    const report = result.body as unknown as AuditReport;
    expect(result.headers.location).toBe(`/audit/runs/${report.runId}`);
    expect(findingsOf(report, name).find((finding) => finding.rule === 'worker-access.drift')).toMatchObject({
      remediation: 'remediated',
      remediated: true,
    });
    expect(await sourceIpOf(name)).toBe('Enabled');
    expect(findingsOf(report, 'medical-annotators')).toEqual([
      expect.objectContaining({ rule: 'worker-access.below-policy', remediable: false, remediation: 'none' }),
    ]);
    expect(await sourceIpOf('medical-annotators')).toBe('Disabled');
    const writesToUnmanaged = (await busEvents('aws.sagemaker')).filter(
      (event) =>
        (event.detail as { requestParameters?: { workteamName?: string } }).requestParameters?.workteamName ===
        'medical-annotators',
    );
    expect(writesToUnmanaged).toEqual([]);
    expect(findingsOf(next, name).filter((finding) => finding.rule.startsWith('worker-access'))).toEqual([]);
    const remediatedBy = { kind: 'remediation', runId: report.runId };
    expect(report.resolved).toEqual(
      expect.arrayContaining([
        {
          key: expect.any(String),
          ...HUB,
          team: name,
          rule: 'worker-access.drift',
          resource: `team/${name}`,
          resolvedBy: remediatedBy,
        },
      ]),
    );
    expect(next.resolved.filter((finding) => finding.team === name)).toEqual([]);
    const resolvedEvents = (await busEvents('workteam-automation')).filter(
      (event) => event['detail-type'] === 'Finding Resolved' && (event.detail as { team?: string }).team === name,
    );
    expect(resolvedEvents.map((event) => event.detail)).toEqual([
      expect.objectContaining({ rule: 'worker-access.drift', runId: report.runId, resolvedBy: remediatedBy }),
    ]);
  });

  it('lists what it would do in a dry run, and does nothing', async () => {
    // Prepare
    const { name } = await givenTeam();
    await switchSourceIpOffByHand(name);

    // Act
    const result = await call(startAudit, 'startAudit', 'start-audit.json', {
      caller: ADMIN,
      body: { mode: 'remediate', dryRun: true, team: name },
    });

    // Assess
    expect(result.statusCode).toBe(201);
    const report = result.body as unknown as AuditReport;
    expect(report).toMatchObject({ team: name, dryRun: true, mode: 'remediate' });
    expect(findingsOf(report, name).find((finding) => finding.rule === 'worker-access.drift')).toMatchObject({
      remediation: 'would-remediate',
      remediated: false,
    });
    expect(await sourceIpOf(name)).toBe('Disabled');
  });

  it('answers 403 to anyone but an administrator, before auditing anything', async () => {
    await resetEmulatorCalls();

    const result = await call(startAudit, 'startAudit', 'start-audit.json', { caller: OWNER, body: {} });

    expect(result.statusCode).toBe(403);
    expect(await emulatorCalls()).toEqual({});
    expect(result.body).toEqual({ error: { code: 'Forbidden', message: 'Only administrators can run an audit' } });
  });

  it('answers 400 naming every bad field', async () => {
    const result = await call(startAudit, 'startAudit', 'start-audit.json', {
      caller: ADMIN,
      body: { mode: 'fix-everything', dryRun: 'yes', team: 'no such/team', extra: 1 },
    });

    expect(result.statusCode).toBe(400);
    const details = (result.body.error as { details: { path: string }[] }).details;
    expect(details.map((detail) => detail.path).sort()).toEqual(['dryRun', 'extra', 'mode', 'team']);
  });
});

describe('GET /audit', () => {
  it('returns the latest run to an administrator, and an earlier one by its id', async () => {
    // Prepare
    const earlier = await scheduledAudit();
    const latest = await scheduledAudit();

    // Act
    const current = await call(getAudit, 'getAudit', 'get-audit.json', { caller: ADMIN });
    const byId = await call(getAudit, 'getAudit', 'get-audit.json', { caller: ADMIN, path: { id: earlier.runId } });

    // Assess
    expect(current.statusCode).toBe(200);
    expect(current.body.runId).toBe(latest.runId);
    expect(byId.statusCode).toBe(200);
    expect(byId.body).toEqual(JSON.parse(JSON.stringify(earlier)));
  });

  it('answers 404 for a run it does not have, and 403 to anyone but an administrator', async () => {
    const missing = await call(getAudit, 'getAudit', 'get-audit.json', {
      caller: ADMIN,
      path: { id: '20200101T000000000Z-00000000' },
    });
    const malformed = await call(getAudit, 'getAudit', 'get-audit.json', { caller: ADMIN, path: { id: 'latest' } });
    const forbidden = await call(getAudit, 'getAudit', 'get-audit.json', { caller: OWNER });

    expect(missing.statusCode).toBe(404);
    expect((missing.body.error as { code: string }).code).toBe('AuditRunNotFound');
    expect(malformed.statusCode).toBe(404);
    expect(forbidden.statusCode).toBe(403);
  });
});
