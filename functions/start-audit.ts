/**
 * POST /audit — administrators run an audit now: `{ "mode"?: "report" | "remediate", "dryRun"?: true,
 * "team"?: "<name>", "account"?, "region"? }` (the mode overrides the policy's per-rule remediation for this run).
 * A run of one target (a team named, a target named, or the hub alone configured) is audited in place: 201 with
 * the run's report. A run of several targets is handed out, one message per target (functions/audit-target.ts):
 * 202 with the run as it stands (`status: running`, every target `running`); both with the run's address, which
 * `GET /audit/runs/{id}` answers as the targets finish.
 */

import { buildAuditRuns } from '#lib/composition/audit';
import { mustBeAdmin } from '#lib/domain/actor';
import { httpRoute } from '#lib/handlers/http';
import { jsonResponse } from '#lib/http/errors';
import { parseAuditRunRequest } from '#lib/http/requests';
import { NoPathSchema, NoQuerySchema } from '#lib/http/schemas';
import { loadConfig, startAuditConfig } from '#lib/runtime/config';
import { publishAuditMetrics } from '#lib/runtime/metrics';
import { requestAudit } from '#lib/use-cases/audit/request';

const runs = buildAuditRuns(loadConfig(startAuditConfig()));

export const handler = httpRoute({ query: NoQuerySchema, path: NoPathSchema }, async ({ actor, body }) => {
  // Refused before the body is read, as every admin-only route is.
  mustBeAdmin(actor, 'run an audit');
  const { done, run } = await requestAudit(runs, actor, parseAuditRunRequest(body));
  // Done here: this function audited the one target (a worker publishes each target's figures otherwise).
  if (done) publishAuditMetrics(run);
  return jsonResponse(done ? 201 : 202, run, { location: `/audit/runs/${run.runId}` });
});
