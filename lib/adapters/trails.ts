/**
 * Whether CloudTrail logs, in this region, the management write events the real-time paths follow: EventBridge
 * receives "AWS API Call via CloudTrail" events (the Cognito sync's, the real-time audit's) only while a trail does.
 * `DescribeTrails` lists the region's trails and their shadows (another region's multi-region trail, an
 * organisation's trail); for each that applies here, `GetTrailStatus` (is it logging?) and `GetEventSelectors` (does
 * it take management write events of SageMaker and Cognito?), by ARN, as shadows and organisation trails require,
 * the trails side by side. Basic selectors and advanced ones (eventCategory, readOnly, eventSource) are read; an
 * advanced selector on any other field might leave our events out, so such a trail is not counted on.
 * What CloudTrail does not answer (denied, throttled past the SDK's retries) makes the answer 'cannot tell' unless
 * another trail is known to log: the audit then leaves its finding as it is.
 */
import {
  type AdvancedEventSelector,
  type AdvancedFieldSelector,
  type CloudTrailClient,
  DescribeTrailsCommand,
  type EventSelector,
  GetEventSelectorsCommand,
  GetTrailStatusCommand,
  type Trail,
} from '@aws-sdk/client-cloudtrail';
import { FOLLOWED_EVENT_SOURCES } from '../domain/audit/findings';
import type { TrailInspector } from '../ports/teams';
import { isTransient } from '../runtime/aws-errors';

/** Whether something logs what we follow: known yes, known no, or not known. */
type Verdict = 'yes' | 'no' | 'unknown';

export function createTrailInspector(cloudTrail: CloudTrailClient, region: string): TrailInspector {
  const verdictOf = async (arn: string): Promise<Verdict> => {
    const [status, selectors] = await Promise.allSettled([
      cloudTrail.send(new GetTrailStatusCommand({ Name: arn })),
      cloudTrail.send(new GetEventSelectorsCommand({ TrailName: arn })),
    ]);
    if (status.status === 'fulfilled' && status.value.IsLogging !== true) return 'no';
    for (const answer of [status, selectors]) {
      if (answer.status === 'rejected') {
        // Gone since it was listed: it logs nothing.
        if (isNamed(answer.reason, 'TrailNotFoundException')) return 'no';
        return unanswered(answer.reason);
      }
    }
    if (selectors.status !== 'fulfilled') return 'unknown';
    const { EventSelectors = [], AdvancedEventSelectors = [] } = selectors.value;
    return all(FOLLOWED_EVENT_SOURCES.map((source) => selectorsTake(EventSelectors, AdvancedEventSelectors, source)));
  };

  return {
    async managementEventsLogged() {
      let listed: Trail[];
      try {
        listed = (await cloudTrail.send(new DescribeTrailsCommand({ includeShadowTrails: true }))).trailList ?? [];
      } catch (error) {
        unanswered(error);
        return 'cannot tell';
      }
      const arns = listed
        .filter((trail) => trail.IsMultiRegionTrail === true || trail.HomeRegion === region)
        .flatMap((trail) => (trail.TrailARN ? [trail.TrailARN] : []));
      const verdicts = await Promise.all(arns.map(async (arn) => ({ arn, verdict: await verdictOf(arn) })));
      const logging = verdicts.filter(({ verdict }) => verdict === 'yes').map(({ arn }) => arn);
      if (logging.length > 0) return { logged: true, trails: logging };
      if (verdicts.some(({ verdict }) => verdict === 'unknown')) return 'cannot tell';
      return { logged: false, trails: verdicts.map(({ arn }) => arn) };
    },
  };
}

const isNamed = (error: unknown, name: string) => error instanceof Error && error.name === name;

/**
 * CloudTrail's own answers (a refusal, throttling) and transient failures leave the question open; anything else
 * (the invocation running out of time, a fault of ours) is thrown.
 */
function unanswered(error: unknown): 'unknown' {
  const fromService = error instanceof Error && '$fault' in error;
  if (isNamed(error, 'AbortError') || (!fromService && !isTransient(error))) throw error;
  return 'unknown';
}

/** Every source must be logged: no if one is not, unknown if one may not be. */
function all(verdicts: Verdict[]): Verdict {
  if (verdicts.includes('no')) return 'no';
  return verdicts.includes('unknown') ? 'unknown' : 'yes';
}

/** Some selector takes the source's management write events: yes if one does, unknown if one might. */
function some(verdicts: Verdict[]): Verdict {
  if (verdicts.includes('yes')) return 'yes';
  return verdicts.includes('unknown') ? 'unknown' : 'no';
}

function selectorsTake(basic: EventSelector[], advanced: AdvancedEventSelector[], source: string): Verdict {
  return some([
    ...basic.map(
      (selector): Verdict =>
        selector.IncludeManagementEvents !== false &&
        selector.ReadWriteType !== 'ReadOnly' &&
        !(selector.ExcludeManagementEventSources ?? []).includes(source)
          ? 'yes'
          : 'no',
    ),
    ...advanced.map((selector) => advancedTakes(selector, source)),
  ]);
}

/** A management write event of the source, as an advanced selector sees it. */
function advancedTakes(selector: AdvancedEventSelector, source: string): Verdict {
  const event: Record<string, string> = { eventCategory: 'Management', readOnly: 'false', eventSource: source };
  return all(
    (selector.FieldSelectors ?? []).map((field): Verdict => {
      const value = field.Field === undefined ? undefined : event[field.Field];
      // Another field (eventName, userIdentity.arn, ...) may leave some of our calls out.
      if (value === undefined) return 'unknown';
      return fieldHolds(field, value) ? 'yes' : 'no';
    }),
  );
}

/** Values of one operator are alternatives; the operators of a field selector must all hold. */
function fieldHolds(field: AdvancedFieldSelector, value: string): boolean {
  const any = (values: string[] | undefined, test: (candidate: string) => boolean) =>
    values === undefined || values.some(test);
  const none = (values: string[] | undefined, test: (candidate: string) => boolean) =>
    values === undefined || !values.some(test);
  return (
    any(field.Equals, (v) => value === v) &&
    any(field.StartsWith, (v) => value.startsWith(v)) &&
    any(field.EndsWith, (v) => value.endsWith(v)) &&
    none(field.NotEquals, (v) => value === v) &&
    none(field.NotStartsWith, (v) => value.startsWith(v)) &&
    none(field.NotEndsWith, (v) => value.endsWith(v))
  );
}
