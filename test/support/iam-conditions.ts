/**
 * IAM's evaluation of a statement's `Condition` block, for the condition operators this stack's roles use, so the
 * IAM test can ask "may this role make this request?" of the packaged template instead of comparing text. An
 * operator it does not know fails the test: a new one is added here, with IAM's meaning, before it is relied on.
 *
 * The request context: single-valued keys (`aws:ResourceTag/<key>`, `aws:RequestTag/<key>`,
 * `sagemaker:TaggingAction`) as strings, absent when the request has none; `aws:TagKeys` as a list.
 */
export type RequestContext = Record<string, string | string[] | undefined>;
type ConditionBlock = Record<string, Record<string, unknown>>;

const asList = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : [String(value)]);

/** One operator over one key: whether the request satisfies it. */
function satisfies(operator: string, key: string, expected: string[], context: RequestContext): boolean {
  const actual = context[key];
  const values = actual === undefined ? [] : asList(actual);
  switch (operator) {
    case 'StringEquals':
      return actual !== undefined && !Array.isArray(actual) && expected.includes(actual);
    case 'StringEqualsIfExists':
      return actual === undefined || (!Array.isArray(actual) && expected.includes(actual));
    // ForAllValues holds for a request without the key (an empty set).
    case 'ForAllValues:StringEquals':
      return values.every((value) => expected.includes(value));
    case 'ForAllValues:StringNotEqualsIgnoreCase':
      return values.every((value) => !expected.some((e) => e.toLowerCase() === value.toLowerCase()));
    case 'Null':
      return expected.includes(String(actual === undefined));
    default:
      throw new Error(`the IAM test does not know the condition operator ${operator}: add it to iam-conditions.ts`);
  }
}

/** Whether a statement's conditions all hold for the request (a statement without conditions always applies). */
export function conditionsHold(condition: ConditionBlock | undefined, context: RequestContext): boolean {
  return Object.entries(condition ?? {}).every(([operator, keys]) =>
    Object.entries(keys).every(([key, expected]) => satisfies(operator, key, asList(expected), context)),
  );
}

/** The request context of a SageMaker request on a team carrying `resourceTags`, asking for `requestTags`. */
export function teamRequest(
  resourceTags: Record<string, string>,
  requestTags: Record<string, string> = {},
  extra: RequestContext = {},
): RequestContext {
  const keys = Object.keys(requestTags);
  return {
    ...Object.fromEntries(Object.entries(resourceTags).map(([key, value]) => [`aws:ResourceTag/${key}`, value])),
    ...Object.fromEntries(Object.entries(requestTags).map(([key, value]) => [`aws:RequestTag/${key}`, value])),
    ...(keys.length > 0 ? { 'aws:TagKeys': keys } : {}),
    ...extra,
  };
}
