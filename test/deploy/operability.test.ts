/**
 * What the packaged template (stage `ci`) gives the people who run the system: the HTTP API throttled, its access
 * log free of tokens, a short authorizer cache, and alarms that reach the operations topic.
 */
import { type PackagedTemplate, packagedTemplate, type TemplateResource } from '../support/package';

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
    expect(functions).toHaveLength(17);
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
