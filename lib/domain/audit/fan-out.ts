/**
 * A run of every team in every target, fanned out: one run id, a header (what was asked, the targets expected, the
 * deadline) and a row per target, written as each target's audit finishes (its report, or why it failed). What
 * `GET /audit` answers is assembled from them (`assembleRun`): every target's outcome, the totals, and whether the
 * run is `running` (rows missing before the deadline), `complete` (every row in) or `partial` (the deadline passed
 * with rows missing: those targets are `missing`).
 */
import type { Target } from '../target';
import type { Severity } from './findings';
import {
  type AuditCounts,
  type AuditedTeam,
  type AuditMode,
  type AuditReport,
  type AuditTrigger,
  countFindings,
  type ReportedFinding,
  type ResolvedFinding,
  type SuspectedFinding,
} from './report';

/** A target as the audit names it: its account and region, and whether it is the hub (keys unprefixed). */
export interface AuditTarget extends Target {
  hub: boolean;
}

/**
 * What the audit's records of a target are keyed under: nothing for the hub (its keys are those of the single-target
 * audit, so nothing needs migrating), `account/region/` for every other target (as the registry's keys are).
 */
export function auditKeyPrefix(target: AuditTarget): string {
  return target.hub ? '' : `${target.account}/${target.region}/`;
}

export interface RunHeader {
  runId: string;
  trigger: AuditTrigger;
  triggeredBy?: string;
  mode: AuditMode | 'policy';
  dryRun: boolean;
  startedAt: string;
  /** After it, a target without a row is `missing` and the run `partial`. */
  deadline: string;
  /** The targets expected, in the configured order (the hub first). */
  targets: Target[];
  /**
   * `target`: a run of the one target a request named (`POST /audit` with `account`/`region`), which is no run of
   * every team: `GET /audit`'s latest run passes over it, as over a single-team run.
   */
  scope?: 'target';
}

/** One target's outcome in a run, as its worker recorded it (once: a conditional write). */
export type TargetRow =
  | (Target & { status: 'complete'; report: AuditReport })
  | (Target & { status: 'failed'; reason: string; at: string });

export interface TargetOutcome extends Target {
  /** `running`: no row yet, before the deadline; `missing`: none by the deadline (timed out). */
  status: 'complete' | 'failed' | 'running' | 'missing';
  /** Why it failed, or why it is missing. */
  reason?: string;
  startedAt?: string;
  endedAt?: string;
  counts?: AuditCounts;
  alert?: 'sent' | 'failed';
  /** Its report was cut to fit one stored item. */
  truncated?: boolean;
}

type InTarget<T> = T & Target;

/** A run as `GET /audit` answers it: each target's outcome, and everything the complete ones found, by target. */
export interface AuditRunView {
  runId: string;
  trigger: AuditTrigger;
  triggeredBy?: string;
  /** The one team audited (a real-time run, or `POST /audit` naming a team): one target. */
  team?: string;
  mode: AuditMode | 'policy';
  dryRun: boolean;
  status: 'running' | 'complete' | 'partial';
  startedAt: string;
  deadline: string;
  /** When the last target's row was written, once the run is no longer running. */
  endedAt?: string;
  /** The totals over the targets whose audit completed. */
  counts: AuditCounts;
  targets: TargetOutcome[];
  teams: InTarget<AuditedTeam>[];
  findings: InTarget<ReportedFinding>[];
  resolved: InTarget<ResolvedFinding>[];
  suspected: InTarget<SuspectedFinding>[];
  /** Teams whose state could not be read, in targets that completed. */
  errors?: InTarget<{ team: string; error: string }>[];
  /** `failed` when a target's operations summary failed, else `sent` when one was sent. */
  alert?: 'sent' | 'failed';
  truncated?: boolean;
}

export const MISSING_REASON = 'no report by the deadline (its worker timed out, or its message is still retried)';

export function assembleRun(header: RunHeader, rows: readonly TargetRow[], now: Date): AuditRunView {
  const rowOf = new Map(rows.map((row) => [`${row.account}/${row.region}`, row]));
  const pastDeadline = now.getTime() >= Date.parse(header.deadline);
  const outcomes: TargetOutcome[] = [];
  const complete: AuditReport[] = [];
  for (const { account, region } of header.targets) {
    const row = rowOf.get(`${account}/${region}`);
    if (row === undefined) {
      outcomes.push({
        account,
        region,
        status: pastDeadline ? 'missing' : 'running',
        ...(pastDeadline ? { reason: MISSING_REASON } : {}),
      });
    } else if (row.status === 'failed') {
      outcomes.push({ account, region, status: 'failed', reason: row.reason, endedAt: row.at });
    } else {
      const { report } = row;
      complete.push({ ...report, account, region });
      outcomes.push({
        account,
        region,
        status: 'complete',
        startedAt: report.startedAt,
        endedAt: report.endedAt,
        counts: report.counts,
        ...(report.alert === undefined ? {} : { alert: report.alert }),
        ...(report.truncated ? { truncated: true } : {}),
      });
    }
  }
  const allIn = outcomes.every((outcome) => outcome.status === 'complete' || outcome.status === 'failed');
  const status = allIn ? 'complete' : pastDeadline ? 'partial' : 'running';
  const ends = outcomes.flatMap((outcome) => (outcome.endedAt === undefined ? [] : [outcome.endedAt])).sort();
  const endedAt = status === 'running' ? undefined : (ends.at(-1) ?? header.deadline);
  const tagged = <T>(pick: (report: AuditReport) => readonly T[] | undefined) =>
    complete.flatMap((report) =>
      (pick(report) ?? []).map((item) => ({ ...item, account: report.account ?? '', region: report.region ?? '' })),
    );
  const errors = tagged((report) => report.errors);
  const alerts = complete.map((report) => report.alert);
  const alert = alerts.includes('failed') ? 'failed' : alerts.includes('sent') ? 'sent' : undefined;
  return {
    runId: header.runId,
    trigger: header.trigger,
    ...(header.triggeredBy === undefined ? {} : { triggeredBy: header.triggeredBy }),
    mode: header.mode,
    dryRun: header.dryRun,
    status,
    startedAt: header.startedAt,
    deadline: header.deadline,
    ...(endedAt === undefined ? {} : { endedAt }),
    counts: sumCounts(complete.map((report) => report.counts)),
    targets: outcomes,
    teams: tagged((report) => report.teams),
    findings: tagged((report) => report.findings),
    resolved: tagged((report) => report.resolved),
    suspected: tagged((report) => report.suspected),
    ...(errors.length > 0 ? { errors } : {}),
    ...(alert === undefined ? {} : { alert }),
    ...(complete.some((report) => report.truncated) ? { truncated: true } : {}),
  };
}

/**
 * A run kept as one report (a single-team run, or a run of every team from before the fan-out, the hub's), as a run
 * of one target: complete, its deadline its end.
 */
export function viewOfReport(report: AuditReport, fallback: Target): AuditRunView {
  const target = { account: report.account ?? fallback.account, region: report.region ?? fallback.region };
  const header: RunHeader = {
    runId: report.runId,
    trigger: report.trigger,
    ...(report.triggeredBy === undefined ? {} : { triggeredBy: report.triggeredBy }),
    mode: report.mode,
    dryRun: report.dryRun,
    startedAt: report.startedAt,
    deadline: report.endedAt,
    targets: [target],
  };
  const view = assembleRun(header, [{ ...target, status: 'complete', report }], new Date(report.endedAt));
  return report.team === undefined ? view : { ...view, team: report.team };
}

/**
 * A run as kept (a header and its rows, or one report) as `GET /audit` answers it; a report kept without its target
 * (before there were targets) is `hub`'s.
 */
export function viewOfRun(
  stored: { header: RunHeader; rows: readonly TargetRow[] } | { report: AuditReport },
  now: Date,
  hub: Target,
): AuditRunView {
  return 'header' in stored ? assembleRun(stored.header, stored.rows, now) : viewOfReport(stored.report, hub);
}

const SEVERITIES: Severity[] = ['critical', 'high', 'medium', 'low'];

/** The counts of several targets' reports, added up. */
export function sumCounts(all: readonly AuditCounts[]): AuditCounts {
  // The counts of nothing: every number 0.
  const total: AuditCounts = countFindings([], [], 0);
  const numbers = ['teamsAudited', 'managed', 'unmanaged', 'compliant', 'drifted', 'findings'] as const;
  const more = ['opened', 'resolved', 'remediated', 'suspected'] as const;
  for (const counts of all) {
    for (const field of [...numbers, ...more]) total[field] += counts[field] ?? 0;
    for (const severity of SEVERITIES) total.bySeverity[severity] += counts.bySeverity[severity] ?? 0;
    for (const [rule, count] of Object.entries(counts.byRule) as [keyof AuditCounts['byRule'], number][]) {
      total.byRule[rule] = (total.byRule[rule] ?? 0) + count;
    }
  }
  return total;
}
