/**
 * A Cognito group created whose name has the policy's auto-provisioning form: it joins the team its name names,
 * which is created from the policy's defaults when absent.
 */
import type { Actor } from '../../domain/actor';
import { isRefusal, TeamExists } from '../../domain/errors';
import { addTeamMembers, createTeam, type TeamDeps } from '../manage-teams';

/** Why a created group provisions nothing. */
export type NotProvisioned =
  | 'not a group the policy provisions a team for'
  | 'a team of that name exists and is not managed here';

/** The system, asking for a team through the same use cases as people. */
const PROVISIONING: Actor = { kind: 'system', reason: 'a Cognito group the policy provisions a team for' };

/**
 * A group created whose name has the policy's auto-provisioning form joins the team its name names; the team is
 * created from the policy's defaults (owned by the system, so only admins change it) when it does not exist.
 * Refusals (the policy, SageMaker's 25 teams, a team of 10 groups) are logged and answered, not retried: the
 * same event would be refused again. A team of that name that this system does not manage is left alone.
 */
export async function provisionFromGroup(
  deps: TeamDeps,
  group: string,
): Promise<{ ignored: NotProvisioned } | { team: { name: string; outcome: string } }> {
  const rule = deps.policy.autoProvisioning;
  const name = rule ? new RegExp(rule.groupPattern, 'u').exec(group)?.groups?.team : undefined;
  if (!rule || !name) return { ignored: 'not a group the policy provisions a team for' };
  const join = async () => ({
    team: { name, outcome: (await addTeamMembers(deps, PROVISIONING, name, { cognitoGroups: [group] })).outcome },
  });
  try {
    const existing = await deps.registry.get(name);
    if (existing?.lifecycle === 'active') return await join();
    const created = await createTeam(deps, PROVISIONING, {
      name,
      description: rule.description.replaceAll('{group}', group),
      members: { cognitoGroups: [group] },
      notifications: rule.notifications,
      workerAccess: rule.workerAccess,
      tags: rule.tags,
    });
    deps.log?.info('team provisioned for a new Cognito group', { team: name, group });
    return { team: { name, outcome: created.outcome } };
  } catch (error) {
    if (error instanceof TeamExists) {
      // Another event created it first (join it); an earlier team of the name still being retired (try again:
      // the event fails and is delivered again); or SageMaker has a team of that name nobody here manages.
      const latest = await deps.registry.get(name);
      if (latest?.lifecycle === 'active') return await join();
      if (latest && latest.applyState !== 'Applied') throw new Error(`team '${name}' is still being retired`);
      return { ignored: 'a team of that name exists and is not managed here' };
    }
    if (!isRefusal(error)) throw error;
    deps.log?.warn('a team for a new Cognito group was refused', {
      team: name,
      group,
      code: error.code,
    });
    return { team: { name, outcome: `refused: ${error.code}` } };
  }
}
