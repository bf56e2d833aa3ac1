/**
 * Reading the audit's reports: `GET /audit` and `GET /audit/runs/{id}`. Apart from running an audit, so that the
 * report reader's bundle carries the store and nothing of the rules.
 */
import { type Actor, mustBeAdmin } from '../../domain/actor';
import { RUN_ID_PATTERN } from '../../domain/audit/findings';
import type { AuditReport } from '../../domain/audit/report';
import { AuditRunNotFound } from '../../domain/errors';
import type { AuditStore } from '../../ports/audit';

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
