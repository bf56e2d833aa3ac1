/** `POST /audit`: an audit run an administrator asks for. */
import { type Actor, actorName, mustBeAdmin } from '../../domain/actor';
import type { AuditReport, AuditRunRequest } from '../../domain/audit/report';
import type { AuditDeps } from './deps';
import { runAudit } from './run';

/** `POST /audit`: administrators only; the body overrides the policy's remediation for this run. */
export async function requestAudit(deps: AuditDeps, actor: Actor, request: AuditRunRequest): Promise<AuditReport> {
  mustBeAdmin(actor, 'run an audit');
  return runAudit(deps, { trigger: 'request', triggeredBy: actorName(actor), ...request });
}
