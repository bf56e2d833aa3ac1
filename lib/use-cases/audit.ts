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
import { auditTeam, auditTeamCount, auditWorkforce, remediationFor, rulesNotEvaluated } from '../domain/audit/rules';
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
  FindingRecord,
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
  /**
   * Remediation: reconcile one managed team, as the system (`by` names the run, for the team's history). It lists
   * the team's groups afresh under the team's lease, never from the run's listings: a user removed since the audit
   * read the group is not subscribed again. A refusal by SageMaker leaves the desired state and its version as
   * they are (nothing is rolled back), and the finding stays open.
   */
  reconcile: (name: string, by: string) => Promise<ReconcileOutcome>;
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

export async function runAudit(deps: AuditDeps, request: AuditRequest): Promise<AuditReport> {
  const now = deps.now ?? (() => new Date());
  const started = now();
  const runId = newRunId(started);
  const directory = listingEachGroupOnce(deps.directory);
  const inScope = (name: string) => request.team === undefined || request.team === name;

  // The reads that do not depend on each other start together.
  const workforcesRead = deps.reader.listAllWorkforces();
  const recordsRead = readManagedTeams(deps.registry, request.team);
  const findingRecordsRead = readFindingRecords(deps.store);
  const pages = deps.reader.workteamPages()[Symbol.asyncIterator]();
  const firstPage = pages.next();
  // Settle the side reads' rejections now, so that one failing while another is awaited is not unhandled.
  for (const read of [workforcesRead, findingRecordsRead, firstPage]) read.catch(() => undefined);
  const [workforces, records] = await Promise.all([workforcesRead, recordsRead]);

  const workforceOf = (live: LiveWorkteam | undefined): LiveWorkforce | undefined =>
    workforces.find((workforce) => workforce.arn === live?.workforceArn) ??
    (workforces.length === 1 ? workforces[0] : undefined);

  const groupState = async (userPool: string, group: string): Promise<GroupState> => {
    const { emails, missingGroups } = await directory.emailsOfGroups(userPool, [group]);
    return { exists: !missingGroups.includes(group), emails };
  };

  /** A team SageMaker lists: its tags (unmanaged only), topic and groups read side by side, then the rules. */
  const auditListed = async (live: LiveWorkteam): Promise<TeamResult> => {
    const record = records.get(live.name);
    try {
      const [liveTags, topic, groupEntries] = await Promise.all([
        record === undefined ? deps.reader.tagsOf(live.arn).then(tagsRecord) : undefined,
        live.notificationTopicArn ? deps.topics.inspectTopic(live.notificationTopicArn) : undefined,
        Promise.all(
          cognitoGroupsOf(live, record).map(async ([pool, group]) => [group, await groupState(pool, group)] as const),
        ),
      ]);
      const input: TeamAuditInput = {
        name: live.name,
        live,
        record,
        liveTags,
        workforce: workforceOf(live),
        topic,
        groups: Object.fromEntries(groupEntries),
      };
      return judged(input, deps.policy);
    } catch (error) {
      deps.log?.warn('a team could not be audited', { team: live.name, error: errorText(error) });
      return unreadableTeam(live.name, record !== undefined, true, errorText(error));
    }
  };

  /**
   * A managed team SageMaker did not list: read again, consistently, before it is called missing (the index the
   * records came from may lag a deletion). Nothing else of it can be read: only `team.missing` can apply.
   */
  const auditUnlisted = async (name: string): Promise<TeamResult | undefined> => {
    try {
      const record = await deps.registry.get(name);
      if (record === undefined || record.lifecycle !== 'active') return undefined;
      return judged({ name, record: slim(record), groups: {} }, deps.policy);
    } catch (error) {
      return unreadableTeam(name, true, false, errorText(error));
    }
  };

  const results: TeamResult[] = [];
  let teamCount = 0;
  const seen = new Set<string>();
  for (let page = await firstPage; !page.done; page = await pages.next()) {
    teamCount += page.value.length;
    const due = page.value.filter((live) => inScope(live.name));
    for (const live of due) seen.add(live.name);
    await forEachBounded(due, TEAM_CONCURRENCY, async (live) => {
      results.push(await auditListed(live));
    });
  }
  await forEachBounded(
    [...records.keys()].filter((name) => !seen.has(name)),
    TEAM_CONCURRENCY,
    async (name) => {
      const result = await auditUnlisted(name);
      if (result) results.push(result);
    },
  );

  const teams = results.map((result) => result.team).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const findings = results.flatMap((result) => result.findings);
  for (const workforce of workforces) findings.push(...auditWorkforce(workforce, deps.policy));
  findings.push(...auditTeamCount(teamCount, deps.policy));
  const errors = results.flatMap((result) => (result.error ? [{ team: result.team.name, error: result.error }] : []));
  // Open findings this run could not judge again stay as they are.
  const unjudged = new Set(results.flatMap((result) => result.unjudged));

  const resourceInScope = (resource: string) =>
    request.team === undefined || resource === `team/${request.team}` || !resource.startsWith('team/');
  const current = new Map(findings.map((finding) => [findingKey(finding), finding]));
  const before = new Map(
    (await findingRecordsRead)
      .filter((record) => resourceInScope(record.finding.resource))
      .map((record) => [record.key, record]),
  );
  const transitions = await recordTransitions(deps.store, {
    runId,
    at: now(),
    current,
    before,
    kept: (record) =>
      unjudged.has(`${record.finding.resource}#${record.finding.rule}`) || unjudged.has(record.finding.resource),
  });

  const reported: ReportedFinding[] = [...current].map(([key, finding]) => ({
    ...finding,
    key,
    new: transitions.opened.has(key),
    remediation: 'none',
    remediated: false,
  }));
  // Announcing runs beside the remediation; a failure of either is the run's failure, after both settled.
  const [announcement, remediation] = await Promise.allSettled([
    announce(deps, request, runId, transitions, { teamsAudited: teams.length, findings: reported.length }),
    remediate(deps, request, runId, reported),
  ]);

  const resolved = transitions.resolved.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
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

interface TeamResult {
  team: AuditedTeam;
  findings: Finding[];
  /** `team/<name>#<rule>` of rules the run could not judge, or `team/<name>` when nothing of it could be read. */
  unjudged: string[];
  error?: string;
}

function judged(input: TeamAuditInput, policy: Policy): TeamResult {
  const findings = auditTeam(input, policy);
  return {
    team: {
      name: input.name,
      managed: input.record !== undefined,
      exists: input.live !== undefined,
      compliant: findings.length === 0,
      findings: findings.length,
    },
    findings,
    unjudged: rulesNotEvaluated(input).map((rule) => `team/${input.name}#${rule}`),
  };
}

function unreadableTeam(name: string, managed: boolean, exists: boolean, error: string): TeamResult {
  return {
    team: { name, managed, exists, compliant: false, findings: 0 },
    findings: [],
    unjudged: [`team/${name}`],
    error,
  };
}

/** The managed teams in scope, by name, without their history: one GetItem for one team, else the index's pages. */
async function readManagedTeams(registry: TeamRegistry, team: string | undefined): Promise<Map<string, TeamRecord>> {
  const records = new Map<string, TeamRecord>();
  if (team !== undefined) {
    const record = await registry.get(team);
    if (record?.lifecycle === 'active') records.set(team, slim(record));
    return records;
  }
  let nextToken: string | undefined;
  do {
    const page = await registry.listActiveTeams({ nextToken });
    for (const record of page.items) records.set(record.name, slim(record));
    nextToken = page.nextToken;
  } while (nextToken);
  return records;
}

async function readFindingRecords(store: AuditStore): Promise<FindingRecord[]> {
  const records: FindingRecord[] = [];
  for await (const page of store.findingRecords()) records.push(...page);
  return records;
}

/**
 * An announcement a run made its record for but could not make (the run failed) is made by a later run, once this
 * long has passed: the run that made the record is surely over (the audit function's timeout is 5 minutes).
 */
export const ANNOUNCEMENT_GRACE_MS = 10 * 60 * 1000;

interface Transitions {
  /** Findings this run opened. */
  opened: Set<string>;
  /** Findings whose opening this run announces (its own, and those a failed run left unannounced). */
  toAnnounceOpened: { key: string; finding: Finding }[];
  /** Findings whose resolution this run announces, then forgets. */
  toAnnounceResolved: { key: string; finding: Finding }[];
  /** Resolved records whose opening was never announced: forgotten without a word. */
  toForget: string[];
  resolved: AuditReport['resolved'];
}

/** Moves each finding record one step (open, reopen, resolve), each step a conditional write only one run wins. */
async function recordTransitions(
  store: AuditStore,
  run: {
    runId: string;
    at: Date;
    current: Map<string, Finding>;
    before: Map<string, FindingRecord>;
    kept: (record: FindingRecord) => boolean;
  },
): Promise<Transitions> {
  const at = run.at.toISOString();
  const overdue = (since: string | undefined) =>
    since !== undefined && run.at.getTime() - Date.parse(since) > ANNOUNCEMENT_GRACE_MS;
  const result: Transitions = {
    opened: new Set(),
    toAnnounceOpened: [],
    toAnnounceResolved: [],
    toForget: [],
    resolved: [],
  };
  const steps: Promise<void>[] = [];
  for (const [key, finding] of run.current) {
    const record = run.before.get(key);
    if (record === undefined) {
      steps.push(
        store.openFinding({ key, finding, openedAt: at, openedByRun: run.runId }).then((opened) => {
          if (!opened) return;
          result.opened.add(key);
          result.toAnnounceOpened.push({ key, finding });
        }),
      );
    } else if (record.state === 'resolved') {
      // Found again before its resolution was announced: as far as anyone was told, it never went.
      steps.push(
        store.reopenFinding(key).then((reopened) => {
          if (reopened && !record.openingAnnounced) result.toAnnounceOpened.push({ key, finding: record.finding });
        }),
      );
    } else if (!record.openingAnnounced && overdue(record.openedAt)) {
      result.toAnnounceOpened.push({ key, finding: record.finding });
    }
  }
  for (const record of run.before.values()) {
    if (run.current.has(record.key) || run.kept(record)) continue;
    const { key, finding } = record;
    if (record.state === 'open') {
      steps.push(
        store.resolveFinding(key, at).then((done) => {
          if (!done) return;
          const { rule, resource, team } = finding;
          result.resolved.push({ key, rule, resource, ...(team === undefined ? {} : { team }) });
          if (record.openingAnnounced) result.toAnnounceResolved.push({ key, finding });
          else result.toForget.push(key);
        }),
      );
    } else if (overdue(record.resolvedAt)) {
      if (record.openingAnnounced) result.toAnnounceResolved.push({ key, finding });
      else result.toForget.push(key);
    }
  }
  await Promise.all(steps);
  return result;
}

/**
 * Tells other systems (an event per finding opened or resolved) and the operations topic (one summary, when the run
 * opened findings), then records that it did: an announcement that fails is made by a later run.
 */
async function announce(
  deps: AuditDeps,
  request: AuditRequest,
  runId: string,
  transitions: Transitions,
  totals: { teamsAudited: number; findings: number },
): Promise<void> {
  const events: FindingEvent[] = [
    ...transitions.toAnnounceOpened.map(({ key, finding }) => ({
      type: 'Finding Opened' as const,
      runId,
      key,
      finding,
    })),
    ...transitions.toAnnounceResolved.map(({ key, finding }) => ({
      type: 'Finding Resolved' as const,
      runId,
      key,
      finding,
    })),
  ];
  await Promise.all([
    events.length > 0 ? deps.events.publish(events) : undefined,
    transitions.toAnnounceOpened.length > 0
      ? deps.alerts.auditFindingsOpened({
          runId,
          trigger: request.trigger,
          ...totals,
          opened: transitions.toAnnounceOpened.map(({ key, finding: { rule, severity, team, message } }) => ({
            key,
            rule,
            severity,
            team,
            message,
          })),
        })
      : undefined,
  ]);
  await Promise.all([
    deps.store.markOpeningAnnounced(transitions.toAnnounceOpened.map(({ key }) => key)),
    deps.store.forgetResolved([...transitions.toAnnounceResolved.map(({ key }) => key), ...transitions.toForget]),
  ]);
}

/** Reconciles each team with a finding to remediate, a few at a time; marks what it did on the findings. */
async function remediate(
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
      outcome = await deps.reconcile(team, `remediation by audit run ${runId}`);
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
