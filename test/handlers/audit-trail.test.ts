/**
 * `account.no-trail` through the audit's functions, against the local cloud's CloudTrail (local/cloudtrail-api.ts):
 * its control routes stop the account's one trail, the scheduled audit opens the finding and announces it on the
 * local bus, and resolves it once the trail logs again; a run of one team does not ask CloudTrail and leaves the
 * finding as it is, as does a run to which CloudTrail cannot tell. Every test gives the local trail back as it found
 * it (POST reset): the local cloud is this worker's for the other test files too.
 */

import type { AuditReport, ReportedFinding } from '#lib/domain/audit/report';
import { cloudTrailClient } from '#lib/runtime/clients/cloudtrail';
import { handler as audit } from '../../functions/audit';
import { handler as worker } from '../../functions/audit-target';
import { handler as getAudit } from '../../functions/get-audit';
import { handler as startAudit } from '../../functions/start-audit';
import { ACCOUNT_ID, REGION } from '../../local/cloud';
import { scheduledAuditRun } from '../support/audit-runs';
import { busEvents, clearBusEvents } from '../support/events';
import { clear, countCommands } from '../support/in-flight';
import { givenTeam, retireCreatedTeams } from '../support/steps';
import { hubTarget } from '../support/targets';
import { ADMIN, call } from '../support/teams';

const DEFAULT_TRAIL = 'management-events';
const DEFAULT_TRAIL_ARN = `arn:aws:cloudtrail:${REGION}:${ACCOUNT_ID}:trail/${DEFAULT_TRAIL}`;
const ORGANISATION_ACCOUNT = '111122223333';

/** The CloudTrail calls of the audit functions, which share this file's CloudTrail client. */
let cloudTrailCalls: Record<string, number>;

beforeAll(() => {
  cloudTrailCalls = countCommands(
    cloudTrailClient({ AWS_REGION: REGION, AWS_MAX_ATTEMPTS: 3 }, hubTarget()),
    'cloudtrail',
  );
});

beforeEach(() => clear(cloudTrailCalls));

afterEach(async () => {
  expect((await control('POST', '/reset')).status).toBe(204);
  await retireCreatedTeams();
});

/** A control route of the local CloudTrail (LOCAL_CLOUDTRAIL_CONTROL_URL). */
async function control(method: string, path: string, body?: unknown): Promise<{ status: number }> {
  const base = process.env.LOCAL_CLOUDTRAIL_CONTROL_URL;
  if (!base) throw new Error("LOCAL_CLOUDTRAIL_CONTROL_URL is not set: the test run's global setup starts the cloud");
  const response = await fetch(`${base}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  await response.arrayBuffer();
  return { status: response.status };
}

async function trailLogging(logging: boolean): Promise<void> {
  expect((await control('PATCH', `/trails/${DEFAULT_TRAIL}`, { logging })).status).toBe(200);
}

async function scheduledAudit(): Promise<AuditReport> {
  return (await scheduledAuditRun(audit, worker)) as unknown as AuditReport;
}

const noTrail = (report: AuditReport): ReportedFinding | undefined =>
  report.findings.find((finding) => finding.rule === 'account.no-trail');

const resolvedNoTrail = (report: AuditReport) => report.resolved.filter((found) => found.rule === 'account.no-trail');

/** The Finding events of account.no-trail on the local bus, by detail-type. */
async function noTrailEvents(): Promise<string[]> {
  return (await busEvents('workteam-automation'))
    .filter((event) => (event.detail as { rule?: string }).rule === 'account.no-trail')
    .map((event) => event['detail-type']);
}

describe('account.no-trail', () => {
  it('opens when the only trail stops logging, announced once on the bus, and resolves when it logs again', async () => {
    // Prepare
    await clearBusEvents();
    await trailLogging(false);

    // Act
    const stopped = await scheduledAudit();
    const latest = await call(getAudit, 'getAudit', 'get-audit.json', { caller: ADMIN });
    const stillStopped = await scheduledAudit();
    await trailLogging(true);
    const logging = await scheduledAudit();

    // Assess
    expect(noTrail(stopped)).toEqual({
      account: '000000000000',
      region: 'us-east-1',
      key: 'account#account.no-trail#high',
      rule: 'account.no-trail',
      severity: 'high',
      resource: 'account',
      message: expect.stringContaining('the Cognito sync and the real-time audit receive no events without one'),
      desired: {
        managementWriteEventsLogged: true,
        eventSources: ['sagemaker.amazonaws.com', 'cognito-idp.amazonaws.com'],
      },
      actual: { managementWriteEventsLogged: false, trails: [DEFAULT_TRAIL_ARN] },
      remediable: false,
      new: true,
      remediation: 'none',
      remediated: false,
    });
    expect(noTrail(stopped)?.message).toContain('CREATE_TRAIL=true');
    expect(stopped.counts.byRule['account.no-trail']).toBe(1);
    expect(cloudTrailCalls.DescribeTrails).toBe(3);
    expect(latest.statusCode).toBe(200);
    expect(noTrail(latest.body as unknown as AuditReport)).toMatchObject({
      new: true,
      actual: { trails: [DEFAULT_TRAIL_ARN] },
    });
    expect(noTrail(stillStopped)).toMatchObject({ new: false });
    expect(noTrail(logging)).toBeUndefined();
    expect(resolvedNoTrail(logging)).toEqual([
      {
        account: '000000000000',
        region: 'us-east-1',
        key: 'account#account.no-trail#high',
        rule: 'account.no-trail',
        resource: 'account',
        resolvedBy: { kind: 'out-of-band' },
      },
    ]);
    expect(await noTrailEvents()).toEqual(['Finding Opened', 'Finding Resolved']);
  });

  it('is neither asked nor resolved by a run of one team: only the next full run finds the trail logging again', async () => {
    // Prepare
    const { name } = await givenTeam();
    await trailLogging(false);
    const opened = await scheduledAudit();
    await trailLogging(true);
    clear(cloudTrailCalls);

    // Act
    const oneTeam = await call(startAudit, 'startAudit', 'start-audit.json', { caller: ADMIN, body: { team: name } });
    const callsOfOneTeam = { ...cloudTrailCalls };
    const full = await scheduledAudit();

    // Assess
    expect(noTrail(opened)).toMatchObject({ new: true });
    expect(oneTeam.statusCode).toBe(201);
    const report = oneTeam.body as unknown as AuditReport;
    expect(report.team).toBe(name);
    expect(callsOfOneTeam).toEqual({});
    expect(noTrail(report)).toBeUndefined();
    expect(resolvedNoTrail(report)).toEqual([]);
    expect(resolvedNoTrail(full).map((found) => found.resolvedBy)).toEqual([{ kind: 'out-of-band' }]);
    expect(cloudTrailCalls).toMatchObject({ DescribeTrails: 1, GetTrailStatus: 1, GetEventSelectors: 1 });
  });

  it("leaves an open finding as it is while CloudTrail cannot tell (an organisation's trail it may not read)", async () => {
    // Prepare
    await trailLogging(false);
    const opened = await scheduledAudit();
    const organisationTrail = {
      organization: true,
      multiRegion: true,
      accountId: ORGANISATION_ACCOUNT,
      readable: false,
    };
    expect([200, 201]).toContain((await control('PUT', '/trails/org-trail', organisationTrail)).status);
    await clearBusEvents();

    // Act
    const cannotTell = await scheduledAudit();
    await trailLogging(true);
    const logging = await scheduledAudit();

    // Assess: not reported, not resolved, not announced; then resolved once a trail is known to log
    expect(noTrail(opened)).toMatchObject({ new: true });
    expect(noTrail(cannotTell)).toBeUndefined();
    expect(resolvedNoTrail(cannotTell)).toEqual([]);
    expect(resolvedNoTrail(logging)).toHaveLength(1);
    expect(await noTrailEvents()).toEqual(['Finding Resolved']);
  });
});
