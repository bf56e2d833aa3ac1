/**
 * The actor-neutral write path: the Cognito sync and remediation change teams as the system, with no HTTP
 * caller, through the same conditional write, history and reconcile as a person does.
 */
import { actorOf } from '#lib/auth/caller';
import { buildTeamDeps } from '#lib/composition/teams';
import { removeMember } from '#lib/domain/members';
import { parseCreateTeamRequest } from '#lib/http/requests';
import { createTeam } from '#lib/use-cases/manage-teams';
import { applyChange, writeNextVersion } from '#lib/use-cases/team-writes';
import { createdTeams, liveTeam, registryRecord, retireCreatedTeams } from '../support/steps';
import { OWNER, teamBody, uniqueTeamName } from '../support/teams';

afterEach(retireCreatedTeams);

describe('writeNextVersion as the system', () => {
  it('changes a team nobody asked it to check ownership for, records "system" and its reason, and reconciles', async () => {
    // Prepare: a team of two groups, owned by someone
    const deps = buildTeamDeps();
    const name = uniqueTeamName('system');
    await createTeam(
      deps,
      actorOf(OWNER),
      parseCreateTeamRequest(teamBody(name, { members: { cognitoGroups: ['labelers-en', 'reviewers'] } })),
    );
    createdTeams.push(name);
    const lines: Record<string, unknown>[] = [];
    const logged = { ...deps, log: { ...(deps.log ?? console), info: (_m: string, d = {}) => lines.push(d) } };

    // Act: the sync removes a group that was deleted in Cognito
    const { record } = await writeNextVersion(
      logged,
      { kind: 'system', reason: 'Cognito group deleted' },
      name,
      async (current) => ({
        changes: { spec: removeMember(current.spec, 'reviewers') },
        action: 'memberRemoved',
        summary: '-group reviewers',
      }),
    );
    const result = await applyChange(deps, name, record.version);

    // Assess
    expect(result.outcome).toBe('applied');
    const history = (await registryRecord(name))?.history as { by: string; action: string }[];
    expect(history.at(-1)).toMatchObject({ by: 'system', action: 'memberRemoved' });
    expect(lines).toContainEqual(expect.objectContaining({ by: 'system', reason: 'Cognito group deleted' }));
    const live = await liveTeam(name);
    expect(live?.MemberDefinitions?.map((definition) => definition.CognitoMemberDefinition?.UserGroup)).toEqual([
      'labelers-en',
    ]);
  });

  it('never writes to a team this system does not manage', async () => {
    // Act: a seeded team that exists in SageMaker only
    const attempt = writeNextVersion(
      buildTeamDeps(),
      { kind: 'system', reason: 'test' },
      'image-labelers',
      async () => {
        throw new Error('must not be asked for a change');
      },
    );

    // Assess
    await expect(attempt).rejects.toMatchObject({ code: 'TeamNotManaged' });
  });
});
