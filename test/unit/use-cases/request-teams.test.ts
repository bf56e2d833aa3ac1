/**
 * Who may request a team, decided by `createTeam` before it reads the request or calls any port: every port of
 * these deps fails the test when touched.
 */
import { actorOf, type Caller } from '#lib/auth/caller';
import { Forbidden } from '#lib/domain/errors';
import type { CreateTeamRequest } from '#lib/domain/team-commands';
import { parseCreateTeamRequest } from '#lib/http/requests';
import { createTeam, type TeamDeps } from '#lib/use-cases/manage-teams';
import { createRequest } from '../domain/team-fixtures';

class PortCalled extends Error {}

const PORTS = ['registry', 'sagemaker', 'topics', 'directory', 'alerts'];

/** Deps whose every port method throws PortCalled naming itself; nothing else is set. */
const untouchable = new Proxy({} as TeamDeps, {
  get: (_deps, field) =>
    PORTS.includes(String(field))
      ? new Proxy(
          {},
          {
            get: (_port, method) => () => {
              throw new PortCalled(`${String(field)}.${String(method)}`);
            },
          },
        )
      : undefined,
});

const LABELER: Caller = { sub: 'labeler-0004', username: 'ana', groups: 'labelers-en', isAdmin: false };

describe('createTeam: who may request a team', () => {
  it('refuses a caller who is neither requester nor admin with Forbidden, touching no port', async () => {
    await expect(
      createTeam(untouchable, actorOf(LABELER), parseCreateTeamRequest(createRequest())),
    ).rejects.toBeInstanceOf(Forbidden);
  });

  it('refuses before reading the body: an invalid one is still Forbidden', async () => {
    await expect(
      createTeam(untouchable, actorOf(LABELER), { name: 42 } as unknown as CreateTeamRequest),
    ).rejects.toBeInstanceOf(Forbidden);
  });

  it("decides on the authorizer's flag, not on the group names: the name alone in `groups` is not enough", async () => {
    const caller = { ...LABELER, groups: 'labelers-en,workteam-requesters' };
    await expect(
      createTeam(untouchable, actorOf(caller), parseCreateTeamRequest(createRequest())),
    ).rejects.toBeInstanceOf(Forbidden);
  });

  it.each<[string, Caller]>([
    ['a requester', { ...LABELER, groups: 'workteam-requesters', isRequester: true }],
    ['an admin', { ...LABELER, groups: 'workteam-admins', isAdmin: true, isRequester: false }],
  ])('lets %s through to the workforce lookup', async (_who, caller) => {
    await expect(createTeam(untouchable, actorOf(caller), parseCreateTeamRequest(createRequest()))).rejects.toThrow(
      new PortCalled('sagemaker.describeWorkforce'),
    );
  });
});
