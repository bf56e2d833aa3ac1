/**
 * Every change is logged with who made it, and the log never carries an e-mail address, although the
 * workers' addresses pass through reconcile on their way to SNS.
 */
import { actorOf } from '#lib/auth/caller';
import { buildTeamDeps } from '#lib/composition/teams';
import { parseCreateTeamRequest } from '#lib/http/requests';
import { addTeamMembers, createTeam, deleteTeam } from '#lib/use-cases/manage-teams';
import { OWNER, teamBody, uniqueTeamName } from '../support/teams';

describe('the change log', () => {
  it('names the caller of every change by subject and holds no e-mail address', async () => {
    // Prepare
    const lines: { level: string; message: string; details: Record<string, unknown> }[] = [];
    const record =
      (level: string) =>
      (message: string, details: Record<string, unknown> = {}) => {
        lines.push({ level, message, details });
      };
    const deps = { ...buildTeamDeps(), log: { info: record('info'), warn: record('warn'), error: record('error') } };
    const name = uniqueTeamName('logged');

    // Act
    await createTeam(deps, actorOf(OWNER), parseCreateTeamRequest(teamBody(name)));
    await addTeamMembers(deps, actorOf(OWNER), name, { cognitoGroups: ['reviewers'] });
    await deleteTeam(deps, actorOf(OWNER), name);

    // Assess
    const changes = lines.filter((line) => line.message === 'team changed');
    expect(changes.map((line) => [line.details.action, line.details.by, line.details.version])).toEqual([
      ['created', OWNER.sub, 1],
      ['membersAdded', OWNER.sub, 2],
      ['deleted', OWNER.sub, 3],
    ]);
    expect(JSON.stringify(lines)).not.toMatch(/@example\.com/);
  });
});
