/**
 * POST /audit — administrators run an audit now: `{ "mode"?: "report" | "remediate", "dryRun"?: true,
 * "team"?: "<name>" }` (the mode overrides the policy's per-rule remediation for this run). Answers 201 with the
 * run's report and its address.
 */
import { publishAuditMetrics } from '#lib/audit-metrics';
import { auditRunSettings } from '#lib/audit-settings';
import { buildAuditDeps } from '#lib/deps';
import { jsonResponse } from '#lib/http/errors';
import { httpRoute } from '#lib/http/handler';
import { NoPathSchema, NoQuerySchema } from '#lib/http/schemas';
import { requestAudit } from '#lib/use-cases/audit';

const deps = { ...buildAuditDeps(), ...auditRunSettings() };

export const handler = httpRoute({ query: NoQuerySchema, path: NoPathSchema }, async ({ caller, body }) => {
  const report = await requestAudit(deps, caller, body);
  publishAuditMetrics(report);
  return jsonResponse(201, report, { location: `/audit/runs/${report.runId}` });
});
