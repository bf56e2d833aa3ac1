/**
 * The local event bus's own parts: EventBridge's pattern semantics for the subset it supports (and a clear refusal
 * of the rest), the rules it reads from a resolved serverless configuration, and its deliveries and retries
 * against a stand-in for serverless offline's Lambda invoke endpoint.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { resolve } from 'node:path';
import { ACCOUNT_ID, FUNCTIONS_CALLER_ARN } from '../../local/cloud';
import { type BusEvent, rulesFromConfig, startEventBus, UnsupportedRuleError } from '../../local/event-bus';
import {
  compilePattern,
  InvalidPatternError,
  matchesPattern,
  UnsupportedPatternError,
} from '../../local/event-pattern';
import { reservePort } from '../../local/ports';
import { AUDIT_RULE_PATTERN } from '../support/events';

const event = (file: string) =>
  JSON.parse(readFileSync(resolve(__dirname, '../../events', file), 'utf8')) as BusEvent & {
    detail: { requestParameters: Record<string, string> };
  };

/** The pattern of cognitoSync in serverless.yml, with the events' pool. */
const cognitoPattern = () =>
  compilePattern(
    {
      source: ['aws.cognito-idp'],
      'detail-type': ['AWS API Call via CloudTrail'],
      detail: {
        eventSource: ['cognito-idp.amazonaws.com'],
        eventName: ['AdminAddUserToGroup', 'AdminRemoveUserFromGroup', 'DeleteGroup'],
        requestParameters: { userPoolId: ['us-east-1_AbCdEf123'] },
      },
    },
    'of cognitoSync',
  );

describe('the local event bus: patterns', () => {
  it('matches an event whose every field holds one of the listed values, nested fields included', () => {
    // Act / Assess
    expect(matchesPattern(cognitoPattern(), event('cognito-add-user-to-group.json'))).toBe(true);
    expect(matchesPattern(cognitoPattern(), event('cognito-delete-group.json'))).toBe(true);
  });

  it('does not match another value, a missing field, or a nested field of another pool', () => {
    // Prepare
    const disabled = event('cognito-disable-user.json');
    const otherPool = event('cognito-add-user-to-group.json');
    otherPool.detail.requestParameters.userPoolId = 'us-east-1_Other1';
    const noPool = event('cognito-add-user-to-group.json');
    delete (noPool.detail.requestParameters as Partial<Record<string, string>>).userPoolId;
    const otherType = { ...event('cognito-add-user-to-group.json'), 'detail-type': 'Scheduled Event' };

    // Act / Assess
    for (const candidate of [disabled, otherPool, noPool, otherType]) {
      expect(matchesPattern(cognitoPattern(), candidate)).toBe(false);
    }
  });

  it('matches an array field when one of its values is listed, and a nested pattern when one element matches', () => {
    // Prepare
    const pattern = compilePattern({ resources: ['arn:b'], detail: { items: { state: ['on'] } } }, 'test');

    // Act / Assess
    expect(
      matchesPattern(pattern, {
        resources: ['arn:a', 'arn:b'],
        detail: { items: [{ state: 'off' }, { state: 'on' }] },
      }),
    ).toBe(true);
    expect(matchesPattern(pattern, { resources: ['arn:a'], detail: { items: [{ state: 'on' }] } })).toBe(false);
    expect(matchesPattern(pattern, { resources: ['arn:b'], detail: { items: 'on' } })).toBe(false);
    expect(matchesPattern(compilePattern({ n: [5], b: [false], z: [null] }, 'test'), { n: 5, b: false, z: null })).toBe(
      true,
    );
    expect(matchesPattern(compilePattern({ n: [5] }, 'test'), { n: '5' })).toBe(false);
  });

  it('refuses a filter it does not evaluate, naming the rule and the field, and malformed patterns', () => {
    // Act / Assess
    expect(() => compilePattern({ detail: { eventName: [{ prefix: 'Admin' }] } }, 'of cognitoSync')).toThrow(
      new UnsupportedPatternError('of cognitoSync at detail.eventName', 'the "prefix" filter'),
    );
    expect(() => compilePattern({ source: [{ 'anything-but': { suffix: '.png' } }] }, 'x')).toThrow(
      new UnsupportedPatternError('x at source', 'the "anything-but" filter with "suffix"'),
    );
    expect(() => compilePattern({ $or: [{ source: ['a'] }, { source: ['b'] }] }, 'x')).toThrow(/does not support \$or/);
    expect(() => compilePattern({ source: 'aws.cognito-idp' }, 'x')).toThrow(InvalidPatternError);
    expect(() => compilePattern({ source: [] }, 'x')).toThrow(InvalidPatternError);
    expect(() => compilePattern({ source: [{ nonsense: 1 }] }, 'x')).toThrow(InvalidPatternError);
    expect(() => compilePattern({}, 'x')).toThrow(InvalidPatternError);
  });
});

/** An "AWS API Call via CloudTrail" event of a SageMaker work team write by the given caller. */
const workteamWrite = (userIdentity: Record<string, unknown> | undefined) => ({
  id: 'e1',
  source: 'aws.sagemaker',
  'detail-type': 'AWS API Call via CloudTrail',
  detail: {
    eventSource: 'sagemaker.amazonaws.com',
    eventName: 'UpdateWorkteam',
    ...(userIdentity ? { userIdentity } : {}),
  },
});

const auditPattern = () => compilePattern(AUDIT_RULE_PATTERN, 'of audit');

describe('the local event bus: anything-but', () => {
  it("matches an IAM user's work team write with anything-but prefix, and not one of the system's own role", () => {
    // Prepare
    const byOperator = workteamWrite({ type: 'IAMUser', arn: `arn:aws:iam::${ACCOUNT_ID}:user/local-operator` });
    const byAnotherRole = workteamWrite({
      type: 'AssumedRole',
      arn: `arn:aws:sts::${ACCOUNT_ID}:assumed-role/Admin/jane`,
    });
    const byFunctions = workteamWrite({ type: 'AssumedRole', arn: FUNCTIONS_CALLER_ARN });

    // Act / Assess
    expect(matchesPattern(auditPattern(), byOperator)).toBe(true);
    expect(matchesPattern(auditPattern(), byAnotherRole)).toBe(true);
    expect(matchesPattern(auditPattern(), byFunctions)).toBe(false);
  });

  it('does not match when the field is absent, as EventBridge does, but matches null and a number', () => {
    // Prepare
    const pattern = compilePattern({ detail: { state: [{ 'anything-but': { prefix: 'init' } }] } }, 'test');

    // Act / Assess
    expect(matchesPattern(auditPattern(), workteamWrite(undefined))).toBe(false);
    expect(matchesPattern(auditPattern(), workteamWrite({ type: 'Unknown' }))).toBe(false);
    expect(matchesPattern(pattern, { detail: {} })).toBe(false);
    expect(matchesPattern(pattern, { detail: { state: null } })).toBe(true);
    expect(matchesPattern(pattern, { detail: { state: 12 } })).toBe(true);
    expect(matchesPattern(pattern, { detail: { state: { nested: 'x' } } })).toBe(false);
  });

  it('excludes one value, a list of values, or several prefixes; an array field matches when one value is not excluded', () => {
    // Prepare
    const one = compilePattern({ state: [{ 'anything-but': 'initializing' }] }, 'test');
    const list = compilePattern({ state: [{ 'anything-but': ['stopped', 'overloaded'] }] }, 'test');
    const numbers = compilePattern({ limit: [{ 'anything-but': [100, 200] }] }, 'test');
    const prefixes = compilePattern({ state: [{ 'anything-but': { prefix: ['init', 'stop'] } }] }, 'test');

    // Act / Assess
    expect([matchesPattern(one, { state: 'running' }), matchesPattern(one, { state: 'initializing' })]).toEqual([
      true,
      false,
    ]);
    expect([matchesPattern(list, { state: 'running' }), matchesPattern(list, { state: 'stopped' })]).toEqual([
      true,
      false,
    ]);
    expect([matchesPattern(numbers, { limit: 300 }), matchesPattern(numbers, { limit: 200 })]).toEqual([true, false]);
    expect([matchesPattern(prefixes, { state: 'post-init' }), matchesPattern(prefixes, { state: 'stopping' })]).toEqual(
      [true, false],
    );
    expect(matchesPattern(list, { state: ['stopped', 'running'] })).toBe(true);
    expect(matchesPattern(list, { state: ['stopped', 'overloaded'] })).toBe(false);
    expect(matchesPattern(list, { state: [] })).toBe(false);
  });

  it('matches when one of the listed matchers does: an exact value or an anything-but', () => {
    // Prepare
    const pattern = compilePattern({ state: ['stopped', { 'anything-but': { prefix: 's' } }] }, 'test');

    // Act / Assess
    expect(matchesPattern(pattern, { state: 'stopped' })).toBe(true);
    expect(matchesPattern(pattern, { state: 'running' })).toBe(true);
    expect(matchesPattern(pattern, { state: 'starting' })).toBe(false);
  });

  it('refuses an anything-but EventBridge would refuse', () => {
    // Act / Assess
    for (const operand of [
      { prefix: '' },
      { prefix: [] },
      ['a', 1],
      [],
      [null],
      true,
      {},
      { prefix: 'a', suffix: 'b' },
    ]) {
      expect(() => compilePattern({ state: [{ 'anything-but': operand }] }, 'x')).toThrow(InvalidPatternError);
    }
    expect(() => compilePattern({ state: [{ 'anything-but': 'a', prefix: 'b' }] }, 'x')).toThrow(InvalidPatternError);
  });
});

describe('the local event bus: rules', () => {
  it("reads each function's eventBridge patterns and retry policy; schedules and other events are no rules", () => {
    // Act
    const rules = rulesFromConfig({
      functions: {
        sync: {
          name: 'svc-local-sync',
          events: [
            { eventBridge: { pattern: { source: ['aws.cognito-idp'] }, retryPolicy: { maximumRetryAttempts: 2 } } },
            { eventBridge: { schedule: 'rate(5 minutes)' } },
          ],
        },
        api: { name: 'svc-local-api', events: [{ httpApi: { method: 'GET', path: '/' } }] },
      },
    });

    // Assess
    expect(rules).toEqual([
      {
        functionKey: 'sync',
        functionName: 'svc-local-sync',
        pattern: { source: ['aws.cognito-idp'] },
        maximumRetryAttempts: 2,
        maximumEventAgeSeconds: 86_400,
      },
    ]);
  });

  it('refuses what it cannot do as EventBridge would: input transformation, another bus, an operator', () => {
    // Prepare
    const withRule = (eventBridge: Record<string, unknown>) => () =>
      rulesFromConfig({ functions: { sync: { name: 'n', events: [{ eventBridge }] } } });

    // Act / Assess
    expect(withRule({ pattern: { source: ['a'] }, inputTransformer: {} })).toThrow(UnsupportedRuleError);
    expect(withRule({ pattern: { source: ['a'] }, eventBus: 'orders' })).toThrow(/default bus only/);
    expect(withRule({ pattern: { source: [{ prefix: 'a' }] } })).toThrow(UnsupportedPatternError);
  });
});

describe('the local event bus: deliveries', () => {
  let server: Server;
  let lambdaUrl: string;
  const received: { path: string; invocationType: string; body: unknown }[] = [];
  let failures = 0;

  beforeAll(async () => {
    // Stands in for serverless offline's Lambda endpoint: the first `failures` invocations fail, like a handler that
    // throws (200 with X-Amz-Function-Error); an unknown function is a 404.
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        received.push({
          path: req.url ?? '',
          invocationType: String(req.headers['x-amz-invocation-type']),
          body: JSON.parse(Buffer.concat(chunks).toString('utf8')),
        });
        if (!req.url?.includes('/functions/svc-local-sync/')) {
          res.writeHead(404, { 'x-amzn-errortype': 'ResourceNotFoundException' }).end('{}');
        } else if (failures > 0) {
          failures--;
          res.writeHead(200, { 'x-amz-function-error': 'Unhandled' }).end('{"errorMessage":"boom"}');
        } else res.writeHead(200).end('{"teams":[]}');
      });
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const address = server.address();
    lambdaUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });

  afterAll(() => new Promise<void>((done) => server.close(() => done())));

  beforeEach(() => {
    received.length = 0;
    failures = 0;
  });

  const rule = (functionName: string, maximumRetryAttempts = 3) => ({
    functionKey: functionName.split('-').pop() ?? functionName,
    functionName,
    pattern: cognitoPattern(),
    maximumRetryAttempts,
    maximumEventAgeSeconds: 3600,
  });

  it("invokes the matching rule's function with the event, retries a failure with backoff, and logs no content", async () => {
    // Prepare
    failures = 2;
    const lines: string[] = [];
    const bus = startEventBus({
      rules: [rule('svc-local-sync')],
      lambdaUrl,
      log: (l) => lines.push(l),
      baseDelayMs: 10,
    });
    const added = event('cognito-add-user-to-group.json');

    // Act
    const matched = bus.put(added);
    const unmatched = bus.put(event('cognito-disable-user.json'));
    await bus.idle();

    // Assess
    expect([matched, unmatched]).toEqual([1, 0]);
    expect(received).toHaveLength(3);
    expect(received[2]).toEqual({
      path: '/2015-03-31/functions/svc-local-sync/invocations',
      invocationType: 'RequestResponse',
      body: added,
    });
    expect(lines).toEqual([
      `event-bus: event ${event('cognito-disable-user.json').id} AdminDisableUser: no rule matches`,
      `event-bus: event ${added.id} AdminAddUserToGroup -> sync: attempt 1 failed (the function failed: boom); retry in 10 ms`,
      `event-bus: event ${added.id} AdminAddUserToGroup -> sync: attempt 2 failed (the function failed: boom); retry in 20 ms`,
      expect.stringMatching(
        new RegExp(`^event-bus: event ${added.id} AdminAddUserToGroup -> sync: delivered \\(attempt 3, \\d+ ms\\)$`),
      ),
    ]);
    expect(lines.join('\n')).not.toContain('labelers-en');
  });

  it("gives up after the rule's retries, and at once on an unknown function", async () => {
    // Prepare
    failures = 10;
    const lines: string[] = [];
    const bus = startEventBus({
      rules: [rule('svc-local-sync', 1), rule('svc-local-missing')],
      lambdaUrl,
      log: (l) => lines.push(l),
      baseDelayMs: 10,
    });

    // Act
    bus.put(event('cognito-add-user-to-group.json'));
    await bus.idle();

    // Assess
    expect(received.filter((r) => r.path.includes('svc-local-sync'))).toHaveLength(2);
    expect(received.filter((r) => r.path.includes('svc-local-missing'))).toHaveLength(1);
    expect(lines.filter((l) => l.includes('given up'))).toEqual([
      expect.stringMatching(/-> missing: given up, not retryable \(the invoke endpoint answered 404\)/),
      expect.stringMatching(/-> sync: given up, after 2 attempts \(the function failed: boom\)/),
    ]);
  });

  it('retries while the endpoint is not up yet, and stops retrying when stopped', async () => {
    // Prepare: nothing listens on a port that was free a moment ago
    const lines: string[] = [];
    const bus = startEventBus({
      rules: [rule('svc-local-sync', 100)],
      lambdaUrl: `http://127.0.0.1:${await reservePort(0, 'nothing')}`,
      log: (l) => lines.push(l),
      baseDelayMs: 5,
    });

    // Act
    bus.put(event('cognito-add-user-to-group.json'));
    await new Promise((r) => setTimeout(r, 100));
    await bus.stop();
    const afterStop = lines.length;
    await new Promise((r) => setTimeout(r, 100));

    // Assess
    expect(lines[0]).toMatch(/attempt 1 failed \(ECONNREFUSED\); retry in 5 ms/);
    expect(lines.length).toBe(afterStop);
    expect(bus.put(event('cognito-add-user-to-group.json'))).toBe(0);
  });
});
