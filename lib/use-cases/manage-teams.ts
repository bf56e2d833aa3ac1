/**
 * The write path: every change is a conditional write of the desired state in the registry (merged, never
 * last-writer-wins), followed by reconcileTeam. Nothing else writes to SageMaker.
 */

import { isTransient } from '../adapters/aws-errors';
import type { Caller } from '../auth/caller';
import {
  Forbidden,
  PreconditionFailed,
  TeamExists,
  TeamLimitExceeded,
  TeamNotFound,
  TeamNotManaged,
  ValidationFailed,
} from '../domain/errors';
import type { LiveWorkforce, LiveWorkteam } from '../domain/live';
import { differences } from '../domain/plan';
import { checkPolicy, type Policy } from '../domain/policy';
import {
  addMembers,
  applyTeamPatch,
  createFingerprint,
  describeChange,
  memberGroups,
  removeMember,
  toCreateTeamRequest,
  toDesiredTeam,
  toMembers,
  toTeamPatch,
  toWorkteamSpec,
  validateDesiredTeam,
} from '../domain/requests';
import type { DesiredTeam, Difference, HistoryEntry, TeamAction, TeamRecord, TeamStatus } from '../domain/team';
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
  /** 'applied': SageMaker and SNS match; 'pending': kept and retried later (HTTP 202). */
  outcome: 'applied' | 'pending';
  /** True when an identical earlier request already did this (HTTP 200 instead of 201). */
  replayed?: boolean;
  team: ManagedTeamView;
  etag: string;
}

export function etagOf(record: Pick<TeamRecord, 'version'>): string {
  return `"v${record.version}"`;
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
  if (existing?.lifecycle === 'active') return replayOrConflict(deps, existing, team, fingerprint);
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
    if (winner?.lifecycle === 'active') return replayOrConflict(deps, winner, team, fingerprint);
    throw error;
  }
  deps.log?.('team changed', {
    team: team.name,
    version,
    by: caller.sub,
    action: 'created',
    summary: record.history.at(-1)?.summary,
  });
  return applyAndView(deps, team.name);
}

/** The identical create request again answers with the same team, as long as nobody changed it since. */
async function replayOrConflict(
  deps: TeamDeps,
  existing: TeamRecord,
  requested: DesiredTeam,
  fingerprint: string,
): Promise<TeamResult> {
  if (existing.createFingerprint !== fingerprint || describeChange(existing.spec, requested) !== '') {
    throw new TeamExists(existing.name);
  }
  // A replay of a request that is still pending is the "next request" that finishes the job.
  if (existing.applyState === 'Pending') return { ...(await applyAndView(deps, existing.name)), replayed: true };
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
): Promise<{ record: TeamRecord; written: boolean }> {
  const now = deps.now ?? (() => new Date());
  for (let attempt = 0; attempt < 20; attempt++) {
    const record = await deps.registry.get(name);
    if (!record || record.lifecycle === 'deleted') {
      if (await deps.sagemaker.describeWorkteam(name)) throw new TeamNotManaged(name);
      throw new TeamNotFound(name);
    }
    if (!caller.isAdmin && caller.sub !== record.owner) {
      throw new Forbidden(`Only the owner of '${name}' or an admin may change or delete it`);
    }
    if (ifMatch !== undefined && ifMatch !== '*' && ifMatch !== etagOf(record)) {
      throw new PreconditionFailed(`'${name}' is at ${etagOf(record)}, not ${ifMatch}`);
    }
    const next = await build(record);
    if (!next) return { record, written: false };
    const version = record.version + 1;
    const at = now();
    const written: TeamRecord = {
      ...record,
      ...pendingFrom(at, next.action === 'deleted' ? 'being deleted' : 'being applied'),
      ...next.changes,
      version,
      history: [...record.history, historyEntry({ version }, caller.sub, next.action, next.summary, at)],
    };
    try {
      await deps.registry.put(written, record.version);
    } catch (error) {
      if (!(error instanceof RegistryConflict)) throw error;
      // Jitter keeps a crowd of concurrent writers from colliding again on the next round.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 25 * (attempt + 1)));
      continue;
    }
    deps.log?.('team changed', { team: name, version, by: caller.sub, action: next.action, summary: next.summary });
    return { record: written, written: true };
  }
  throw new RegistryConflict(name);
}

/** Changes the desired spec of a managed team, then reconciles. */
async function changeTeam(
  deps: TeamDeps,
  caller: Caller,
  name: string,
  options: { ifMatch?: string; action: TeamAction },
  change: (team: DesiredTeam) => DesiredTeam | Promise<DesiredTeam>,
): Promise<TeamResult> {
  const { record, written } = await writeNextVersion(deps, caller, name, options.ifMatch, async (current) => {
    const spec = await change(current.spec);
    fail(validateDesiredTeam(spec));
    const summary = describeChange(current.spec, spec);
    if (summary === '' && current.applyState === 'Applied') return undefined;
    return { changes: { spec }, action: options.action, summary: summary || 'no change' };
  });
  return written ? applyAndView(deps, name) : viewResult(deps, record);
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

export async function addTeamMembers(deps: TeamDeps, caller: Caller, name: string, body: unknown): Promise<TeamResult> {
  const add = toMembers(body);
  const record = await deps.registry.get(name);
  if (record?.identity && 'cognitoGroups' in add) {
    const missing = await deps.directory.missingGroups(record.identity.userPool, add.cognitoGroups);
    fail(
      missing.map((group) => ({
        path: `cognitoGroups[${add.cognitoGroups.indexOf(group)}]`,
        code: 'NotFound',
        message: `Cognito group '${group}' does not exist in the workforce's user pool`,
      })),
    );
  }
  return changeTeam(deps, caller, name, { action: 'membersAdded' }, (team) => addMembers(team, add));
}

export async function removeTeamMember(
  deps: TeamDeps,
  caller: Caller,
  name: string,
  group: string,
): Promise<TeamResult> {
  return changeTeam(deps, caller, name, { action: 'memberRemoved' }, (team) => removeMember(team, group));
}

export async function deleteTeam(
  deps: TeamDeps,
  caller: Caller,
  name: string,
): Promise<{ outcome: 'applied' | 'pending'; name: string }> {
  await writeNextVersion(deps, caller, name, undefined, async () => ({
    changes: { lifecycle: 'deleted' },
    action: 'deleted',
    summary: 'team retired',
  }));
  const result = await reconcileTeam(deps, name);
  return { outcome: result.outcome === 'pending' ? 'pending' : 'applied', name };
}

async function applyAndView(deps: TeamDeps, name: string): Promise<TeamResult> {
  const result = await reconcileTeam(deps, name);
  if (result.outcome === 'unmanaged') throw new TeamNotFound(name);
  const view = await viewResult(deps, result.record, result.outcome === 'applied' ? result.live : undefined);
  return { ...view, outcome: result.outcome };
}

async function viewResult(deps: TeamDeps, record: TeamRecord, knownLive?: LiveWorkteam): Promise<TeamResult> {
  const live = knownLive ?? (await describeUnlessUnavailable(deps, record));
  return {
    outcome: record.applyState === 'Pending' ? 'pending' : 'applied',
    team: toManagedTeamView(record, live),
    etag: etagOf(record),
  };
}

/** A Pending answer must not fail because SageMaker is still unavailable: it then shows the desired state. */
async function describeUnlessUnavailable(deps: TeamDeps, record: TeamRecord): Promise<LiveWorkteam | undefined> {
  try {
    return await deps.sagemaker.describeWorkteam(record.name);
  } catch (error) {
    if (record.applyState === 'Pending' && isTransient(error)) return undefined;
    throw error;
  }
}

/** The managed team: live state where SageMaker has it, the desired state where it does not (yet). */
export function toManagedTeamView(record: TeamRecord, live: LiveWorkteam | undefined): ManagedTeamView {
  const desired = toWorkteamSpec(record.spec, record.identity, record.topicArn);
  const diff = record.applyState === 'Pending' ? [] : differences(desired, live);
  const status: TeamStatus = record.applyState === 'Pending' ? 'Pending' : diff.length > 0 ? 'Drifted' : 'InSync';
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
    ...(record.applyState === 'Pending' && record.pendingReason ? { pendingReason: record.pendingReason } : {}),
    differences: diff,
  };
}

export async function getManagedTeam(deps: Pick<TeamDeps, 'registry' | 'sagemaker'>, name: string) {
  const [record, live] = await Promise.all([deps.registry.get(name), deps.sagemaker.describeWorkteam(name)]);
  // A retired team whose deletion is still pending is ours until SageMaker has let it go.
  const ours = record && (record.lifecycle === 'active' || (record.applyState === 'Pending' && live));
  if (record && ours) {
    return {
      team: toManagedTeamView(record, live) as ManagedTeamView | (TeamView & { managed: false }),
      etag: etagOf(record),
    };
  }
  if (!live) throw new TeamNotFound(name);
  return { team: { ...toTeamView(live), managed: false as const }, etag: undefined };
}
