/**
 * The write path: every change is a conditional write of the desired state in the registry (merged, never
 * last-writer-wins), followed by reconcileTeam. Nothing else writes to SageMaker.
 */

import type { Caller } from '../auth/caller';
import { isTransient } from '../aws-errors';
import {
  applyTeamPatch,
  createFingerprint,
  toCreateTeamRequest,
  toDesiredTeam,
  toMembers,
  toTeamPatch,
  validateDesiredTeam,
} from '../domain/api-requests';
import { describeChange } from '../domain/change-summary';
import { toWorkteamSpec } from '../domain/desired-spec';
import {
  Forbidden,
  PreconditionFailed,
  redactEmailAddresses,
  TeamExists,
  TeamLimitExceeded,
  TeamNotFound,
  TeamNotManaged,
  UpstreamRejected,
  ValidationFailed,
} from '../domain/errors';
import type { LiveWorkforce, LiveWorkteam } from '../domain/live';
import { addMembers, memberGroups, removeMember } from '../domain/members';
import { differences } from '../domain/plan';
import { checkPolicy, type Policy } from '../domain/policy';
import {
  type DesiredTeam,
  type Difference,
  type HistoryEntry,
  type Members,
  supersede,
  type TeamAction,
  type TeamRecord,
  type TeamStatus,
} from '../domain/team';
import type { Violation } from '../domain/validation';
import { WORKTEAM_LIMITS } from '../domain/workteam';
import { RegistryConflict } from '../ports';
import { type TeamView, toMembersView, toTeamView } from '../teams/views';
import { type ReconcileDeps, reconcileTeam } from './reconcile';

export interface TeamDeps extends ReconcileDeps {
  policy: Policy;
}

export interface ManagedTeamView extends Omit<TeamView, 'arn'> {
  arn: string | null;
  managed: true;
  owner: string;
  version: number;
  status: TeamStatus;
  pendingReason?: string;
  differences: Difference[];
}

export interface TeamResult {
  /**
   * 'applied': SageMaker and SNS match; 'pending': kept and retried later; 'failed': kept, but retries ran out
   * (HTTP 202 for both: the change is recorded, not applied).
   */
  outcome: 'applied' | 'pending' | 'failed';
  /** True when an identical earlier request already did this (HTTP 200 instead of 201). */
  replayed?: boolean;
  team: ManagedTeamView;
  etag: string;
}

export function etagOf(record: Pick<TeamRecord, 'version'>): string {
  return `"v${record.version}"`;
}

/** RFC 9110 If-Match: `*`, or a list of entity tags one of which is the team's (weak ones compare weakly). */
function ifMatchHolds(ifMatch: string | undefined, record: Pick<TeamRecord, 'version'>): boolean {
  if (ifMatch === undefined) return true;
  const tags = ifMatch.split(',').map((tag) => tag.trim().replace(/^W\//, ''));
  return tags.includes('*') || tags.includes(etagOf(record));
}

function fail(violations: Violation[]): void {
  if (violations.length > 0) throw new ValidationFailed(violations);
}

function historyEntry(
  record: Pick<TeamRecord, 'version'>,
  by: string,
  action: TeamAction,
  summary: string,
  now: Date,
): HistoryEntry {
  return { version: record.version, at: now.toISOString(), by, action, summary };
}

async function resolveWorkforce(deps: TeamDeps, workforceName: string | undefined): Promise<LiveWorkforce> {
  const workforce = await deps.sagemaker.describeWorkforce(workforceName);
  if (workforce) return workforce;
  throw new ValidationFailed([
    {
      path: 'workforceName',
      code: 'NotFound',
      message: workforceName
        ? `No workforce named '${workforceName}' exists in this region`
        : 'This region has no private workforce yet; create one before requesting teams',
    },
  ]);
}

/** Policy rules, the workforce's identity provider, and Cognito groups that must exist. */
async function checkAgainstWorkforce(deps: TeamDeps, team: DesiredTeam, workforce: LiveWorkforce): Promise<void> {
  const violations = checkPolicy(team, deps.policy, { hasVpcConfig: workforce.vpc !== undefined });
  if ('cognitoGroups' in team.members) {
    if (!workforce.cognito) {
      violations.push({
        path: 'members',
        code: 'Conflict',
        message: `Workforce '${workforce.name}' uses OIDC: give oidcGroups`,
      });
    } else {
      const missing = await deps.directory.missingGroups(workforce.cognito.userPool, team.members.cognitoGroups);
      team.members.cognitoGroups.forEach((group, index) => {
        if (missing.includes(group)) {
          violations.push({
            path: `members.cognitoGroups[${index}]`,
            code: 'NotFound',
            message: `Cognito group '${group}' does not exist in the workforce's user pool`,
          });
        }
      });
    }
  } else if (!workforce.oidc) {
    violations.push({
      path: 'members',
      code: 'Conflict',
      message: `Workforce '${workforce.name}' uses Cognito: give cognitoGroups`,
    });
  }
  fail(violations);
}

export async function createTeam(deps: TeamDeps, caller: Caller, body: unknown): Promise<TeamResult> {
  const now = (deps.now ?? (() => new Date()))();
  const request = toCreateTeamRequest(body);
  const workforce = await resolveWorkforce(deps, request.workforceName);
  const team = toDesiredTeam(request, workforce.name);
  await checkAgainstWorkforce(deps, team, workforce);
  const fingerprint = createFingerprint(request, workforce.name);

  const existing = await deps.registry.get(team.name);
  if (existing?.lifecycle === 'active') return replayOrConflict(deps, caller, existing, team, fingerprint);
  // An earlier team of this name whose retirement is not finished: its reconcile may still delete whatever
  // SageMaker has under the name, a new team included. The name is free once that retirement is applied.
  if (existing && existing.applyState !== 'Applied') {
    throw new TeamExists(team.name, { reason: 'its earlier team is still being retired; try again shortly' });
  }
  const live = await deps.sagemaker.describeWorkteam(team.name);
  if (live) throw new TeamExists(team.name);
  // Checked before anything is created: SageMaker's limit counts every team of the account and region.
  // Teams accepted but not yet created (Pending) will take a slot too.
  const [liveCount, accepted] = await Promise.all([
    deps.sagemaker.countWorkteams(),
    deps.registry.listPendingCreations(),
  ]);
  const count = liveCount + accepted.filter((pending) => pending !== team.name).length;
  if (count >= WORKTEAM_LIMITS.workteamsPerRegion) throw new TeamLimitExceeded(WORKTEAM_LIMITS.workteamsPerRegion);

  const version = (existing?.version ?? 0) + 1;
  const record: TeamRecord = {
    name: team.name,
    spec: team,
    identity: 'cognitoGroups' in team.members ? workforce.cognito : undefined,
    owner: caller.sub,
    version,
    lifecycle: 'active',
    ...pendingFrom(now, 'being applied'),
    // A topic an earlier team of this name left behind (its retirement still pending) stays known until gone.
    topicArn: existing?.topicArn,
    topicMayExist: team.notifications || existing?.topicMayExist || undefined,
    createFingerprint: fingerprint,
    createdAt: now.toISOString(),
    history: [
      ...(existing?.history ?? []),
      historyEntry(
        { version },
        caller.sub,
        'created',
        `created with ${memberGroups(team.members).length} group(s)`,
        now,
      ),
    ],
  };
  try {
    await deps.registry.put(record, existing?.version);
  } catch (error) {
    if (!(error instanceof RegistryConflict)) throw error;
    const winner = await deps.registry.get(team.name);
    if (winner?.lifecycle === 'active') return replayOrConflict(deps, caller, winner, team, fingerprint);
    throw error;
  }
  deps.log?.info('team changed', {
    team: team.name,
    version,
    by: caller.sub,
    action: 'created',
    summary: record.history.at(-1)?.summary,
  });
  return applyAndView(deps, team.name, version);
}

/**
 * The identical create request again, from the same caller, answers with the same team, as long as nobody
 * changed it since; anyone else is told the name is taken.
 */
async function replayOrConflict(
  deps: TeamDeps,
  caller: Caller,
  existing: TeamRecord,
  requested: DesiredTeam,
  fingerprint: string,
): Promise<TeamResult> {
  if (
    existing.owner !== caller.sub ||
    existing.createFingerprint !== fingerprint ||
    describeChange(existing.spec, requested) !== ''
  ) {
    throw new TeamExists(existing.name);
  }
  // A replay of a request that is still pending (or failed) is the "next request" that finishes the job.
  if (existing.applyState !== 'Applied') {
    return { ...(await applyAndView(deps, existing.name, existing.version)), replayed: true };
  }
  const result = await viewResult(deps, existing);
  return { ...result, replayed: true };
}

/** A record that is being applied: retried by the schedule if this invocation dies before it is done. */
function pendingFrom(
  at: Date,
  reason: string,
): Pick<TeamRecord, 'applyState' | 'pendingReason' | 'retry' | 'updatedAt'> {
  return {
    applyState: 'Pending',
    pendingReason: reason,
    retry: { attempts: 0, nextAttemptAt: new Date(at.getTime() + 60_000).toISOString() },
    updatedAt: at.toISOString(),
  };
}

interface NextVersion {
  changes: Partial<TeamRecord>;
  action: TeamAction;
  summary: string;
}

/**
 * Reads the managed team, checks who may change it (and If-Match), builds the next version from the latest
 * record and writes it under a version condition. When another change landed first it starts again from
 * that one, so changes merge instead of overwriting each other. Undefined from `build`: nothing to change.
 */
async function writeNextVersion(
  deps: TeamDeps,
  caller: Caller,
  name: string,
  ifMatch: string | undefined,
  build: (record: TeamRecord) => Promise<NextVersion | undefined>,
  options: { retirementUnfinished?: 'retry' } = {},
): Promise<{ record: TeamRecord; written: boolean }> {
  const now = deps.now ?? (() => new Date());
  for (let attempt = 0; attempt < 20; attempt++) {
    const record = await deps.registry.get(name);
    // A team this system retired (its deletion perhaps still under way in SageMaker) is gone, not unmanaged;
    // only a DELETE may take up a retirement that is not finished (Pending, or Failed after every retry).
    const retryable = options.retirementUnfinished === 'retry' && record?.applyState !== 'Applied';
    if (record?.lifecycle === 'deleted' && !retryable) throw new TeamNotFound(name);
    if (!record) {
      if (await deps.sagemaker.describeWorkteam(name)) throw new TeamNotManaged(name);
      throw new TeamNotFound(name);
    }
    // Who may change it comes before anything that reads further (groups, workforce): nothing leaks to others.
    if (!caller.isAdmin && caller.sub !== record.owner) {
      throw new Forbidden(`Only the owner of '${name}' or an admin may change or delete it`);
    }
    if (!ifMatchHolds(ifMatch, record)) {
      throw new PreconditionFailed(`'${name}' is at ${etagOf(record)}, not ${redactEmailAddresses(ifMatch ?? '')}`);
    }
    const next = await build(record);
    if (!next) return { record, written: false };
    let stored: TeamRecord;
    const version = record.version + 1;
    const at = now();
    const changed = { ...record, ...next.changes };
    const written: TeamRecord = {
      ...changed,
      supersededSpecs: supersede(record),
      ...pendingFrom(at, next.action === 'deleted' ? 'being deleted' : 'being applied'),
      // Recorded with the change itself, before any SNS call: a topic this version may create is never forgotten.
      topicMayExist: changed.topicMayExist || changed.spec.notifications || undefined,
      version,
      history: [...record.history, historyEntry({ version }, caller.sub, next.action, next.summary, at)],
    };
    try {
      stored = await deps.registry.put(written, record.version);
    } catch (error) {
      if (!(error instanceof RegistryConflict)) throw error;
      // Jitter keeps a crowd of concurrent writers from colliding again on the next round.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 25 * (attempt + 1)));
      continue;
    }
    deps.log?.info('team changed', {
      team: name,
      version,
      by: caller.sub,
      action: next.action,
      summary: next.summary,
    });
    return { record: stored, written: true };
  }
  throw new RegistryConflict(name);
}

/** Changes the desired spec of a managed team, then reconciles. */
async function changeTeam(
  deps: TeamDeps,
  caller: Caller,
  name: string,
  options: { ifMatch?: string; action: TeamAction },
  change: (team: DesiredTeam, record: TeamRecord) => DesiredTeam | Promise<DesiredTeam>,
): Promise<TeamResult> {
  const { record, written } = await writeNextVersion(deps, caller, name, options.ifMatch, async (current) => {
    const spec = await change(current.spec, current);
    fail(validateDesiredTeam(spec));
    const summary = describeChange(current.spec, spec);
    if (summary === '' && current.applyState === 'Applied') return undefined;
    return { changes: { spec }, action: options.action, summary: summary || 'no change' };
  });
  return written ? applyAndView(deps, name, record.version) : viewResult(deps, record);
}

/** The team's Cognito groups that do not exist; checked only once the caller may change the team. */
async function checkGroupsExist(deps: TeamDeps, record: TeamRecord, add: Members): Promise<void> {
  if (!record.identity || !('cognitoGroups' in add)) return;
  const missing = await deps.directory.missingGroups(record.identity.userPool, add.cognitoGroups);
  fail(
    missing.map((group) => ({
      path: `cognitoGroups[${add.cognitoGroups.indexOf(group)}]`,
      code: 'NotFound',
      message: `Cognito group '${group}' does not exist in the workforce's user pool`,
    })),
  );
}

export async function updateTeam(
  deps: TeamDeps,
  caller: Caller,
  name: string,
  body: unknown,
  ifMatch?: string,
): Promise<TeamResult> {
  const patch = toTeamPatch(body);
  let workforceHasVpc: boolean | undefined;
  return changeTeam(deps, caller, name, { ifMatch, action: 'updated' }, async (team) => {
    const patched = applyTeamPatch(team, patch);
    // Only VpcSourceIp depends on the workforce; other patches must not need SageMaker to be answering.
    if (patched.workerAccess.vpcSourceIp === 'Enabled' && workforceHasVpc === undefined) {
      workforceHasVpc = (await resolveWorkforce(deps, team.workforceName)).vpc !== undefined;
    }
    fail(checkPolicy(patched, deps.policy, { hasVpcConfig: workforceHasVpc ?? false }));
    return patched;
  });
}

export async function addTeamMembers(
  deps: TeamDeps,
  caller: Caller,
  name: string,
  body: unknown,
  ifMatch?: string,
): Promise<TeamResult> {
  const add = toMembers(body);
  let checked = false;
  return changeTeam(deps, caller, name, { ifMatch, action: 'membersAdded' }, async (team, record) => {
    if (!checked) await checkGroupsExist(deps, record, add);
    checked = true;
    return addMembers(team, add);
  });
}

export async function removeTeamMember(
  deps: TeamDeps,
  caller: Caller,
  name: string,
  group: string,
  ifMatch?: string,
): Promise<TeamResult> {
  return changeTeam(deps, caller, name, { ifMatch, action: 'memberRemoved' }, (team) => removeMember(team, group));
}

export async function deleteTeam(
  deps: TeamDeps,
  caller: Caller,
  name: string,
  ifMatch?: string,
): Promise<{ outcome: 'applied' | 'pending' | 'failed'; name: string }> {
  await writeNextVersion(
    deps,
    caller,
    name,
    ifMatch,
    async (record) => ({
      changes: { lifecycle: 'deleted', closedBy: 'request' },
      action: 'deleted',
      summary: record.lifecycle === 'deleted' ? 'retirement retried' : 'team retired',
    }),
    { retirementUnfinished: 'retry' },
  );
  const result = await reconcileTeam(deps, name);
  return { outcome: result.outcome === 'unmanaged' ? 'applied' : result.outcome, name };
}

/**
 * Reconciles and answers with what the team now is. `version` is the one this request recorded: when a refused
 * change rolled the team back past it (another request's change refused while this one was being applied with
 * it), this change is gone too, and the answer says so instead of showing the team without it.
 */
async function applyAndView(deps: TeamDeps, name: string, version: number): Promise<TeamResult> {
  const result = await reconcileTeam(deps, name);
  if (result.outcome === 'unmanaged') throw new TeamNotFound(name);
  const { record } = result;
  const rollback = record.history.find(
    (entry) => entry.action === 'rolledBack' && entry.version > version && (entry.restoredVersion ?? 0) < version,
  );
  if (rollback && record.lifecycle === 'active') {
    throw new UpstreamRejected('the change', {
      code: 'RolledBack',
      message: `it was rolled back with a change SageMaker refused (${rollback.summary}); read the team and retry`,
    });
  }
  if (record.lifecycle === 'deleted') {
    // The team went while this change was applied: refused by SageMaker (told to its first request), or retired.
    if (record.closedBy === 'rejection') {
      throw new UpstreamRejected('the team', { message: record.pendingReason ?? 'the team could not be created' });
    }
    throw new TeamNotFound(name);
  }
  const view = await viewResult(deps, record, result.outcome === 'applied' ? result.live : undefined);
  return { ...view, outcome: result.outcome };
}

function outcomeOf(record: TeamRecord): TeamResult['outcome'] {
  return record.applyState === 'Pending' ? 'pending' : record.applyState === 'Failed' ? 'failed' : 'applied';
}

async function viewResult(deps: TeamDeps, record: TeamRecord, knownLive?: LiveWorkteam): Promise<TeamResult> {
  const live = knownLive ?? (await describeUnlessUnavailable(deps, record));
  return { outcome: outcomeOf(record), team: toManagedTeamView(record, live), etag: etagOf(record) };
}

/** An answer about a change not yet applied must not fail because SageMaker is still unavailable. */
async function describeUnlessUnavailable(deps: TeamDeps, record: TeamRecord): Promise<LiveWorkteam | undefined> {
  try {
    return await deps.sagemaker.describeWorkteam(record.name);
  } catch (error) {
    if (record.applyState !== 'Applied' && isTransient(error)) return undefined;
    throw error;
  }
}

/** The managed team: live state where SageMaker has it, the desired state where it does not (yet). */
export function toManagedTeamView(record: TeamRecord, live: LiveWorkteam | undefined): ManagedTeamView {
  const desired = toWorkteamSpec(record.spec, record.identity, record.topicArn);
  const diff = record.applyState === 'Pending' ? [] : differences(desired, live);
  const status: TeamStatus =
    record.applyState !== 'Applied' ? record.applyState : diff.length > 0 ? 'Drifted' : 'InSync';
  const base = live
    ? toTeamView(live)
    : {
        name: record.name,
        arn: null,
        description: record.spec.description,
        members: toMembersView(desired),
        notificationTopicArn: record.topicArn ?? null,
        workerAccess: record.spec.workerAccess,
        subDomain: null,
        createdAt: null,
        updatedAt: null,
        tags: record.spec.tags,
      };
  return {
    ...base,
    managed: true,
    owner: record.owner,
    version: record.version,
    status,
    ...(status !== 'InSync' && record.pendingReason ? { pendingReason: record.pendingReason } : {}),
    differences: diff,
  };
}

export async function getManagedTeam(deps: Pick<TeamDeps, 'registry' | 'sagemaker'>, name: string) {
  const [record, live] = await Promise.all([deps.registry.get(name), deps.sagemaker.describeWorkteam(name)]);
  // A retired team whose deletion is still pending is ours until SageMaker has let it go.
  const ours = record && (record.lifecycle === 'active' || (record.applyState !== 'Applied' && live));
  if (record && ours) {
    return {
      team: toManagedTeamView(record, live) as ManagedTeamView | (TeamView & { managed: false }),
      etag: etagOf(record),
    };
  }
  if (!live) throw new TeamNotFound(name);
  return { team: { ...toTeamView(live), managed: false as const }, etag: undefined };
}
