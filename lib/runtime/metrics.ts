/**
 * An audit run's CloudWatch metrics (Powertools Metrics, EMF): teams audited, compliant and drifted; findings by
 * rule and by severity (a metric each, with its dimension); findings opened, resolved, remediated and suspected
 * (held for a second look); an operations alert that failed (`AuditAlertsFailed`, 1: a later run sends it).
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { AuditReport } from '../domain/audit/report';
import { metrics } from './observability';

export function publishAuditMetrics(report: AuditReport): void {
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
