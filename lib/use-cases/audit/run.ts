/**
 * The compliance audit's run (`runAudit`): reads SageMaker, SNS, Cognito and the registry as they are now, runs the
 * pure rules of lib/domain/audit over each team, the workforce and the team count, and reports what it found.
 *
 * - Cost: ListWorkteams pages (WorkerAccessConfiguration inline; never a DescribeWorkteam), one ListWorkforces walk,
 *   the registry's active records by paginated Query, each Cognito group listed once per run however many teams
 *   name it, a page's tags in one Tagging API call (an unmanaged team's classification, a managed team's managed-by
 *   tag: readPageTags in reads.ts), and per team its topic's attributes and subscriptions; a full run also asks
 *   CloudTrail whether a trail logs the region's management write events (DescribeTrails, then GetTrailStatus and
 *   GetEventSelectors per trail that applies to the region), beside the SageMaker reads.
 * - Memory: SageMaker's teams are audited a page at a time; the registry's active records are held by name for
 *   the run, without their history but its latest `reconciled` entries (SageMaker's 25 teams a region bound them).
 * - Findings have an identity (resource, rule, severity) and a record that moves suspected → open → resolving →
 *   gone, each step a conditional write on what the run read that claims the step's announcement (its EventBridge
 *   event) in the same write; no step is taken while an announcement is in flight (transitions.ts). So however many
 *   audits run at once, and however the state flaps, a finding's events alternate: Opened, Resolved, Opened, ...
 * - A finding of a second-look rule (subscriptions, which the Cognito sync is still catching up on in a burst) is
 *   first only suspected, and opened by a run at least `subscriptionGraceMs` later that still sees it.
 * - The operations topic hears of what opened, one summary per run; a summary that fails is logged and counted,
 *   never the run's failure, and a later run sends it (announcements.ts).
 * - A team whose state could not be read (throttled past the retries, say) is reported with the error, and
 *   none of its open findings is resolved on the strength of what was not seen. So with `account.no-trail`: a
 *   run that did not ask CloudTrail (one team's) or to which it could not tell leaves that finding as it is.
 * - Remediation reconciles a managed team that is not Pending (the system actor; its desired state unchanged; a
 *   refusal leaves it and its version as they are), per rule as the policy says or as the run's mode overrides; a
 *   dry run lists what it would reconcile. A finding it put right is resolved by the run, naming it. An unmanaged
 *   team is never written to: its findings are never remediable, and reconcile itself refuses teams it does not own
 *   (remediation.ts).
 * - Real-time runs of one team coalesce: an event whose change a running or finished run of the team already sees
 *   (it reads from after the event's time) is answered without a call (`auditWorkteamEvent`, real-time.ts).
 */
import { randomBytes } from 'node:crypto';
import { auditKeyPrefix } from '../../domain/audit/fan-out';
import {
  type Finding,
  findingKey,
  type GroupState,
  resolvedByOf,
  type TeamAuditInput,
} from '../../domain/audit/findings';
import {
  type AuditCounts,
  type AuditedTeam,
  type AuditReport,
  countFindings,
  type ReportedFinding,
} from '../../domain/audit/report';
import { accountRulesNotEvaluated, auditTeamCount, auditTrails } from '../../domain/audit/rules/account';
import { auditTeam, rulesNotEvaluated } from '../../domain/audit/rules/team';
import { auditWorkforce } from '../../domain/audit/rules/workforce';
import type { LiveWorkforce, LiveWorkteam } from '../../domain/live';
import type { Policy } from '../../domain/policy';
import { forEachBounded } from '../../runtime/concurrency';
import { listingEachGroupOnce } from '../group-listings';
import { alertOpenings, announce } from './announcements';
import type { AuditDeps, AuditRequest } from './deps';
import { errorText } from './error-text';
import { cognitoGroupsOf, readFindingRecords, readManagedTeams, readPageTags, readTrails, slim } from './reads';
import { closeRemediated, remediate } from './remediation';
import { recordTransitions } from './transitions';

/** Teams read and audited at once (each makes up to four calls of its own). */
const TEAM_CONCURRENCY = 5;
/** The default of SUBSCRIPTION_GRACE_SECONDS: long enough for the Cognito sync to catch up with a burst. */
export const SUBSCRIPTION_GRACE_MS = 15 * 60 * 1000;

/** Sortable by start time (to the millisecond), safe in a URL path: `20261128T184055123Z-1a2b3c4d` (RUN_ID_PATTERN). */
export function newRunId(at: Date): string {
  return `${at.toISOString().replace(/[-:.]/g, '')}-${randomBytes(4).toString('hex')}`;
}

function byKey<T extends { key: string }>(a: T, b: T): number {
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

export async function runAudit(deps: AuditDeps, request: AuditRequest): Promise<AuditReport> {
  const now = deps.now ?? (() => new Date());
  const started = now();
  const runId = request.runId ?? newRunId(started);
  // A target's findings are its own: another target's keys carry its account and region (the hub's are bare).
  const keyOf = (finding: Finding) => `${auditKeyPrefix(deps.target)}${findingKey(finding)}`;
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
        managementTag: deps.managementTag,
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
      return judged({ name, record: slim(record), groups: {}, managementTag: deps.managementTag }, deps.policy);
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
    // The page's tags in one call (the Tagging API), read beside the rest of the page.
    const tagsRead = readPageTags(
      deps.reader,
      due,
      (name) => records.has(name),
      deps.managementTag,
      request.team !== undefined,
    );
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
  const current = new Map(findings.map((finding) => [keyOf(finding), finding]));
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
    account: deps.target.account,
    region: deps.target.region,
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
    account: deps.target.account,
    region: deps.target.region,
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
