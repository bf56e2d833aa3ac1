/**
 * An audit run's report: what was audited, every finding with what was done about it, and the findings the run
 * saw resolved. Built by the audit use case; kept in DynamoDB and returned by `GET /audit`.
 */
import type { Finding, ResolvedBy, RuleId, Severity } from './findings';

export type AuditTrigger = 'schedule' | 'event' | 'request';
export type AuditMode = 'report' | 'remediate';

/**
 * `none`: reported only; `remediated`: the team was reconciled and is as desired again; `would-remediate`: a dry
 * run's plan; `failed`: the reconcile did not get it there (its reason says why).
 */
type RemediationStatus = 'none' | 'remediated' | 'would-remediate' | 'failed';

export interface ReportedFinding extends Finding {
  key: string;
  /** Opened by this run (it was not open before). */
  new: boolean;
  remediation: RemediationStatus;
  remediated: boolean;
  remediationError?: string;
}

/**
 * A finding of a second-look rule seen but not opened: it opens (and is announced) only when a run at least the
 * subscription grace period after `since` still sees it. Not counted among the run's findings.
 */
export interface SuspectedFinding extends Finding {
  key: string;
  /** When a run first saw it. */
  since: string;
  /** From when a run that still sees it opens it. */
  opensFrom: string;
}

/** A finding the run saw resolved, and what put it right. */
export interface ResolvedFinding {
  key: string;
  rule: RuleId;
  resource: string;
  team?: string;
  resolvedBy: ResolvedBy;
}

export interface AuditedTeam {
  name: string;
  managed: boolean;
  /** Present in SageMaker. */
  exists: boolean;
  compliant: boolean;
  findings: number;
}

export interface AuditCounts {
  teamsAudited: number;
  managed: number;
  unmanaged: number;
  compliant: number;
  /** Teams with at least one finding. */
  drifted: number;
  findings: number;
  bySeverity: Record<Severity, number>;
  byRule: Partial<Record<RuleId, number>>;
  opened: number;
  resolved: number;
  remediated: number;
  /** Second-look findings seen and not (yet) opened. */
  suspected: number;
}

export interface AuditReport {
  runId: string;
  /**
   * The target audited (one run audits one account and region; a run of every target is one report per target,
   * assembled by lib/domain/audit/fan-out.ts). Absent in reports kept before there were targets: the hub's.
   */
  account?: string;
  region?: string;
  trigger: AuditTrigger;
  /** What started it: the CloudTrail event id, or the caller's sub; never an e-mail address. */
  triggeredBy?: string;
  /** The one team audited, for an event or a request naming a team; absent: every team and the workforce. */
  team?: string;
  /** The run's override, or `policy`: each rule as the policy file sets it. */
  mode: AuditMode | 'policy';
  dryRun: boolean;
  startedAt: string;
  endedAt: string;
  counts: AuditCounts;
  teams: AuditedTeam[];
  findings: ReportedFinding[];
  /** Findings this run resolved: those open before that it no longer found, and those its remediation put right. */
  resolved: ResolvedFinding[];
  /** Second-look findings seen and held back until a later look (not among `findings`, nor counted there). */
  suspected: SuspectedFinding[];
  /**
   * The operations topic's summary of the findings this run opened (and of openings earlier runs could not tell):
   * `sent`, or `failed` (logged and counted: a later run sends it). Absent when there was nothing to tell.
   */
  alert?: 'sent' | 'failed';
  /** Teams whose state could not be read: none of their open findings was resolved by this run. */
  errors?: { team: string; error: string }[];
  /** Set when the report was cut to fit one stored item: the counts still count everything. */
  truncated?: boolean;
}

export function countFindings(
  teams: AuditedTeam[],
  findings: ReportedFinding[],
  resolved: number,
  suspected = 0,
): AuditCounts {
  const bySeverity: Record<Severity, number> = { critical: 0, high: 0, medium: 0, low: 0 };
  const byRule: Partial<Record<RuleId, number>> = {};
  for (const finding of findings) {
    bySeverity[finding.severity] += 1;
    byRule[finding.rule] = (byRule[finding.rule] ?? 0) + 1;
  }
  const managed = teams.filter((team) => team.managed).length;
  const compliant = teams.filter((team) => team.compliant).length;
  // A team that could not be read is neither: it has no finding, and is not known to be compliant.
  const drifted = teams.filter((team) => team.findings > 0).length;
  return {
    teamsAudited: teams.length,
    managed,
    unmanaged: teams.length - managed,
    compliant,
    drifted,
    findings: findings.length,
    bySeverity,
    byRule,
    opened: findings.filter((finding) => finding.new).length,
    resolved,
    remediated: findings.filter((finding) => finding.remediated).length,
    suspected,
  };
}

/**
 * What `POST /audit` asks of a run: the policy's remediation overridden, a dry run, one team only, or one target
 * only (`account`, `region`: the hub's when one is left out; absent both: every target).
 */
export interface AuditRunRequest {
  mode?: AuditMode;
  dryRun?: boolean;
  team?: string;
  account?: string;
  region?: string;
}
