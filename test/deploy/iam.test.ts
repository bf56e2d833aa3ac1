/**
 * The CloudFormation template that `serverless package` produces offline: one role per function, each
 * allowed only the actions its code calls; a read function cannot write; SageMaker writes only to the teams this
 * system tags as its own; every traced function may write traces (Lambda refuses to create one that cannot).
 */
import { MANAGED_BY_TAG } from '#lib/domain/validation';
import { PACKAGE_ENV, type PackagedTemplate, packagedTemplate, type TemplateJson } from '../support/package';

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
];
const ALLOWED_ACTIONS: Record<string, string[]> = {
  authorizer: [],
  listTeams: ['sagemaker:ListWorkteams'],
  getTeam: ['sagemaker:DescribeWorkteam', 'sagemaker:ListTags', 'dynamodb:GetItem'],
  listWorkforces: ['sagemaker:ListWorkforces'],
  createTeam: [
    ...RECONCILE,
    ...WORKFORCE_LOOKUP,
    'sagemaker:ListWorkteams',
    'dynamodb:GetItem',
    'dynamodb:PutItem',
    'dynamodb:UpdateItem',
    'dynamodb:DeleteItem',
    'dynamodb:Query',
  ],
  updateTeam: [...RECONCILE, ...WORKFORCE_LOOKUP],
  addTeamMembers: RECONCILE,
  removeTeamMember: RECONCILE,
  deleteTeam: RECONCILE,
  retryPending: [...RECONCILE, 'dynamodb:Query'],
  resync: [...RECONCILE, 'dynamodb:Query'],
  cognitoSync: [
    ...RECONCILE,
    'cognito-idp:ListUsers',
    'cognito-idp:AdminListGroupsForUser',
    'sqs:ReceiveMessage',
    'sqs:DeleteMessage',
    'sqs:GetQueueAttributes',
    'dynamodb:Query',
  ],
  audit: [...AUDIT, 'sqs:SendMessage'],
  startAudit: AUDIT,
  getAudit: ['dynamodb:GetItem', 'dynamodb:Query'],
};
/** Actions that support no resource-level permissions, so only they may be granted on '*'. */
const UNSCOPABLE = [
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

function roleOf(functionName: string): { logicalId: string; statements: Statement[]; properties: Json } {
  const fn = template.Resources[functionLogicalId(functionName)];
  if (!fn) throw new Error(`no function ${functionName} in the template`);
  const role = fn.Properties.Role as { 'Fn::GetAtt': [string, string] };
  const logicalId = role['Fn::GetAtt'][0];
  const properties = template.Resources[logicalId]?.Properties ?? {};
  const policies = (properties.Policies ?? []) as { PolicyDocument: { Statement: Statement[] } }[];
  return { logicalId, properties, statements: policies.flatMap((policy) => policy.PolicyDocument.Statement) };
}

const actionsOf = (statements: Statement[]) =>
  statements.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));

const granting = (statements: Statement[], action: string) => statements.filter((s) => actionsOf([s]).includes(action));

const namesAllowed = (action: string) =>
  Object.keys(ALLOWED_ACTIONS).filter((name) => ALLOWED_ACTIONS[name]?.includes(action));

const unique = (actions: string[]) => [...new Set(actions)].sort();

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

  it.each(['listTeams', 'getTeam', 'listWorkforces', 'authorizer', 'getAudit'])(
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
    for (const name of ['audit', 'startAudit']) {
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
            requestParameters?: { userPoolId: string[] };
            additionalEventData?: { userPoolId: string[] };
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
    expect(
      patterns.map(
        (pattern) => pattern.detail.requestParameters?.userPoolId ?? pattern.detail.additionalEventData?.userPoolId,
      ),
    ).toEqual([['us-east-1_Ci0Pool1'], ['us-east-1_Ci0Pool1']]);
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

  it("audits work-team calls recorded by CloudTrail in real time, unless this stack's own roles made them", () => {
    const rules = Object.values(template.Resources).filter(
      (resource) =>
        resource.Type === 'AWS::Events::Rule' &&
        JSON.stringify(resource.Properties.EventPattern ?? null).includes('aws.sagemaker'),
    );
    expect(rules).toHaveLength(1);
    const pattern = rules[0]?.Properties.EventPattern as {
      source: string[];
      detail: { eventName: string[]; userIdentity: { arn: { 'anything-but': { prefix: unknown } }[] } };
    };
    expect(pattern.source).toEqual(['aws.sagemaker']);
    expect(pattern.detail.eventName.sort()).toEqual(['CreateWorkteam', 'DeleteWorkteam', 'UpdateWorkteam']);
    // Resolved by CloudFormation: the stack's own role sessions, arn:<partition>:sts::<account>:assumed-role/<stack>-…
    expect(pattern.detail.userIdentity.arn[0]?.['anything-but'].prefix).toEqual({
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub string, not a template
      'Fn::Sub': 'arn:${AWS::Partition}:sts::${AWS::AccountId}:assumed-role/workteam-automation-ci-',
    });
    expect(JSON.stringify(rules[0]?.Properties.Targets)).toContain('AuditLambdaFunction');
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
describe('SageMaker writes, only to the teams tagged managed-by', () => {
  const WRITERS = namesAllowed('sagemaker:CreateWorkteam');
  const RESOURCE_TAG = { [`aws:ResourceTag/${MANAGED_BY_TAG.key}`]: MANAGED_BY_TAG.value };
  const REQUEST_TAG = { [`aws:RequestTag/${MANAGED_BY_TAG.key}`]: MANAGED_BY_TAG.value };

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

  it.each(WRITERS)(
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
        'ForAllValues:StringNotEqualsIgnoreCase': { 'aws:TagKeys': MANAGED_BY_TAG.key },
      },
    ]);
  });
});
