/** The audit as the HTTP API offers it: `POST /audit`, `GET /audit` and `GET /audit/runs/{id}`. */
import { type Actor, actorName, mustBeAdmin } from '../../domain/actor';
import { RUN_ID_PATTERN } from '../../domain/audit/findings';
import type { AuditReport, AuditRunRequest } from '../../domain/audit/report';
import { AuditRunNotFound } from '../../domain/errors';
import type { AuditStore } from '../../ports/audit';
import type { AuditDeps } from './deps';
import { runAudit } from './run';

/** `POST /audit`: administrators only; the body overrides the policy's remediation for this run. */
export async function requestAudit(deps: AuditDeps, actor: Actor, request: AuditRunRequest): Promise<AuditReport> {
  mustBeAdmin(actor, 'run an audit');
  return runAudit(deps, { trigger: 'request', triggeredBy: actorName(actor), ...request });
}

/**
 * `GET /audit` (the latest run of every team, or with `team` the latest single-team run of that team) and
 * `GET /audit/runs/{id}` (any run): administrators only.
 */
export async function readAuditRun(
  store: AuditStore,
  actor: Actor,
  query: { runId?: string; team?: string } = {},
): Promise<AuditReport> {
  mustBeAdmin(actor, 'read audit reports');
  const { runId, team } = query;
  if (runId !== undefined && !RUN_ID_PATTERN.test(runId)) throw new AuditRunNotFound(runId);
  let report: AuditReport | undefined;
  if (runId !== undefined) report = await store.getRun(runId);
  else if (team !== undefined) report = await store.latestTeamRun(team);
  else report = await store.latestRun();
  if (!report) throw new AuditRunNotFound(runId);
  return report;
}
