/**
 * Hostile input to the audit's functions, in-process against the local cloud: POST /audit (bodies of every wrong
 * type and size, prototype keys, e-mail addresses, base64, non-admin callers), GET /audit and GET /audit/runs/{id}
 * (path ids of every kind), and the audit function's EventBridge events (malformed ones are refused with a
 * ParseError and do nothing). The rules: no 5xx; every 4xx is `{ error: { code, message, details? } }` and names
 * the field; no e-mail address in an answer, a log line or an event; nothing done for a non-admin or for a
 * refused event (the SageMaker emulator's call counter stays empty and the latest run stays the latest).
 * Then a few hundred random bodies against POST /audit under a fixed seed; the few valid ones run a real audit,
 * never a remediation that writes (a valid `remediate` is always a dry run).
 */

import fc from 'fast-check';
import { handler as audit } from '../../functions/audit';
import { handler as worker } from '../../functions/audit-target';
import { handler as getAudit } from '../../functions/get-audit';
import { handler as startAudit } from '../../functions/start-audit';
import { logger } from '../../lib/runtime/observability';
import { scheduledAuditRun } from '../support/audit-runs';
import { busEvents, clearBusEvents } from '../support/events';
import { type HttpResult, invokeHttp, lambdaContext, loadEvent } from '../support/invoke';
import { captureLogOutput } from '../support/logs';
import { emulatorCalls, resetEmulatorCalls } from '../support/sagemaker-emulator-control';
import { ADMIN, call, OWNER, type RouteCall, SOMEONE_ELSE } from '../support/teams';

const SEED = 20_261_128;
const RUNS = 1_000;

// ---------------------------------------------------------------------------------------------------------------
// What every answer, log line and event must be.

/**
 * An e-mail address as a reader would recognise one (independent of the pattern the service masks with), but
 * not a masked one (`a**@example.com`: the character before the '@' is a '*').
 */
const EMAIL_ADDRESS = /[\p{L}\p{N}!#$%&'+/=?^_`{|}~.-]@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)*\.\p{L}{2,}/u;

const ERROR_KEYS = ['code', 'message', 'details'];

type Problem = '5xx' | 'shape' | 'email' | 'unnamed';

/** What is wrong with an answer: a 5xx, a 4xx without the error shape or naming no field, an e-mail address. */
function problemsOf(result: HttpResult): Problem[] {
  if (result.statusCode >= 500) return ['5xx'];
  const problems: Problem[] = [];
  if (EMAIL_ADDRESS.test(JSON.stringify(result.body))) problems.push('email');
  if (result.statusCode < 400) return problems;
  const error = result.body.error as Record<string, unknown> | undefined;
  const shaped =
    Object.keys(result.body).join() === 'error' &&
    typeof error === 'object' &&
    error !== null &&
    typeof error.code === 'string' &&
    /^[A-Za-z]+$/.test(error.code) &&
    typeof error.message === 'string' &&
    Object.keys(error).every((key) => ERROR_KEYS.includes(key));
  if (!shaped) problems.push('shape');
  if (result.statusCode === 400) {
    const details = error?.details;
    const named =
      Array.isArray(details) &&
      details.length > 0 &&
      details.every((detail) => typeof (detail as { path?: unknown }).path === 'string');
    if (!named) problems.push('unnamed');
  }
  return problems;
}

function pathsOf(result: HttpResult): string[] {
  const details = (result.body.error as { details?: { path: string }[] } | undefined)?.details ?? [];
  return details.map((detail) => detail.path).sort();
}

/** Everything the functions wrote to the logs since the test began, as the log service would hold it. */
const logs = captureLogOutput(logger);
const loggedText = () => logs.text();
afterAll(() => logs.restore());

afterEach(() => {
  const text = loggedText();
  logs.clear();
  expect(text.match(EMAIL_ADDRESS)?.[0]).toBeUndefined();
});

/** Nothing reached SageMaker since the counter was reset. */
async function expectNoSageMakerCall(): Promise<void> {
  const calls = await emulatorCalls();
  expect(Object.values(calls).reduce((sum, count) => sum + count, 0)).toBe(0);
}

async function latestRunId(): Promise<string | undefined> {
  const result = await call(getAudit, 'getAudit', 'get-audit.json', { caller: ADMIN });
  return result.statusCode === 200 ? String(result.body.runId) : undefined;
}

const postAudit = (options: RouteCall) => call(startAudit, 'startAudit', 'start-audit.json', options);

/** POST /audit with the body exactly as these characters (not JSON-encoded again). */
const postRaw = (body: string, extra: Partial<RouteCall> = {}) => postAudit({ caller: ADMIN, body, ...extra });

/** A refusal that did no work: the status, the error shape, the fields it names, and no SageMaker call. */
async function expectRefused(send: () => Promise<HttpResult>, status: number, fields?: string[]): Promise<HttpResult> {
  await resetEmulatorCalls();
  const result = await send();
  expect({ status: result.statusCode, problems: problemsOf(result) }).toEqual({ status, problems: [] });
  if (fields) expect(pathsOf(result)).toEqual([...fields].sort());
  await expectNoSageMakerCall();
  return result;
}

// A first run of every target, so that "the latest run stays the latest" means something: the schedule's, its
// targets taken by the worker (a run of one target a request names is no run of every team). The targets' queue
// exists, as in AWS, for a request that hands several targets out.
beforeAll(async () => {
  const first = await scheduledAuditRun(audit, worker);
  if (first.status !== 'complete') throw new Error(`the first audit is ${first.status}, not complete`);
});

// ---------------------------------------------------------------------------------------------------------------
// POST /audit

const deep = (depth: number, open: string, close: string, inner = '1') =>
  `${open.repeat(depth)}${inner}${close.repeat(depth)}`;
const MB = 1024 * 1024;

describe('POST /audit with bodies that are not an object of its fields', () => {
  it.each([
    ['an array', '[]'],
    ['an array of a valid body', '[{"mode":"report"}]'],
    ['a string', '"report"'],
    ['a string holding an e-mail address', '"jane.doe@example.com"'],
    ['a number', '42'],
    ['a negative float', '-1.5e308'],
    ['true', 'true'],
    ['false', 'false'],
    ['an empty JSON string', '""'],
    ['an array nested 100 000 deep', deep(100_000, '[', ']')],
    ['an object nested 100 000 deep', deep(100_000, '{"a":', '}')],
  ])('answers 400 naming the body for %s, and audits nothing', async (_case, body) => {
    const result = await expectRefused(() => postRaw(body), 400);
    expect(result.body).toMatchObject({ error: { code: 'ValidationFailed' } });
  });

  it.each([
    ['text', 'mode=report'],
    ['a truncated object', '{"mode":"report"'],
    ['a trailing comma', '{"mode":"report",}'],
    ['single quotes', "{'mode':'report'}"],
    ['a byte-order mark', '\uFEFF{"mode":"report"}'],
    ['a NUL', '\u0000'],
    ['an e-mail address', 'jane.doe@example.com'],
    ['two objects', '{}{}'],
    ['NaN', 'NaN'],
    ['1 MB of garbage with e-mail addresses', 'x jane.doe@example.com, '.repeat(MB / 24)],
    ['unclosed nesting 100 000 deep', '['.repeat(100_000)],
  ])('answers 400 on a body that is not JSON (%s), quoting nothing of it', async (_case, body) => {
    const result = await expectRefused(() => postRaw(body), 400, ['body']);
    expect(result.body).toMatchObject({ error: { code: 'ValidationFailed', details: [{ code: 'Json' }] } });
  });

  it('answers 400 naming the nested field for 100 000 levels of nesting under mode', async () => {
    await expectRefused(() => postRaw(`{"mode":${deep(100_000, '[', ']')},"dryRun":true}`), 400, ['mode']);
  });
});

describe('POST /audit with bodies of the right type but wrong fields', () => {
  it.each([
    ['mode in upper case', { mode: 'REPORT', dryRun: true }, ['mode']],
    ['mode capitalised', { mode: 'Remediate', dryRun: true }, ['mode']],
    ['mode with a space', { mode: 'report ', dryRun: true }, ['mode']],
    ['mode empty', { mode: '', dryRun: true }, ['mode']],
    ['mode null', { mode: null, dryRun: true }, ['mode']],
    ['mode a list', { mode: ['report'], dryRun: true }, ['mode']],
    ['mode an object', { mode: { report: true }, dryRun: true }, ['mode']],
    ['mode an e-mail address', { mode: 'jane.doe@example.com', dryRun: true }, ['mode']],
    ['dryRun "true"', { mode: 'remediate', dryRun: 'true' }, ['dryRun']],
    ['dryRun "false"', { dryRun: 'false' }, ['dryRun']],
    ['dryRun 1', { dryRun: 1 }, ['dryRun']],
    ['dryRun 0', { dryRun: 0 }, ['dryRun']],
    ['dryRun null', { dryRun: null }, ['dryRun']],
    ['dryRun a list', { dryRun: [true] }, ['dryRun']],
    ['team an e-mail address', { team: 'jane.doe@example.com', dryRun: true }, ['team']],
    ['team an IDN e-mail address', { team: 'ü@exämple.de', dryRun: true }, ['team']],
    ['team with a dot', { team: 'image.labelers', dryRun: true }, ['team']],
    ['team with a slash', { team: 'image/labelers', dryRun: true }, ['team']],
    ['team ..', { team: '..', dryRun: true }, ['team']],
    ['team ../x', { team: '../image-labelers', dryRun: true }, ['team']],
    ['team %2e%2e', { team: '%2e%2e', dryRun: true }, ['team']],
    ['team of 64 characters', { team: 'a'.repeat(64), dryRun: true }, ['team']],
    ['team of 1 MB', { team: 'a'.repeat(MB), dryRun: true }, ['team']],
    ['team of 1 MB of e-mail addresses', { team: 'jane.doe@example.com '.repeat(MB / 21) }, ['team']],
    ['team with a leading hyphen', { team: '-image-labelers', dryRun: true }, ['team']],
    ['team with a trailing hyphen', { team: 'image-labelers-', dryRun: true }, ['team']],
    ['team with a space', { team: 'image labelers', dryRun: true }, ['team']],
    ['team with a newline', { team: 'image-labelers\n', dryRun: true }, ['team']],
    ['team in Unicode', { team: 'équipe-ü', dryRun: true }, ['team']],
    ['team an emoji', { team: '🏷️', dryRun: true }, ['team']],
    ['team with a fullwidth letter', { team: 'ｉmage-labelers', dryRun: true }, ['team']],
    ['team empty', { team: '', dryRun: true }, ['team']],
    ['team null', { team: null, dryRun: true }, ['team']],
    ['team a number', { team: 42, dryRun: true }, ['team']],
    ['team a list', { team: ['image-labelers'], dryRun: true }, ['team']],
    ['team an object', { team: { name: 'image-labelers' }, dryRun: true }, ['team']],
    ['an unknown field', { mode: 'report', dryRun: true, force: true }, ['force']],
    ['an unknown field named by an e-mail address', { 'jane.doe@example.com': 1, dryRun: true }, ['[email]']],
    [
      'every field wrong',
      { mode: 'all', dryRun: 'yes', team: 'jane.doe@example.com', extra: 1 },
      ['dryRun', 'extra', 'mode', 'team'],
    ],
  ])('answers 400 naming the field for %s, quoting no e-mail address', async (_case, body, fields) => {
    await expectRefused(() => postAudit({ caller: ADMIN, body }), 400, fields);
  });

  it.each([
    ['__proto__ lifting isAdmin', '{"__proto__":{"isAdmin":true,"mode":"remediate"},"dryRun":true}', ['__proto__']],
    ['__proto__ null', '{"__proto__":null,"dryRun":true}', ['__proto__']],
    ['constructor', '{"constructor":{"prototype":{"mode":"remediate"}},"dryRun":true}', ['constructor']],
    ['toString and hasOwnProperty', '{"toString":1,"hasOwnProperty":2,"dryRun":true}', ['hasOwnProperty', 'toString']],
    ['mode twice, the last one bad', '{"mode":"report","mode":"Report","dryRun":true}', ['mode']],
    ['1 MB of unknown fields', `{${Array.from({ length: 60_000 }, (_, i) => `"f${i}":1`).join(',')}}`, undefined],
    ['a 1 MB key holding an e-mail address', `{"${'a'.repeat(MB)}@example.com":1,"dryRun":true}`, ['[email]']],
  ])('answers 400 for %s', async (_case, body, fields) => {
    await expectRefused(() => postRaw(body), 400, fields);
  });

  it('answers 400 quickly on 1 MB of address-like text in a field (masking stays linear)', async () => {
    const started = Date.now();
    const team = `${'a@b.cd/'.repeat(MB / 14)}${' x@'.repeat(MB / 6)}`;
    await expectRefused(() => postAudit({ caller: ADMIN, body: { team } }), 400, ['team']);
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});

describe('POST /audit with base64 bodies', () => {
  const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

  it.each([
    ['a valid dry run', base64('{"mode":"remediate","dryRun":true,"team":"image-labelers"}'), 201],
    ['an array', base64('[1]'), 400],
    ['text that is not JSON', base64('jane.doe@example.com'), 400],
    ['characters that are not base64', '!!!@@@***', 400],
    ['JSON that is not base64', '{"mode":"report"}', 400],
    ['invalid UTF-8', Buffer.from([0xff, 0xfe, 0x7b, 0x7d]).toString('base64'), 400],
    ['a team that is an e-mail address', base64('{"team":"jane.doe@example.com"}'), 400],
    ['1 MB of base64 garbage', 'QUJD'.repeat(MB / 4), 400],
  ])('isBase64Encoded with %s: no 5xx, no address', async (_case, body, status) => {
    await resetEmulatorCalls();
    const result = await invokeWith(startAudit, 'startAudit', 'start-audit.json', (event) => {
      event.body = body;
      event.isBase64Encoded = true;
    });
    expect({ status: result.statusCode, problems: problemsOf(result) }).toEqual({ status, problems: [] });
    if (status === 201) expect(result.body).toMatchObject({ mode: 'remediate', dryRun: true, team: 'image-labelers' });
    else await expectNoSageMakerCall();
  });
});

describe('POST /audit from anyone but an administrator', () => {
  const notAdmins = [
    ['a team owner', OWNER],
    ['a labeler', SOMEONE_ELSE],
    ['a member of the admin group without isAdmin', { ...OWNER, groups: 'workteam-admins,labelers-en' }],
  ] as const;
  const bodies: [string, unknown][] = [
    ['no body', undefined],
    ['an empty body', {}],
    ['a report', { mode: 'report' }],
    ['a remediation of a seeded team', { mode: 'remediate', dryRun: false, team: 'image-labelers' }],
    ['a remediation of everything', { mode: 'remediate' }],
  ];

  it.each(notAdmins.flatMap(([who, caller]) => bodies.map(([what, body]) => [who, what, caller, body] as const)))(
    'answers 403 to %s sending %s, before any work',
    async (_who, _what, caller, body) => {
      const before = await latestRunId();
      const result = await expectRefused(() => postAudit({ caller, ...(body === undefined ? {} : { body }) }), 403);
      expect(result.body).toEqual({ error: { code: 'Forbidden', message: 'Only administrators can run an audit' } });
      expect(await latestRunId()).toBe(before);
    },
  );

  it('runs a dry run for an administrator whose username is an e-mail address, quoting it nowhere', async () => {
    const caller = { ...ADMIN, username: 'ops.lead@example.com' };
    const result = await postAudit({ caller, body: { mode: 'remediate', dryRun: true, team: 'image-labelers' } });
    expect({ status: result.statusCode, problems: problemsOf(result) }).toEqual({ status: 201, problems: [] });
  });

  it.each([
    ['an invalid body', { mode: 'REMEDIATE', team: 'jane.doe@example.com' }],
    ['text', 'jane.doe@example.com'],
  ])('refuses a non-admin sending %s with a 4xx, before any work', async (_case, body) => {
    const before = await latestRunId();
    await resetEmulatorCalls();
    const result = await postAudit({ caller: OWNER, body });
    expect(problemsOf(result)).toEqual([]);
    expect([400, 403]).toContain(result.statusCode);
    await expectNoSageMakerCall();
    expect(await latestRunId()).toBe(before);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// GET /audit and GET /audit/runs/{id}

type EventChange = (event: Record<string, unknown>) => void;

/** Through invokeHttp, so that every answer is checked against the OpenAPI document too. */
function invokeWith(
  handler: typeof getAudit | typeof startAudit,
  name: string,
  file: string,
  change: EventChange,
  caller = ADMIN,
): Promise<HttpResult> {
  return invokeHttp(handler, name, file, (event) => {
    (event.requestContext as { authorizer: { lambda: unknown } }).authorizer.lambda = caller;
    change(event);
  });
}

/** GET /audit/runs/{id} as API Gateway hands it over: the id decoded in pathParameters, the raw path as sent. */
const getRun = (id: string, rawId = encodeURIComponent(id), caller = ADMIN) =>
  invokeWith(
    getAudit,
    'getAudit',
    'get-audit.json',
    (event) => {
      event.routeKey = 'GET /audit/runs/{id}';
      event.pathParameters = { id };
      event.rawPath = `/audit/runs/${rawId}`;
      event.routeKey = 'GET /audit/runs/{id}';
    },
    caller,
  );

describe('GET /audit/runs/{id} with hostile ids', () => {
  it.each([
    ['..', '..', '..'],
    ['.', '.', '.'],
    ['%2e%2e as sent', '..', '%2e%2e'],
    ['%2e%2e decoded once', '%2e%2e', '%252e%252e'],
    ['../ as the id', '../runs', '..%2Fruns'],
    ['a slash', 'a/b', 'a%2Fb'],
    ['an e-mail address', 'jane.doe@example.com', 'jane.doe%40example.com'],
    ['an e-mail address of 64 characters', `${'j'.repeat(52)}@example.com`, undefined],
    ['valid-looking but unknown', '20200101T000000000Z-00000000', undefined],
    ['valid-looking in upper case', '20200101T000000000Z-ABCDEF12', undefined],
    ['valid-looking with a trailing newline', '20200101T000000000Z-00000000\n', undefined],
    ['Unicode digits', '２０２００１０１T000000000Z-00000000', undefined],
    ['an emoji', '🧾', undefined],
    ['a NUL', '\u0000', undefined],
    ['__proto__', '__proto__', undefined],
    ['constructor', 'constructor', undefined],
    ['latest', 'latest', undefined],
    ['a space', ' ', undefined],
    ['64 characters', 'r'.repeat(64), undefined],
  ])('answers a 4xx for %s, in the error shape, without an address', async (_case, id, rawId) => {
    const result = await getRun(id, rawId);
    expect(problemsOf(result)).toEqual([]);
    expect([400, 404]).toContain(result.statusCode);
  });

  it.each([
    ['65 characters', 'r'.repeat(65)],
    ['100 000 characters', 'r'.repeat(100_000)],
    ['1 MB of e-mail addresses', 'jane.doe@example.com;'.repeat(MB / 21)],
    ['empty', ''],
  ])('answers 400 naming id for %s', async (_case, id) => {
    const result = await getRun(id);
    expect({ status: result.statusCode, problems: problemsOf(result), paths: pathsOf(result) }).toEqual({
      status: 400,
      problems: [],
      paths: ['id'],
    });
  });

  it('answers 403 to anyone but an administrator, whatever the id', async () => {
    const latest = (await latestRunId()) as string;
    for (const caller of [OWNER, SOMEONE_ELSE]) {
      for (const id of [latest, '20200101T000000000Z-00000000', 'jane.doe@example.com']) {
        const result = await getRun(id, undefined, caller);
        expect({ status: result.statusCode, problems: problemsOf(result) }).toEqual({ status: 403, problems: [] });
      }
      const current = await call(getAudit, 'getAudit', 'get-audit.json', { caller });
      expect({ status: current.statusCode, problems: problemsOf(current) }).toEqual({ status: 403, problems: [] });
    }
  });

  it.each([
    ['an e-mail address', 'jane.doe@example.com'],
    ['a path', '../runs'],
    ['64 characters', 'a'.repeat(64)],
    ['empty', ''],
    ['1 MB', 'a'.repeat(MB)],
  ])('answers 400 naming team for GET /audit?team= %s', async (_case, team) => {
    const result = await invokeWith(getAudit, 'getAudit', 'get-audit.json', (event) => {
      event.queryStringParameters = { team };
      event.rawQueryString = `team=${encodeURIComponent(team)}`;
    });
    expect({ status: result.statusCode, problems: problemsOf(result), paths: pathsOf(result) }).toEqual({
      status: 400,
      problems: [],
      paths: ['team'],
    });
  });

  it('answers 404 for GET /audit?team= of a team no single-team run audited', async () => {
    const result = await invokeWith(getAudit, 'getAudit', 'get-audit.json', (event) => {
      event.queryStringParameters = { team: 'never-audited-alone' };
      event.rawQueryString = 'team=never-audited-alone';
    });
    expect({ status: result.statusCode, problems: problemsOf(result) }).toEqual({ status: 404, problems: [] });
  });

  it('ignores a query string on GET /audit, and answers the latest run', async () => {
    const result = await invokeWith(getAudit, 'getAudit', 'get-audit.json', (event) => {
      event.queryStringParameters = JSON.parse('{"id":"jane.doe@example.com","__proto__":"x"}');
      event.rawQueryString = 'id=jane.doe%40example.com&__proto__=x';
    });
    expect({ status: result.statusCode, problems: problemsOf(result) }).toEqual({ status: 200, problems: [] });
  });

  it('answers 400 naming the body for a GET /audit whose body is not JSON (every route parses a body)', async () => {
    const result = await invokeWith(getAudit, 'getAudit', 'get-audit.json', (event) => {
      event.body = 'jane.doe@example.com {';
    });
    expect({ status: result.statusCode, problems: problemsOf(result), paths: pathsOf(result) }).toEqual({
      status: 400,
      problems: [],
      paths: ['body'],
    });
  });
});

// ---------------------------------------------------------------------------------------------------------------
// The audit function's EventBridge events

type AnyEvent = Record<string, unknown> & { detail?: unknown };

const cloudTrail = (): AnyEvent & { detail: Record<string, unknown> } =>
  loadEvent('audit-workteam-update.json') as AnyEvent & { detail: Record<string, unknown> };
const scheduled = (): AnyEvent => loadEvent('audit-schedule.json') as AnyEvent;

function withDetail(change: (detail: Record<string, unknown>) => void): AnyEvent {
  const event = cloudTrail();
  change(event.detail);
  return event;
}

function withParameters(parameters: unknown): AnyEvent {
  return withDetail((detail) => {
    detail.requestParameters = parameters;
  });
}

const invokeAudit = (event: unknown) => audit(event as never, lambdaContext('audit'));

/** The event is refused with a ParseError; no SageMaker call, no new run, no Finding event. */
async function expectEventRefused(event: unknown): Promise<void> {
  const before = await latestRunId();
  await resetEmulatorCalls();
  await clearBusEvents();
  const outcome = await invokeAudit(event).then(
    (result) => ({ threw: false as const, result }),
    (error: unknown) => ({ threw: true as const, error }),
  );
  expect(outcome.threw ? { name: (outcome.error as Error).name } : { result: outcome.result }).toEqual({
    name: 'ParseError',
  });
  if (outcome.threw) {
    const error = outcome.error as Error;
    expect(`${error.message}\n${error.stack}`.match(EMAIL_ADDRESS)?.[0]).toBeUndefined();
  }
  await expectNoSageMakerCall();
  expect(await latestRunId()).toBe(before);
  expect(await busEvents('workteam-automation')).toEqual([]);
}

describe('the audit function with malformed events', () => {
  it.each([
    ['no requestParameters', withDetail((detail) => delete detail.requestParameters)],
    ['requestParameters null', withParameters(null)],
    ['requestParameters empty', withParameters({})],
    ['requestParameters a list', withParameters([{ workteamName: 'image-labelers' }])],
    ['requestParameters a string', withParameters('image-labelers')],
    ['workteamName an e-mail address', withParameters({ workteamName: 'jane.doe@example.com' })],
    ['workteamName with a dot', withParameters({ workteamName: 'image.labelers' })],
    ['workteamName with a slash', withParameters({ workteamName: 'private-crowd/image-labelers' })],
    ['workteamName ..', withParameters({ workteamName: '..' })],
    ['workteamName of 64 characters', withParameters({ workteamName: 'a'.repeat(64) })],
    ['workteamName of 1 MB', withParameters({ workteamName: 'a'.repeat(MB) })],
    ['workteamName empty', withParameters({ workteamName: '' })],
    ['workteamName in Unicode', withParameters({ workteamName: 'équipe' })],
    ['workteamName a number', withParameters({ workteamName: 42 })],
    ['workteamName null', withParameters({ workteamName: null })],
    ['workteamName a list', withParameters({ workteamName: ['image-labelers'] })],
    ['workteamName a trailing newline', withParameters({ workteamName: 'image-labelers\n' })],
    ['eventName DescribeWorkteam', withDetail((detail) => Object.assign(detail, { eventName: 'DescribeWorkteam' }))],
    ['eventName in lower case', withDetail((detail) => Object.assign(detail, { eventName: 'updateworkteam' }))],
    ['eventName DeleteWorkforce', withDetail((detail) => Object.assign(detail, { eventName: 'DeleteWorkforce' }))],
    ['eventName empty', withDetail((detail) => Object.assign(detail, { eventName: '' }))],
    ['eventName __proto__', withDetail((detail) => Object.assign(detail, { eventName: '__proto__' }))],
    ['no eventName', withDetail((detail) => delete detail.eventName)],
    [
      'another eventSource',
      withDetail((detail) => Object.assign(detail, { eventSource: 'cognito-idp.amazonaws.com' })),
    ],
    ['no eventSource', withDetail((detail) => delete detail.eventSource)],
    ['no eventID', withDetail((detail) => delete detail.eventID)],
    ['eventID empty', withDetail((detail) => Object.assign(detail, { eventID: '' }))],
    ['eventID a number', withDetail((detail) => Object.assign(detail, { eventID: 7 }))],
    ['errorCode a number', withDetail((detail) => Object.assign(detail, { errorCode: 400 }))],
    ['no eventTime', withDetail((detail) => delete detail.eventTime)],
    ['eventTime not a time', withDetail((detail) => Object.assign(detail, { eventTime: 'yesterday' }))],
    ['eventTime a number', withDetail((detail) => Object.assign(detail, { eventTime: 1_764_327_761 }))],
    ['eventTime an e-mail address', withDetail((detail) => Object.assign(detail, { eventTime: 'lu@example.com' }))],
    ['detail a list', { ...cloudTrail(), detail: [cloudTrail().detail] }],
    ['detail an empty list', { ...scheduled(), detail: [] }],
    ['detail null', { ...cloudTrail(), detail: null }],
    ['detail a string', { ...cloudTrail(), detail: 'UpdateWorkteam image-labelers' }],
    ['detail a number', { ...scheduled(), detail: 0 }],
    ['no detail', (({ detail: _detail, ...rest }) => rest)(cloudTrail())],
    ['a scheduled detail with a field', { ...scheduled(), detail: { force: true } }],
    ['a scheduled detail with __proto__', { ...scheduled(), detail: JSON.parse('{"__proto__":{"x":1}}') }],
    ['a scheduled detail with an e-mail key', { ...scheduled(), detail: { 'jane.doe@example.com': 1 } }],
    ['no id', (({ id: _id, ...rest }) => rest)(scheduled())],
    ['no detail-type', (({ 'detail-type': _type, ...rest }) => rest)(scheduled())],
    ['no source', (({ source: _source, ...rest }) => rest)(scheduled())],
    ['time not a time', { ...scheduled(), time: 'yesterday' }],
    ['resources not a list', { ...scheduled(), resources: 'arn:aws:events:rule/x' }],
    ['an empty object', {}],
    ['a list', [scheduled()]],
    ['a string', 'Scheduled Event'],
    ['null', null],
    ['detail nested 10 000 deep', { ...cloudTrail(), detail: JSON.parse(deep(10_000, '[', ']')) }],
  ])('refuses an event with %s and does nothing', async (_case, event) => {
    await expectEventRefused(event);
  });

  it('refuses a CloudTrail record whose detail is empty, rather than auditing everything', async () => {
    await expectEventRefused({ ...cloudTrail(), detail: {} });
  });

  it("refuses a Scheduled Event carrying a CloudTrail record's detail, rather than auditing that team", async () => {
    await expectEventRefused({ ...scheduled(), detail: cloudTrail().detail });
  });
});

describe('e-mail addresses in the fields EventBridge and CloudTrail fill in', () => {
  // In AWS these are set by EventBridge (id), pinned by the rule's pattern (detail-type) or set by CloudTrail
  // (eventID); whoever can invoke the function or put events on a bus can set them to anything.
  it('a refused event with an e-mail address as its id: the address is not logged', async () => {
    await expectEventRefused({ ...withParameters({ workteamName: 'x@y' }), id: 'jane.doe@example.com' });
  });

  it('a refused event with an e-mail address as its detail-type: the address is not logged', async () => {
    await expectEventRefused({ ...scheduled(), detail: { x: 1 }, 'detail-type': 'john.roe@example.com' });
  });

  it('a scheduled event with an e-mail address as its id: the run logs no address', async () => {
    const report = (await invokeAudit({ ...scheduled(), id: 'kim.lee@example.com' })) as Record<string, unknown>;
    expect(report).toMatchObject({ trigger: 'schedule' });
  });

  it('a record of a refused call with an e-mail address as its eventID: the address is not logged', async () => {
    const event = withDetail((detail) => Object.assign(detail, { errorCode: 'Throttling', eventID: 'lu@example.com' }));
    expect(await invokeAudit(event)).toEqual({ ignored: 'the call failed' });
  });
});

describe('the audit function with odd but well-formed events', () => {
  it('audits the one team of a CloudTrail record carrying extra fields everywhere', async () => {
    const event = cloudTrail();
    // A call made now: no earlier run of the team covers it.
    event.detail.eventTime = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    Object.assign(event, { extra: { nested: { 'jane.doe@example.com': 1 } } });
    Object.assign(event.detail, {
      additionalEventData: JSON.parse('{"__proto__":{"polluted":true},"constructor":1}'),
      someoneElse: 'jane.doe@example.com',
      requestParameters: {
        workteamName: 'image-labelers',
        memberDefinitions: [{ cognitoMemberDefinition: { userGroup: 'jane.doe@example.com' } }],
      },
    });

    const report = (await invokeAudit(event)) as Record<string, unknown>;

    expect(report).toMatchObject({ trigger: 'event', team: 'image-labelers' });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(JSON.stringify(report).match(EMAIL_ADDRESS)?.[0]).toBeUndefined();
  });

  it('ignores a record of a call SageMaker refused, without a SageMaker call or logging an address', async () => {
    await resetEmulatorCalls();
    const event = withDetail((detail) => Object.assign(detail, { errorCode: 'jane.doe@example.com' }));
    expect(await invokeAudit(event)).toEqual({ ignored: 'the call failed' });
    await expectNoSageMakerCall();
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Random bodies

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
    'a'.repeat(64),
    'REPORT',
    'Remediate',
    'true',
    'false',
    'line\nbreak',
    '\u2028',
    'ü@exämple.de',
    'jane.doe@example.com',
  ),
);

const unknownFields = fc.dictionary(hostileText, fc.jsonValue({ maxDepth: 3 }), { minKeys: 1, maxKeys: 3 });

/** Mostly invalid; when a body is valid and asks for remediation, it is always a dry run (nothing is written). */
const auditBody: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: fc.jsonValue() },
  {
    weight: 14,
    arbitrary: fc
      .record(
        {
          mode: fc.oneof(
            { weight: 2, arbitrary: fc.constantFrom('report', 'remediate') },
            { weight: 5, arbitrary: hostileText },
            { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
          ),
          dryRun: fc.oneof(
            { weight: 2, arbitrary: fc.boolean() },
            { weight: 3, arbitrary: fc.constantFrom('true', 'false', 0, 1, null, [], {}) },
            { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
          ),
          team: fc.oneof(
            { weight: 1, arbitrary: fc.constantFrom('image-labelers', 'medical-annotators', 'no-such-team') },
            { weight: 6, arbitrary: hostileText },
            { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
          ),
          extra: fc.oneof({ weight: 3, arbitrary: fc.constant({}) }, { weight: 2, arbitrary: unknownFields }),
        },
        { requiredKeys: [] },
      )
      .map(({ extra, ...body }) => {
        const merged: Record<string, unknown> = { ...body, ...(extra ?? {}) };
        if (merged.mode === 'remediate') merged.dryRun = merged.dryRun === false ? 'false' : merged.dryRun;
        if (merged.mode === 'remediate' && merged.dryRun === undefined) merged.dryRun = true;
        return merged;
      }),
  },
  {
    weight: 2,
    arbitrary: fc
      .oneof(
        hostileText,
        fc.jsonValue().map((value) => `${JSON.stringify(value)}}`),
      )
      .map((text) => ({
        raw: text,
      })),
  },
);

/** A body is sent raw when wrapped as `{ raw }` by the arbitrary above, else JSON-encoded. */
function bodyToSend(input: unknown): string {
  const raw = (input as { raw?: unknown } | null)?.raw;
  if (typeof input === 'object' && input !== null && !Array.isArray(input) && typeof raw === 'string') {
    if (Object.keys(input).length === 1) return raw;
  }
  return JSON.stringify(input);
}

/** Whether the service may write for this body: a valid remediation that is not a dry run. */
function writes(body: string): boolean {
  try {
    const parsed = JSON.parse(body) as Record<string, unknown> | null;
    return parsed?.mode === 'remediate' && (parsed.dryRun === false || parsed.dryRun === undefined);
  } catch {
    return false;
  }
}

describe('POST /audit with random bodies', () => {
  const tally: Record<string, number> = {};
  let ms = 0;

  afterAll(() => {
    const listed = Object.entries(tally)
      .sort(([, a], [, b]) => b - a)
      .map(([key, count]) => `${key} ${count}`)
      .join(', ');
    console.log(`POST /audit, ${RUNS} random bodies (seed ${SEED}) in ${(ms / 1000).toFixed(1)} s: ${listed}`);
  });

  it(`answers ${RUNS} random bodies (seed ${SEED}): no 5xx, every 4xx shaped, named and free of addresses`, async () => {
    const problems: Record<Problem, number> = { '5xx': 0, shape: 0, email: 0, unnamed: 0 };
    const examples: { problems: string[]; body: string; status: number; response: unknown }[] = [];
    const started = Date.now();
    let cases = 0;
    await fc.assert(
      fc.asyncProperty(auditBody, async (input) => {
        const body = bodyToSend(input);
        if (writes(body)) return;
        cases += 1;
        await resetEmulatorCalls();
        const result = await postRaw(body);
        const error = result.body.error as { code?: string } | undefined;
        tally[String(error?.code ?? result.statusCode)] = (tally[String(error?.code ?? result.statusCode)] ?? 0) + 1;
        const found: string[] = problemsOf(result);
        if (result.statusCode >= 400) {
          const calls = Object.values(await emulatorCalls()).reduce((sum, count) => sum + count, 0);
          if (calls > 0) found.push('work before refusal');
        }
        for (const problem of found) problems[problem as Problem] = (problems[problem as Problem] ?? 0) + 1;
        if (found.length > 0 && examples.length < 3) {
          examples.push({
            problems: found,
            body: body.slice(0, 300),
            status: result.statusCode,
            response: result.body,
          });
        }
      }),
      { seed: SEED, numRuns: RUNS },
    );
    ms = Date.now() - started;
    expect({ cases: cases > RUNS * 0.9, problems, examples }).toEqual({
      cases: true,
      problems: { '5xx': 0, shape: 0, email: 0, unnamed: 0 },
      examples: [],
    });
  }, 300_000);
});
