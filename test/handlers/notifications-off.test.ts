/**
 * Turning a team's notifications off (PATCH notifications false), checked by reading the team back: SageMaker is
 * asked to remove the topic with an empty NotificationConfiguration, which no public source documents (docs/api.md,
 * "Turning notifications off"). The local SageMaker emulator plays both outcomes (its behaviour knob): the topic
 * removed, or kept. Kept, the change stays Pending with that reason, the topic stays, the audit reports it, and the
 * scheduled retry applies the change once SageMaker removes the topic.
 */

import { buildTeamDeps } from '#lib/composition/teams';
import type { AuditReport, ReportedFinding } from '#lib/domain/audit/report';
import { retryPendingTeams } from '#lib/use-cases/retry-pending';
import { handler as audit } from '../../functions/audit';
import { handler as worker } from '../../functions/audit-target';
import { handler as getTeam } from '../../functions/get-team';
import { handler as updateTeam } from '../../functions/update-team';
import { scheduledAuditRun } from '../support/audit-runs';
import { emulatorCalls, resetEmulatorCalls, setEmulatorBehaviour } from '../support/sagemaker-emulator-control';
import { givenTeam, liveTeam, registryRecord, retireCreatedTeams, topicExists } from '../support/steps';
import { call, uniqueTeamName } from '../support/teams';

afterEach(retireCreatedTeams);

/** A team whose classification lets it go without notifications (policy/policy.json), so the audit wants none. */
const PUBLIC = { tags: { classification: 'public', 'cost-center': 'ml-platform' } };

/** The scheduled retry, run `minutesLater` (its backoff due; within the retry budget of three hours). */
const retryLater = (minutesLater: number) =>
  retryPendingTeams({ ...buildTeamDeps(), now: () => new Date(Date.now() + minutesLater * 60_000) });

async function scheduledAudit(): Promise<AuditReport> {
  return (await scheduledAuditRun(audit, worker)) as unknown as AuditReport;
}

function findingsOf(report: AuditReport, team: string): ReportedFinding[] {
  return report.findings.filter((finding) => finding.team === team);
}

const turnOff = (name: string) =>
  call(updateTeam, 'updateTeam', 'update-team.json', { path: { name }, body: { notifications: false } });

const view = (name: string) => call(getTeam, 'getTeam', 'get-team.json', { path: { name } });

describe('PATCH notifications false', () => {
  it('where SageMaker removes the topic: reads the team back, applies the change, InSync, and deletes the topic', async () => {
    // Prepare
    const { name } = await givenTeam(uniqueTeamName(), PUBLIC);
    await resetEmulatorCalls();

    // Act
    const patched = await turnOff(name);
    const calls = await emulatorCalls();
    const after = await view(name);

    // Assess
    expect(patched.statusCode).toBe(200);
    expect(after.body).toMatchObject({ status: 'InSync', version: 2, notificationTopicArn: null, differences: [] });
    expect((await liveTeam(name))?.NotificationConfiguration).toBeUndefined();
    expect(await topicExists(name)).toBe(false);
    expect(calls).toMatchObject({ UpdateWorkteam: 1, DescribeWorkteam: 2 }); // read, then read back after the update
    expect(await registryRecord(name)).not.toHaveProperty('topicKeptBySageMaker');
  });

  it('where SageMaker keeps the topic: Pending with that reason, the topic kept, the audit reports it; the retry applies it once SageMaker removes it', async () => {
    // Prepare
    const { name, result } = await givenTeam(uniqueTeamName(), PUBLIC);
    const topicArn = String(result.body.notificationTopicArn);
    await setEmulatorBehaviour({ emptyNotificationConfiguration: 'keeps-topic' });

    // Act: the change, a retry while SageMaker still keeps the topic, an audit
    const patched = await turnOff(name);
    const stillKept = await retryLater(60);
    const whileKept = await view(name);
    const auditWhileKept = findingsOf(await scheduledAudit(), name);

    // Assess: not taken as done
    const reason = `SageMaker still shows notification topic ${topicArn} on the team after UpdateWorkteam with an empty NotificationConfiguration`;
    expect(patched.statusCode).toBe(202);
    expect(patched.body).toMatchObject({
      status: 'Pending',
      version: 2,
      pendingReason: expect.stringContaining(reason),
    });
    expect(String(patched.body.pendingReason)).toMatch(/; it will be retried$/);
    expect(stillKept).toMatchObject({ applied: [], pending: [name] });
    expect(whileKept.body).toMatchObject({ status: 'Pending', pendingReason: expect.stringContaining(reason) });
    expect(await registryRecord(name)).toMatchObject({
      applyState: 'Pending',
      topicKeptBySageMaker: topicArn,
      topicArn,
      retry: { attempts: 2 },
    });
    expect((await liveTeam(name))?.NotificationConfiguration).toEqual({ NotificationTopicArn: topicArn });
    expect(await topicExists(name)).toBe(true); // not deleted under a team that still points at it
    expect(auditWhileKept).toEqual([
      expect.objectContaining({
        rule: 'team.drift',
        severity: 'medium',
        desired: { notificationTopicArn: null },
        actual: { notificationTopicArn: topicArn },
        remediable: false,
        message: expect.stringContaining(
          `still has notification topic ${topicArn} in SageMaker although its notifications are turned off: SageMaker kept it`,
        ),
      }),
    ]);

    // Act: SageMaker removes the topic now; the scheduled retry, then the next audit
    await setEmulatorBehaviour({ emptyNotificationConfiguration: 'removes-topic' });
    const retried = await retryLater(90);
    const after = await view(name);
    const auditAfter = findingsOf(await scheduledAudit(), name);

    // Assess: applied
    expect(retried.applied).toContain(name);
    expect(after.body).toMatchObject({ status: 'InSync', version: 2, notificationTopicArn: null, differences: [] });
    expect(after.body).not.toHaveProperty('pendingReason');
    expect((await liveTeam(name))?.NotificationConfiguration).toBeUndefined();
    expect(await topicExists(name)).toBe(false);
    expect(await registryRecord(name)).not.toHaveProperty('topicKeptBySageMaker');
    expect(auditAfter).toEqual([]);
  });
});
