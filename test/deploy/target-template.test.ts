/**
 * The target template, infra/target.yml, read as CloudFormation reads it (its parameters given): the role the hub
 * assumes in a target may be assumed only by the hub's roles of the stage's IAM path, with the external id; it is
 * allowed only what the hub's own roles are (test/deploy/iam.test.ts), scoped to its account and region, '*' only
 * for the actions that support no resource; SageMaker writes only to the stage's managed teams, SNS only to the
 * stage's topics. The rule forwards Cognito and work-team CloudTrail events to the hub's bus, with a role that may
 * put events there and nowhere else. (test/deploy/cfn-lint.test.ts lints it.)
 */
import { readFileSync } from 'node:fs';
import { parseDocument, type Tags } from 'yaml';
import { compilePattern, matchesPattern } from '../../local/event-pattern';
import { conditionsHold, teamRequest } from '../support/iam-conditions';

type Json = unknown;
interface Statement {
  Effect: string;
  Principal?: Record<string, unknown>;
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

const PARAMETERS: Record<string, string> = {
  HubAccountId: '123456789012',
  HubStage: 'prod',
  ExternalId: 'a-shared-secret',
  HubEventBusArn: '',
  'AWS::Region': 'eu-west-1',
  'AWS::AccountId': '111111111111',
  'AWS::Partition': 'aws',
};

/** CloudFormation's short forms, as their long forms (the values this test resolves). */
const CFN_TAGS: Tags = ['Sub', 'Ref', 'GetAtt', 'If', 'Not', 'Equals'].map((name) => ({
  tag: `!${name}`,
  resolve: (value: unknown) => ({ [name === 'Ref' ? 'Ref' : `Fn::${name}`]: value }),
  collection: undefined,
})) as unknown as Tags;
for (const kind of ['seq', 'map'] as const) {
  for (const name of ['If', 'Not', 'Equals', 'GetAtt', 'Sub']) {
    (CFN_TAGS as unknown[]).push({
      tag: `!${name}`,
      collection: kind,
      resolve: (value: { toJSON(): unknown }) => ({ [`Fn::${name}`]: value.toJSON() }),
    });
  }
}

const template = parseDocument(readFileSync('infra/target.yml', 'utf8'), { customTags: CFN_TAGS }).toJSON() as {
  Parameters: Record<string, { NoEcho?: boolean; Default?: string }>;
  Resources: Record<string, { Type: string; Properties: Record<string, Json> }>;
};

/** A value as CloudFormation resolves it with PARAMETERS (HubEventBusArn empty: the condition is false). */
function resolve(value: Json): Json {
  if (Array.isArray(value)) return value.map(resolve);
  if (value === null || typeof value !== 'object') return value;
  const object = value as Record<string, Json>;
  if ('Fn::Sub' in object) {
    return String(object['Fn::Sub']).replace(/\$\{([\w:]+)\}/g, (_, name: string) => {
      const found = PARAMETERS[name];
      if (found === undefined) throw new Error(`\${${name}} is no parameter`);
      return found;
    });
  }
  if ('Ref' in object) return PARAMETERS[String(object.Ref)] ?? `<${String(object.Ref)}>`;
  if ('Fn::GetAtt' in object) return `<${String(object['Fn::GetAtt'])}>`;
  if ('Fn::If' in object) return resolve((object['Fn::If'] as Json[])[2]);
  return Object.fromEntries(Object.entries(object).map(([key, each]) => [key, resolve(each)]));
}

const resource = (name: string) => resolve(template.Resources[name]?.Properties) as Record<string, Json>;
const asList = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : [String(value)]);
const statementsOf = (role: Record<string, Json>) =>
  (role.Policies as { PolicyDocument: { Statement: Statement[] } }[]).flatMap(
    (policy) => policy.PolicyDocument.Statement,
  );

/** Whether some Allow statement of the role lets it call `action` on `arn` in the request's context. */
function allows(statements: Statement[], action: string, arn: string, context = {}): boolean {
  const glob = (pattern: string) => new RegExp(`^${pattern.replace(/[.+?^$()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);
  return statements.some(
    (statement) =>
      statement.Effect === 'Allow' &&
      asList(statement.Action).includes(action) &&
      asList(statement.Resource).some((pattern) => glob(pattern).test(arn)) &&
      conditionsHold(statement.Condition, context),
  );
}

const MANAGED = { 'managed-by': 'workteam-automation-prod' };
const TEAM = 'arn:aws:sagemaker:eu-west-1:111111111111:workteam/private-crowd/vendor-annotators';
const UNSCOPABLE = [
  'sagemaker:ListWorkteams',
  'sagemaker:ListWorkforces',
  'tag:GetResources',
  'cloudtrail:DescribeTrails',
];

describe('infra/target.yml', () => {
  const role = resource('TargetRole');
  const statements = statementsOf(role);

  it("names the role as the hub's targets statement allows it, with the stage's IAM path", () => {
    expect(role.RoleName).toBe('workteam-automation-target-prod-eu-west-1');
    expect(role.Path).toBe('/workteam-automation/prod/');
    expect(template.Parameters.ExternalId?.NoEcho).toBe(true);
    expect(template.Parameters.HubStage?.Default).toBe('prod');
  });

  it("is assumed only by the hub's roles of the stage's path, with the external id", () => {
    const trust = (role.AssumeRolePolicyDocument as { Statement: Statement[] }).Statement;
    expect(trust).toEqual([
      {
        Effect: 'Allow',
        Principal: { AWS: 'arn:aws:iam::123456789012:root' },
        Action: 'sts:AssumeRole',
        Condition: {
          StringEquals: { 'sts:ExternalId': 'a-shared-secret' },
          ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::123456789012:role/workteam-automation/prod/*' },
        },
      },
    ]);
  });

  it("allows '*' only for the actions that support no resource, and every resource in this account and region", () => {
    for (const statement of statements) {
      for (const arn of asList(statement.Resource)) {
        if (arn === '*') expect(UNSCOPABLE).toEqual(expect.arrayContaining(asList(statement.Action)));
        // CloudTrail's trails may be an organisation's (another account's) or a multi-region trail's shadow.
        else if (!arn.startsWith('arn:aws:cloudtrail:'))
          expect(arn).toMatch(/^arn:aws:[a-z-]+:eu-west-1:111111111111:/);
      }
    }
  });

  it("writes SageMaker teams only when they carry the stage's managed-by tag, and never takes that tag away", () => {
    expect(allows(statements, 'sagemaker:UpdateWorkteam', TEAM, teamRequest(MANAGED))).toBe(true);
    expect(allows(statements, 'sagemaker:DeleteWorkteam', TEAM, teamRequest(MANAGED))).toBe(true);
    expect(allows(statements, 'sagemaker:CreateWorkteam', TEAM, teamRequest({}, MANAGED))).toBe(true);
    for (const action of ['sagemaker:UpdateWorkteam', 'sagemaker:DeleteWorkteam', 'sagemaker:AddTags']) {
      expect(allows(statements, action, TEAM, teamRequest({}))).toBe(false);
      expect(allows(statements, action, TEAM, teamRequest({ 'managed-by': 'workteam-automation-dev' }))).toBe(false);
    }
    expect(allows(statements, 'sagemaker:CreateWorkteam', TEAM, teamRequest({}, { team: 'x' }))).toBe(false);
    expect(
      allows(statements, 'sagemaker:DeleteTags', TEAM, teamRequest(MANAGED, {}, { 'aws:TagKeys': ['team'] })),
    ).toBe(true);
    expect(
      allows(statements, 'sagemaker:DeleteTags', TEAM, teamRequest(MANAGED, {}, { 'aws:TagKeys': ['managed-by'] })),
    ).toBe(false);
  });

  it("writes SNS only on the stage's topics, and subscribes by e-mail only", () => {
    const own = 'arn:aws:sns:eu-west-1:111111111111:workteam-automation-prod-vendor-annotators';
    expect(allows(statements, 'sns:CreateTopic', own)).toBe(true);
    expect(allows(statements, 'sns:CreateTopic', 'arn:aws:sns:eu-west-1:111111111111:billing-alerts')).toBe(false);
    expect(allows(statements, 'sns:Subscribe', own, { 'sns:Protocol': 'email' })).toBe(true);
    expect(allows(statements, 'sns:Subscribe', own, { 'sns:Protocol': 'https' })).toBe(false);
    expect(allows(statements, 'sns:Publish', own)).toBe(false);
  });

  it('reads Cognito pools of this region only, and writes none', () => {
    const pool = 'arn:aws:cognito-idp:eu-west-1:111111111111:userpool/eu-west-1_Vendor1';
    expect(allows(statements, 'cognito-idp:ListUsersInGroup', pool)).toBe(true);
    expect(allows(statements, 'cognito-idp:AdminListGroupsForUser', pool)).toBe(true);
    expect(allows(statements, 'cognito-idp:ListUsersInGroup', pool.replace(/eu-west-1/g, 'us-east-1'))).toBe(false);
    const actions = statements.flatMap((statement) => asList(statement.Action));
    expect(
      actions.filter((action) =>
        /^cognito-idp:(Admin(Add|Remove|Create|Delete|Disable|Update)|Create|Delete)/.test(action),
      ),
    ).toEqual([]);
  });

  it("forwards the Cognito and work-team CloudTrail events to the hub's default bus, with a role that may only do that", () => {
    const rule = resource('ForwardToHubRule');
    const pattern = compilePattern(rule.EventPattern, 'ForwardToHubRule');
    const call = (source: string, eventSource: string, eventName: string) => ({
      source,
      'detail-type': 'AWS API Call via CloudTrail',
      detail: { eventSource, eventName },
    });
    expect(matchesPattern(pattern, call('aws.cognito-idp', 'cognito-idp.amazonaws.com', 'AdminAddUserToGroup'))).toBe(
      true,
    );
    expect(matchesPattern(pattern, call('aws.sagemaker', 'sagemaker.amazonaws.com', 'UpdateWorkteam'))).toBe(true);
    expect(matchesPattern(pattern, call('aws.sagemaker', 'sagemaker.amazonaws.com', 'CreateTrainingJob'))).toBe(false);
    expect(matchesPattern(pattern, call('aws.s3', 's3.amazonaws.com', 'PutObject'))).toBe(false);
    const hubBus = 'arn:aws:events:eu-west-1:123456789012:event-bus/default';
    expect(rule.Targets).toEqual([expect.objectContaining({ Arn: hubBus, RoleArn: '<ForwardToHubRole.Arn>' })]);
    const forwarding = resource('ForwardToHubRole');
    expect(statementsOf(forwarding)).toEqual([{ Effect: 'Allow', Action: 'events:PutEvents', Resource: hubBus }]);
    expect((forwarding.AssumeRolePolicyDocument as { Statement: Statement[] }).Statement[0]?.Principal).toEqual({
      Service: 'events.amazonaws.com',
    });
  });
});
