/**
 * What the packaged template (stage `ci`) gives the people who run the system: the HTTP API throttled, its access
 * log free of tokens, a short authorizer cache, alarms that reach the operations topic (every dead-letter queue
 * watched), a dashboard, tables that outlive the stack, and nothing an account with a low Lambda quota refuses.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { testAlarmCommand } from '../../scripts/test-alarm';
import { type PackagedTemplate, packagedTemplate, type TemplateResource } from '../support/package';
import { projectRoot } from '../support/serverless';

type Json = Record<string, unknown>;

let template: PackagedTemplate;

beforeAll(async () => {
  template = await packagedTemplate();
}, 180_000);

function resource(logicalId: string): TemplateResource {
  const found = template.Resources[logicalId];
  if (!found) throw new Error(`no resource ${logicalId} in the packaged template`);
  return found;
}

function resourcesOfType(type: string): [string, TemplateResource][] {
  return Object.entries(template.Resources).filter(([, candidate]) => candidate.Type === type);
}

const OPERATIONS_TOPIC = [{ Ref: 'OperationsTopic' }];

describe('the HTTP API', () => {
  it('is throttled on every route, steadily and in bursts', () => {
    // Act
    const stage = resource('HttpApiStage');

    // Assess
    expect(stage.Properties.DefaultRouteSettings).toEqual({
      DetailedMetricsEnabled: false,
      ThrottlingRateLimit: 25,
      ThrottlingBurstLimit: 50,
    });
  });

  it('writes a JSON access log of each request that holds no header, token or query string', () => {
    // Act
    const settings = resource('HttpApiStage').Properties.AccessLogSettings as { Format: string; DestinationArn: Json };
    const format = settings.Format;

    // Assess
    expect(JSON.parse(format)).toMatchObject({
      requestId: '$context.requestId',
      routeKey: '$context.routeKey',
      status: '$context.status',
    });
    expect(format).not.toMatch(
      /authorization|token|header|querystring|\$request\.|\$context\.identity\.(?!sourceIp|userAgent)/i,
    );
    expect(settings.DestinationArn).toEqual({ 'Fn::GetAtt': ['HttpApiLogGroup', 'Arn'] });
    expect(resource('HttpApiLogGroup').Properties.RetentionInDays).toBe(30);
  });

  it('keeps an authorizer answer for a minute at most', () => {
    expect(resource('HttpApiAuthorizerTokenAuthorizer').Properties.AuthorizerResultTtlInSeconds).toBe(60);
  });

  it('tells the authorizer which group may request teams', () => {
    const environment = resource('AuthorizerLambdaFunction').Properties.Environment as { Variables: Json };
    expect(environment.Variables.REQUESTERS_GROUP).toBe('workteam-requesters');
  });
});

describe('the alarms', () => {
  it('all tell the operations topic when they go off and when they are OK again', () => {
    // Act
    const alarms = resourcesOfType('AWS::CloudWatch::Alarm');

    // Assess
    expect(alarms.length).toBeGreaterThan(0);
    for (const [, alarm] of alarms) {
      expect(alarm.Properties.AlarmActions).toEqual(OPERATIONS_TOPIC);
      expect(alarm.Properties.OKActions).toEqual(OPERATIONS_TOPIC);
    }
  });

  it("go off on the HTTP API's 5xx answers", () => {
    expect(resource('HttpApi5xxAlarm').Properties).toMatchObject({
      Namespace: 'AWS/ApiGateway',
      MetricName: '5xx',
      Dimensions: [{ Name: 'ApiId', Value: { Ref: 'HttpApi' } }],
      Statistic: 'Sum',
    });
  });

  it('go off on teams turned Failed, as Powertools counts them', () => {
    expect(resource('TeamsFailedAlarm').Properties).toMatchObject({
      Namespace: 'WorkteamAutomation',
      MetricName: 'TeamsFailed',
      Dimensions: [{ Name: 'service', Value: 'workteam-automation' }],
      Threshold: 1,
    });
  });

  it('go off on a change Pending for an hour, and when retryPending stops reporting', () => {
    expect(resource('OldestPendingAgeAlarm').Properties).toMatchObject({
      Namespace: 'WorkteamAutomation',
      MetricName: 'OldestPendingAgeSeconds',
      Dimensions: [{ Name: 'service', Value: 'workteam-automation' }],
      Statistic: 'Maximum',
      Threshold: 3600,
      TreatMissingData: 'breaching',
    });
  });

  it('go off on errors and throttles of every function, one alarm each', () => {
    // Prepare
    const functions = resourcesOfType('AWS::Lambda::Function').map(([logicalId]) => logicalId);
    type Metric = { Namespace: string; MetricName: string; Dimensions: { Name: string; Value: { Ref: string } }[] };
    const watched = (alarm: TemplateResource, metricName: string) =>
      ((alarm.Properties.Metrics ?? []) as { MetricStat?: { Metric: Metric } }[])
        .flatMap((query) => (query.MetricStat ? [query.MetricStat.Metric] : []))
        .filter((metric) => metric.Namespace === 'AWS/Lambda' && metric.MetricName === metricName)
        .flatMap((metric) => metric.Dimensions.filter((d) => d.Name === 'FunctionName').map((d) => d.Value.Ref));

    // Act
    const alarms = resourcesOfType('AWS::CloudWatch::Alarm').map(([, alarm]) => alarm);
    const errors = alarms.flatMap((alarm) => watched(alarm, 'Errors'));
    const throttles = alarms.flatMap((alarm) => watched(alarm, 'Throttles'));

    // Assess
    expect(functions).toHaveLength(19);
    expect(errors.sort()).toEqual([...functions].sort());
    expect(throttles.sort()).toEqual([...functions].sort());
  });

  it('can publish to the operations topic: its key lets CloudWatch alarms of this stack use it', () => {
    // Prepare
    const key = resource('OperationsTopicKey').Properties.KeyPolicy as { Statement: Json[] };

    // Act
    const forAlarms = key.Statement.filter(
      (statement) => (statement.Principal as Json | undefined)?.Service === 'cloudwatch.amazonaws.com',
    );

    // Assess
    expect(resource('OperationsTopic').Properties.KmsMasterKeyId).toEqual({ Ref: 'OperationsTopicKey' });
    expect(forAlarms).toHaveLength(1);
    expect(forAlarms[0]?.Action).toEqual(['kms:GenerateDataKey*', 'kms:Decrypt']);
    expect(JSON.stringify(forAlarms[0]?.Condition)).toContain('alarm:workteam-automation-ci-*');
    for (const [, alarm] of resourcesOfType('AWS::CloudWatch::Alarm')) {
      expect(String(alarm.Properties.AlarmName)).toMatch(/^workteam-automation-ci-/);
    }
  });
});

/** The logical ids of the queues the template names as a dead-letter target, wherever it does. */
function deadLetterQueues(): string[] {
  const found = new Set<string>();
  const targetOf = (value: unknown) => {
    const getAtt = (value as { 'Fn::GetAtt'?: [string, string] } | undefined)?.['Fn::GetAtt'];
    if (getAtt) found.add(getAtt[0]);
  };
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    if (typeof node !== 'object' || node === null) return;
    for (const [key, value] of Object.entries(node)) {
      if (key === 'deadLetterTargetArn') targetOf(value); // an SQS redrive policy
      if (key === 'DeadLetterConfig') targetOf((value as Json).Arn); // an EventBridge target
      if (key === 'OnFailure') targetOf((value as Json).Destination); // a Lambda on-failure destination
      walk(value);
    }
  };
  walk(template.Resources);
  return [...found].sort();
}

describe('the dead-letter queues', () => {
  it('each have an alarm that goes off on the first message', () => {
    // Prepare
    const queues = deadLetterQueues();

    // Act
    const watched = resourcesOfType('AWS::CloudWatch::Alarm')
      .map(([, alarm]) => alarm.Properties)
      .filter(
        (alarm) =>
          alarm.Namespace === 'AWS/SQS' &&
          alarm.MetricName === 'ApproximateNumberOfMessagesVisible' &&
          alarm.Threshold === 0 &&
          alarm.ComparisonOperator === 'GreaterThanThreshold',
      )
      .flatMap((alarm) => (alarm.Dimensions as { Name: string; Value: Json }[]).map((d) => d.Value['Fn::GetAtt']));

    // Assess
    expect(queues).toEqual(['AuditDeadLetterQueue', 'AuditTargetsDeadLetterQueue', 'CognitoSyncDeadLetterQueue']);
    expect(watched.sort()).toEqual(queues.map((queue) => [queue, 'QueueName']));
  });
});

describe('npm run ops:test-alarm', () => {
  it("fires an alarm of the stage's that tells the operations topic, and turns OK again by itself", () => {
    // Act
    const command = testAlarmCommand('ci', 'eu-west-1');
    const name = command[command.indexOf('--alarm-name') + 1];

    // Assess: its metric at rest (an empty queue: missing data is not breaching), CloudWatch turns it OK again
    expect(command.slice(0, 2)).toEqual(['cloudwatch', 'set-alarm-state']);
    const alarm = resourcesOfType('AWS::CloudWatch::Alarm').find(([, found]) => found.Properties.AlarmName === name);
    expect(alarm?.[1].Properties).toMatchObject({
      AlarmActions: OPERATIONS_TOPIC,
      OKActions: OPERATIONS_TOPIC,
      TreatMissingData: 'notBreaching',
    });
  });
});

describe('the dashboard', () => {
  const body = () => (resource('Dashboard').Properties.DashboardBody as { 'Fn::Sub': string })['Fn::Sub'];
  type Widget = { properties: { title: string; metrics: (string | Json)[][] } };
  const widgets = () => (JSON.parse(body()) as { widgets: Widget[] }).widgets;
  const metricsOf = (widget: Widget) => widget.properties.metrics.map((metric) => `${metric[0]} ${metric[1]}`);

  it('names only resources of the stack', () => {
    // Act
    const names = [...body().matchAll(/\$\{([^}]+)\}/g)].map((match) => match[1]?.split('.')[0] ?? '');

    // Assess
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) expect(name.startsWith('AWS::') || name in template.Resources).toBe(true);
  });

  it("shows the API's requests, 4xx and 5xx answers, latency, teams by status, pending age, findings by severity, sync lag and dead-letter depth", () => {
    // Act
    const shown = widgets().flatMap(metricsOf);

    // Assess
    expect(shown).toEqual(
      expect.arrayContaining([
        'AWS/ApiGateway Count',
        'AWS/ApiGateway 4xx',
        'AWS/ApiGateway 5xx',
        'AWS/ApiGateway Latency',
        'WorkteamAutomation AuditTeamsCompliant',
        'WorkteamAutomation TeamsFailed',
        'WorkteamAutomation OldestPendingAgeSeconds',
        'WorkteamAutomation AuditFindingsBySeverity',
        'AWS/SQS ApproximateAgeOfOldestMessage',
      ]),
    );
    const deadLetters = widgets().find((widget) => /dead-letter/i.test(widget.properties.title));
    expect(deadLetters?.properties.metrics.map((metric) => metric[3]).sort()).toEqual(
      deadLetterQueues().map((queue) => `\${${queue}.QueueName}`),
    );
  });

  it('reads only custom metrics the functions emit (lib/runtime/metrics.ts)', () => {
    // Prepare
    const emitted = readFileSync(join(projectRoot, 'lib/runtime/metrics.ts'), 'utf8');

    // Act
    const custom = widgets()
      .flatMap((widget) => widget.properties.metrics)
      .filter((metric) => metric[0] === 'WorkteamAutomation')
      .map((metric) => String(metric[1]));

    // Assess
    expect(custom.length).toBeGreaterThan(0);
    for (const name of custom) expect(emitted).toContain(`'${name}'`);
  });
});

describe('the tables', () => {
  it('of teams and of audit reports are kept when the stack goes, under names the next deploy adopts', () => {
    for (const logicalId of ['TeamsTable', 'AuditTable']) {
      // Act
      const table = template.Resources[logicalId] as TemplateResource & Json;

      // Assess: CloudFormation adopts only a resource with DeletionPolicy Retain and a static custom name
      expect({ deletion: table.DeletionPolicy, replacement: table.UpdateReplacePolicy }).toEqual({
        deletion: 'Retain',
        replacement: 'Retain',
      });
      expect(table.Properties.TableName).toEqual(expect.stringMatching(/^workteam-automation-ci-(teams|audit)$/));
    }
  });
});

describe('the functions', () => {
  it('reserve no concurrency, which an account whose Lambda quota is 10 or 50 refuses', () => {
    // Act
    const reserving = resourcesOfType('AWS::Lambda::Function').filter(
      ([, fn]) => fn.Properties.ReservedConcurrentExecutions !== undefined,
    );

    // Assess
    expect(resourcesOfType('AWS::Lambda::Function').length).toBeGreaterThan(0);
    expect(reserving.map(([logicalId]) => logicalId)).toEqual([]);
  });
});
