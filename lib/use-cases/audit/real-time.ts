/** The real-time audit: one team's run for an out-of-band work-team call, events of a burst answered by one run. */
import { randomBytes } from 'node:crypto';
import type { AuditReport } from '../../domain/audit/report';
import type { AuditDeps } from './deps';
import { errorText } from './error-text';
import { runAudit } from './run';

/** CloudTrail's `eventTime` has whole seconds: a change it dates `t` was made before `t + 1 s`. */
const EVENT_TIME_RESOLUTION_MS = 1000;
/** The longest the real-time audit waits before it reads (an event dated in the future waits no longer). */
const MAX_WAIT_MS = 2000;
/** A running claim older than this belongs to an invocation that is surely over (the function's timeout: 300 s). */
const CLAIM_STALE_MS = 6 * 60 * 1000;

interface WorkteamEvent {
  /** CloudTrail's eventID. */
  eventId: string;
  /** CloudTrail's eventTime: when the call was made. */
  eventTime: Date;
  team: string;
}

export interface AlreadyAudited {
  alreadyAudited: {
    team: string;
    /** `running`: a run of the team reading SageMaker after the event's time is under way; `finished`: it ended. */
    state: 'running' | 'finished';
    startedAt?: string;
    runId?: string;
  };
}

/**
 * The real-time audit of the team an out-of-band work-team call named. Events of one team within a short window
 * make one run: each run claims, in the audit table, the time from which it reads the team (at the earliest one
 * second after the event's time, CloudTrail's resolution, waiting for it if need be); an event whose change a
 * running or finished run of the team already sees is answered "already audited" without a call to SageMaker,
 * SNS or Cognito. A run that fails gives its claim up, so Lambda's retry of it audits the events it covered.
 */
export async function auditWorkteamEvent(deps: AuditDeps, event: WorkteamEvent): Promise<AuditReport | AlreadyAudited> {
  const now = deps.now ?? (() => new Date());
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const at = now();
  const coveredFrom = new Date(event.eventTime.getTime() + EVENT_TIME_RESOLUTION_MS);
  const startAt = new Date(Math.min(Math.max(at.getTime(), coveredFrom.getTime()), at.getTime() + MAX_WAIT_MS));
  const holder = `${event.eventId}/${randomBytes(4).toString('hex')}`;
  const claim = await deps.store.claimTeamAudit({
    team: event.team,
    holder,
    eventId: event.eventId,
    startedAt: startAt.toISOString(),
    coveredFrom: coveredFrom.toISOString(),
    staleBefore: new Date(at.getTime() - CLAIM_STALE_MS).toISOString(),
  });
  if (!claim.claimed) {
    const covering = claim.covering;
    deps.log?.info('real-time audit: already audited', { team: event.team, runId: covering?.runId });
    return {
      alreadyAudited: {
        team: event.team,
        state: covering?.finishedAt === undefined ? 'running' : 'finished',
        ...(covering?.startedAt === undefined ? {} : { startedAt: covering.startedAt }),
        ...(covering?.runId === undefined ? {} : { runId: covering.runId }),
      },
    };
  }
  // A millisecond more than the difference: a timer may fire within the millisecond it is due.
  const wait = startAt.getTime() - now().getTime();
  if (wait > 0) await sleep(wait + 1);
  let report: AuditReport;
  try {
    report = await runAudit(deps, { trigger: 'event', triggeredBy: event.eventId, team: event.team });
  } catch (error) {
    await deps.store.abandonTeamAudit(event.team, holder).catch(() => undefined);
    throw error;
  }
  try {
    await deps.store.finishTeamAudit(event.team, holder, report.runId, now().toISOString());
  } catch (error) {
    // The claim stays running until it is stale: the events it covers were audited all the same.
    deps.log?.warn('real-time audit: the run could not be recorded as finished', { error: errorText(error) });
  }
  return report;
}
