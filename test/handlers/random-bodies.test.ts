/**
 * Property-based: whatever body a client sends to POST /teams or PATCH /teams/{name}, the answer is never a
 * 5xx, and every 4xx carries the error shape with a code.
 */
import fc from 'fast-check';
import { handler as createTeam } from '../../functions/create-team';
import { handler as deleteTeam } from '../../functions/delete-team';
import { handler as updateTeam } from '../../functions/update-team';
import { ADMIN, call, teamBody, uniqueTeamName } from '../support/teams';

const toggle = fc.constantFrom('Enabled', 'Disabled', 'enabled', '', null);
const groups = fc.array(fc.constantFrom('labelers-en', 'reviewers', 'labelers-de', '', 'ghosts', 'x'.repeat(200)), {
  maxLength: 12,
});

/** Bodies near the valid shape (more likely to reach deep rules) mixed with arbitrary JSON. */
const createBody = fc.oneof(
  fc.jsonValue(),
  fc.record(
    {
      name: fc.oneof(fc.string(), fc.constantFrom('ok-name', '-bad', 'a'.repeat(70))),
      description: fc.oneof(fc.string(), fc.constant(null)),
      members: fc.oneof(fc.record({ cognitoGroups: groups }), fc.record({ oidcGroups: groups }), fc.jsonValue()),
      notifications: fc.oneof(fc.boolean(), fc.jsonValue()),
      workerAccess: fc.oneof(
        fc.record({ sourceIp: toggle, vpcSourceIp: toggle }, { requiredKeys: [] }),
        fc.jsonValue(),
      ),
      tags: fc.oneof(fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.jsonValue())), fc.jsonValue()),
    },
    { requiredKeys: [] },
  ),
);

const patchBody = fc.oneof(
  fc.jsonValue(),
  fc.record(
    {
      description: fc.oneof(fc.string(), fc.constant(null)),
      notifications: fc.oneof(fc.boolean(), fc.constant(null), fc.jsonValue()),
      workerAccess: fc.oneof(
        fc.record({ sourceIp: toggle, vpcSourceIp: toggle }, { requiredKeys: [] }),
        fc.constant(null),
      ),
      tags: fc.oneof(
        fc.dictionary(fc.string({ maxLength: 10 }), fc.oneof(fc.string(), fc.constant(null))),
        fc.constant(null),
      ),
      name: fc.string(),
    },
    { requiredKeys: [] },
  ),
);

function assertClientError(result: { statusCode: number; body: Record<string, unknown> }) {
  expect(result.statusCode).toBeLessThan(500);
  if (result.statusCode >= 400) expect(result.body).toMatchObject({ error: { code: expect.any(String) } });
}

const createdNames = new Set<string>();

afterAll(async () => {
  for (const name of createdNames)
    await call(deleteTeam, 'deleteTeam', 'delete-team.json', { path: { name }, caller: ADMIN });
});

describe('POST /teams with random bodies', () => {
  it('never answers 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(createBody, async (body) => {
        const result = await call(createTeam, 'createTeam', 'create-team.json', { body });
        if (result.statusCode < 300 && typeof result.body.name === 'string') createdNames.add(result.body.name);
        assertClientError(result);
      }),
      { numRuns: 150 },
    );
  }, 120_000);
});

describe('PATCH /teams/{name} with random bodies', () => {
  const name = uniqueTeamName('fuzz');

  beforeAll(async () => {
    const created = await call(createTeam, 'createTeam', 'create-team.json', { body: teamBody(name) });
    if (created.statusCode !== 201) throw new Error(`could not create ${name}: ${JSON.stringify(created.body)}`);
    createdNames.add(name);
  });

  it('never answers 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(patchBody, async (body) => {
        assertClientError(await call(updateTeam, 'updateTeam', 'update-team.json', { path: { name }, body }));
      }),
      { numRuns: 150 },
    );
  }, 120_000);
});
