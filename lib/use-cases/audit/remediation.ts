/**
 * Remediation: a run reconciles the managed teams whose findings the policy (or the run's mode) sets to remediate,
 * then resolves the findings that reconcile put right, naming the run.
 */
import { type Finding, type ResolvedBy, remediationBy } from '../../domain/audit/findings';
import type { ReportedFinding, ResolvedFinding } from '../../domain/audit/report';
import { remediationFor } from '../../domain/audit/rules/remediation';
import { redactEmailAddresses } from '../../domain/privacy';
import type { FindingRecord } from '../../ports/audit';
import { forEachBounded } from '../../runtime/concurrency';
import { outOfTime } from '../../runtime/invocation';
import type { ReconcileOutcome } from '../reconcile';
import { announce } from './announcements';
import type { AuditDeps, AuditRequest } from './deps';
import { errorText } from './error-text';
import { type Claim, claimOf, resolvedFinding, type Transitions } from './transitions';

/** Teams reconciled at once when remediating. */
const REMEDIATION_CONCURRENCY = 3;

/** Reconciles each team with a finding to remediate, a few at a time; marks what it did on the findings. */
export async function remediate(
  deps: AuditDeps,
  request: AuditRequest,
  runId: string,
  findings: ReportedFinding[],
): Promise<void> {
  const byTeam = new Map<string, ReportedFinding[]>();
  for (const finding of findings) {
    if (finding.team === undefined || remediationFor(finding, deps.policy, request.mode) !== 'remediate') continue;
    byTeam.set(finding.team, [...(byTeam.get(finding.team) ?? []), finding]);
  }
  await forEachBounded([...byTeam], REMEDIATION_CONCURRENCY, async ([team, teamFindings]) => {
    if (request.dryRun) {
      for (const finding of teamFindings) finding.remediation = 'would-remediate';
      return;
    }
    if (outOfTime()) {
      for (const finding of teamFindings) {
        finding.remediation = 'failed';
        finding.remediationError = 'not started: the run was out of time (the next run remediates it)';
      }
      return;
    }
    let outcome: ReconcileOutcome;
    try {
      outcome = await deps.reconcile(team, remediationBy(runId));
    } catch (error) {
      outcome = { outcome: 'failed', reason: errorText(error) } as ReconcileOutcome;
    }
    for (const finding of teamFindings) {
      if (outcome.outcome === 'applied') {
        finding.remediation = 'remediated';
        finding.remediated = true;
      } else {
        finding.remediation = 'failed';
        finding.remediationError =
          outcome.outcome === 'unmanaged'
            ? 'the team is not managed by this system'
            : redactEmailAddresses(outcome.reason);
      }
    }
  });
  const remediated = findings.filter((finding) => finding.remediated).length;
  if (remediated > 0) deps.log?.info('audit findings remediated', { findings: remediated, teams: byTeam.size });
}

/**
 * The findings this run's remediation put right are resolved by the run, `resolvedBy: { kind: 'remediation', runId }`,
 * once their opening was announced (a record with an announcement in flight is left to the next run, which finds
 * the reconcile in the team's history). The operations alert of one opened and put right by this run is dropped.
 */
export async function closeRemediated(
  deps: AuditDeps,
  runId: string,
  at: Date,
  run: {
    reported: ReportedFinding[];
    current: Map<string, Finding>;
    transitions: Transitions;
    before: Map<string, FindingRecord>;
  },
): Promise<{ resolved: ResolvedFinding[]; error?: unknown }> {
  const resolvedBy: ResolvedBy = { kind: 'remediation', runId };
  const when = at.toISOString();
  const claims: Claim[] = [];
  const resolved: ResolvedFinding[] = [];
  await Promise.all(
    run.reported
      .filter((finding) => finding.remediated)
      .map(async (remediated) => {
        const { key } = remediated;
        const record = run.before.get(key);
        const openedAt = run.transitions.opened.get(key) ?? (record?.state === 'open' ? record.openedAt : undefined);
        const finding = run.current.get(key);
        if (openedAt === undefined || finding === undefined) return;
        const announcement = claimOf('Finding Resolved', runId, when, resolvedBy);
        if (await deps.store.resolveFinding({ key, openedAt, at: when, announcement })) {
          claims.push({ key, finding, announcement });
          resolved.push(resolvedFinding(key, remediated, resolvedBy));
        }
      }),
  );
  const closedKeys = new Set(resolved.map(({ key }) => key));
  const alerts = run.transitions.alerts.filter(({ key }) => !closedKeys.has(key));
  run.transitions.alerts.splice(0, run.transitions.alerts.length, ...alerts);
  try {
    await announce(deps, claims);
    return { resolved };
  } catch (error) {
    return { resolved, error };
  }
}
