/**
 * The runs of every team people and the schedule ask for: `POST /audit` (`requestAudit`) and the scheduled run
 * (`auditEveryTarget`). A run of one target is audited in place; a run of several is handed out, a message per
 * target (fan-out.ts).
 */
import { type Actor, actorName, mustBeAdmin } from '../../domain/actor';
import { type AuditRunView, type AuditTarget, assembleRun, viewOfReport } from '../../domain/audit/fan-out';
import type { AuditRunRequest } from '../../domain/audit/report';
import type { Target } from '../../domain/target';
import {
  auditInPlace,
  awaitRun,
  type FanOutDeps,
  type RunRequest,
  runHeader,
  startAuditRun,
  type TargetAuditDeps,
} from './fan-out';
import { runAudit } from './run';

export interface AuditRunsDeps extends FanOutDeps, TargetAuditDeps {
  targets: {
    all: readonly AuditTarget[];
    hub: AuditTarget;
    /** The target a request names (the hub's account or region for one left out); throws TargetNotFound. */
    resolve(addressed: Partial<Target>): AuditTarget;
  };
  /** How long after its start a run's targets without a report are `missing`. */
  deadlineMs: number;
}

/**
 * `POST /audit`: administrators only; the body overrides the policy's remediation for this run. A request naming a
 * team audits that team in the target named (the hub's by default; an unreachable one is TargetUnreachable), in
 * place. Otherwise the run covers the target named, or every target: one is audited in place (`done`), several are
 * handed out (not `done`: the run as it stands, every target still running; `GET /audit/runs/{id}` follows it).
 */
export async function requestAudit(
  deps: AuditRunsDeps,
  actor: Actor,
  request: AuditRunRequest,
): Promise<{ done: boolean; run: AuditRunView }> {
  mustBeAdmin(actor, 'run an audit');
  const { team, account, region, ...remediation } = request;
  const asked: RunRequest = { trigger: 'request', triggeredBy: actorName(actor), ...remediation };
  const addressed = account !== undefined || region !== undefined;
  const named = addressed || team !== undefined ? deps.targets.resolve({ account, region }) : undefined;
  if (team !== undefined && named !== undefined) {
    await deps.reach(named);
    const report = await runAudit(deps.auditDepsOf(named), { ...asked, team });
    return { done: true, run: viewOfReport(report, named) };
  }
  const now = deps.now ?? (() => new Date());
  const started = now();
  const targets = named === undefined ? deps.targets.all : [named];
  const header = {
    ...runHeader(asked, targets, started, new Date(started.getTime() + deps.deadlineMs)),
    ...(named === undefined ? {} : { scope: 'target' as const }),
  };
  if (targets.length === 1) return { done: true, run: await auditInPlace(deps, header) };
  await startAuditRun(deps, header);
  return { done: false, run: assembleRun(header, [], now()) };
}

/**
 * The scheduled run of every team in every target. Its deadline is the configured one or the end of the time it
 * may wait (`budgetMs`: the invocation's time left, less a margin), whichever comes first; it hands the targets
 * out and waits for their rows until the run is complete or the deadline has passed, so what it answers is the
 * run complete, or partial with the targets that did not finish by then marked `missing`. One target is audited in
 * place (no queue, nothing to wait for).
 */
export async function auditEveryTarget(
  deps: AuditRunsDeps,
  request: { triggeredBy: string },
  budgetMs: number,
): Promise<{ inPlace: boolean; run: AuditRunView }> {
  const now = deps.now ?? (() => new Date());
  const started = now();
  const deadline = new Date(started.getTime() + Math.max(0, Math.min(deps.deadlineMs, budgetMs)));
  const header = runHeader({ trigger: 'schedule', ...request }, deps.targets.all, started, deadline);
  if (deps.targets.all.length === 1) return { inPlace: true, run: await auditInPlace(deps, header) };
  await startAuditRun(deps, header);
  return { inPlace: false, run: await awaitRun(deps, header, deadline, deps.targets.hub) };
}
