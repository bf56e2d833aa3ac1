/**
 * POST /audit — administrators run an audit now: `{ "mode"?: "report" | "remediate", "dryRun"?: true,
 * "team"?: "<name>" }` (the mode overrides the policy's per-rule remediation for this run). Answers 201 with the
 * run's report and its address.
 */

import { auditRunSettings, buildAuditDeps } from '#lib/composition/audit';
import { mustBeAdmin } from '#lib/domain/actor';
import { httpRoute } from '#lib/handlers/http';
import { jsonResponse } from '#lib/http/errors';
import { parseAuditRunRequest } from '#lib/http/requests';
import { NoPathSchema, NoQuerySchema } from '#lib/http/schemas';
import { loadConfig, startAuditConfig } from '#lib/runtime/config';
import { publishAuditMetrics } from '#lib/runtime/metrics';
import { requestAudit } from '#lib/use-cases/audit/request';

const config = loadConfig(startAuditConfig());
const deps = { ...buildAuditDeps(config), ...auditRunSettings(config) };

export const handler = httpRoute({ query: NoQuerySchema, path: NoPathSchema }, async ({ actor, body }) => {
  // Refused before the body is read, as every admin-only route is.
  mustBeAdmin(actor, 'run an audit');
  const report = await requestAudit(deps, actor, parseAuditRunRequest(body));
  publishAuditMetrics(report);
  return jsonResponse(201, report, { location: `/audit/runs/${report.runId}` });
});
