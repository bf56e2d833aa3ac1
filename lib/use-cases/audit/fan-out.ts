/**
 * A run of every team in every target, on AWS's own engines: the run starts (a header naming the targets expected
 * and a deadline), each target's audit is handed to a worker (one SQS message per target, `startAuditRun`), each
 * worker audits its target and records the target's row of the run (`auditTargetOfRun`), and whoever wants the
 * report reads the run assembled from the rows (`awaitRun`, `readAuditRun`). A run of one target is audited in
 * place by the same steps (`auditInPlace`): no queue between the caller and the one audit it would wait for.
 *
 * What a worker does with a failure:
 * - a refusal (the target's role cannot be assumed: TargetUnreachable; access denied; anything not transient) is
 *   the target's row at once: `failed`, with its reason. Trying again would meet the same refusal.
 * - a transient failure (throttled past the SDK's retries, a server fault, STS or the service out of reach) is tried
 *   again in place first (IN_PLACE_ATTEMPTS, with backoff: a message handed back returns only after the queue's
 *   visibility timeout, past the run's deadline), then the message comes back (partial batch failure), until its
 *   last delivery, which records the target
 *   `failed` with the reason and the number of deliveries, so no target's outcome is left to the dead-letter queue.
 * - a message of a run that has the target's row already (SQS delivers at least once; Lambda retries) does nothing:
 *   the row is written by a conditional put, so the run is assembled once whatever is delivered twice.
 */
import {
  type AuditRunView,
  type AuditTarget,
  type RunHeader,
  type TargetRow,
  viewOfRun,
} from '../../domain/audit/fan-out';
import type { AuditMode, AuditReport, AuditTrigger } from '../../domain/audit/report';
import type { Target } from '../../domain/target';
import type { AuditDispatch, AuditStore, AuditTargetMessage } from '../../ports/audit';
import { isTransient } from '../../runtime/aws-errors';
import type { Log } from '../reconcile';
import type { AuditDeps } from './deps';
import { errorText } from './error-text';
import { newRunId, runAudit } from './run';

/** What a run of every team is asked: who started it and how it remediates. */
export interface RunRequest {
  trigger: AuditTrigger;
  triggeredBy?: string;
  mode?: AuditMode;
  dryRun?: boolean;
}

export interface FanOutDeps {
  /** Where runs are kept (any target's store: runs are shared). */
  store: AuditStore;
  dispatch: AuditDispatch;
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
}

/** A run's header: its id, what was asked, the targets expected, the deadline. */
export function runHeader(request: RunRequest, targets: readonly Target[], started: Date, deadline: Date): RunHeader {
  return {
    runId: newRunId(started),
    trigger: request.trigger,
    ...(request.triggeredBy === undefined ? {} : { triggeredBy: request.triggeredBy }),
    mode: request.mode ?? 'policy',
    dryRun: request.dryRun === true,
    startedAt: started.toISOString(),
    deadline: deadline.toISOString(),
    targets: targets.map(({ account, region }) => ({ account, region })),
  };
}

/**
 * Starts a run of every team in these targets: its header, then one message per target. A dispatch that fails is
 * thrown (the run shows the targets it never reached as missing at its deadline).
 */
export async function startAuditRun(deps: FanOutDeps, header: RunHeader): Promise<void> {
  await deps.store.startRun(header);
  await deps.dispatch.dispatch(
    header.targets.map(({ account, region }) => ({
      runId: header.runId,
      account,
      region,
      trigger: header.trigger,
      ...(header.triggeredBy === undefined ? {} : { triggeredBy: header.triggeredBy }),
      ...(header.mode === 'policy' ? {} : { mode: header.mode }),
      ...(header.dryRun ? { dryRun: true } : {}),
    })),
  );
}

export interface TargetAuditDeps {
  /** The store runs are kept in (the hub's). */
  store: AuditStore;
  /** The configured target of a message's account and region, or undefined when none is. */
  find: (target: Target) => AuditTarget | undefined;
  /** Throws TargetUnreachable when the target's role cannot be assumed now (transient errors as they come). */
  reach: (target: AuditTarget) => Promise<void>;
  /** The audit's deps in a target. */
  auditDepsOf: (target: AuditTarget) => AuditDeps;
  log?: Log;
  /** Waits between a worker's attempts at a target (setTimeout by default). */
  sleep?: (ms: number) => Promise<void>;
}

export type TargetAuditOutcome =
  | { outcome: 'recorded'; report: AuditReport }
  | { outcome: 'failed'; reason: string }
  | { outcome: 'duplicate' }
  /** Transient: the message comes again. */
  | { outcome: 'retry'; error: unknown };

/**
 * One target's audit of a run, as a worker takes it from the queue: the target's row of the run, written once.
 * `delivery.last`: SQS will not deliver the message again (its receive count reached the queue's maximum).
 */
export async function auditTargetOfRun(
  deps: TargetAuditDeps,
  message: AuditTargetMessage,
  delivery: { last: boolean; count: number },
): Promise<TargetAuditOutcome> {
  const where = { runId: message.runId, account: message.account, region: message.region };
  const target = deps.find(message);
  const fail = async (reason: string): Promise<TargetAuditOutcome> => {
    const row: TargetRow = {
      account: message.account,
      region: message.region,
      status: 'failed',
      reason,
      at: new Date().toISOString(),
    };
    await deps.store.recordTarget(message.runId, row);
    deps.log?.warn('audit target failed', { ...where, reason });
    return { outcome: 'failed', reason };
  };
  if (target === undefined) return fail('not a target of this system (TARGETS) any more');
  if (await deps.store.hasTarget(message.runId, target)) {
    deps.log?.info('audit target already recorded; message delivered again', where);
    return { outcome: 'duplicate' };
  }
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  for (let attempt = 1; ; attempt += 1) {
    try {
      await deps.reach(target);
      const report = await runAudit(deps.auditDepsOf(target), {
        runId: message.runId,
        trigger: message.trigger,
        ...(message.triggeredBy === undefined ? {} : { triggeredBy: message.triggeredBy }),
        ...(message.mode === undefined ? {} : { mode: message.mode }),
        ...(message.dryRun === undefined ? {} : { dryRun: message.dryRun }),
      });
      return { outcome: 'recorded', report };
    } catch (error) {
      // The run saved the target's row, then what follows it failed (its announcements, a remediation): nothing to
      // record or audit again, and the failure is the invocation's (Lambda's error metric, its alarm), not hidden.
      if (await deps.store.hasTarget(message.runId, target)) {
        deps.log?.error('audit target recorded, but what follows its report failed', {
          ...where,
          error: errorText(error),
        });
        throw error;
      }
      // Throttled past the SDK's retries: tried again here first, since a message handed back returns only after
      // the queue's visibility timeout, long past the run's deadline; never once the invocation's time is up.
      if (isTransient(error) && !isOutOfTime(error) && attempt < IN_PLACE_ATTEMPTS) {
        deps.log?.info('audit target failed for now; tried again', { ...where, attempt, error: errorText(error) });
        await sleep(IN_PLACE_BACKOFF_MS * 2 ** (attempt - 1) * (0.5 + Math.random() / 2));
        continue;
      }
      if (isTransient(error) && !delivery.last) {
        deps.log?.warn('audit target failed for now; its message comes again', { ...where, error: errorText(error) });
        return { outcome: 'retry', error };
      }
      const tries = isTransient(error) ? ` (still failing after ${delivery.count} deliveries)` : '';
      return fail(`${errorText(error)}${tries}`);
    }
  }
}

/** The invocation's time ran out (lib/runtime/invocation.ts aborts its calls): no time left to try again. */
function isOutOfTime(error: unknown): boolean {
  return (error as { name?: string }).name === 'AbortError';
}

/** How often a worker audits a target whose audit failed transiently before handing its message back, and the wait. */
const IN_PLACE_ATTEMPTS = 3;
const IN_PLACE_BACKOFF_MS = 500;

/**
 * A run of one target, audited in place by the caller through the worker's own steps (the header, then the
 * target's audit): nothing to hand to a queue. A transient failure is thrown (the caller is retried: Lambda's
 * retries of a scheduled run, a 503 to a person); a refusal is the target's row, as a worker records it.
 */
export async function auditInPlace(
  deps: TargetAuditDeps & Pick<FanOutDeps, 'now'>,
  header: RunHeader,
): Promise<AuditRunView> {
  const target = header.targets[0] as Target;
  await deps.store.startRun(header);
  const outcome = await auditTargetOfRun(
    deps,
    { runId: header.runId, ...target, ...messageRequest(header) },
    { last: false, count: 1 },
  );
  if (outcome.outcome === 'retry') throw outcome.error;
  return readRun(deps.store, header.runId, deps.now?.() ?? new Date(), target);
}

function messageRequest(header: RunHeader): Omit<AuditTargetMessage, 'runId' | 'account' | 'region'> {
  return {
    trigger: header.trigger,
    ...(header.triggeredBy === undefined ? {} : { triggeredBy: header.triggeredBy }),
    ...(header.mode === 'policy' ? {} : { mode: header.mode }),
    ...(header.dryRun ? { dryRun: true } : {}),
  };
}

/** How often a caller waiting for a run reads it again. */
const POLL_MS = 500;

/**
 * Waits for a run's rows until it is complete or `until` (the run's deadline, or the caller's time budget) has
 * passed, and answers it as it is then: complete, partial (past its deadline) or still running.
 */
export async function awaitRun(
  deps: Pick<FanOutDeps, 'store' | 'now' | 'sleep'>,
  header: RunHeader,
  until: Date,
  hub: Target,
): Promise<AuditRunView> {
  const now = deps.now ?? (() => new Date());
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  // The header's count is read while the rows come in (one small item, where the rows hold whole reports: 100
  // targets' read every half second would be megabytes a poll); the run itself once, at the end.
  for (;;) {
    const left = until.getTime() - now().getTime();
    if (left <= 0 || (await deps.store.recordedTargets(header.runId)) >= header.targets.length) {
      return readRun(deps.store, header.runId, now(), hub);
    }
    await sleep(Math.min(POLL_MS, left));
  }
}

async function readRun(store: AuditStore, runId: string, now: Date, hub: Target): Promise<AuditRunView> {
  const stored = await store.getRun(runId);
  if (stored === undefined) throw new Error(`audit run ${runId} has no header`);
  return viewOfRun(stored, now, hub);
}
