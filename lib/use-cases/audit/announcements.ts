/**
 * What a run tells: the EventBridge events of the announcements it claimed, and the operations topic's summary of
 * the openings it holds the alert of.
 */
import type { FindingEvent } from '../../ports/audit';
import type { AuditDeps, AuditRequest } from './deps';
import { errorText } from './error-text';
import type { Claim, DueAlert } from './transitions';

/**
 * Makes the announcements this run claimed (an EventBridge event each, one batch), then completes their claims: an
 * Opened claim is cleared, a resolving record goes. A failure leaves the claims for a later run.
 */
export async function announce(deps: AuditDeps, claims: Claim[]): Promise<void> {
  if (claims.length === 0) return;
  const events: FindingEvent[] = claims.map(({ key, finding, announcement }) => ({
    type: announcement.type,
    account: deps.target.account,
    region: deps.target.region,
    runId: announcement.runId,
    key,
    finding,
    announcementId: announcement.id,
    ...(announcement.resolvedBy === undefined ? {} : { resolvedBy: announcement.resolvedBy }),
  }));
  await deps.events.publish(events);
  await deps.store.completeAnnouncements(
    claims.map(({ key, announcement }) => ({ key, id: announcement.id, type: announcement.type })),
  );
}

/**
 * The operations topic hears of the openings this run holds the alert of: one summary per target's run, its trigger
 * naming the account and region (`schedule in 111111111111/eu-west-1`). A failure is logged and
 * counted (the report's `alert: 'failed'`, metric AuditAlertsFailed), never the run's failure: the records keep
 * their alert due, and a run after the grace period sends it.
 */
export async function alertOpenings(
  deps: AuditDeps,
  request: AuditRequest,
  runId: string,
  alerts: DueAlert[],
  totals: { teamsAudited: number; findings: number },
): Promise<'sent' | 'failed' | undefined> {
  if (alerts.length === 0) return undefined;
  try {
    await deps.alerts.auditFindingsOpened({
      runId,
      trigger: `${request.trigger} in ${deps.target.account}/${deps.target.region}`,
      ...totals,
      opened: alerts.map(({ key, finding: { rule, severity, team, message } }) => ({
        key,
        rule,
        severity,
        team,
        message,
      })),
    });
  } catch (error) {
    deps.log?.warn('the operations alert of an audit run failed; a later run sends it', {
      runId,
      findings: alerts.length,
      error: errorText(error),
    });
    return 'failed';
  }
  try {
    await deps.store.alertsSent(alerts.map(({ key, claimedAt }) => ({ key, claimedAt })));
  } catch (error) {
    // Sent, but not recorded as sent: a later run may tell it again.
    deps.log?.warn('an audit run could not record its operations alert as sent', { runId, error: errorText(error) });
  }
  return 'sent';
}
