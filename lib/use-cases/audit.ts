/**
 * The compliance audit: reads SageMaker, SNS, Cognito and the registry as they are now, runs the pure rules of
 * lib/domain/audit over each team, the workforce and the team count, and reports what it found.
 *
 * - Cost: ListWorkteams pages (WorkerAccessConfiguration inline; never a DescribeWorkteam), one ListWorkforces walk,
 *   the registry's active records by paginated Query, each Cognito group listed once per run however many teams
 *   name it, and per team its tags (ListTags: an unmanaged team's classification, a managed team's managed-by tag;
 *   a page's all at once, one round trip) and its topic's attributes and subscriptions; a full run also asks
 *   CloudTrail whether a trail logs the region's management write events (DescribeTrails, then GetTrailStatus and
 *   GetEventSelectors per trail that applies to the region), beside the SageMaker reads.
 * - Memory: SageMaker's teams are audited a page at a time; the registry's active records are held by name for
 *   the run, without their history but its latest `reconciled` entries (SageMaker's 25 teams a region bound them).
 * - Findings have an identity (resource, rule, severity) and a record that moves suspected → open → resolving →
 *   gone, each step a conditional write on what the run read that claims the step's announcement (its EventBridge
 *   event) in the same write; no step is taken while an announcement is in flight. So however many audits run at
 *   once, and however the state flaps, a finding's events alternate: Opened, Resolved, Opened, ...
 * - A finding of a second-look rule (subscriptions, which the Cognito sync is still catching up on in a burst) is
 *   first only suspected, and opened by a run at least `subscriptionGraceMs` later that still sees it.
 * - The operations topic hears of what opened, one summary per run; a summary that fails is logged and counted,
 *   never the run's failure, and a later run sends it.
 * - A team whose state could not be read (throttled past the retries, say) is reported with the error, and
 *   none of its open findings is resolved on the strength of what was not seen. So with `account.no-trail`: a
 *   run that did not ask CloudTrail (one team's) or to which it could not tell leaves that finding as it is.
 * - Remediation reconciles a managed team that is not Pending (the system actor; its desired state unchanged; a
 *   refusal leaves it and its version as they are), per rule as the policy says or as the run's mode overrides; a
 *   dry run lists what it would reconcile. A finding it put right is resolved by the run, naming it. An unmanaged
 *   team is never written to: its findings are never remediable, and reconcile itself refuses teams it does not own.
 * - Real-time runs of one team coalesce: an event whose change a running or finished run of the team already sees
 *   (it reads from after the event's time) is answered without a call (`auditWorkteamEvent`).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { type Actor, actorName, mustBeAdmin } from '../domain/actor';
import {
  type Finding,
  findingKey,
  type GroupState,
  type ResolvedBy,
  resolvedByOf,
  SECOND_LOOK_RULES,
  type TeamAuditInput,
  type TrailState,
} from '../domain/audit/findings';
import {
  type AuditCounts,
  type AuditedTeam,
  type AuditMode,
  type AuditReport,
  type AuditRunRequest,
  type AuditTrigger,
  countFindings,
  type ReportedFinding,
  type ResolvedFinding,
  type SuspectedFinding,
} from '../domain/audit/report';
import { accountRulesNotEvaluated, auditTeamCount, auditTrails } from '../domain/audit/rules/account';
import { remediationFor } from '../domain/audit/rules/remediation';
import { auditTeam, rulesNotEvaluated } from '../domain/audit/rules/team';
import { auditWorkforce } from '../domain/audit/rules/workforce';
import { AuditRunNotFound } from '../domain/errors';
import type { LiveWorkforce, LiveWorkteam } from '../domain/live';
import type { Policy } from '../domain/policy';
import { redactEmailAddresses } from '../domain/privacy';
import type { TeamRecord } from '../domain/team';
import type { Announcement, AuditStore, FindingEvent, FindingEvents, FindingRecord } from '../ports/audit';
import type {
  AuditReader,
  OperationsAlerts,
  TeamRegistry,
  TopicInspector,
  TrailInspector,
  WorkforceDirectory,
} from '../ports/teams';
import { forEachBounded } from '../runtime/concurrency';
import { outOfTime } from '../runtime/invocation';
import type { Log, ReconcileOutcome } from './reconcile';
import { listingEachGroupOnce } from './sync-cognito';

export interface AuditDeps {
  reader: AuditReader;
  topics: TopicInspector;
  /**
   * Whether a trail logs the region's management write events of SageMaker and Cognito (`account.no-trail`),
   * asked by a full run only: a single-team run judges no account rule it would need CloudTrail for.
   */
  trails: TrailInspector;
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
  /** How long a second-look finding waits before a run that still sees it opens it (default 15 minutes). */
  subscriptionGraceMs?: number;
  now?: () => Date;
  /** Waits (the real-time audit waits until it may read); setTimeout by default. */
  sleep?: (ms: number) => Promise<void>;
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

/** Teams read and audited at once (each makes up to four calls of its own). */
const TEAM_CONCURRENCY = 5;
/** Teams reconciled at once when remediating. */
const REMEDIATION_CONCURRENCY = 3;
/** The default of SUBSCRIPTION_GRACE_SECONDS: long enough for the Cognito sync to catch up with a burst. */
export const SUBSCRIPTION_GRACE_MS = 15 * 60 * 1000;
/** `reconciled` history entries kept of each record for the run (what resolved a finding). */
const RECONCILED_ENTRIES_KEPT = 10;

/** Sortable by start time (to the millisecond), safe in a URL path: `20261128T184055123Z-1a2b3c4d`. */
export function newRunId(at: Date): string {
  return `${at.toISOString().replace(/[-:.]/g, '')}-${randomBytes(4).toString('hex')}`;
}

export const RUN_ID_PATTERN = /^\d{8}T\d{9}Z-[0-9a-f]{8}$/;

/**
 * The record as the rules need it: the states a Pending team may be in, and the latest `reconciled` entries of its
 * history (what resolved a finding); the rest of its history stays out of the run's memory.
 */
function slim(record: TeamRecord): TeamRecord {
  const { history, supersededSpecs, appliedSpec, ...rest } = record;
  const reconciled = history.filter((entry) => entry.action === 'reconciled').slice(-RECONCILED_ENTRIES_KEPT);
  const inTransit = record.applyState === 'Pending' ? { appliedSpec, supersededSpecs } : {};
  return { ...rest, ...inTransit, history: reconciled };
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

function byKey<T extends { key: string }>(a: T, b: T): number {
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
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
  // CloudTrail beside SageMaker (a full run only); what it cannot tell leaves `account.no-trail` as it is.
  const trailsRead = request.team === undefined ? readTrails(deps) : Promise.resolve(undefined);
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

  /**
   * A team SageMaker lists: its tags (asked for the whole page at once, see below), topic and groups read side by
   * side, then the rules.
   */
  const auditListed = async (live: LiveWorkteam, tagsRead: Promise<Record<string, string>>): Promise<TeamResult> => {
    const record = records.get(live.name);
    try {
      const [liveTags, topic, groupEntries] = await Promise.all([
        tagsRead,
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
      records.set(name, slim(record));
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
    // One SageMaker round trip for the page's tags (ListTags has no batch form; a page holds SageMaker's 25 teams
    // of a region at most), rather than one per five teams behind the SNS reads.
    const tagsRead = new Map(due.map((live) => [live.name, deps.reader.tagsOf(live.arn).then(tagsRecord)]));
    for (const read of tagsRead.values()) read.catch(() => undefined);
    await forEachBounded(due, TEAM_CONCURRENCY, async (live) => {
      results.push(await auditListed(live, tagsRead.get(live.name) as Promise<Record<string, string>>));
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

  const findings = results.flatMap((result) => result.findings);
  for (const workforce of workforces) findings.push(...auditWorkforce(workforce, deps.policy));
  findings.push(...auditTeamCount(teamCount, deps.policy));
  const trails = await trailsRead;
  if (trails !== undefined) findings.push(...auditTrails(trails));
  const errors = results.flatMap((result) => (result.error ? [{ team: result.team.name, error: result.error }] : []));
  // Open findings this run could not judge again stay as they are.
  const unjudged = new Set([
    ...results.flatMap((result) => result.unjudged),
    ...accountRulesNotEvaluated(trails).map((rule) => `account#${rule}`),
  ]);

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
    graceMs: deps.subscriptionGraceMs ?? SUBSCRIPTION_GRACE_MS,
    current,
    before,
    kept: (record) =>
      unjudged.has(`${record.finding.resource}#${record.finding.rule}`) || unjudged.has(record.finding.resource),
    resolvedBy: (record) => {
      const team = record.finding.team;
      const managed = team === undefined ? undefined : records.get(team);
      return resolvedByOf(managed?.history, record.openedAt);
    },
  });

  const reported: ReportedFinding[] = [...current]
    .filter(([key]) => !transitions.suspected.has(key))
    .map(([key, finding]) => ({
      ...finding,
      key,
      new: transitions.opened.has(key),
      remediation: 'none',
      remediated: false,
    }));
  const suspected = [...transitions.suspected.values()].sort(byKey);
  const suspectedTeams = new Map<string, number>();
  for (const finding of suspected) {
    if (finding.team !== undefined) suspectedTeams.set(finding.team, (suspectedTeams.get(finding.team) ?? 0) + 1);
  }
  // A team's findings held back for a second look do not count against it yet.
  const teams = results
    .map(({ team }) => {
      const held = suspectedTeams.get(team.name) ?? 0;
      return held === 0 ? team : { ...team, findings: team.findings - held, compliant: team.findings === held };
    })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

  // Announcing runs beside the remediation; then what the remediation put right is resolved, naming the run.
  const [announced, remediation] = await Promise.allSettled([
    announce(deps, transitions.claims),
    remediate(deps, request, runId, reported),
  ]);
  const closed = await closeRemediated(deps, runId, now(), { reported, current, transitions, before });
  const alert = await alertOpenings(deps, request, runId, transitions.alerts, {
    teamsAudited: teams.length,
    findings: reported.length,
  });

  const resolved = [...transitions.resolved, ...closed.resolved].sort(byKey);
  reported.sort(byKey);
  const counts: AuditCounts = countFindings(teams, reported, resolved.length, suspected.length);
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
    suspected,
    ...(alert === undefined ? {} : { alert }),
    ...(errors.length > 0 ? { errors } : {}),
  };
  await deps.store.saveRun(report);
  // What could not be announced is announced by a later run; the failure still shows (Lambda retries, DLQ).
  if (announced.status === 'rejected') throw announced.reason;
  if (closed.error !== undefined) throw closed.error;
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
    suspected: counts.suspected,
    alert,
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

/**
 * What CloudTrail says of the region's trails. Its refusals and throttling are already 'cannot tell'; a failure
 * beyond those (the invocation out of time, say) is logged and taken as 'cannot tell' too, as a team that could not
 * be read is reported and not judged, rather than failing the run of every team.
 */
async function readTrails(deps: AuditDeps): Promise<TrailState> {
  let state: TrailState;
  try {
    state = await deps.trails.managementEventsLogged();
  } catch (error) {
    deps.log?.warn('CloudTrail could not be read; account.no-trail is left as it is', { error: errorText(error) });
    return 'cannot tell';
  }
  if (state === 'cannot tell') {
    deps.log?.warn('CloudTrail cannot tell whether a trail logs management events; account.no-trail is left as it is');
  }
  return state;
}

async function readFindingRecords(store: AuditStore): Promise<FindingRecord[]> {
  const records: FindingRecord[] = [];
  for await (const page of store.findingRecords()) records.push(...page);
  return records;
}

/**
 * An announcement a run claimed but could not make (the run failed), and an operations alert it could not send,
 * are taken over by a later run once this long has passed: the run that claimed them is surely over (the audit
 * function's timeout is 5 minutes).
 */
export const ANNOUNCEMENT_GRACE_MS = 10 * 60 * 1000;

/** An announcement this run holds the claim of, and the finding it tells. */
interface Claim {
  key: string;
  finding: Finding;
  announcement: Announcement;
}

/** An opening whose operations alert this run holds. */
interface DueAlert {
  key: string;
  finding: Finding;
  claimedAt: string;
}

interface Transitions {
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

function claimOf(type: Announcement['type'], runId: string, at: string, resolvedBy?: ResolvedBy): Announcement {
  return { id: randomUUID(), type, runId, at, ...(resolvedBy === undefined ? {} : { resolvedBy }) };
}

/**
 * Moves each finding record one step, each step a conditional write on the record as read that claims the step's
 * announcement with it: suspect or open what is new (a second-look finding opens once it has been suspected for the
 * grace period), resolve what went, drop a suspicion that went. A record with an announcement in flight takes no
 * step; once the claim is older than the grace period, this run takes it over and makes it.
 */
async function recordTransitions(
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
          const { rule, resource, team } = finding;
          result.resolved.push({ key, rule, resource, ...(team === undefined ? {} : { team }), resolvedBy });
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

/**
 * Makes the announcements this run claimed (an EventBridge event each, one batch), then completes their claims: an
 * Opened claim is cleared, a resolving record goes. A failure leaves the claims for a later run.
 */
async function announce(deps: AuditDeps, claims: Claim[]): Promise<void> {
  if (claims.length === 0) return;
  const events: FindingEvent[] = claims.map(({ key, finding, announcement }) => ({
    type: announcement.type,
    runId: announcement.runId,
    key,
    finding,
    announcementId: announcement.id,
    ...(announcement.resolvedBy === undefined ? {} : { resolvedBy: announcement.resolvedBy }),
  }));
  await deps.events.publish(events);
  await deps.store.completeAnnouncements(
    claims.map(({ key, announcement }) => ({ key, id: announcement.id, type: announcement.type })),
  );
}

/**
 * The operations topic hears of the openings this run holds the alert of: one summary. A failure is logged and
 * counted (the report's `alert: 'failed'`, metric AuditAlertsFailed), never the run's failure: the records keep
 * their alert due, and a run after the grace period sends it.
 */
async function alertOpenings(
  deps: AuditDeps,
  request: AuditRequest,
  runId: string,
  alerts: DueAlert[],
  totals: { teamsAudited: number; findings: number },
): Promise<'sent' | 'failed' | undefined> {
  if (alerts.length === 0) return undefined;
  try {
    await deps.alerts.auditFindingsOpened({
      runId,
      trigger: request.trigger,
      ...totals,
      opened: alerts.map(({ key, finding: { rule, severity, team, message } }) => ({
        key,
        rule,
        severity,
        team,
        message,
      })),
    });
  } catch (error) {
    deps.log?.warn('the operations alert of an audit run failed; a later run sends it', {
      runId,
      findings: alerts.length,
      error: errorText(error),
    });
    return 'failed';
  }
  try {
    await deps.store.alertsSent(alerts.map(({ key, claimedAt }) => ({ key, claimedAt })));
  } catch (error) {
    // Sent, but not recorded as sent: a later run may tell it again.
    deps.log?.warn('an audit run could not record its operations alert as sent', { runId, error: errorText(error) });
  }
  return 'sent';
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

/**
 * The findings this run's remediation put right are resolved by the run, `resolvedBy: { kind: 'remediation', runId }`,
 * once their opening was announced (a record with an announcement in flight is left to the next run, which finds
 * the reconcile in the team's history). The operations alert of one opened and put right by this run is dropped.
 */
async function closeRemediated(
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
      .map(async ({ key, rule, resource, team }) => {
        const record = run.before.get(key);
        const openedAt = run.transitions.opened.get(key) ?? (record?.state === 'open' ? record.openedAt : undefined);
        const finding = run.current.get(key);
        if (openedAt === undefined || finding === undefined) return;
        const announcement = claimOf('Finding Resolved', runId, when, resolvedBy);
        if (await deps.store.resolveFinding({ key, openedAt, at: when, announcement })) {
          claims.push({ key, finding, announcement });
          resolved.push({ key, rule, resource, ...(team === undefined ? {} : { team }), resolvedBy });
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

// ---------------------------------------------------------------------------------------------------------------
// The real-time audit

/** CloudTrail's `eventTime` has whole seconds: a change it dates `t` was made before `t + 1 s`. */
const EVENT_TIME_RESOLUTION_MS = 1000;
/** The longest the real-time audit waits before it reads (an event dated in the future waits no longer). */
const MAX_WAIT_MS = 2000;
/** A running claim older than this belongs to an invocation that is surely over (the function's timeout: 300 s). */
const CLAIM_STALE_MS = 6 * 60 * 1000;

export interface WorkteamEvent {
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

// ---------------------------------------------------------------------------------------------------------------
// The HTTP API

/** `POST /audit`: administrators only; the body overrides the policy's remediation for this run. */
export async function requestAudit(deps: AuditDeps, actor: Actor, request: AuditRunRequest): Promise<AuditReport> {
  mustBeAdmin(actor, 'run an audit');
  return runAudit(deps, { trigger: 'request', triggeredBy: actorName(actor), ...request });
}

/**
 * `GET /audit` (the latest run of every team, or with `team` the latest single-team run of that team) and
 * `GET /audit/runs/{id}` (any run): administrators only.
 */
export async function readAuditRun(
  store: AuditStore,
  actor: Actor,
  query: { runId?: string; team?: string } = {},
): Promise<AuditReport> {
  mustBeAdmin(actor, 'read audit reports');
  const { runId, team } = query;
  if (runId !== undefined && !RUN_ID_PATTERN.test(runId)) throw new AuditRunNotFound(runId);
  let report: AuditReport | undefined;
  if (runId !== undefined) report = await store.getRun(runId);
  else if (team !== undefined) report = await store.latestTeamRun(team);
  else report = await store.latestRun();
  if (!report) throw new AuditRunNotFound(runId);
  return report;
}
