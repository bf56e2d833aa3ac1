/**
 * The local event bus's own parts: EventBridge's pattern semantics for the subset it supports (and a clear refusal
 * of the rest), the rules it reads from a resolved serverless configuration (functions' eventBridge events and
 * AWS::Events::Rule resources with queue targets), and its deliveries against a stand-in for serverless offline's
 * Lambda invoke endpoint and this worker's local SQS: an asynchronous invocation (Lambda's retries of a function
 * error and its on-failure destination), EventBridge's retry policy and dead-letter queue for what it cannot
 * hand over, duplicates, and the function's concurrency. And serverless offline (13) as the local cloud runs it,
 * with a tiny service of its own: a function that timed out does not hang its later calls.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { ACCOUNT_ID, FUNCTIONS_CALLER_ARN, FUNCTIONS_ROLE_ARN } from '../../local/cloud';
import {
  type BusEvent,
  type FunctionRule,
  rulesFromConfig,
  serverlessOfflineNodeArgs,
  startEventBus,
  UnsupportedRuleError,
} from '../../local/event-bus';
import {
  compilePattern,
  InvalidPatternError,
  matchesPattern,
  UnsupportedPatternError,
} from '../../local/event-pattern';
import { reservePort, waitForPort } from '../../local/ports';
import type { PrintedConfig } from '../../local/sqs-event-source';
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
    const byFunctions = workteamWrite({
      type: 'AssumedRole',
      arn: FUNCTIONS_CALLER_ARN,
      sessionContext: { sessionIssuer: { type: 'Role', arn: FUNCTIONS_ROLE_ARN } },
    });
    const byLookalike = workteamWrite({
      type: 'AssumedRole',
      arn: `arn:aws:sts::${ACCOUNT_ID}:assumed-role/workteam-automation-local-functions/jane`,
      sessionContext: {
        sessionIssuer: { type: 'Role', arn: `arn:aws:iam::${ACCOUNT_ID}:role/workteam-automation-local-functions` },
      },
    });

    // Act / Assess: who is ours is read from the role's path, not from its name
    expect(matchesPattern(auditPattern(), byOperator)).toBe(true);
    expect(matchesPattern(auditPattern(), byAnotherRole)).toBe(true);
    expect(matchesPattern(auditPattern(), byLookalike)).toBe(true);
    expect(matchesPattern(auditPattern(), byFunctions)).toBe(false);
  });

  it('evaluates $or, and exists: false, as EventBridge does', () => {
    // Prepare
    const pattern = compilePattern({ $or: [{ source: ['a'] }, { detail: { issuer: [{ exists: false }] } }] }, 'test');

    // Act / Assess
    expect(matchesPattern(pattern, { source: 'a', detail: { issuer: 'x' } })).toBe(true);
    expect(matchesPattern(pattern, { source: 'b', detail: {} })).toBe(true);
    expect(matchesPattern(pattern, { source: 'b', detail: { issuer: 'x' } })).toBe(false);
  });

  it('does not match when the field is absent, as EventBridge does, but matches null and a number', () => {
    // Prepare
    const pattern = compilePattern({ detail: { state: [{ 'anything-but': { prefix: 'init' } }] } }, 'test');

    // Act / Assess
    // A caller with no session issuer at all (an IAM user, root, a service) is audited: the rule's other branch
    expect(matchesPattern(auditPattern(), workteamWrite(undefined))).toBe(true);
    expect(matchesPattern(auditPattern(), workteamWrite({ type: 'Unknown' }))).toBe(true);
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
  it("reads each function's eventBridge patterns, retry policy and Lambda's async settings; schedules and other events are no rules", () => {
    // Act
    const rules = rulesFromConfig({
      service: 'svc',
      provider: { stage: 'local' },
      functions: {
        sync: {
          name: 'svc-local-sync',
          maximumRetryAttempts: 1,
          reservedConcurrency: 3,
          destinations: { onFailure: { type: 'sqs', arn: { 'Fn::GetAtt': ['SyncDeadLetterQueue', 'Arn'] } } },
          events: [
            {
              eventBridge: {
                pattern: { source: ['aws.cognito-idp'] },
                retryPolicy: { maximumRetryAttempts: 2 },
                deadLetterQueueArn: 'arn:aws:sqs:us-east-1:000000000000:svc-local-rule-dlq',
              },
            },
            { eventBridge: { schedule: 'rate(5 minutes)' } },
          ],
        },
        audit: { name: 'svc-local-audit', events: [{ eventBridge: { pattern: { source: ['aws.sagemaker'] } } }] },
        api: { name: 'svc-local-api', events: [{ httpApi: { method: 'GET', path: '/' } }] },
      },
      resources: {
        Resources: {
          SyncDeadLetterQueue: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'svc-local-sync-dlq' } },
        },
      },
    });

    // Assess: EventBridge's defaults (185 retries, 24 hours) and Lambda's (2 retries, 6 hours) where none is set
    expect(rules).toEqual([
      {
        target: 'lambda',
        ruleName: 'svc-local-sync-rule-1',
        functionKey: 'sync',
        functionName: 'svc-local-sync',
        pattern: { source: ['aws.cognito-idp'] },
        maximumRetryAttempts: 2,
        maximumEventAgeSeconds: 86_400,
        deadLetterQueue: 'svc-local-rule-dlq',
        asyncRetryAttempts: 1,
        asyncMaximumEventAgeSeconds: 21_600,
        onFailureQueue: 'svc-local-sync-dlq',
        reservedConcurrency: 3,
      },
      {
        target: 'lambda',
        ruleName: 'svc-local-audit-rule-1',
        functionKey: 'audit',
        functionName: 'svc-local-audit',
        pattern: { source: ['aws.sagemaker'] },
        maximumRetryAttempts: 185,
        maximumEventAgeSeconds: 86_400,
        asyncRetryAttempts: 2,
        asyncMaximumEventAgeSeconds: 21_600,
      },
    ]);
  });

  it('reads the AWS::Events::Rule resources with a pattern whose targets are queues of the stack', () => {
    // Act
    const rules = rulesFromConfig(queueRuleConfig());

    // Assess
    expect(rules).toEqual([
      {
        target: 'sqs',
        ruleName: 'svc-local-CognitoChangesRule',
        targetId: 'cognito-changes',
        queueName: 'svc-local-cognito-changes',
        pattern: { source: ['aws.cognito-idp'], 'detail-type': ['AWS API Call via CloudTrail'] },
        maximumRetryAttempts: 8,
        maximumEventAgeSeconds: 3600,
        deadLetterQueue: 'svc-local-cognito-sync-dlq',
      },
    ]);
  });

  it('refuses what it cannot do as AWS would: input transformation, another bus, an operator, other destinations', () => {
    // Prepare
    const withRule =
      (eventBridge: Record<string, unknown>, fn: Record<string, unknown> = {}) =>
      () =>
        rulesFromConfig({ functions: { sync: { name: 'n', ...fn, events: [{ eventBridge }] } } });
    const withTarget = (target: Record<string, unknown>) => () => {
      const config = queueRuleConfig();
      const rule = config.resources?.Resources?.CognitoChangesRule?.Properties as {
        Targets: Record<string, unknown>[];
      };
      rule.Targets = [{ ...rule.Targets[0], ...target }];
      return rulesFromConfig(config);
    };

    // Act / Assess
    expect(withRule({ pattern: { source: ['a'] }, inputTransformer: {} })).toThrow(UnsupportedRuleError);
    expect(withRule({ pattern: { source: ['a'] }, eventBus: 'orders' })).toThrow(/default bus only/);
    expect(withRule({ pattern: { source: [{ prefix: 'a' }] } })).toThrow(UnsupportedPatternError);
    expect(withRule({ pattern: { source: ['a'] } }, { maximumRetryAttempts: 3 })).toThrow(/maximumRetryAttempts/);
    expect(
      withRule({ pattern: { source: ['a'] } }, { destinations: { onFailure: { type: 'sns', arn: 'arn:aws:sns:x' } } }),
    ).toThrow(/onFailure to an SQS queue only/);
    expect(withTarget({ InputTransformer: { InputTemplate: '"x"' } })).toThrow(/does not support InputTransformer/);
    expect(withTarget({ Arn: { 'Fn::GetAtt': ['SyncLambdaFunction', 'Arn'] } })).toThrow(/not an AWS::SQS::Queue/);
    expect(withTarget({ Arn: { 'Fn::ImportValue': 'shared-queue-arn' } })).toThrow(UnsupportedRuleError);
  });
});

/** The contract's shape: an AWS::Events::Rule resource whose target is a queue of the stack, with a DLQ. */
function queueRuleConfig(): PrintedConfig {
  return {
    service: 'svc',
    provider: { stage: 'local' },
    resources: {
      Resources: {
        CognitoSyncDeadLetterQueue: {
          Type: 'AWS::SQS::Queue',
          Properties: { QueueName: 'svc-local-cognito-sync-dlq' },
        },
        CognitoChangesQueue: {
          Type: 'AWS::SQS::Queue',
          Properties: {
            QueueName: 'svc-local-cognito-changes',
            VisibilityTimeout: 720,
            RedrivePolicy: {
              deadLetterTargetArn: { 'Fn::GetAtt': ['CognitoSyncDeadLetterQueue', 'Arn'] },
              maxReceiveCount: 5,
            },
          },
        },
        CognitoChangesRule: {
          Type: 'AWS::Events::Rule',
          Properties: {
            EventPattern: { source: ['aws.cognito-idp'], 'detail-type': ['AWS API Call via CloudTrail'] },
            Targets: [
              {
                Id: 'cognito-changes',
                Arn: { 'Fn::GetAtt': ['CognitoChangesQueue', 'Arn'] },
                RetryPolicy: { MaximumEventAgeInSeconds: 3600, MaximumRetryAttempts: 8 },
                DeadLetterConfig: { Arn: { 'Fn::GetAtt': ['CognitoSyncDeadLetterQueue', 'Arn'] } },
              },
            ],
          },
        },
      },
    },
  };
}

interface Invocation {
  path: string;
  invocationType: string;
  body: unknown;
}

/** What the stand-in answers: a reply, after an optional delay. */
type Reply = { status: number; headers?: Record<string, string>; body: string; delayMs?: number };
const OK: Reply = { status: 200, body: '{"teams":[]}' };
// A handler that throws: 200 with X-Amz-Function-Error, as serverless offline (and Lambda) answer it.
const FUNCTION_ERROR: Reply = {
  status: 200,
  headers: { 'x-amz-function-error': 'Unhandled' },
  body: '{"errorMessage":"boom ana@example.com","errorType":"Error"}',
};

describe('the local event bus: deliveries', () => {
  let server: Server;
  let lambdaUrl: string;
  const received: Invocation[] = [];
  let replies: Reply[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const sqs = new SQSClient({ endpoint: process.env.AWS_ENDPOINT_URL_SQS });

  beforeAll(async () => {
    // Stands in for serverless offline's Lambda endpoint: answers the queued replies in turn, then OK; an unknown
    // function is a 404. Counts the invocations in flight.
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        received.push({
          path: req.url ?? '',
          invocationType: String(req.headers['x-amz-invocation-type']),
          body: JSON.parse(Buffer.concat(chunks).toString('utf8')),
        });
        const reply = req.url?.includes('/functions/svc-local-missing/')
          ? { status: 404, headers: { 'x-amzn-errortype': 'ResourceNotFoundException' }, body: '{}' }
          : (replies.shift() ?? OK);
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        setTimeout(() => {
          inFlight--;
          res.writeHead(reply.status, reply.headers).end(reply.body);
        }, reply.delayMs ?? 0);
      });
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const address = server.address();
    lambdaUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });

  afterAll(async () => {
    sqs.destroy();
    await new Promise<void>((done) => server.close(() => done()));
  });

  beforeEach(() => {
    received.length = 0;
    replies = [];
    maxInFlight = 0;
  });

  const rule = (functionName: string, overrides: Partial<FunctionRule> = {}): FunctionRule => ({
    target: 'lambda',
    ruleName: `${functionName}-rule-1`,
    functionKey: functionName.split('-').pop() ?? functionName,
    functionName,
    pattern: cognitoPattern(),
    maximumRetryAttempts: 3,
    maximumEventAgeSeconds: 3600,
    asyncRetryAttempts: 2,
    asyncMaximumEventAgeSeconds: 21_600,
    ...overrides,
  });

  /** A fresh queue of this worker's local SQS. */
  async function givenQueue(prefix: string): Promise<{ name: string; url: string }> {
    const name = `${prefix}-${randomUUID().slice(0, 8)}`;
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
    return { name, url: QueueUrl ?? '' };
  }

  async function messagesOf(url: string) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
        MessageAttributeNames: ['All'],
      }),
    );
    return Messages;
  }

  it("invokes the matching rule's function with the event, once, and logs no content", async () => {
    // Prepare
    const lines: string[] = [];
    const bus = startEventBus({ rules: [rule('svc-local-sync')], lambdaUrl, sqs, log: (l) => lines.push(l) });
    const added = event('cognito-add-user-to-group.json');

    // Act
    const matched = bus.put(added);
    const unmatched = bus.put(event('cognito-disable-user.json'));
    await bus.idle();

    // Assess
    expect([matched, unmatched]).toEqual([1, 0]);
    expect(received).toEqual([
      { path: '/2015-03-31/functions/svc-local-sync/invocations', invocationType: 'RequestResponse', body: added },
    ]);
    expect(lines).toEqual([
      `event-bus: event ${event('cognito-disable-user.json').id} AdminDisableUser: no rule matches`,
      expect.stringMatching(
        new RegExp(`^event-bus: event ${added.id} AdminAddUserToGroup -> sync: delivered \\(attempt 1, \\d+ ms\\)$`),
      ),
    ]);
    expect(lines.join('\n')).not.toContain('labelers-en');
  });

  it("retries a function error as Lambda does, maximumRetryAttempts times after 1 and 2 minutes (scaled), then sends Lambda's invocation record to the on-failure queue", async () => {
    // Prepare: the function fails every time
    const onFailure = await givenQueue('bus-on-failure');
    replies = [FUNCTION_ERROR, FUNCTION_ERROR, FUNCTION_ERROR, FUNCTION_ERROR];
    const lines: string[] = [];
    const bus = startEventBus({
      rules: [rule('svc-local-sync', { onFailureQueue: onFailure.name, deadLetterQueue: 'never-used' })],
      lambdaUrl,
      sqs,
      log: (l) => lines.push(l),
      asyncRetryScale: 0.001,
    });
    const added = event('cognito-add-user-to-group.json');

    // Act
    bus.put(added);
    await bus.idle();

    // Assess: the first invocation and Lambda's two retries, no more (EventBridge retries nothing of it)
    expect(received).toHaveLength(3);
    expect(lines).toEqual([
      `event-bus: event ${added.id} AdminAddUserToGroup -> sync: the function failed (Unhandled Error), invocation 1; Lambda invokes it again in 60 ms`,
      `event-bus: event ${added.id} AdminAddUserToGroup -> sync: the function failed (Unhandled Error), invocation 2; Lambda invokes it again in 120 ms`,
      `event-bus: event ${added.id} AdminAddUserToGroup -> sync: the function failed (Unhandled Error) 3 times; RetriesExhausted, sent to the on-failure destination ${onFailure.name}`,
    ]);
    // The function's error message is not logged (it may hold an address); the record keeps it.
    expect(lines.join('\n')).not.toMatch(/boom|example\.com/);
    const [message, ...others] = await messagesOf(onFailure.url);
    expect(others).toEqual([]);
    expect(JSON.parse(message?.Body ?? '{}')).toEqual({
      version: '1.0',
      timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      requestContext: {
        requestId: expect.any(String),
        functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:svc-local-sync:$LATEST',
        condition: 'RetriesExhausted',
        approximateInvokeCount: 3,
      },
      requestPayload: added,
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      responsePayload: { errorMessage: 'boom ana@example.com', errorType: 'Error' },
    });
  });

  it("delivers an event whose function succeeds on one of Lambda's retries, and drops one without an on-failure destination", async () => {
    // Prepare
    replies = [FUNCTION_ERROR, OK];
    const lines: string[] = [];
    const bus = startEventBus({
      rules: [rule('svc-local-sync')],
      lambdaUrl,
      sqs,
      log: (l) => lines.push(l),
      asyncRetryScale: 0.001,
    });
    const added = event('cognito-add-user-to-group.json');

    // Act
    bus.put(added);
    await bus.idle();
    replies = [FUNCTION_ERROR, FUNCTION_ERROR, FUNCTION_ERROR];
    bus.put(added);
    await bus.idle();

    // Assess
    expect(received).toHaveLength(5);
    expect(lines[1]).toMatch(/-> sync: delivered \(attempt 2, \d+ ms\)$/);
    expect(lines[4]).toMatch(
      /-> sync: the function failed \(Unhandled Error\) 3 times; RetriesExhausted, discarded \(no on-failure destination\)$/,
    );
  });

  it("retries a delivery error within the rule's retry policy, then dead-letters the event with AWS's attributes; a missing function at once", async () => {
    // Prepare: the endpoint answers 500 without a function error (Lambda's service failing), every time
    const deadLetters = await givenQueue('bus-dlq');
    replies = Array.from({ length: 10 }, () => ({ status: 500, body: '{}' }));
    const lines: string[] = [];
    const bus = startEventBus({
      rules: [
        rule('svc-local-sync', { maximumRetryAttempts: 2, deadLetterQueue: deadLetters.name }),
        rule('svc-local-missing', { deadLetterQueue: deadLetters.name }),
      ],
      lambdaUrl,
      sqs,
      log: (l) => lines.push(l),
      baseDelayMs: 5,
    });
    const added = event('cognito-add-user-to-group.json');

    // Act
    bus.put(added);
    await bus.idle();

    // Assess: three attempts (two retries) of the one, a single one of the missing function
    expect(received.filter((r) => r.path.includes('svc-local-sync'))).toHaveLength(3);
    expect(received.filter((r) => r.path.includes('svc-local-missing'))).toHaveLength(1);
    expect(lines.filter((l) => l.includes('retry in'))).toEqual([
      expect.stringMatching(/-> sync: attempt 1 failed \(the invoke endpoint answered 500\); retry in 5 ms$/),
      expect.stringMatching(/-> sync: attempt 2 failed \(the invoke endpoint answered 500\); retry in 10 ms$/),
    ]);
    const attributes = (await messagesOf(deadLetters.url))
      .map((message) => {
        expect(JSON.parse(message.Body ?? '{}')).toEqual(added);
        return Object.fromEntries(
          Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => [name, value.StringValue]),
        );
      })
      .sort((a, b) => String(a.TARGET_ARN).localeCompare(String(b.TARGET_ARN)));
    expect(attributes).toEqual([
      {
        RULE_ARN: 'arn:aws:events:us-east-1:000000000000:rule/svc-local-missing-rule-1',
        TARGET_ARN: 'arn:aws:lambda:us-east-1:000000000000:function:svc-local-missing',
        ERROR_CODE: 'NO_RESOURCE',
        ERROR_MESSAGE: 'the function does not exist',
        RETRY_ATTEMPTS: '0',
      },
      {
        RULE_ARN: 'arn:aws:events:us-east-1:000000000000:rule/svc-local-sync-rule-1',
        TARGET_ARN: 'arn:aws:lambda:us-east-1:000000000000:function:svc-local-sync',
        ERROR_CODE: 'INTERNAL_ERROR',
        ERROR_MESSAGE: 'the invoke endpoint answered 500',
        EXHAUSTED_RETRY_CONDITION: 'MaximumRetryAttempts',
        RETRY_ATTEMPTS: '2',
      },
    ]);
    expect(lines.filter((l) => l.includes('given up'))).toEqual([
      expect.stringMatching(
        `-> missing: given up, not retryable \\(the function does not exist\\); sent to the dead-letter queue ${deadLetters.name}$`,
      ),
      expect.stringMatching(
        `-> sync: given up, after 3 attempts \\(the invoke endpoint answered 500\\); sent to the dead-letter queue ${deadLetters.name}$`,
      ),
    ]);
  });

  it('retries while the endpoint is not up yet, and stops retrying when stopped', async () => {
    // Prepare: nothing listens on a port that was free a moment ago
    const lines: string[] = [];
    const bus = startEventBus({
      rules: [rule('svc-local-sync', { maximumRetryAttempts: 100 })],
      lambdaUrl: `http://127.0.0.1:${await reservePort(0, 'nothing')}`,
      sqs,
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

  it('delivers a share of the events twice, concurrently, with the duplicate knob (at least once, as EventBridge)', async () => {
    // Prepare: each invocation takes a moment, so that the two deliveries overlap
    replies = Array.from({ length: 4 }, () => ({ ...OK, delayMs: 50 }));
    const lines: string[] = [];
    const always = startEventBus({
      rules: [rule('svc-local-sync')],
      lambdaUrl,
      sqs,
      log: (l) => lines.push(l),
      duplicateRate: 1,
    });
    const never = startEventBus({ rules: [rule('svc-local-sync')], lambdaUrl, sqs, duplicateRate: 0, log: () => {} });
    const added = event('cognito-add-user-to-group.json');

    // Act
    always.put(added);
    await always.idle();
    const twice = received.length;
    never.put(added);
    await never.idle();

    // Assess
    expect([twice, received.length - twice]).toEqual([2, 1]);
    expect(maxInFlight).toBe(2);
    expect(lines).toEqual([
      expect.stringMatching(/-> sync: delivered \(attempt 1, \d+ ms\)$/),
      expect.stringMatching(/-> sync \(duplicate\): delivered \(attempt 1, \d+ ms\)$/),
    ]);
    expect(() => startEventBus({ rules: [], lambdaUrl, duplicateRate: 2 })).toThrow(/LOCAL_EVENT_DUPLICATE_RATE/);
  });

  it('invokes a function at most its reserved concurrency at once, or the default concurrency; the rest waits', async () => {
    // Prepare: slow invocations, more events than the concurrency
    replies = Array.from({ length: 12 }, () => ({ ...OK, delayMs: 50 }));
    const reserved = startEventBus({
      rules: [rule('svc-local-sync', { reservedConcurrency: 2 })],
      lambdaUrl,
      sqs,
      log: () => {},
    });
    const byDefault = startEventBus({
      rules: [rule('svc-local-sync')],
      lambdaUrl,
      sqs,
      log: () => {},
      defaultConcurrency: 4,
    });
    const events = Array.from({ length: 6 }, (_, index) => ({
      ...event('cognito-add-user-to-group.json'),
      id: `e${index}`,
    }));

    // Act
    for (const each of events) reserved.put(each);
    await reserved.idle();
    const reservedMax = maxInFlight;
    const reservedCount = received.length;
    maxInFlight = 0;
    for (const each of events) byDefault.put(each);
    await byDefault.idle();

    // Assess: every event delivered, never more at once than allowed
    expect([reservedCount, reservedMax]).toEqual([6, 2]);
    expect([received.length - reservedCount, maxInFlight]).toEqual([6, 4]);
  });
});

describe('serverless offline as the local cloud runs it', () => {
  let dir: string;
  let offline: ChildProcess | undefined;
  let lambdaPort: number;
  let output = '';

  beforeAll(async () => {
    // A tiny service of its own: one function with a 1-second timeout that sleeps as long as the event says.
    dir = mkdtempSync(join(tmpdir(), 'offline-timeout-'));
    symlinkSync(resolve(__dirname, '../../node_modules'), join(dir, 'node_modules'));
    writeFileSync(
      join(dir, 'serverless.yml'),
      [
        'service: offline-timeout',
        "frameworkVersion: '3 || 4'",
        'provider: { name: aws, runtime: nodejs20.x, region: us-east-1 }',
        'plugins: [serverless-offline]',
        'custom: { serverless-offline: { host: 127.0.0.1 } }',
        'functions: { sleepy: { handler: handler.sleepy, timeout: 1 } }',
      ].join('\n'),
    );
    writeFileSync(
      join(dir, 'handler.js'),
      `const { threadId } = require('node:worker_threads');
exports.sleepy = async (event) => {
  await new Promise((done) => setTimeout(done, event.sleepMs));
  return { slept: event.sleepMs, threadId };
};`,
    );
    const httpPort = await reservePort(0, 'offline HTTP');
    lambdaPort = await reservePort(0, 'offline Lambda');
    offline = spawn(
      process.execPath,
      [
        ...serverlessOfflineNodeArgs(),
        resolve(__dirname, '../../node_modules/osls/bin/serverless.js'),
        'offline',
        'start',
        '--httpPort',
        String(httpPort),
        '--lambdaPort',
        String(lambdaPort),
      ],
      {
        cwd: dir,
        env: { ...process.env, SLS_TELEMETRY_DISABLED: '1', AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y' },
      },
    );
    offline.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    offline.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    await waitForPort(lambdaPort, 60_000).catch((error: Error) => {
      throw new Error(`${error.message}\n${output}`);
    });
  }, 90_000);

  afterAll(async () => {
    if (offline && offline.exitCode === null && offline.signalCode === null) {
      const exited = new Promise((done) => offline?.once('exit', done));
      offline.kill('SIGINT');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  const invoke = async (sleepMs: number) => {
    const response = await fetch(
      `http://127.0.0.1:${lambdaPort}/2015-03-31/functions/offline-timeout-dev-sleepy/invocations`,
      {
        method: 'POST',
        headers: { 'x-amz-invocation-type': 'RequestResponse' },
        body: JSON.stringify({ sleepMs }),
      },
    );
    const body = (await response.json()) as { slept?: number; threadId?: number; errorMessage?: string };
    return { functionError: response.headers.get('x-amz-function-error'), body };
  };

  it('answers the calls after a timed-out one from a fresh worker, and keeps warm instances warm', async () => {
    // Act
    const warm = [await invoke(0), await invoke(0)];
    const timedOut = await invoke(3000);
    const after = [await invoke(0), await invoke(0)];

    // Assess: the timeout is the function's error; the next calls are answered by the function, not timed out
    expect(warm.map((call) => call.functionError)).toEqual([null, null]);
    expect(warm[1]?.body.threadId).toBe(warm[0]?.body.threadId);
    expect(timedOut).toMatchObject({ functionError: 'Unhandled', body: { errorMessage: '[504] - Lambda timeout.' } });
    expect(after).toEqual([
      { functionError: null, body: { slept: 0, threadId: expect.any(Number) } },
      { functionError: null, body: { slept: 0, threadId: after[0]?.body.threadId } },
    ]);
    expect(after[0]?.body.threadId).not.toBe(warm[0]?.body.threadId);
    expect(output).not.toContain('timeout fix is not applied');
  });
});
