/**
 * The team use cases, for a person or the system (`Actor`) with a typed command: who may request a team (a
 * requester or an admin), who may change one (its owner or an admin) and which version the actor read (If-Match)
 * are checked here, before anything that reads
 * further; the change itself goes through the one actor-neutral write path (team-writes.ts), which records it
 * and reconciles. Nothing else writes to SageMaker.
 */

import { type Actor, actorName, isAdmin, mayRequestTeams } from '../domain/actor';
import { describeChange } from '../domain/change-summary';
import {
  Forbidden,
  PreconditionFailed,
  TeamExists,
  TeamLimitExceeded,
  ValidationFailed,
  type Violation,
} from '../domain/errors';
import type { LiveWorkforce, LiveWorkteam } from '../domain/live';
import { addMembers, memberGroups, removeMember } from '../domain/members';
import { checkPolicy, type Policy } from '../domain/policy';
import type { DesiredTeam, Members, TeamAction, TeamRecord } from '../domain/team';
import {
  applyTeamPatch,
  type CreateTeamRequest,
  checkPatchForMembers,
  createFingerprint,
  type TeamPatch,
  toDesiredTeam,
  validateDesiredTeam,
} from '../domain/team-commands';
import { WORKTEAM_LIMITS } from '../domain/workteam';
import { RegistryConflict } from '../ports/teams';
import { isTransient } from '../runtime/aws-errors';
import { reconcileTeam } from './reconcile';
import type { ReconcileDeps } from './reconcile/contract';
import { applyChange, type ChangeResult, type ExpectedVersions, pendingFrom, writeNextVersion } from './team-writes';

export interface TeamDeps extends ReconcileDeps {
  policy: Policy;
  /** The stage's topic prefix (TOPIC_PREFIX): an adopted team's topic outside it is the team's own, not managed. */
  topicPrefix: string;
}

/** What a write request did: the team's record and live state, for the HTTP layer to show. */
export interface TeamResult extends ChangeResult {
  /** True when an identical earlier request already did this (HTTP 200 instead of 201). */
  replayed?: boolean;
}

/** Only the owner or an admin may change a team, and only the version it read, when it says which. */
function mayChange(actor: Actor, expected: ExpectedVersions | undefined): (record: TeamRecord) => void {
  return (record) => {
    if (!isAdmin(actor) && actorName(actor) !== record.owner) {
      throw new Forbidden(`Only the owner of '${record.name}' or an admin may change or delete it`);
    }
    if (expected !== undefined && expected !== 'any' && !expected.includes(record.version)) {
      throw new PreconditionFailed(`'${record.name}' is at version ${record.version}, not the one this request read`);
    }
  };
}

function fail(violations: Violation[]): void {
  if (violations.length > 0) throw new ValidationFailed(violations);
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

export async function createTeam(deps: TeamDeps, actor: Actor, request: CreateTeamRequest): Promise<TeamResult> {
  mayRequestTeams(actor);
  const now = (deps.now ?? (() => new Date()))();
  // Every read the decision needs, side by side: the workforce (then its groups), the registry's record of the
  // name, SageMaker's teams (whether the name is taken, and how many there are against the limit of 25), and the
  // teams accepted but not yet created, which will take a slot too. One ListWorkforces and one ListWorkteams.
  const checked = (async () => {
    const workforce = await resolveWorkforce(deps, request.workforceName);
    const team = toDesiredTeam(request, workforce.name);
    fail(validateDesiredTeam(team));
    await checkAgainstWorkforce(deps, team, workforce);
    return { workforce, team };
  })();
  const reads = (async () =>
    Promise.all([
      deps.registry.get(request.name),
      deps.sagemaker.workteamNames(),
      deps.registry.listPendingCreations(),
    ]))();
  // The workforce's answer comes first (a 400 about it before anything else); neither read fails unobserved.
  checked.catch(() => undefined);
  reads.catch(() => undefined);
  const { workforce, team } = await checked;
  const [existing, liveNames, accepted] = await reads;
  const fingerprint = createFingerprint(request, workforce.name);

  if (existing?.lifecycle === 'active') return replayOrConflict(deps, actor, existing, team, fingerprint);
  // An earlier team of this name whose retirement is not finished: its reconcile may still delete whatever
  // SageMaker has under the name, a new team included. The name is free once that retirement is applied.
  if (existing && existing.applyState !== 'Applied') {
    throw new TeamExists(team.name, { reason: 'its earlier team is still being retired; try again shortly' });
  }
  if (liveNames.includes(team.name)) throw new TeamExists(team.name);
  // Checked before anything is created: SageMaker's limit counts every team of the account and region.
  const count = liveNames.length + accepted.filter((pending) => pending !== team.name).length;
  if (count >= WORKTEAM_LIMITS.workteamsPerRegion) throw new TeamLimitExceeded(WORKTEAM_LIMITS.workteamsPerRegion);

  const version = (existing?.version ?? 0) + 1;
  const record: TeamRecord = {
    name: team.name,
    spec: team,
    identity: 'cognitoGroups' in team.members ? workforce.cognito : undefined,
    owner: actorName(actor),
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
      {
        version,
        at: now.toISOString(),
        by: actorName(actor),
        action: 'created',
        summary: `created with ${memberGroups(team.members).length} group(s)`,
      },
    ],
  };
  let stored: TeamRecord;
  try {
    stored = await deps.registry.put(record, existing?.version);
  } catch (error) {
    if (!(error instanceof RegistryConflict)) throw error;
    const winner = await deps.registry.get(team.name);
    if (winner?.lifecycle === 'active') return replayOrConflict(deps, actor, winner, team, fingerprint);
    throw error;
  }
  deps.log?.info('team changed', {
    team: team.name,
    version,
    by: actorName(actor),
    action: 'created',
    summary: record.history.at(-1)?.summary,
  });
  // SageMaker's listing just now did not hold the name: the reconcile creates the team without reading it first.
  return settle(deps, await applyChange(deps, team.name, version, { change: true, absent: true, record: stored }));
}

/**
 * The identical create request again, from the same caller, answers with the same team, as long as nobody
 * changed it since; anyone else is told the name is taken.
 */
async function replayOrConflict(
  deps: TeamDeps,
  actor: Actor,
  existing: TeamRecord,
  requested: DesiredTeam,
  fingerprint: string,
): Promise<TeamResult> {
  if (
    existing.owner !== actorName(actor) ||
    existing.createFingerprint !== fingerprint ||
    describeChange(existing.spec, requested) !== ''
  ) {
    throw new TeamExists(existing.name);
  }
  // A replay of a request that is still pending (or failed) is the "next request" that finishes the job.
  if (existing.applyState !== 'Applied') {
    return { ...(await settle(deps, await applyChange(deps, existing.name, existing.version))), replayed: true };
  }
  return { ...(await asRead(deps, existing)), replayed: true };
}

/** Changes the desired spec of a managed team, then reconciles. */
async function changeTeam(
  deps: TeamDeps,
  actor: Actor,
  name: string,
  options: { expected?: ExpectedVersions; action: TeamAction },
  change: (team: DesiredTeam, record: TeamRecord) => DesiredTeam | Promise<DesiredTeam>,
): Promise<TeamResult> {
  const { record, written } = await writeNextVersion(
    deps,
    actor,
    name,
    async (current) => {
      const spec = await change(current.spec, current);
      fail(validateDesiredTeam(spec));
      const summary = describeChange(current.spec, spec);
      if (summary === '' && current.applyState === 'Applied') return undefined;
      // A change of its members is the owner's answer to an orphaned team.
      const orphaned =
        options.action === 'membersAdded' || options.action === 'memberRemoved' ? undefined : current.orphaned;
      return { changes: { spec, orphaned }, action: options.action, summary: summary || 'no change' };
    },
    { guard: mayChange(actor, options.expected) },
  );
  return written
    ? settle(deps, await applyChange(deps, name, record.version, { change: true, record }))
    : asRead(deps, record);
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
  actor: Actor,
  name: string,
  patch: TeamPatch,
  expected?: ExpectedVersions,
): Promise<TeamResult> {
  let workforceHasVpc: boolean | undefined;
  return changeTeam(deps, actor, name, { expected, action: 'updated' }, async (team) => {
    fail(checkPatchForMembers(patch, team.members));
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
  actor: Actor,
  name: string,
  add: Members,
  expected?: ExpectedVersions,
): Promise<TeamResult> {
  let checked = false;
  return changeTeam(deps, actor, name, { expected, action: 'membersAdded' }, async (team, record) => {
    if (!checked) await checkGroupsExist(deps, record, add);
    checked = true;
    return addMembers(team, add);
  });
}

export async function removeTeamMember(
  deps: TeamDeps,
  actor: Actor,
  name: string,
  group: string,
  expected?: ExpectedVersions,
): Promise<TeamResult> {
  return changeTeam(deps, actor, name, { expected, action: 'memberRemoved' }, (team) => removeMember(team, group));
}

export async function deleteTeam(
  deps: TeamDeps,
  actor: Actor,
  name: string,
  expected?: ExpectedVersions,
): Promise<{ outcome: 'applied' | 'pending' | 'failed'; name: string }> {
  const { record: written } = await writeNextVersion(
    deps,
    actor,
    name,
    async (record) => ({
      changes: { lifecycle: 'deleted', closedBy: 'request' },
      action: 'deleted',
      summary: record.lifecycle === 'deleted' ? 'retirement retried' : 'team retired',
    }),
    { guard: mayChange(actor, expected), retirementUnfinished: 'retry' },
  );
  const result = await reconcileTeam(deps, name, { record: written });
  return { outcome: result.outcome === 'unmanaged' ? 'applied' : result.outcome, name };
}

function outcomeOf(record: TeamRecord): TeamResult['outcome'] {
  return record.applyState === 'Pending' ? 'pending' : record.applyState === 'Failed' ? 'failed' : 'applied';
}

/**
 * A reconciled change as an answer: one not applied (yet), or applied by another pass, shows what SageMaker holds
 * now, where it can tell.
 */
async function settle(deps: TeamDeps, result: ChangeResult): Promise<TeamResult> {
  if (result.outcome === 'applied' && result.live) return result;
  return { ...result, live: await describeUnlessUnavailable(deps, result.record) };
}

/** A team answered without applying anything: its record and what SageMaker holds now. */
async function asRead(deps: TeamDeps, record: TeamRecord): Promise<TeamResult> {
  return { outcome: outcomeOf(record), record, live: await describeUnlessUnavailable(deps, record) };
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
