/**
 * Property-based, under a fixed seed: whatever a client sends to a write route (POST /teams, PATCH /teams/{name},
 * POST /teams/{name}/members, DELETE /teams/{name}/members/{group}) or as the query of GET /teams, the answer is
 * never a 5xx; every 4xx has the error shape `{ error: { code, message, details? } }` and quotes no e-mail
 * address. (A 2xx shows the team, whose tags and groups may be e-mail addresses the client chose.)
 *
 * Most inputs are refused before any AWS call, so each route runs thousands of cases in a few seconds; inputs
 * that really create a team are rare, and the team is deleted at once. The figures of each route (cases, answers
 * by status class, 5xx, duration) are printed at the end.
 */
import fc from 'fast-check';
import { encodeToken, queryFingerprint } from '#lib/adapters/pagination';
import { handler as addTeamMembers } from '../../functions/add-team-members';
import { handler as createTeam } from '../../functions/create-team';
import { handler as deleteTeam } from '../../functions/delete-team';
import { handler as listTeams } from '../../functions/list-teams';
import { handler as removeTeamMember } from '../../functions/remove-team-member';
import { handler as updateTeam } from '../../functions/update-team';
import { type HttpResult, invokeHttp } from '../support/invoke';
import { ADMIN, ANY_VERSION, call, teamBody, uniqueTeamName } from '../support/teams';

const SEED = 20_261_122;
/** Per route; RANDOM_RUNS overrides it for a longer exploration under the same seed. */
const RUNS = Number(process.env.RANDOM_RUNS ?? 1_000);

// ---------------------------------------------------------------------------------------------------------------
// What every answer must be.

/**
 * An e-mail address as a reader would recognise one: a local-part character, '@', a domain with a top-level
 * domain of two letters or more. Independent of the pattern the service masks with.
 */
const EMAIL_ADDRESS = /[\p{L}\p{N}!#$%&'*+/=?^_`{|}~.-]@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)*\.\p{L}{2,}/u;

type Problem = '5xx' | 'shape' | 'email';

/** What is wrong with an answer: a 5xx, a 4xx without the error shape, a 4xx that quotes an e-mail address. */
function problemsOf(result: HttpResult): Problem[] {
  if (result.statusCode >= 500) return ['5xx'];
  if (result.statusCode < 400) return [];
  const problems: Problem[] = [];
  const error = result.body.error as Record<string, unknown> | undefined;
  const shaped =
    Object.keys(result.body).join() === 'error' &&
    typeof error === 'object' &&
    error !== null &&
    typeof error.code === 'string' &&
    /^[A-Za-z]+$/.test(error.code) &&
    typeof error.message === 'string' &&
    Object.keys(error).every((key) => ['code', 'message', 'details'].includes(key));
  if (!shaped) problems.push('shape');
  if (EMAIL_ADDRESS.test(JSON.stringify(result.body))) problems.push('email');
  return problems;
}

interface Figures {
  route: string;
  cases: number;
  byClass: Record<string, number>;
  /** Answers by error code (or status, for a success). */
  byCode: Record<string, number>;
  /** The violations listed by the 400s, by code: how deep into the rules the inputs went. */
  byRule: Record<string, number>;
  problems: Record<Problem, number>;
  ms: number;
}

const figures: Figures[] = [];

function add(tally: Record<string, number>, key: string): void {
  tally[key] = (tally[key] ?? 0) + 1;
}

function record(tally: Figures, result: HttpResult): void {
  tally.cases += 1;
  add(tally.byClass, `${Math.floor(result.statusCode / 100)}xx`);
  const error = result.body.error as { code?: unknown; details?: unknown } | undefined;
  add(tally.byCode, String(error?.code ?? result.statusCode));
  for (const violation of Array.isArray(error?.details) ? error.details : []) {
    add(tally.byRule, String((violation as { code?: unknown }).code));
  }
}

/**
 * Sends RUNS inputs of `inputs` under the fixed seed and checks every answer. Every case runs (a bad answer does
 * not stop the run), so the figures count all of them; the test then fails with the first few bad answers.
 */
async function fuzz<T>(route: string, inputs: fc.Arbitrary<T>, send: (input: T) => Promise<HttpResult>) {
  const problems: Record<Problem, number> = { '5xx': 0, shape: 0, email: 0 };
  const tally: Figures = { route, cases: 0, byClass: {}, byCode: {}, byRule: {}, problems, ms: 0 };
  figures.push(tally);
  const examples: { problems: Problem[]; input: T; status: number; body: unknown }[] = [];
  const started = Date.now();
  await fc.assert(
    fc.asyncProperty(inputs, async (input) => {
      const result = await send(input);
      record(tally, result);
      const found = problemsOf(result);
      for (const problem of found) problems[problem] += 1;
      if (found.length > 0 && examples.length < 3) {
        examples.push({ problems: found, input, status: result.statusCode, body: result.body });
      }
    }),
    { seed: SEED, numRuns: RUNS },
  );
  tally.ms = Date.now() - started;
  expect({ route, cases: tally.cases, problems, examples }).toEqual({
    route,
    cases: RUNS,
    problems: { '5xx': 0, shape: 0, email: 0 },
    examples: [],
  });
}

const listed = (tally: Record<string, number>) =>
  Object.entries(tally)
    .sort(([, a], [, b]) => b - a)
    .map(([key, count]) => `${key} ${count}`)
    .join(', ');

afterAll(() => {
  const lines = figures.map(
    ({ route, cases, byClass, byCode, byRule, problems, ms }) =>
      `${route}: ${cases} cases in ${(ms / 1000).toFixed(1)} s; ` +
      `2xx ${byClass['2xx'] ?? 0}, 4xx ${byClass['4xx'] ?? 0}, 5xx ${byClass['5xx'] ?? 0}; ` +
      `4xx without the error shape ${problems.shape}, 4xx quoting an e-mail address ${problems.email}\n` +
      `    answers: ${listed(byCode)}\n    violations: ${listed(byRule)}`,
  );
  console.log(`Random requests, seed ${SEED}:\n${lines.join('\n')}`);
});

// ---------------------------------------------------------------------------------------------------------------
// Inputs.

/** Text a client may send anywhere: random, Unicode, e-mail addresses, path tricks, names of Object.prototype. */
const hostileText = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.string({ unit: 'binary', maxLength: 10 }),
  fc.emailAddress(),
  fc.tuple(fc.string({ maxLength: 5 }), fc.emailAddress()).map(([prefix, address]) => `${prefix}${address}`),
  fc.constantFrom(
    '',
    ' ',
    '.',
    '..',
    '%2e%2e',
    '../..',
    '/',
    '__proto__',
    'constructor',
    'toString',
    'hasOwnProperty',
    'valueOf',
    'aws:reserved',
    'AWS:Cost',
    'x'.repeat(129),
    'y'.repeat(300),
    'line\nbreak',
    '\u2028',
    'ü@exämple.de',
    'jane.doe@example.com',
    "o'brien@example.ie",
    'labelers-en',
    'reviewers',
    'classification',
    'cost-center',
  ),
);

const toggle = fc.oneof(fc.constantFrom('Enabled', 'Disabled', 'enabled', '', null), hostileText);
const groupName = fc.oneof(
  { weight: 1, arbitrary: fc.constantFrom('labelers-en', 'reviewers', 'labelers-de') },
  { weight: 4, arbitrary: hostileText },
);
const groups = fc.array(groupName, { maxLength: 12 });
const tagDictionary = fc.dictionary(hostileText, fc.oneof(hostileText, fc.jsonValue()), { maxKeys: 8 });
const patchTagDictionary = fc.dictionary(hostileText, fc.oneof(hostileText, fc.constant(null)), { maxKeys: 8 });
/** Names SageMaker accepts; rare, so that few requests reach the deeper rules (and fewer create a team). */
const validTeamName = fc.stringMatching(/^fz-[a-z0-9]{8}$/);
/** Fields no route knows, some of them e-mail addresses. */
const unknownFields = fc.dictionary(hostileText, fc.jsonValue(), { maxKeys: 2 });

/** Arbitrary JSON, bodies near the valid shape, and a few that are valid in form (deep rules, real creations). */
const createBody = fc.oneof(
  { weight: 3, arbitrary: fc.jsonValue() },
  {
    weight: 14,
    arbitrary: fc.record(
      {
        name: fc.oneof({ weight: 9, arbitrary: hostileText }, { weight: 1, arbitrary: validTeamName }),
        description: fc.oneof(hostileText, fc.constant(null)),
        workforceName: hostileText,
        members: fc.oneof(fc.record({ cognitoGroups: groups }), fc.record({ oidcGroups: groups }), fc.jsonValue()),
        notifications: fc.oneof(fc.boolean(), fc.jsonValue()),
        workerAccess: fc.oneof(
          fc.record({ sourceIp: toggle, vpcSourceIp: toggle }, { requiredKeys: [] }),
          fc.jsonValue(),
        ),
        tags: fc.oneof(tagDictionary, fc.jsonValue()),
      },
      { requiredKeys: [] },
    ),
  },
  {
    weight: 2,
    arbitrary: fc
      .record({
        name: validTeamName,
        description: fc.constantFrom('Fuzzed team', 'Mail fuzz@example.com', 'x'.repeat(201)),
        members: fc.oneof(
          fc.record({
            cognitoGroups: fc.subarray(['labelers-en', 'reviewers', 'ghost@example.com'], { minLength: 1 }),
          }),
          fc.record({ oidcGroups: fc.constant(['oidc-group']) }),
        ),
        notifications: fc.boolean(),
        workerAccess: fc.record({
          sourceIp: fc.oneof(
            { weight: 4, arbitrary: fc.constantFrom('Enabled', 'Disabled') },
            { weight: 1, arbitrary: toggle },
          ),
          vpcSourceIp: fc.constantFrom('Disabled', 'Disabled', 'Enabled'),
        }),
        tags: fc.oneof(
          fc.constant({ classification: 'internal', 'cost-center': 'ml' }),
          fc.constant({ classification: 'restricted', 'cost-center': 'ml' }),
          fc
            .tuple(tagDictionary, fc.constantFrom('internal', 'secret', ''))
            .map(([tags, classification]) => ({ ...tags, classification, 'cost-center': 'ml' })),
        ),
        extra: fc.oneof({ weight: 4, arbitrary: fc.constant({}) }, { weight: 1, arbitrary: unknownFields }),
      })
      .map(({ extra, ...body }) => ({ ...body, ...extra })),
  },
);

/** Tag keys that are names of Object.prototype, among ordinary ones. */
const prototypeKey = fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'fuzz');

const patchBody = fc.oneof(
  { weight: 3, arbitrary: fc.jsonValue() },
  {
    // Valid in form: really changes the team's tags (and so SageMaker's), whatever their keys.
    weight: 1,
    arbitrary: fc.record({
      tags: fc.dictionary(prototypeKey, fc.oneof(fc.constantFrom('a', 'b', ''), fc.constant(null)), { maxKeys: 4 }),
    }),
  },
  {
    weight: 17,
    arbitrary: fc
      .record(
        {
          description: fc.oneof(hostileText, fc.constant(null)),
          notifications: fc.oneof(fc.boolean(), fc.constant(null), fc.jsonValue()),
          workerAccess: fc.oneof(
            fc.record({ sourceIp: toggle, vpcSourceIp: toggle }, { requiredKeys: [] }),
            fc.constant(null),
            fc.jsonValue(),
          ),
          tags: fc.oneof(patchTagDictionary, fc.constant(null), fc.jsonValue()),
          name: hostileText,
          members: fc.jsonValue(),
          extra: fc.oneof({ weight: 3, arbitrary: fc.constant({}) }, { weight: 2, arbitrary: unknownFields }),
        },
        { requiredKeys: [] },
      )
      .map(({ extra, ...body }) => ({ ...body, ...(extra ?? {}) })),
  },
);

const membersBody = fc.oneof(
  { weight: 2, arbitrary: fc.jsonValue() },
  {
    weight: 8,
    arbitrary: fc.record(
      { cognitoGroups: fc.oneof(groups, fc.jsonValue()), oidcGroups: fc.oneof(groups, fc.jsonValue()) },
      { requiredKeys: [] },
    ),
  },
  {
    weight: 1,
    arbitrary: fc.tuple(fc.record({ cognitoGroups: groups }), unknownFields).map(([a, b]) => ({ ...a, ...b })),
  },
);

/** A path segment: the group (decoded, as API Gateway hands it over) or a team name. */
const pathSegment = fc.oneof(
  { weight: 6, arbitrary: hostileText },
  { weight: 1, arbitrary: fc.constantFrom('labelers-en', 'reviewers', 'labelers-de', 'nobody') },
  { weight: 1, arbitrary: fc.string({ minLength: 129, maxLength: 400 }) },
);

// GET /teams: every parameter random or absent, unknown ones too, and nextTokens of every kind.
/** Mostly a valid value (so that many queries reach SageMaker with their nextToken), sometimes anything. */
const mostly = <T>(valid: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 6, arbitrary: valid }, { weight: 1, arbitrary: hostileText });

const listParams = fc.record(
  {
    limit: fc.oneof(
      { weight: 6, arbitrary: fc.integer({ min: 1, max: 30 }).map(String) },
      {
        weight: 1,
        arbitrary: fc.oneof(
          fc.integer({ min: -5, max: 0 }).map(String),
          fc.constantFrom('9'.repeat(400), '99999999999', '1e3', '0x10', ' 2', '2.5'),
          hostileText,
        ),
      },
    ),
    pageSize: fc.oneof(
      { weight: 6, arbitrary: fc.integer({ min: 1, max: 100 }).map(String) },
      { weight: 1, arbitrary: fc.oneof(fc.constantFrom('0', '101', '-1'), hostileText) },
    ),
    nameContains: mostly(fc.constantFrom('labelers', 'a', 'image-labelers', 'fuzz')),
    sortBy: mostly(fc.constantFrom('Name', 'CreateDate')),
    sortOrder: mostly(fc.constantFrom('Ascending', 'Descending')),
  },
  { requiredKeys: [] },
);

/** The emulator's token form (base64url JSON), with fields that are right, wrong or missing. */
const sageMakerShapedToken = fc
  .record(
    {
      v: fc.oneof(fc.constant(1), fc.jsonValue()),
      op: fc.constantFrom('ListWorkteams', 'ListWorkforces', 'ListTags'),
      sortBy: fc.constantFrom('Name', 'CreateDate', ''),
      sortOrder: fc.constantFrom('Ascending', 'Descending', ''),
      nameContains: fc.oneof(fc.constant(''), hostileText),
      after: fc.oneof(fc.integer(), hostileText, fc.jsonValue()),
    },
    { requiredKeys: [] },
  )
  .map((cursor) => Buffer.from(JSON.stringify(cursor)).toString('base64url'));

type ListQuery = Record<string, string>;

const listQuery: fc.Arbitrary<ListQuery> = fc
  .tuple(
    listParams,
    fc.oneof(
      { weight: 2, arbitrary: fc.constant({ kind: 'none' as const }) },
      { weight: 2, arbitrary: hostileText.map((token) => ({ kind: 'raw' as const, token })) },
      {
        // Our envelope, with the fingerprint of exactly these parameters, around a SageMaker token it never issued.
        weight: 5,
        arbitrary: fc
          .record({
            serviceToken: fc.oneof(hostileText, sageMakerShapedToken, fc.constant(undefined)),
            skip: fc.oneof(fc.nat(30), fc.constant(2 ** 40)),
          })
          .map((inner) => ({ kind: 'envelope' as const, ...inner })),
      },
    ),
    unknownFields.map((extra) =>
      Object.fromEntries(Object.entries(extra).map(([key, value]) => [key, JSON.stringify(value) ?? ''])),
    ),
  )
  .map(([params, token, extra]) => {
    const query: ListQuery = { ...extra, ...params };
    if (token.kind === 'raw') query.nextToken = token.token;
    if (token.kind === 'envelope') {
      const fingerprint = queryFingerprint({
        kind: 'workteams',
        NameContains: params.nameContains,
        SortBy: params.sortBy,
        SortOrder: params.sortOrder,
      });
      query.nextToken = encodeToken({ serviceToken: token.serviceToken, skip: token.skip, query: fingerprint });
    }
    return query;
  });

// ---------------------------------------------------------------------------------------------------------------
// Routes.

const createdNames = new Set<string>();

async function deleteQuietly(name: string): Promise<void> {
  await call(deleteTeam, 'deleteTeam', 'delete-team.json', { headers: ANY_VERSION, path: { name }, caller: ADMIN });
  createdNames.delete(name);
}

afterAll(async () => {
  for (const name of [...createdNames]) await deleteQuietly(name);
});

async function givenTeam(prefix: string, groupsOfTeam: string[]): Promise<string> {
  const name = uniqueTeamName(prefix);
  const body = teamBody(name, { members: { cognitoGroups: groupsOfTeam } });
  const created = await call(createTeam, 'createTeam', 'create-team.json', { body });
  if (created.statusCode !== 201) throw new Error(`could not create ${name}: ${JSON.stringify(created.body)}`);
  createdNames.add(name);
  return name;
}

describe('POST /teams with random bodies', () => {
  it(`answers ${RUNS} random bodies (seed ${SEED}): no 5xx, every 4xx shaped and free of e-mail addresses`, async () => {
    await fuzz('POST /teams', createBody, async (body) => {
      const result = await call(createTeam, 'createTeam', 'create-team.json', { body });
      // A body that really created a team: delete it at once, so the account never reaches its 25 teams.
      if (result.statusCode < 300 && typeof result.body.name === 'string') {
        createdNames.add(result.body.name);
        await deleteQuietly(result.body.name);
      }
      return result;
    });
  }, 120_000);
});

describe('PATCH /teams/{name} with random bodies', () => {
  let name: string;

  beforeAll(async () => {
    name = await givenTeam('fuzz', ['labelers-en']);
  });

  it(`answers ${RUNS} random bodies (seed ${SEED}): no 5xx, every 4xx shaped and free of e-mail addresses`, async () => {
    await fuzz('PATCH /teams/{name}', fc.tuple(patchBody, pathSegment, fc.nat(19)), ([body, other, pick]) =>
      call(updateTeam, 'updateTeam', 'update-team.json', { path: { name: pick === 0 ? other : name }, body }),
    );
  }, 120_000);
});

describe('member routes with random bodies and group names', () => {
  let name: string;

  beforeAll(async () => {
    name = await givenTeam('fuzz-members', ['labelers-en', 'reviewers']);
  });

  it(`POST /teams/{name}/members answers ${RUNS} random bodies (seed ${SEED}): no 5xx, every 4xx shaped and free of e-mail addresses`, async () => {
    await fuzz('POST /teams/{name}/members', fc.tuple(membersBody, pathSegment, fc.nat(19)), ([body, other, pick]) =>
      call(addTeamMembers, 'addTeamMembers', 'add-team-members.json', {
        path: { name: pick === 0 ? other : name },
        body,
      }),
    );
  }, 120_000);

  it(`DELETE /teams/{name}/members/{group} answers ${RUNS} random group names (seed ${SEED}): no 5xx, every 4xx shaped and free of e-mail addresses`, async () => {
    await fuzz(
      'DELETE /teams/{name}/members/{group}',
      fc.tuple(pathSegment, pathSegment, fc.nat(19)),
      ([group, other, pick]) =>
        call(removeTeamMember, 'removeTeamMember', 'remove-team-member.json', {
          path: { name: pick === 0 ? other : name, group },
        }),
    );
  }, 120_000);
});

describe('GET /teams with random query strings', () => {
  it(`answers ${RUNS} random queries (seed ${SEED}): no 5xx, every 4xx shaped and free of e-mail addresses`, async () => {
    await fuzz('GET /teams', listQuery, (query) =>
      invokeHttp(listTeams, 'listTeams', 'list-teams.json', (event) => {
        event.queryStringParameters = query;
        event.rawQueryString = new URLSearchParams(query).toString();
      }),
    );
  }, 120_000);
});
