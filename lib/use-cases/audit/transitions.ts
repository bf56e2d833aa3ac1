/**
 * A run's steps of the finding records: each finding moves suspected → open → resolving → gone, each step a
 * conditional write on what the run read that claims the step's announcement (its EventBridge event) in the same
 * write; no step is taken while an announcement is in flight.
 */
import { randomUUID } from 'node:crypto';
import { type Finding, type ResolvedBy, SECOND_LOOK_RULES } from '../../domain/audit/findings';
import type { ResolvedFinding, SuspectedFinding } from '../../domain/audit/report';
import type { Announcement, AuditStore, FindingRecord } from '../../ports/audit';

/**
 * An announcement a run claimed but could not make (the run failed), and an operations alert it could not send,
 * are taken over by a later run once this long has passed: the run that claimed them is surely over (the audit
 * function's timeout is 5 minutes).
 */
export const ANNOUNCEMENT_GRACE_MS = 10 * 60 * 1000;

/** An announcement this run holds the claim of, and the finding it tells. */
export interface Claim {
  key: string;
  finding: Finding;
  announcement: Announcement;
}

/** An opening whose operations alert this run holds. */
export interface DueAlert {
  key: string;
  finding: Finding;
  claimedAt: string;
}

export interface Transitions {
  /** Findings this run opened, and when. */
  opened: Map<string, string>;
  /** Second-look findings seen and not opened (this run's or an earlier one's suspicion). */
  suspected: Map<string, SuspectedFinding>;
  /** Announcements this run claimed (its own steps, and those a failed run left). */
  claims: Claim[];
  /** Operations alerts this run holds (its openings, and those a failed alert left). */
  alerts: DueAlert[];
  resolved: ResolvedFinding[];
}

/** A finding as the report lists it resolved, and what put it right. */
export function resolvedFinding(
  key: string,
  { rule, resource, team }: Finding,
  resolvedBy: ResolvedBy,
): ResolvedFinding {
  return { key, rule, resource, ...(team === undefined ? {} : { team }), resolvedBy };
}

export function claimOf(type: Announcement['type'], runId: string, at: string, resolvedBy?: ResolvedBy): Announcement {
  return { id: randomUUID(), type, runId, at, ...(resolvedBy === undefined ? {} : { resolvedBy }) };
}

/**
 * Moves each finding record one step, each step a conditional write on the record as read that claims the step's
 * announcement with it: suspect or open what is new (a second-look finding opens once it has been suspected for the
 * grace period), resolve what went, drop a suspicion that went. A record with an announcement in flight takes no
 * step; once the claim is older than the grace period, this run takes it over and makes it.
 */
export async function recordTransitions(
  store: AuditStore,
  run: {
    runId: string;
    at: Date;
    graceMs: number;
    current: Map<string, Finding>;
    before: Map<string, FindingRecord>;
    kept: (record: FindingRecord) => boolean;
    resolvedBy: (record: FindingRecord) => ResolvedBy;
  },
): Promise<Transitions> {
  const at = run.at.toISOString();
  const olderThan = (since: string | undefined, ms: number) =>
    since !== undefined && run.at.getTime() - Date.parse(since) >= ms;
  const result: Transitions = { opened: new Map(), suspected: new Map(), claims: [], alerts: [], resolved: [] };
  const suspect = (key: string, finding: Finding, since: string) =>
    result.suspected.set(key, {
      ...finding,
      key,
      since,
      opensFrom: new Date(Date.parse(since) + run.graceMs).toISOString(),
    });
  const open = (key: string, finding: Finding, suspectedSince?: string) => {
    const announcement = claimOf('Finding Opened', run.runId, at);
    return store
      .openFinding({ key, finding, at, runId: run.runId, announcement, ...(suspectedSince ? { suspectedSince } : {}) })
      .then((opened) => {
        if (!opened) return;
        result.opened.set(key, at);
        result.claims.push({ key, finding, announcement });
        result.alerts.push({ key, finding, claimedAt: at });
      });
  };
  /** A claim another run left behind: this run makes it, once the claim is old enough. */
  const takeOver = (record: FindingRecord & { announcing: Announcement }) =>
    store.takeOverAnnouncement(record.key, record.announcing, { runId: run.runId, at }).then((taken) => {
      if (!taken) return;
      const announcement = { ...record.announcing, runId: run.runId, at };
      result.claims.push({ key: record.key, finding: record.finding, announcement });
    });

  const steps: Promise<void>[] = [];
  for (const [key, finding] of run.current) {
    const record = run.before.get(key);
    const secondLook = SECOND_LOOK_RULES.includes(finding.rule);
    if (record === undefined) {
      if (!secondLook) steps.push(open(key, finding));
      else {
        suspect(key, finding, at);
        steps.push(store.suspectFinding({ key, finding, at }).then(() => undefined));
      }
    } else if (record.state === 'suspected') {
      if (!secondLook || olderThan(record.firstSeenAt, run.graceMs)) {
        steps.push(
          open(key, finding, record.firstSeenAt).then(() => {
            if (!result.opened.has(key)) suspect(key, finding, record.firstSeenAt);
          }),
        );
      } else suspect(key, finding, record.firstSeenAt);
    } else if (record.announcing !== undefined) {
      if (olderThan(record.announcing.at, ANNOUNCEMENT_GRACE_MS))
        steps.push(takeOver({ ...record, announcing: record.announcing }));
    } else if (record.state === 'open' && olderThan(record.alertClaimedAt, ANNOUNCEMENT_GRACE_MS)) {
      steps.push(takeOverAlert(store, record, at, result));
    }
  }
  for (const record of run.before.values()) {
    if (run.current.has(record.key)) continue;
    const { key, finding } = record;
    if (record.announcing !== undefined) {
      // A step in flight: its announcement is made first (by its run, or by this one once it is overdue), whether
      // or not this run could judge the finding again.
      if (olderThan(record.announcing.at, ANNOUNCEMENT_GRACE_MS))
        steps.push(takeOver({ ...record, announcing: record.announcing }));
    } else if (run.kept(record)) {
      // Not judged again by this run: it stays as it is.
    } else if (record.state === 'suspected') {
      steps.push(store.dropSuspected(key, record.firstSeenAt).then(() => undefined));
    } else if (record.state === 'open' && record.openedAt !== undefined) {
      const resolvedBy = run.resolvedBy(record);
      const announcement = claimOf('Finding Resolved', run.runId, at, resolvedBy);
      steps.push(
        store.resolveFinding({ key, openedAt: record.openedAt, at, announcement }).then((done) => {
          if (!done) return;
          result.resolved.push(resolvedFinding(key, finding, resolvedBy));
          result.claims.push({ key, finding, announcement });
        }),
      );
    }
  }
  await Promise.all(steps);
  return result;
}

async function takeOverAlert(store: AuditStore, record: FindingRecord, at: string, result: Transitions): Promise<void> {
  if (record.alertClaimedAt === undefined) return;
  if (await store.takeOverAlert(record.key, record.alertClaimedAt, at)) {
    result.alerts.push({ key: record.key, finding: record.finding, claimedAt: at });
  }
}
