/**
 * The compliance audit: reads SageMaker, SNS, Cognito and the registry as they are now, runs the pure rules of
 * lib/domain/audit over each team, the workforce and the team count, and reports what it found.
 *
 * - Cost grows with pages, not teams: ListWorkteams pages (WorkerAccessConfiguration inline; never a
 *   DescribeWorkteam), one ListWorkforces walk, the registry's active records by paginated Query, each Cognito
 *   group listed once per run however many teams name it, ListTags only for teams nobody manages (their
 *   classification is on nothing else), and per team with a topic its attributes and subscriptions side by side.
 * - Memory: SageMaker's teams are audited a page at a time; the registry's active records are held by name for
 *   the run, without their history (SageMaker's limit of 25 teams a region bounds them).
 * - Findings have an identity (resource and rule). A finding is opened by a conditional write and resolved by a
 *   conditional delete, so however many audits run at once each finding is announced (EventBridge event) once
 *   when it opens and once when it goes; a run's summary reaches the operations topic only when it opened some.
 * - A team whose state could not be read (throttled past the retries, say) is reported with the error, and
 *   none of its open findings is resolved on the strength of what was not seen.
 * - Remediation reconciles a managed team (the system actor; its desired state unchanged), per rule as the
 *   policy says or as the run's mode overrides; a dry run lists what it would reconcile. An unmanaged team is
 *   never written to: its findings are never remediable, and reconcile itself refuses teams it does not own.
 */
import { randomBytes } from 'node:crypto';
import type { Caller } from '../auth/caller';
import { forEachBounded } from '../concurrency';
import { type Finding, findingKey, type GroupState, type TeamAuditInput } from '../domain/audit/findings';
import {
  type AuditCounts,
  type AuditedTeam,
  type AuditMode,
  type AuditReport,
  type AuditTrigger,
  countFindings,
  type ReportedFinding,
} from '../domain/audit/report';
import { parseAuditRunRequest } from '../domain/audit/request';
import { auditTeam, auditTeamCount, auditWorkforce, remediationFor } from '../domain/audit/rules';
import { AuditRunNotFound, Forbidden, redactEmailAddresses } from '../domain/errors';
import type { LiveWorkforce, LiveWorkteam } from '../domain/live';
import type { Policy } from '../domain/policy';
import type { TeamRecord } from '../domain/team';
import { outOfTime } from '../invocation';
import type {
  AuditReader,
  AuditStore,
  FindingEvent,
  FindingEvents,
  OpenFinding,
  OperationsAlerts,
  TeamRegistry,
  TopicInspector,
  WorkforceDirectory,
} from '../ports';
import type { Log, ReconcileOutcome } from './reconcile';
import { listingEachGroupOnce } from './sync-cognito';

export interface AuditDeps {
  reader: AuditReader;
  topics: TopicInspector;
  directory: WorkforceDirectory;
  registry: TeamRegistry;
  store: AuditStore;
  events: FindingEvents;
  alerts: OperationsAlerts;
  policy: Policy;
  /** Remediation: reconcile one managed team, as the system, with the run's group listings. */
  reconcile: (name: string, directory: WorkforceDirectory) => Promise<ReconcileOutcome>;
  now?: () => Date;
  log?: Log;
}

export interface AuditRequest {
  trigger: AuditTrigger;
  /** The CloudTrail event id or the caller's sub. */
  triggeredBy?: string;
  /** Audit this team only (and the workforce and the team count). */
  team?: string;
  /** Overrides the policy's per-rule remediation for this run. */
  mode?: AuditMode;
  dryRun?: boolean;
}

/** Teams read and audited at once (each makes up to three calls of its own). */
const TEAM_CONCURRENCY = 5;
/** Teams reconciled at once when remediating. */
const REMEDIATION_CONCURRENCY = 3;

/** Sortable by start time (to the millisecond), safe in a URL path: `20261128T184055123Z-1a2b3c4d`. */
export function newRunId(at: Date): string {
  return `${at.toISOString().replace(/[-:.]/g, '')}-${randomBytes(4).toString('hex')}`;
}

export const RUN_ID_PATTERN = /^\d{8}T\d{9}Z-[0-9a-f]{8}$/;

/** The record as the rules need it: history and earlier specs stay out of the run's memory. */
function slim(record: TeamRecord): TeamRecord {
  const { history: _history, supersededSpecs: _superseded, appliedSpec: _applied, ...rest } = record;
  return { ...rest, history: [] };
}

function cognitoGroupsOf(live: LiveWorkteam | undefined, record: TeamRecord | undefined): [string, string][] {
  const groups = new Map<string, [string, string]>();
  for (const definition of live?.memberDefinitions ?? []) {
    if (definition.cognito) {
      const { userPool, userGroup } = definition.cognito;
      groups.set(JSON.stringify([userPool, userGroup]), [userPool, userGroup]);
    }
  }
  if (record?.identity && 'cognitoGroups' in record.spec.members) {
    for (const group of record.spec.members.cognitoGroups) {
      groups.set(JSON.stringify([record.identity.userPool, group]), [record.identity.userPool, group]);
    }
  }
  return [...groups.values()];
}

function tagsRecord(tags: { key: string; value: string }[]): Record<string, string> {
  const result: Record<string, string> = {};
  for (const { key, value } of tags) Object.defineProperty(result, key, { value, enumerable: true, writable: true });
  return result;
}

function errorText(error: unknown): string {
  const named = error as { name?: string; message?: string };
  return redactEmailAddresses(`${named.name ?? 'Error'}: ${named.message ?? String(error)}`).slice(0, 300);
}

interface TeamResult {
  team: AuditedTeam;
  findings: Finding[];
  error?: string;
}

export async function runAudit(deps: AuditDeps, request: AuditRequest): Promise<AuditReport> {
  const now = deps.now ?? (() => new Date());
  const started = now();
  const runId = newRunId(started);
  const directory = listingEachGroupOnce(deps.directory);
  const inScope = (name: string) => request.team === undefined || request.team === name;

  // The three reads that do not depend on each other start together.
  const workforcesRead = deps.reader.listAllWorkforces();
  const recordsRead = (async () => {
    const records = new Map<string, TeamRecord>();
    let nextToken: string | undefined;
    do {
      const page = await deps.registry.listActiveTeams({ nextToken });
      for (const record of page.items) if (inScope(record.name)) records.set(record.name, slim(record));
      nextToken = page.nextToken;
    } while (nextToken);
    return records;
  })();
  const pages = deps.reader.workteamPages()[Symbol.asyncIterator]();
  const firstPage = pages.next();
  // Settle the side reads' rejections now, so that one failing while another is awaited is not unhandled.
  workforcesRead.catch(() => undefined);
  firstPage.catch(() => undefined);
  const [workforces, records] = await Promise.all([workforcesRead, recordsRead]);

  const workforceOf = (live: LiveWorkteam | undefined): LiveWorkforce | undefined =>
    workforces.find((workforce) => workforce.arn === live?.workforceArn) ??
    (workforces.length === 1 ? workforces[0] : undefined);

  const groupState = async (userPool: string, group: string): Promise<GroupState> => {
    const { emails, missingGroups } = await directory.emailsOfGroups(userPool, [group]);
    return { exists: !missingGroups.includes(group), emails };
  };

  const auditOne = async (name: string, live: LiveWorkteam | undefined): Promise<TeamResult> => {
    const record = records.get(name);
    const managed = record !== undefined;
    try {
      const [liveTags, topic, groupEntries] = await Promise.all([
        !managed && live ? deps.reader.tagsOf(live.arn).then(tagsRecord) : undefined,
        live?.notificationTopicArn ? deps.topics.inspectTopic(live.notificationTopicArn) : undefined,
        Promise.all(
          cognitoGroupsOf(live, record).map(async ([pool, group]) => [group, await groupState(pool, group)] as const),
        ),
      ]);
      const input: TeamAuditInput = {
        name,
        live,
        record,
        liveTags,
        workforce: workforceOf(live),
        topic,
        groups: Object.fromEntries(groupEntries),
      };
      const findings = auditTeam(input, deps.policy);
      return {
        team: {
          name,
          managed,
          exists: live !== undefined,
          compliant: findings.length === 0,
          findings: findings.length,
        },
        findings,
      };
    } catch (error) {
      deps.log?.warn('a team could not be audited', { team: name, error: errorText(error) });
      return {
        team: { name, managed, exists: live !== undefined, compliant: false, findings: 0 },
        findings: [],
        error: errorText(error),
      };
    }
  };

  const teams: AuditedTeam[] = [];
  const findings: Finding[] = [];
  const errors: { team: string; error: string }[] = [];
  const unreadable = new Set<string>();
  const collect = (result: TeamResult) => {
    teams.push(result.team);
    findings.push(...result.findings);
    if (result.error) {
      errors.push({ team: result.team.name, error: result.error });
      unreadable.add(`team/${result.team.name}`);
    }
  };

  let teamCount = 0;
  const seen = new Set<string>();
  for (let page = await firstPage; !page.done; page = await pages.next()) {
    teamCount += page.value.length;
    const due = page.value.filter((live) => inScope(live.name));
    for (const live of due) seen.add(live.name);
    const results: TeamResult[] = [];
    await forEachBounded(due, TEAM_CONCURRENCY, async (live) => {
      results.push(await auditOne(live.name, live));
    });
    for (const result of results) collect(result);
  }
  // Managed teams SageMaker no longer has.
  for (const name of records.keys()) if (!seen.has(name)) collect(await auditOne(name, undefined));

  for (const workforce of workforces) findings.push(...auditWorkforce(workforce, deps.policy));
  findings.push(...auditTeamCount(teamCount, deps.policy));
  teams.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

  // What is open now, against what was open before, within this run's scope.
  const resourceInScope = (resource: string) =>
    request.team === undefined || resource === `team/${request.team}` || !resource.startsWith('team/');
  const current = new Map(findings.map((finding) => [findingKey(finding), finding]));
  const openBefore = new Map<string, OpenFinding>();
  for await (const page of deps.store.openFindings()) {
    for (const open of page) if (resourceInScope(open.finding.resource)) openBefore.set(open.key, open);
  }
  const openedAt = now().toISOString();
  const opened = new Set<string>();
  const events: FindingEvent[] = [];
  const resolved: AuditReport['resolved'] = [];
  await Promise.all([
    ...[...current]
      .filter(([key]) => !openBefore.has(key))
      .map(async ([key, finding]) => {
        if (await deps.store.openFinding({ key, finding, openedAt, openedByRun: runId })) {
          opened.add(key);
          events.push({ type: 'Finding Opened', runId, key, finding });
        }
      }),
    ...[...openBefore.values()]
      .filter((open) => !current.has(open.key) && !unreadable.has(open.finding.resource))
      .map(async (open) => {
        if (await deps.store.resolveFinding(open.key)) {
          const { rule, resource, team } = open.finding;
          resolved.push({ key: open.key, rule, resource, ...(team === undefined ? {} : { team }) });
          events.push({ type: 'Finding Resolved', runId, key: open.key, finding: open.finding });
        }
      }),
  ]);

  const reported: ReportedFinding[] = [...current].map(([key, finding]) => ({
    ...finding,
    key,
    new: opened.has(key),
    remediation: 'none',
    remediated: false,
  }));
  const announced = Promise.all([
    events.length > 0 ? deps.events.publish(events) : undefined,
    opened.size > 0
      ? deps.alerts.auditFindingsOpened({
          runId,
          trigger: request.trigger,
          teamsAudited: teams.length,
          findings: reported.length,
          opened: reported
            .filter((finding) => finding.new)
            .map(({ key, rule, severity, team, message }) => ({ key, rule, severity, team, message })),
        })
      : undefined,
  ]);
  // Announcing runs beside the remediation; a failure of either is the run's failure, after both settled.
  const remediating = remediate(deps, request, reported, directory);
  const [announcement, remediation] = await Promise.allSettled([announced, remediating]);

  resolved.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  reported.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const counts: AuditCounts = countFindings(teams, reported, resolved.length);
  const report: AuditReport = {
    runId,
    trigger: request.trigger,
    ...(request.triggeredBy === undefined ? {} : { triggeredBy: request.triggeredBy }),
    ...(request.team === undefined ? {} : { team: request.team }),
    mode: request.mode ?? 'policy',
    dryRun: request.dryRun === true,
    startedAt: started.toISOString(),
    endedAt: now().toISOString(),
    counts,
    teams,
    findings: reported,
    resolved,
    ...(errors.length > 0 ? { errors } : {}),
  };
  await deps.store.saveRun(report);
  if (announcement.status === 'rejected') throw announcement.reason;
  if (remediation.status === 'rejected') throw remediation.reason;
  deps.log?.info('audit run finished', {
    runId,
    trigger: request.trigger,
    team: request.team,
    teams: counts.teamsAudited,
    findings: counts.findings,
    opened: counts.opened,
    resolved: counts.resolved,
    remediated: counts.remediated,
  });
  return report;
}

/** Reconciles each team with a finding to remediate, a few at a time; marks what it did on the findings. */
async function remediate(
  deps: AuditDeps,
  request: AuditRequest,
  findings: ReportedFinding[],
  directory: WorkforceDirectory,
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
      outcome = await deps.reconcile(team, directory);
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

/** `POST /audit`: administrators only; the body overrides the policy's remediation for this run. */
export async function requestAudit(deps: AuditDeps, caller: Caller, body: unknown): Promise<AuditReport> {
  if (!caller.isAdmin) throw new Forbidden('Only administrators can run an audit');
  const request = parseAuditRunRequest(body);
  return runAudit(deps, { trigger: 'request', triggeredBy: caller.sub, ...request });
}

/** `GET /audit` (the latest run) and `GET /audit/runs/{id}`: administrators only. */
export async function readAuditRun(store: AuditStore, caller: Caller, runId?: string): Promise<AuditReport> {
  if (!caller.isAdmin) throw new Forbidden('Only administrators can read audit reports');
  if (runId !== undefined && !RUN_ID_PATTERN.test(runId)) throw new AuditRunNotFound(runId);
  const report = runId === undefined ? await store.latestRun() : await store.getRun(runId);
  if (!report) throw new AuditRunNotFound(runId);
  return report;
}
