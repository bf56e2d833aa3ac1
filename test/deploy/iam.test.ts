/**
 * The CloudFormation template that `serverless package` produces offline: one role per function, each
 * allowed only the actions its code calls; a read function cannot write; SageMaker writes only to the teams this
 * system tags as its own, of its own stage (a dev stack cannot write a prod stack's teams), and only adoptTeam may
 * tag a team nobody manages, with that tag alone; every traced function may write traces (Lambda refuses to create one that cannot).
 * Every role has the stack's IAM path, by which the audit's real-time rule knows the stack's own calls (whatever
 * the stage's length, and however CloudFormation names the roles); the stack's trail exists only when asked for.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MANAGED_BY_KEY, managementTagOf, UNSTAGED_MANAGED_BY_VALUE } from '#lib/domain/management-tag';
import { compilePattern, matchesPattern } from '../../local/event-pattern';
import { conditionsHold, type RequestContext, teamRequest } from '../support/iam-conditions';
import {
  PACKAGE_ENV,
  PACKAGE_STAGE,
  type PackagedTemplate,
  packagedTemplate,
  type TemplateJson,
} from '../support/package';
import { serverless } from '../support/serverless';

type Json = TemplateJson;
interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

/** What each function's code calls, and so all its role may allow (beyond its own logs and X-Ray). */
const RECONCILE = [
  'sagemaker:DescribeWorkteam',
  'sagemaker:CreateWorkteam',
  'sagemaker:UpdateWorkteam',
  'sagemaker:DeleteWorkteam',
  'sagemaker:AddTags',
  'sagemaker:DeleteTags',
  'sagemaker:ListTags',
  'sns:CreateTopic',
  'sns:SetTopicAttributes',
  'sns:TagResource',
  'sns:ListSubscriptionsByTopic',
  'sns:Subscribe',
  'sns:Unsubscribe',
  'sns:DeleteTopic',
  // Only on the operations topic (a team whose retries ran out is told there).
  'sns:Publish',
  'cognito-idp:ListUsersInGroup',
  'cognito-idp:GetGroup',
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  // Only the team's lease (its key starts with #lease/, see the condition test below).
  'dynamodb:DeleteItem',
];
const WORKFORCE_LOOKUP = ['sagemaker:ListWorkforces', 'sagemaker:DescribeWorkforce'];
/** The audit's reads and records; remediation adds reconcile's rights. */
const AUDIT = [
  ...RECONCILE,
  'sagemaker:ListWorkteams',
  'sagemaker:ListWorkforces',
  'sagemaker:ListTags',
  'tag:GetResources',
  'sns:GetTopicAttributes',
  'sns:ListSubscriptionsByTopic',
  'cognito-idp:ListUsersInGroup',
  'dynamodb:Query',
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:Query',
  'events:PutEvents',
  // Whether a trail logs the region's management events (account.no-trail).
  'cloudtrail:DescribeTrails',
  'cloudtrail:GetTrailStatus',
  'cloudtrail:GetEventSelectors',
];
/** Acting in another target: its role (infra/target.yml), whose own policy holds what may be done there. */
const TARGETS = ['sts:AssumeRole'];
const ALLOWED_ACTIONS: Record<string, string[]> = {
  authorizer: [],
  listTeams: [...TARGETS, 'sagemaker:ListWorkteams'],
  getTeam: [...TARGETS, 'sagemaker:DescribeWorkteam', 'sagemaker:ListTags', 'dynamodb:GetItem'],
  listWorkforces: [...TARGETS, 'sagemaker:ListWorkforces'],
  listTargets: [...TARGETS, 'sagemaker:ListWorkforces'],
  createTeam: [
    ...TARGETS,
    ...RECONCILE,
    ...WORKFORCE_LOOKUP,
    'sagemaker:ListWorkteams',
    'dynamodb:GetItem',
    'dynamodb:PutItem',
    'dynamodb:UpdateItem',
    'dynamodb:DeleteItem',
    'dynamodb:Query',
  ],
  updateTeam: [...TARGETS, ...RECONCILE, ...WORKFORCE_LOOKUP],
  addTeamMembers: [...TARGETS, ...RECONCILE],
  removeTeamMember: [...TARGETS, ...RECONCILE],
  deleteTeam: [...TARGETS, ...RECONCILE],
  adoptTeam: [...TARGETS, ...RECONCILE, ...WORKFORCE_LOOKUP],
  releaseTeam: [
    ...TARGETS,
    'sagemaker:DescribeWorkteam',
    'sagemaker:ListTags',
    'sagemaker:DeleteTags',
    'dynamodb:GetItem',
    'dynamodb:PutItem',
  ],
  retryPending: [...TARGETS, ...RECONCILE, 'dynamodb:Query'],
  resync: [...TARGETS, ...RECONCILE, 'dynamodb:Query'],
  cognitoSync: [
    ...TARGETS,
    ...RECONCILE,
    'cognito-idp:ListUsers',
    'cognito-idp:AdminListGroupsForUser',
    'sqs:ReceiveMessage',
    'sqs:DeleteMessage',
    'sqs:GetQueueAttributes',
    'dynamodb:Query',
  ],
  // Its dead-letter queue (a Lambda destination), and the targets' queue of a run of every target.
  audit: [...TARGETS, ...AUDIT, 'sqs:SendMessage', 'sqs:GetQueueUrl'],
  startAudit: [...TARGETS, ...AUDIT, 'sqs:GetQueueUrl', 'sqs:SendMessage'],
  auditTarget: [...TARGETS, ...AUDIT, 'sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'],
  getAudit: ['dynamodb:GetItem', 'dynamodb:Query'],
};
/** Actions that support no resource-level permissions, so only they may be granted on '*'. */
const UNSCOPABLE = [
  'cloudtrail:DescribeTrails',
  'tag:GetResources',
  'sagemaker:ListWorkteams',
  'sagemaker:ListWorkforces',
  'xray:PutTraceSegments',
  'xray:PutTelemetryRecords',
];
const PLUMBING = ['logs:CreateLogStream', 'logs:PutLogEvents', 'xray:PutTraceSegments', 'xray:PutTelemetryRecords'];

const XRAY = ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'];

let template: PackagedTemplate;

beforeAll(async () => {
  template = await packagedTemplate();
}, 180_000);

function functionLogicalId(name: string): string {
  return `${name.charAt(0).toUpperCase()}${name.slice(1)}LambdaFunction`;
}

function roleOf(
  functionName: string,
  packaged: PackagedTemplate = template,
): { logicalId: string; statements: Statement[]; properties: Json } {
  const fn = packaged.Resources[functionLogicalId(functionName)];
  if (!fn) throw new Error(`no function ${functionName} in the template`);
  const role = fn.Properties.Role as { 'Fn::GetAtt': [string, string] };
  const logicalId = role['Fn::GetAtt'][0];
  const properties = packaged.Resources[logicalId]?.Properties ?? {};
  const policies = (properties.Policies ?? []) as { PolicyDocument: { Statement: Statement[] } }[];
  return { logicalId, properties, statements: policies.flatMap((policy) => policy.PolicyDocument.Statement) };
}

const actionsOf = (statements: Statement[]) =>
  statements.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));

const granting = (statements: Statement[], action: string) => statements.filter((s) => actionsOf([s]).includes(action));

const namesAllowed = (action: string) =>
  Object.keys(ALLOWED_ACTIONS).filter((name) => ALLOWED_ACTIONS[name]?.includes(action));

const unique = (actions: string[]) => [...new Set(actions)].sort();

/** Whether the role of `name` allows `action` in the request `context` (the roles hold no Deny statement). */
function mayDo(packaged: PackagedTemplate, name: string, action: string, context: RequestContext): boolean {
  const statements = granting(roleOf(name, packaged).statements, action);
  if (statements.some((statement) => statement.Effect !== 'Allow')) throw new Error(`${name} has a Deny statement`);
  return statements.some((statement) => conditionsHold(statement.Condition, context));
}

/** The functions of the packaged stage whose roles allow `action` in the request `context`. */
const allowedTo = (packaged: PackagedTemplate, action: string, context: RequestContext) =>
  Object.keys(ALLOWED_ACTIONS).filter((name) => mayDo(packaged, name, action, context));

const KEY = MANAGED_BY_KEY;
/** The managed-by tag of the packaged stage (ci), and of a stage that shares its account. */
const OWN = managementTagOf(PACKAGE_STAGE);
const PROD = managementTagOf('prod');

const ACCOUNT = '123456789012';

interface AuditRulePattern {
  source: string[];
  detail: { eventName: string[]; userIdentity?: unknown; $or: unknown[] };
}

/** The one rule on SageMaker's CloudTrail events: the audit's real-time rule. */
function auditRule(packaged: PackagedTemplate) {
  const rules = Object.values(packaged.Resources).filter(
    (resource) =>
      resource.Type === 'AWS::Events::Rule' &&
      JSON.stringify(resource.Properties.EventPattern ?? null).includes('aws.sagemaker'),
  );
  expect(rules).toHaveLength(1);
  return rules[0] as (typeof rules)[number];
}

const auditRulePattern = (packaged: PackagedTemplate) =>
  auditRule(packaged).Properties.EventPattern as AuditRulePattern;

/** The pattern as CloudFormation gives it to EventBridge, in the partition aws of the account ACCOUNT. */
function resolvedPattern(packaged: PackagedTemplate): unknown {
  const pseudo: Record<string, string> = { 'AWS::Partition': 'aws', 'AWS::AccountId': ACCOUNT };
  return JSON.parse(JSON.stringify(auditRulePattern(packaged)), (_key, value) =>
    value !== null && typeof value === 'object' && typeof value['Fn::Sub'] === 'string'
      ? value['Fn::Sub'].replace(/\$\{(AWS::\w+)\}/g, (_whole: string, name: string) => pseudo[name] ?? name)
      : value,
  );
}

/** CloudTrail's userIdentity of a role's session: the session's ARN has no path, its issuer (the role) has it. */
function roleSession(path: string, role: string, session: string, account = ACCOUNT) {
  return {
    type: 'AssumedRole',
    principalId: `AROAEXAMPLE:${session}`,
    arn: `arn:aws:sts::${account}:assumed-role/${role}/${session}`,
    accountId: account,
    sessionContext: {
      sessionIssuer: {
        type: 'Role',
        principalId: 'AROAEXAMPLE',
        arn: `arn:aws:iam::${account}:role${path}${role}`,
        accountId: account,
        userName: role,
      },
      attributes: { mfaAuthenticated: 'false' },
    },
  };
}

/** An "AWS API Call via CloudTrail" event of an UpdateWorkteam by the given caller, as EventBridge receives it. */
const workteamWrite = (userIdentity: Record<string, unknown>) => ({
  version: '0',
  id: 'e1',
  source: 'aws.sagemaker',
  'detail-type': 'AWS API Call via CloudTrail',
  account: ACCOUNT,
  region: 'us-east-1',
  detail: {
    eventSource: 'sagemaker.amazonaws.com',
    eventName: 'UpdateWorkteam',
    userIdentity,
    requestParameters: { workteamName: 'image-labelers' },
  },
});

describe('the packaged template', () => {
  it('declares every function the tests know about, and no other', () => {
    const functions = Object.entries(template.Resources)
      .filter(([, resource]) => resource.Type === 'AWS::Lambda::Function')
      .map(([logicalId]) => logicalId)
      .sort();
    expect(functions).toEqual(Object.keys(ALLOWED_ACTIONS).map(functionLogicalId).sort());
  });

  it('gives every function a role of its own', () => {
    const roles = Object.keys(ALLOWED_ACTIONS).map((name) => roleOf(name).logicalId);
    expect(new Set(roles).size).toBe(roles.length);
  });

  it.each(Object.entries(ALLOWED_ACTIONS))('allows %s only the actions its code calls', (name, allowed) => {
    const { statements, properties } = roleOf(name);
    const actions = actionsOf(statements);
    expect(statements.every((statement) => statement.Effect === 'Allow')).toBe(true);
    expect(unique(actions.filter((action) => !PLUMBING.includes(action)))).toEqual(unique(allowed));
    // Nothing is granted on every resource unless the action has no resource-level permissions.
    const starResources = statements.filter((statement) => statement.Resource === '*');
    for (const statement of starResources) {
      for (const action of actionsOf([statement])) expect(UNSCOPABLE).toContain(action);
    }
    expect(actions.some((action) => action.includes('*'))).toBe(false);
    expect(properties.ManagedPolicyArns).toBeUndefined();
  });

  it.each(['listTeams', 'getTeam', 'listWorkforces', 'listTargets', 'authorizer', 'getAudit'])(
    'lets %s write to no SageMaker resource',
    (name) => {
      const writes = actionsOf(roleOf(name).statements).filter((action) =>
        /^(sagemaker|sns|dynamodb|cognito-idp):(Create|Update|Delete|Add|Put|Start|Stop|Set|Subscribe|Unsubscribe|Tag)/.test(
          action,
        ),
      );
      expect(writes).toEqual([]);
    },
  );

  it.each(Object.keys(ALLOWED_ACTIONS))('names each inline policy of the role of %s once', (name) => {
    const policies = (roleOf(name).properties.Policies ?? []) as { PolicyName: string }[];
    const names = policies.map((policy) => policy.PolicyName);
    expect(new Set(names).size).toBe(names.length);
  });

  it.each(Object.keys(ALLOWED_ACTIONS))('lets %s write logs only to its own log group', (name) => {
    const logStatements = roleOf(name).statements.filter((s) => actionsOf([s]).some((a) => a.startsWith('logs:')));
    expect(logStatements).toHaveLength(1);
    expect(JSON.stringify(logStatements[0]?.Resource)).toContain(
      `log-group:/aws/lambda/workteam-automation-ci-${name}:*`,
    );
  });

  it.each(Object.keys(ALLOWED_ACTIONS).filter((name) => ALLOWED_ACTIONS[name]?.includes('sns:Publish')))(
    'lets %s publish only to the operations topic, which no team topic can be',
    (name) => {
      const publish = roleOf(name).statements.filter((s) => actionsOf([s]).includes('sns:Publish'));
      expect(publish.map((statement) => statement.Resource)).toEqual([{ Ref: 'OperationsTopic' }]);
      expect(actionsOf(publish)).toEqual(['sns:Publish']);
      const topic = template.Resources.OperationsTopic?.Properties;
      expect(topic?.TopicName).toBe('workteam-automation-operations-ci');
      expect(String(topic?.TopicName).startsWith('workteam-automation-ci-')).toBe(false);
    },
  );

  it('hands every team function the operations topic and a bound on apply attempts', () => {
    const functions = Object.values(template.Resources).filter((resource) => resource.Type === 'AWS::Lambda::Function');
    const environments = functions.map(
      (fn) => (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables,
    );
    for (const variables of environments) {
      expect(variables.OPERATIONS_TOPIC_ARN).toEqual({ Ref: 'OperationsTopic' });
      expect(Number(variables.RETRY_BUDGET_MINUTES)).toBeGreaterThanOrEqual(60);
    }
  });

  it('lets the audit put events on the default bus under its own source only', () => {
    for (const name of ['audit', 'startAudit', 'auditTarget']) {
      const [statement] = roleOf(name).statements.filter((s) => actionsOf([s]).includes('events:PutEvents'));
      expect(JSON.stringify(statement?.Resource)).toContain(':event-bus/default');
      expect((statement as unknown as { Condition: unknown }).Condition).toEqual({
        StringEquals: { 'events:source': 'workteam-automation' },
      });
    }
  });

  it('runs the retry of pending teams every five minutes, the resync nightly and the audit hourly', () => {
    const rules = Object.values(template.Resources).filter(
      (resource) => resource.Type === 'AWS::Events::Rule' && resource.Properties.ScheduleExpression !== undefined,
    );
    const schedules = Object.fromEntries(
      rules.map((rule) => [rule.Properties.ScheduleExpression, JSON.stringify(rule.Properties.Targets)]),
    );
    expect(Object.keys(schedules).sort()).toEqual(['cron(0 3 * * ? *)', 'rate(1 hour)', 'rate(5 minutes)']);
    expect(schedules['rate(1 hour)']).toContain('AuditLambdaFunction');
    expect(schedules['rate(5 minutes)']).toContain('RetryPendingLambdaFunction');
    expect(schedules['cron(0 3 * * ? *)']).toContain('ResyncLambdaFunction');
  });

  it("admits to its default bus the target accounts' forwarded CloudTrail events only, and only when it names some", () => {
    const policy = template.Resources.TargetEventsBusPolicy as { Condition?: string; Properties: Record<string, Json> };
    const condition = (template as unknown as { Conditions: Record<string, Json> }).Conditions.TargetAccounts;
    expect(policy.Condition).toBe('TargetAccounts');
    expect(condition).toEqual({ 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'TargetAccounts' }, ''] }] });
    expect(policy.Properties).toEqual({
      EventBusName: 'default',
      StatementId: 'workteam-automation-ci-target-events',
      Statement: {
        Effect: 'Allow',
        Principal: { AWS: { 'Fn::Split': [',', { Ref: 'TargetAccounts' }] } },
        Action: 'events:PutEvents',
        // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation's Fn::Sub syntax, not JavaScript's
        Resource: { 'Fn::Sub': 'arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:event-bus/default' },
        Condition: {
          'ForAllValues:StringEquals': { 'events:source': ['aws.cognito-idp', 'aws.sagemaker'] },
          StringEquals: { 'events:detail-type': 'AWS API Call via CloudTrail' },
        },
      },
    });
  });

  it("queues the workforce pool's CloudTrail Cognito calls for cognitoSync, dead-lettering what it cannot take", () => {
    const rules = Object.values(template.Resources).filter(
      (resource) =>
        resource.Type === 'AWS::Events::Rule' &&
        JSON.stringify(resource.Properties.EventPattern ?? null).includes('aws.cognito-idp'),
    );
    // The admin calls name the pool in their parameters; a user's own calls beside their sub.
    expect(rules).toHaveLength(2);
    const patterns = rules.map(
      (rule) =>
        rule.Properties.EventPattern as {
          source: string[];
          'detail-type': string[];
          detail: {
            eventName: string[];
            $or?: unknown[];
          };
        },
    );
    for (const pattern of patterns) {
      expect(pattern.source).toEqual(['aws.cognito-idp']);
      expect(pattern['detail-type']).toEqual(['AWS API Call via CloudTrail']);
    }
    expect(patterns.flatMap((pattern) => pattern.detail.eventName)).toEqual(
      expect.arrayContaining([
        'AdminAddUserToGroup',
        'AdminRemoveUserFromGroup',
        'DeleteGroup',
        'AdminDeleteUser',
        'AdminDeleteUserAttributes',
        'UpdateUserAttributes',
        'DeleteUser',
      ]),
    );
    // The hub's workforce pool, or any call of another account or region: a target's, forwarded to the hub's bus by
    // the rule infra/target.yml makes there (the function keeps those of the target's workforce pool).
    const elsewhere = [
      { recipientAccountId: [{ 'anything-but': { Ref: 'AWS::AccountId' } }] },
      { awsRegion: [{ 'anything-but': 'us-east-1' }] },
    ];
    expect(patterns.map((pattern) => pattern.detail.$or)).toEqual([
      [{ requestParameters: { userPoolId: ['us-east-1_Ci0Pool1'] } }, ...elsewhere],
      [{ additionalEventData: { userPoolId: ['us-east-1_Ci0Pool1'] } }, ...elsewhere],
    ]);
    // Both put the events on the queue the function takes in batches; what EventBridge cannot put there, and what
    // fails five times, goes to the dead-letter queue.
    for (const rule of rules) {
      const target = JSON.stringify(rule.Properties.Targets);
      expect(target).toContain('CognitoChangesQueue');
      expect(target).toContain('CognitoSyncDeadLetterQueue');
    }
    const queue = template.Resources.CognitoChangesQueue;
    expect(JSON.stringify(queue?.Properties.RedrivePolicy)).toContain('CognitoSyncDeadLetterQueue');
    const mapping = Object.values(template.Resources).find(
      (resource) =>
        resource.Type === 'AWS::Lambda::EventSourceMapping' &&
        JSON.stringify(resource.Properties.EventSourceArn).includes('CognitoChangesQueue'),
    );
    expect(mapping?.Properties).toMatchObject({
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 2 },
    });
  });

  it("lets a function delete nothing of the teams table but the teams' leases and subscription ledgers", () => {
    const statements = Object.values(template.Resources)
      .filter((resource) => resource.Type === 'AWS::IAM::Role')
      .flatMap((role) => (role.Properties.Policies as { PolicyDocument: { Statement: Statement[] } }[]) ?? [])
      .flatMap((policy) => policy.PolicyDocument.Statement)
      .filter(
        (statement) =>
          actionsOf([statement]).includes('dynamodb:DeleteItem') &&
          JSON.stringify(statement.Resource).includes('TeamsTable'),
      );
    expect(statements.length).toBeGreaterThan(0);
    for (const statement of statements) {
      expect(statement.Condition).toEqual({
        'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['#lease/*', '#subscriptions/*'] },
      });
    }
  });

  it("audits work-team calls recorded by CloudTrail in real time, unless a session of this stack's roles made them", () => {
    const pattern = auditRulePattern(template);
    expect(pattern.source).toEqual(['aws.sagemaker']);
    expect(pattern.detail.eventName.sort()).toEqual(['CreateWorkteam', 'DeleteWorkteam', 'UpdateWorkteam']);
    // The session issuer (the role, with its path) is not one of this stack's roles, or there is no issuer at all.
    expect(pattern.detail.$or).toEqual([
      {
        userIdentity: {
          sessionContext: {
            sessionIssuer: {
              arn: [
                {
                  'anything-but': {
                    // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub string, not a template
                    wildcard: { 'Fn::Sub': 'arn:${AWS::Partition}:iam::*:role/workteam-automation/ci/*' },
                  },
                },
              ],
            },
          },
        },
      },
      { userIdentity: { sessionContext: { sessionIssuer: { arn: [{ exists: false }] } } } },
    ]);
    expect(pattern.detail.userIdentity).toBeUndefined();
    expect(JSON.stringify(auditRule(template).Properties.Targets)).toContain('AuditLambdaFunction');
  });

  it.each(Object.keys(ALLOWED_ACTIONS).filter((name) => ALLOWED_ACTIONS[name]?.includes('sts:AssumeRole')))(
    'lets %s assume only the target roles of its own stage (infra/target.yml), in any account',
    (name) => {
      const assuming = roleOf(name).statements.filter((statement) => actionsOf([statement]).includes('sts:AssumeRole'));
      expect(assuming).toHaveLength(1);
      expect(actionsOf(assuming)).toEqual(['sts:AssumeRole']);
      expect(JSON.stringify(assuming[0]?.Resource)).toBe(
        JSON.stringify({
          // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation's Fn::Sub syntax, not JavaScript's
          'Fn::Sub': 'arn:${AWS::Partition}:iam::*:role/workteam-automation/ci/workteam-automation-target-ci-*',
        }),
      );
    },
  );

  it('gives every role of the stack the IAM path /workteam-automation/<stage>/', () => {
    const roles = Object.values(template.Resources).filter((resource) => resource.Type === 'AWS::IAM::Role');
    expect(roles).toHaveLength(Object.keys(ALLOWED_ACTIONS).length);
    for (const role of roles) expect(role.Properties.Path).toBe('/workteam-automation/ci/');
  });

  it.each([
    ['an IAM user', true, { type: 'IAMUser', arn: `arn:aws:iam::${ACCOUNT}:user/jane`, userName: 'jane' }],
    ['the root user', true, { type: 'Root', arn: `arn:aws:iam::${ACCOUNT}:root` }],
    ['a service', true, { type: 'AWSService', invokedBy: 'sagemaker.amazonaws.com' }],
    ["a person's role", true, roleSession('/', 'PlatformAdmin', 'jane')],
    [
      'a role named like ours, without the path',
      true,
      roleSession('/', 'workteam-automation-ci-AuditRole-1X2Y3Z', 'x'),
    ],
    ['a role of a stage whose name extends ours', true, roleSession('/workteam-automation/ci-eu/', 'r', 's')],
    [
      "a target's role of this stage, in the target's account (infra/target.yml: the stage's path)",
      false,
      roleSession('/workteam-automation/ci/', 'workteam-automation-target-ci-eu-west-1', 's', '999988887777'),
    ],
    [
      "a target's role of another stage",
      true,
      roleSession('/workteam-automation/ci-eu/', 'workteam-automation-target-ci-eu-eu-west-1', 's', '999988887777'),
    ],
    ['a role of ours', false, roleSession('/workteam-automation/ci/', 'workteam-automation-ci-AuditRole-1X2Y3Z', 'a')],
    [
      'a role of ours whose name CloudFormation truncated',
      false,
      roleSession('/workteam-automation/ci/', 'workteam-automation-ci-RemoveTeamMemberRol-1X2Y3Z4W5V6U', 'fn'),
    ],
  ])('a work-team write of %s is audited in real time: %s', (_who, audited, userIdentity) => {
    const pattern = compilePattern(resolvedPattern(template), 'of the packaged audit rule');
    expect(matchesPattern(pattern, workteamWrite(userIdentity))).toBe(audited);
  });

  it("reads trails for the audit: DescribeTrails on '*' (no resource-level permissions), the others on trails only", () => {
    for (const name of ['audit', 'startAudit', 'auditTarget']) {
      const { statements } = roleOf(name);
      const trailReads = statements.filter((s) => actionsOf([s]).some((action) => action.startsWith('cloudtrail:')));
      expect(trailReads.map((s) => [s.Action, s.Resource])).toEqual([
        ['cloudtrail:DescribeTrails', '*'],
        [
          ['cloudtrail:GetTrailStatus', 'cloudtrail:GetEventSelectors'],
          // Any account's and region's: an organisation's trail, a multi-region trail's shadow.
          // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub string, not a template
          { 'Fn::Sub': 'arn:${AWS::Partition}:cloudtrail:*:*:trail/*' },
        ],
      ]);
    }
  });

  it('creates no trail unless asked (the parameter CreateTrail, false by default)', () => {
    const { Parameters, Conditions } = template as unknown as {
      Parameters: Record<string, { Default: string; AllowedValues: string[] }>;
      Conditions: Record<string, unknown>;
    };
    expect(Parameters.CreateTrail).toMatchObject({ Default: 'false', AllowedValues: ['true', 'false'] });
    expect(Conditions.CreateTrail).toEqual({ 'Fn::Equals': [{ Ref: 'CreateTrail' }, 'true'] });
    const conditioned = Object.entries(template.Resources)
      .filter(([, resource]) => (resource as { Condition?: string }).Condition === 'CreateTrail')
      .map(([logicalId, resource]) => [logicalId, resource.Type]);
    expect(conditioned).toEqual([
      ['Trail', 'AWS::CloudTrail::Trail'],
      ['TrailBucket', 'AWS::S3::Bucket'],
      ['TrailBucketPolicy', 'AWS::S3::BucketPolicy'],
    ]);
  });

  it("makes the trail log this region's management write events into an encrypted, private bucket only it writes to", () => {
    const trail = template.Resources.Trail?.Properties;
    expect(trail).toMatchObject({
      TrailName: 'workteam-automation-ci',
      S3BucketName: { Ref: 'TrailBucket' },
      IsLogging: true,
      IsMultiRegionTrail: false,
      IncludeGlobalServiceEvents: false,
      EventSelectors: [{ ReadWriteType: 'WriteOnly', IncludeManagementEvents: true }],
    });
    const bucket = template.Resources.TrailBucket?.Properties;
    expect(bucket?.BucketEncryption).toEqual({
      ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
    });
    expect(bucket?.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    const policy = template.Resources.TrailBucketPolicy?.Properties.PolicyDocument as { Statement: Statement[] };
    const trailArn = {
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub string, not a template
      'Fn::Sub': 'arn:${AWS::Partition}:cloudtrail:${AWS::Region}:${AWS::AccountId}:trail/workteam-automation-ci',
    };
    const allowed = policy.Statement.filter((statement) => statement.Effect === 'Allow');
    expect(allowed.map((statement) => statement.Action).sort()).toEqual(['s3:GetBucketAcl', 's3:PutObject']);
    for (const statement of allowed) {
      expect((statement as unknown as { Principal: unknown }).Principal).toEqual({
        Service: 'cloudtrail.amazonaws.com',
      });
      expect(statement.Condition?.StringEquals?.['aws:SourceArn']).toEqual(trailArn);
    }
    const denied = policy.Statement.filter((statement) => statement.Effect === 'Deny');
    expect(denied.map((statement) => statement.Condition)).toEqual([{ Bool: { 'aws:SecureTransport': 'false' } }]);
  });

  it.each(
    Object.keys(ALLOWED_ACTIONS).filter((name) => ALLOWED_ACTIONS[name]?.some((a) => a.startsWith('cognito-idp:'))),
  )("lets %s read only the workforce's user pool", (name) => {
    const statements = roleOf(name).statements.filter((s) => actionsOf([s]).some((a) => a.startsWith('cognito-idp:')));
    expect(statements.length).toBeGreaterThan(0);
    for (const statement of statements) {
      expect(statement.Resource).toEqual({
        'Fn::Sub': `arn:\${AWS::Partition}:cognito-idp:\${AWS::Region}:\${AWS::AccountId}:userpool/${PACKAGE_ENV.USER_POOL_ID}`,
      });
    }
  });

  it.each(namesAllowed('sns:Subscribe'))('lets %s subscribe e-mail addresses only', (name) => {
    const statements = granting(roleOf(name).statements, 'sns:Subscribe');
    expect(statements.length).toBeGreaterThan(0);
    for (const statement of statements) {
      expect(actionsOf([statement])).toEqual(['sns:Subscribe']);
      expect(statement.Condition).toEqual({ StringEquals: { 'sns:Protocol': 'email' } });
    }
  });

  it('protects every route with the token authorizer', () => {
    const routes = Object.values(template.Resources).filter((resource) => resource.Type === 'AWS::ApiGatewayV2::Route');
    expect(routes.length).toBeGreaterThan(0);
    for (const route of routes) {
      expect(route.Properties.AuthorizationType).toBe('CUSTOM');
      expect(route.Properties.AuthorizerId).toBeDefined();
    }
  });
});

describe('tracing', () => {
  it('traces every function of a deployed stage (provider.tracing.lambda)', () => {
    for (const name of Object.keys(ALLOWED_ACTIONS)) {
      expect(template.Resources[functionLogicalId(name)]?.Properties.TracingConfig).toEqual({ Mode: 'Active' });
    }
  });

  it.each(Object.keys(ALLOWED_ACTIONS))('lets %s write traces when it is traced, as Lambda requires', (name) => {
    const tracing = template.Resources[functionLogicalId(name)]?.Properties.TracingConfig as
      | { Mode?: string }
      | undefined;
    const statements = roleOf(name).statements;
    for (const action of tracing?.Mode === 'Active' ? XRAY : []) {
      expect(granting(statements, action).filter((s) => s.Resource === '*' && s.Condition === undefined)).toHaveLength(
        1,
      );
    }
  });
});

/*
 * Which condition keys SageMaker supports (the service authorization reference, "Actions, resources, and condition
 * keys for Amazon SageMaker"): CreateWorkteam aws:RequestTag/${TagKey} and aws:TagKeys, with sagemaker:AddTags as
 * a dependent action when it is given tags; AddTags aws:RequestTag/${TagKey}, aws:TagKeys and
 * sagemaker:TaggingAction; DeleteTags aws:TagKeys; UpdateWorkteam and DeleteWorkteam none of their own; the workteam
 * resource aws:ResourceTag/${TagKey}, for every action on an existing team.
 */
describe("SageMaker writes, only to the teams tagged managed-by with the stage's value", () => {
  const WRITERS = namesAllowed('sagemaker:CreateWorkteam');
  const RESOURCE_TAG = { [`aws:ResourceTag/${KEY}`]: OWN.value };
  const REQUEST_TAG = { [`aws:RequestTag/${KEY}`]: OWN.value };

  it.each(WRITERS)('lets %s create a team only with the managed-by tag in the request', (name) => {
    const statements = granting(roleOf(name).statements, 'sagemaker:CreateWorkteam');
    expect(statements.map((statement) => statement.Condition)).toEqual([{ StringEquals: REQUEST_TAG }]);
  });

  it.each(WRITERS)('lets %s update or delete only a team that carries the managed-by tag', (name) => {
    for (const action of ['sagemaker:UpdateWorkteam', 'sagemaker:DeleteWorkteam']) {
      const statements = granting(roleOf(name).statements, action);
      expect(statements.map((statement) => statement.Condition)).toEqual([{ StringEquals: RESOURCE_TAG }]);
    }
  });

  // adoptTeam's one statement more: below.
  it.each(WRITERS.filter((name) => name !== 'adoptTeam'))(
    'lets %s tag a team only while creating it or when it carries the managed-by tag, which it cannot change',
    (name) => {
      const statements = granting(roleOf(name).statements, 'sagemaker:AddTags');
      const conditions = statements.map((statement) => JSON.stringify(statement.Condition)).sort();
      expect(conditions).toEqual(
        [
          { StringEquals: { 'sagemaker:TaggingAction': 'CreateWorkteam' } },
          { StringEquals: RESOURCE_TAG, StringEqualsIfExists: REQUEST_TAG },
        ]
          .map((condition) => JSON.stringify(condition))
          .sort(),
      );
    },
  );

  it.each(WRITERS)('lets %s untag only a team that carries the managed-by tag, and never remove that tag', (name) => {
    const statements = granting(roleOf(name).statements, 'sagemaker:DeleteTags');
    expect(statements.map((statement) => statement.Condition)).toEqual([
      {
        StringEquals: RESOURCE_TAG,
        'ForAllValues:StringNotEqualsIgnoreCase': { 'aws:TagKeys': KEY },
      },
    ]);
  });
});

describe('a team nobody manages', () => {
  const add = (resourceTags: Record<string, string>, requestTags: Record<string, string>) =>
    allowedTo(template, 'sagemaker:AddTags', teamRequest(resourceTags, requestTags));

  it("may be tagged with the stage's managed-by tag by adoptTeam alone", () => {
    expect(add({}, { [KEY]: OWN.value })).toEqual(['adoptTeam']);
    expect(add({ project: 'p' }, { [KEY]: OWN.value })).toEqual(['adoptTeam']);
  });

  it('may have the stage-less value of versions before stages apart replaced by adoptTeam alone', () => {
    expect(add({ [KEY]: UNSTAGED_MANAGED_BY_VALUE }, { [KEY]: OWN.value })).toEqual(['adoptTeam']);
  });

  it.each([
    ['the managed-by tag and another', { [KEY]: OWN.value, project: 'p' }],
    ['another tag', { project: 'p' }],
    ["another stage's managed-by tag", { [KEY]: PROD.value }],
    ['the stage-less managed-by tag', { [KEY]: UNSTAGED_MANAGED_BY_VALUE }],
  ])('may be tagged with %s by no function', (_, requestTags) => {
    expect(add({}, requestTags)).toEqual([]);
    expect(add({ [KEY]: UNSTAGED_MANAGED_BY_VALUE }, requestTags)).toEqual([]);
  });

  it('is no team of another stage: adoptTeam cannot tag one over to its own stage', () => {
    expect(add({ [KEY]: PROD.value }, { [KEY]: OWN.value })).toEqual([]);
    expect(add({ [KEY]: 'terraform' }, { [KEY]: OWN.value })).toEqual([]);
  });

  it('is what releaseTeam alone makes of a team of its stage: it may remove the managed-by tag, and no other', () => {
    const remove = (resourceTags: Record<string, string>, keys: string[]) =>
      allowedTo(template, 'sagemaker:DeleteTags', teamRequest(resourceTags, {}, { 'aws:TagKeys': keys }));
    expect(remove({ [KEY]: OWN.value }, [KEY])).toEqual(['releaseTeam']);
    expect(remove({ [KEY]: OWN.value }, [KEY, 'project'])).toEqual([]);
    expect(remove({ [KEY]: PROD.value }, [KEY])).toEqual([]);
    expect(remove({ [KEY]: OWN.value }, ['project'])).not.toContain('releaseTeam');
  });
});

/**
 * A stage name of 20 characters, with the stack's own trail: CloudFormation truncates the roles' generated names
 * (`<stack>-<logical id>-<suffix>` in 64 characters), so only the path can tell the stack's calls from others'.
 */
describe('a stage name of 20 characters', () => {
  const STAGE = 'twenty-char-stage-xy';
  let dir: string;
  let long: PackagedTemplate;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'workteam-automation-long-stage-'));
    await serverless(['package', '--stage', STAGE, '--package', dir], { ...PACKAGE_ENV, CREATE_TRAIL: 'true' });
    long = JSON.parse(readFileSync(join(dir, 'cloudformation-template-update-stack.json'), 'utf8')) as PackagedTemplate;
  }, 180_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('is 20 characters long', () => {
    expect(STAGE).toHaveLength(20);
  });

  /**
   * What a function of one stage might do to a team of another: write it, tag it, untag it, or create one. Each
   * request needs every action listed: a create with tags is authorised as CreateWorkteam and as AddTags (with
   * sagemaker:TaggingAction CreateWorkteam).
   */
  const writesOfATeamTagged = (value: string, own: string): [string[], RequestContext][] => [
    [['sagemaker:UpdateWorkteam'], teamRequest({ [KEY]: value })],
    [['sagemaker:DeleteWorkteam'], teamRequest({ [KEY]: value })],
    [['sagemaker:AddTags'], teamRequest({ [KEY]: value }, { project: 'p' })],
    [['sagemaker:AddTags'], teamRequest({ [KEY]: value }, { [KEY]: own })],
    [['sagemaker:DeleteTags'], teamRequest({ [KEY]: value }, {}, { 'aws:TagKeys': ['project'] })],
    [['sagemaker:DeleteTags'], teamRequest({ [KEY]: value }, {}, { 'aws:TagKeys': [KEY] })],
    [
      ['sagemaker:CreateWorkteam', 'sagemaker:AddTags'],
      teamRequest({}, { [KEY]: value }, { 'sagemaker:TaggingAction': 'CreateWorkteam' }),
    ],
  ];
  /** The functions allowed every one of `actions` in `context`. */
  const allowedAll = (packaged: PackagedTemplate, actions: string[], context: RequestContext) =>
    Object.keys(ALLOWED_ACTIONS).filter((name) => actions.every((action) => mayDo(packaged, name, action, context)));

  it('lets no function of one stage write a team of another that shares the account, and its own teams still', () => {
    const stages: [string, PackagedTemplate][] = [
      [PACKAGE_STAGE, template],
      [STAGE, long],
    ];
    for (const [stage, packaged] of stages) {
      const own = managementTagOf(stage).value;
      for (const [other] of stages.filter(([name]) => name !== stage)) {
        for (const [actions, context] of writesOfATeamTagged(managementTagOf(other).value, own)) {
          expect({ stage, actions, context, allowed: allowedAll(packaged, actions, context) }).toEqual({
            stage,
            actions,
            context,
            allowed: [],
          });
        }
      }
      // The evaluation is no blanket refusal: each of those requests on a team of the stage itself is allowed.
      for (const [actions, context] of writesOfATeamTagged(own, own)) {
        expect({ stage, actions, context, allowed: allowedAll(packaged, actions, context).length > 0 }).toEqual({
          stage,
          actions,
          context,
          allowed: true,
        });
      }
    }
  });

  it("names the stage's own managed-by value in every tag condition, as the functions build it from STAGE", () => {
    for (const [stage, packaged] of [
      [PACKAGE_STAGE, template],
      [STAGE, long],
    ] as const) {
      const conditions = Object.keys(ALLOWED_ACTIONS)
        .flatMap((name) => roleOf(name, packaged).statements)
        .flatMap((statement) => Object.values(statement.Condition ?? {}))
        .flatMap((keys) => Object.entries(keys))
        .filter(([key]) => key.toLowerCase().endsWith(`tag/${KEY}`));
      const values = new Set(conditions.flatMap(([, value]) => (Array.isArray(value) ? value : [value])));
      // The stage-less value appears once: the team adoptTeam may take over from a version before stages apart.
      expect([...values].sort()).toEqual([managementTagOf(stage).value, UNSTAGED_MANAGED_BY_VALUE].sort());
      const stages = Object.values(packaged.Resources)
        .filter((resource) => resource.Type === 'AWS::Lambda::Function')
        .map((fn) => (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables.STAGE);
      expect(new Set(stages)).toEqual(new Set([stage]));
    }
  });

  it("gives every role the stage's path, and leaves out of the real-time audit the sessions of those roles only", () => {
    const roles = Object.values(long.Resources).filter((resource) => resource.Type === 'AWS::IAM::Role');
    expect(roles.map((role) => role.Properties.Path)).toEqual(roles.map(() => `/workteam-automation/${STAGE}/`));
    const pattern = compilePattern(resolvedPattern(long), 'of the packaged audit rule');
    // The names CloudFormation generates for this stack: the stack's name cut short, the logical id cut short.
    const truncated = 'workteam-automation-twenty-cha-RemoveTeamMemberRol-1X2Y3Z4W5V6U';
    expect(truncated.length).toBeLessThanOrEqual(64);
    expect(matchesPattern(pattern, workteamWrite(roleSession(`/workteam-automation/${STAGE}/`, truncated, 'f')))).toBe(
      false,
    );
    expect(matchesPattern(pattern, workteamWrite(roleSession('/', `workteam-automation-${STAGE}-x`, 's')))).toBe(true);
    expect(matchesPattern(pattern, workteamWrite(roleSession('/workteam-automation/ci/', truncated, 'f')))).toBe(true);
  });

  it('names every function, rule and queue within the limits of their services', () => {
    const named = (type: string, property: string) =>
      Object.values(long.Resources)
        .filter((resource) => resource.Type === type)
        .map((resource) => resource.Properties[property])
        .filter((name): name is string => typeof name === 'string');
    const functions = named('AWS::Lambda::Function', 'FunctionName');
    const rules = named('AWS::Events::Rule', 'Name');
    const queues = named('AWS::SQS::Queue', 'QueueName');
    expect(functions).toHaveLength(Object.keys(ALLOWED_ACTIONS).length);
    expect(rules.length).toBeGreaterThanOrEqual(3);
    expect(functions.filter((name) => name.length > 64)).toEqual([]);
    expect(rules.filter((name) => name.length > 64)).toEqual([]);
    expect(queues.filter((name) => name.length > 80)).toEqual([]);
  });

  it('creates the trail when asked (CREATE_TRAIL=true, or --param="createTrail=true")', () => {
    const { Parameters } = long as unknown as { Parameters: Record<string, { Default: string }> };
    expect(Parameters.CreateTrail?.Default).toBe('true');
    expect(long.Resources.Trail?.Properties.TrailName).toBe(`workteam-automation-${STAGE}`);
  });
});
