/**
 * Reading the audit's reports: `GET /audit` and `GET /audit/runs/{id}`. Apart from running an audit, so that the
 * report reader's bundle carries the store and nothing of the rules.
 */
import { type Actor, mustBeAdmin } from '../../domain/actor';
import { type AuditRunView, viewOfRun } from '../../domain/audit/fan-out';
import { RUN_ID_PATTERN } from '../../domain/audit/findings';
import { AuditRunNotFound } from '../../domain/errors';
import type { Target } from '../../domain/target';
import type { AuditStore, StoredRun } from '../../ports/audit';

/**
 * `GET /audit` (the latest run of every team, every target's row assembled; or with `team` the latest single-team
 * run of that team in the store's target) and `GET /audit/runs/{id}` (any run): administrators only. `hub`: the
 * target of reports kept before there were targets.
 */
export async function readAuditRun(
  store: AuditStore,
  actor: Actor,
  query: { runId?: string; team?: string } = {},
  context: { hub: Target; now?: Date },
): Promise<AuditRunView> {
  mustBeAdmin(actor, 'read audit reports');
  const { runId, team } = query;
  if (runId !== undefined && !RUN_ID_PATTERN.test(runId)) throw new AuditRunNotFound(runId);
  let stored: StoredRun | undefined;
  if (runId !== undefined) stored = await store.getRun(runId);
  else if (team !== undefined) {
    const report = await store.latestTeamRun(team);
    stored = report === undefined ? undefined : { report };
  } else stored = await store.latestRun();
  if (!stored) throw new AuditRunNotFound(runId);
  return viewOfRun(stored, context.now ?? new Date(), context.hub);
}
