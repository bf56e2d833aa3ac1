/**
 * Every custom CloudWatch metric the functions emit (Powertools Metrics, EMF, namespace `WorkteamAutomation`), in
 * one place. The alarms of infra/alarms.yml read `TeamsFailed` (a team turned Failed) and
 * `OldestPendingAgeSeconds` (the retries stopped or fall behind); the rest are for dashboards and questions:
 * - the HTTP API: `Http2xx`, `Http4xx`, `Http5xx` (every answer, by status class);
 * - teams: `TeamsFailed`, `TeamsOrphaned` (the write path, told on the operations topic as well);
 * - the retries of pending changes: `PendingTeamsApplied`, `...StillPending`, `...Failed`, `...Errored`,
 *   `...Skipped`, and `OldestPendingAgeSeconds` (every run, 0 when nothing waits);
 * - the nightly resync: `ResyncTeams`, `ResyncTeamsFixed`, `ResyncTeamsSkipped`;
 * - an audit run: teams audited, compliant and drifted; findings by rule and by severity (a metric each, with its
 *   dimension); findings opened, resolved, remediated and suspected (held for a second look); an operations alert
 *   that failed (`AuditAlertsFailed`, 1: a later run sends it). Published once per target audited (by the worker
 *   that audits it, or by the function that audits a run of one target in place);
 * - a scheduled run of every target, when it stops waiting: its targets complete, failed and missing
 *   (`AuditTargetsComplete`, `AuditTargetsFailed`, `AuditTargetsMissing`: not in by the run's deadline).
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { AuditRunView } from '../domain/audit/fan-out';
import type { AuditReport } from '../domain/audit/report';
import { metrics } from './observability';

/** One answer of the HTTP API, counted by its status class. */
export function countResponse(statusCode: number): void {
  metrics.addMetric(`Http${Math.floor(statusCode / 100)}xx`, MetricUnit.Count, 1);
}

/** A team that turned Failed (alarmed), or Orphaned. */
export function countTeamOutcome(outcome: 'failed' | 'orphaned'): void {
  metrics.addMetric(outcome === 'failed' ? 'TeamsFailed' : 'TeamsOrphaned', MetricUnit.Count, 1);
}

/** A run of the retries of pending changes. */
export function publishRetryMetrics(summary: {
  applied: unknown[];
  pending: unknown[];
  failed: unknown[];
  errored: unknown[];
  skipped: unknown[];
  oldestPendingAgeSeconds: number;
}): void {
  metrics.addMetric('PendingTeamsApplied', MetricUnit.Count, summary.applied.length);
  metrics.addMetric('PendingTeamsStillPending', MetricUnit.Count, summary.pending.length);
  metrics.addMetric('PendingTeamsFailed', MetricUnit.Count, summary.failed.length);
  metrics.addMetric('PendingTeamsErrored', MetricUnit.Count, summary.errored.length);
  metrics.addMetric('PendingTeamsSkipped', MetricUnit.Count, summary.skipped.length);
  // Every run, 0 when nothing waits: a run that does not report leaves the alarm without data, which it counts
  // as breaching (the retries stopped).
  metrics.addMetric('OldestPendingAgeSeconds', MetricUnit.Seconds, summary.oldestPendingAgeSeconds);
}

/** A run of the nightly resync: teams resynced, fixed (anything changed) and skipped (out of time). */
export function publishResyncMetrics(counts: { teams: number; fixed: number; skipped: number }): void {
  metrics.addMetric('ResyncTeams', MetricUnit.Count, counts.teams);
  metrics.addMetric('ResyncTeamsFixed', MetricUnit.Count, counts.fixed);
  metrics.addMetric('ResyncTeamsSkipped', MetricUnit.Count, counts.skipped);
}

/** A run of every target, as it stood when its dispatcher stopped waiting: its targets by outcome. */
export function publishAuditRunMetrics(run: AuditRunView): void {
  const count = (status: string) => run.targets.filter((target) => target.status === status).length;
  metrics.addMetric('AuditTargetsComplete', MetricUnit.Count, count('complete'));
  metrics.addMetric('AuditTargetsFailed', MetricUnit.Count, count('failed'));
  metrics.addMetric('AuditTargetsMissing', MetricUnit.Count, count('missing') + count('running'));
}

/** One target's audit run's figures (a run of one target in place: its only target's, the same counts). */
export function publishAuditMetrics(report: Pick<AuditReport, 'counts' | 'alert'>): void {
  const { counts } = report;
  metrics.addMetric('AuditTeamsAudited', MetricUnit.Count, counts.teamsAudited);
  metrics.addMetric('AuditTeamsCompliant', MetricUnit.Count, counts.compliant);
  metrics.addMetric('AuditTeamsDrifted', MetricUnit.Count, counts.drifted);
  metrics.addMetric('AuditFindings', MetricUnit.Count, counts.findings);
  metrics.addMetric('AuditFindingsOpened', MetricUnit.Count, counts.opened);
  metrics.addMetric('AuditFindingsResolved', MetricUnit.Count, counts.resolved);
  metrics.addMetric('AuditFindingsRemediated', MetricUnit.Count, counts.remediated);
  metrics.addMetric('AuditFindingsSuspected', MetricUnit.Count, counts.suspected ?? 0);
  metrics.addMetric('AuditAlertsFailed', MetricUnit.Count, report.alert === 'failed' ? 1 : 0);
  for (const [severity, count] of Object.entries(counts.bySeverity)) {
    const single = metrics.singleMetric();
    single.addDimension('severity', severity);
    single.addMetric('AuditFindingsBySeverity', MetricUnit.Count, count);
  }
  for (const [rule, count] of Object.entries(counts.byRule)) {
    const single = metrics.singleMetric();
    single.addDimension('rule', rule);
    single.addMetric('AuditFindingsByRule', MetricUnit.Count, count ?? 0);
  }
}
