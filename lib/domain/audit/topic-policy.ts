/**
 * A team topic's access policy read as SNS evaluates it, for two questions the audit asks: may SageMaker publish
 * to the topic (its `sns:Publish` as the service principal `sagemaker.amazonaws.com`), and does the policy let
 * anyone at all subscribe or publish. Pure; no AWS call.
 *
 * Conditions are evaluated as IAM does, in three values (true, false, cannot tell):
 * - a key the request of SageMaker's publish always carries is evaluated with its value: `aws:SourceAccount` (the
 *   team's account), `aws:SecureTransport` (`true`: a service calls over TLS), `aws:PrincipalIsAWSService`
 *   (`true`), `aws:PrincipalServiceName` (`sagemaker.amazonaws.com`);
 * - a key it never carries (`sns:Protocol`, `sns:Endpoint`: Subscribe's keys) is absent, and an absent key makes a
 *   positive operator false, a negated one (`StringNotEquals`, `ArnNotLike`, ...) and `...IfExists` true, and `Null`
 *   what it tests;
 * - any other key (`aws:SourceArn`, `aws:PrincipalAccount`, `aws:PrincipalOrgID`, `aws:CurrentTime`, ...), an
 *   operator outside String, Arn, Bool and Null on a present key, or a policy variable in a value: cannot tell.
 * A statement applies when all its conditions hold; one that cannot be told is reported as such, never taken as
 * passing.
 */

type Json = Record<string, unknown>;

export type Truth = true | false | 'unknown';

const SAGEMAKER_PRINCIPAL = 'sagemaker.amazonaws.com';

/** The request context of SageMaker's publish, keys in lower case (condition keys are case-insensitive). */
interface RequestContext {
  present: Map<string, string>;
  absent: ReadonlySet<string>;
}

function sageMakerPublishContext(sourceAccount: string | undefined): RequestContext {
  const present = new Map<string, string>([
    ['aws:securetransport', 'true'],
    ['aws:principalisawsservice', 'true'],
    ['aws:principalservicename', SAGEMAKER_PRINCIPAL],
  ]);
  if (sourceAccount !== undefined && /^\d{12}$/.test(sourceAccount)) present.set('aws:sourceaccount', sourceAccount);
  return { present, absent: new Set(['sns:protocol', 'sns:endpoint']) };
}

function isJsonObject(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** An IAM element that is a string or a list of strings; anything else names nothing. */
function stringsOf(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

/** A condition's values: strings, or booleans and numbers as IAM reads them (as their text). */
function conditionValues(value: unknown): string[] | undefined {
  const items = Array.isArray(value) ? value : [value];
  const values: string[] = [];
  for (const item of items) {
    if (typeof item === 'string') values.push(item);
    else if (typeof item === 'boolean' || typeof item === 'number') values.push(String(item));
    else return undefined;
  }
  return values;
}

/** IAM wildcards: `*` any run of characters, `?` one character. */
export function matchesWildcard(pattern: string, value: string, ignoreCase: boolean): boolean {
  const source = pattern
    .split('')
    .map((character) => {
      if (character === '*') return '.*';
      if (character === '?') return '.';
      return character.replace(/[\\^$.|+()[\]{}]/g, '\\$&');
    })
    .join('');
  return new RegExp(`^${source}$`, ignoreCase ? 'is' : 's').test(value);
}

type Comparison = (policyValue: string, requestValue: string) => boolean;

/** The base operators evaluated on a present key, and whether each is a negated one. */
const OPERATORS: Record<string, { compare: Comparison; negated: boolean }> = {
  stringequals: { compare: (p, v) => p === v, negated: false },
  stringnotequals: { compare: (p, v) => p === v, negated: true },
  stringequalsignorecase: { compare: (p, v) => p.toLowerCase() === v.toLowerCase(), negated: false },
  stringnotequalsignorecase: { compare: (p, v) => p.toLowerCase() === v.toLowerCase(), negated: true },
  stringlike: { compare: (p, v) => matchesWildcard(p, v, false), negated: false },
  stringnotlike: { compare: (p, v) => matchesWildcard(p, v, false), negated: true },
  arnequals: { compare: (p, v) => matchesWildcard(p, v, false), negated: false },
  arnlike: { compare: (p, v) => matchesWildcard(p, v, false), negated: false },
  arnnotequals: { compare: (p, v) => matchesWildcard(p, v, false), negated: true },
  arnnotlike: { compare: (p, v) => matchesWildcard(p, v, false), negated: true },
  bool: { compare: (p, v) => p.toLowerCase() === v.toLowerCase(), negated: false },
};

interface ParsedOperator {
  base: string;
  ifExists: boolean;
  set?: 'any' | 'all';
}

function parseOperator(raw: string): ParsedOperator {
  let name = raw.toLowerCase();
  let set: ParsedOperator['set'];
  if (name.startsWith('foranyvalue:')) {
    set = 'any';
    name = name.slice('foranyvalue:'.length);
  } else if (name.startsWith('forallvalues:')) {
    set = 'all';
    name = name.slice('forallvalues:'.length);
  }
  const ifExists = name.endsWith('ifexists');
  if (ifExists) name = name.slice(0, -'ifexists'.length);
  return { base: name, ifExists, ...(set === undefined ? {} : { set }) };
}

/** Whether an operator's name says it matches what does not match (`StringNotEquals`, `NotIpAddress`, ...). */
function isNegated(base: string): boolean {
  return OPERATORS[base]?.negated ?? /not/.test(base);
}

/** One operator on one key, evaluated against the request. */
function evaluateKey(operator: ParsedOperator, key: string, rawValues: unknown, context: RequestContext): Truth {
  const values = conditionValues(rawValues);
  if (values === undefined || values.some((value) => value.includes('${'))) return 'unknown';
  const present = context.present.get(key);
  if (present === undefined) {
    if (!context.absent.has(key)) return 'unknown';
    if (operator.base === 'null') return values.every((value) => value.toLowerCase() === 'true');
    if (operator.ifExists) return true;
    // A set operator over no values: ForAllValues holds, ForAnyValue does not.
    if (operator.set === 'all') return true;
    if (operator.set === 'any') return false;
    return isNegated(operator.base);
  }
  if (operator.base === 'null') return values.every((value) => value.toLowerCase() === 'false');
  const known = OPERATORS[operator.base];
  if (known === undefined) return 'unknown';
  const matched = values.some((value) => known.compare(value, present));
  return known.negated ? !matched : matched;
}

function and(truths: Truth[]): Truth {
  if (truths.includes(false)) return false;
  return truths.includes('unknown') ? 'unknown' : true;
}

/** A statement's Condition evaluated against the request, with the keys it could not evaluate. */
function evaluateCondition(condition: unknown, context: RequestContext): { truth: Truth; undecided: string[] } {
  if (condition === undefined) return { truth: true, undecided: [] };
  if (!isJsonObject(condition)) return { truth: 'unknown', undecided: ['Condition'] };
  const truths: Truth[] = [];
  const undecided: string[] = [];
  for (const [rawOperator, block] of Object.entries(condition)) {
    if (!isJsonObject(block)) {
      truths.push('unknown');
      undecided.push(rawOperator);
      continue;
    }
    const operator = parseOperator(rawOperator);
    for (const [rawKey, values] of Object.entries(block)) {
      const truth = evaluateKey(operator, rawKey.toLowerCase(), values, context);
      truths.push(truth);
      if (truth === 'unknown') undecided.push(rawKey);
    }
  }
  return { truth: and(truths), undecided };
}

function namesSageMaker(principal: unknown): boolean {
  if (principal === '*') return true;
  if (!isJsonObject(principal)) return false;
  return (
    stringsOf(principal.AWS).includes('*') ||
    stringsOf(principal.Service).some((service) => service.toLowerCase() === SAGEMAKER_PRINCIPAL)
  );
}

/** Principal `"*"` or `{"AWS": "*"}` (alone or in a list): anyone, any account. */
function namesAnyone(principal: unknown): boolean {
  if (principal === '*') return true;
  return isJsonObject(principal) && stringsOf(principal.AWS).includes('*');
}

function coversAction(statement: Json, action: string): boolean {
  // Action names are case-insensitive.
  const matches = (pattern: string) => matchesWildcard(pattern, action, true);
  if ('Action' in statement) return stringsOf(statement.Action).some(matches);
  if ('NotAction' in statement) return !stringsOf(statement.NotAction).some(matches);
  return false;
}

function coversTopic(statement: Json, topicArn: string): boolean {
  // ARNs are case-sensitive.
  const matches = (pattern: string) => matchesWildcard(pattern, topicArn, false);
  if ('Resource' in statement) return stringsOf(statement.Resource).some(matches);
  if ('NotResource' in statement) return !stringsOf(statement.NotResource).some(matches);
  return true;
}

/** Whether a statement's Principal / NotPrincipal, Action / NotAction and Resource / NotResource cover the call. */
function coversSageMakerPublish(statement: Json, topicArn: string): boolean {
  let principal: boolean;
  if ('Principal' in statement) principal = namesSageMaker(statement.Principal);
  else if ('NotPrincipal' in statement) principal = !namesSageMaker(statement.NotPrincipal);
  else principal = false;
  return principal && coversAction(statement, 'sns:Publish') && coversTopic(statement, topicArn);
}

export function statementsOf(policyJson: string | undefined): Json[] {
  if (policyJson === undefined) return [];
  let document: unknown;
  try {
    document = JSON.parse(policyJson);
  } catch {
    return [];
  }
  if (!isJsonObject(document)) return [];
  const statements: unknown[] = Array.isArray(document.Statement) ? document.Statement : [document.Statement];
  return statements.filter(isJsonObject);
}

/** A statement as a finding names it: its Sid, else its place in the policy. */
function statementName(statement: Json, index: number): string {
  return typeof statement.Sid === 'string' && statement.Sid !== '' ? statement.Sid : `statement ${index + 1}`;
}

function accountOf(arn: string | undefined): string | undefined {
  return arn?.split(':')[4] || undefined;
}

export interface PublishVerdict {
  /** `unknown`: a statement that decides it has a condition the audit cannot evaluate. */
  mayPublish: Truth;
  /** Deny statements that block SageMaker's publish (Sid or place). */
  denyingStatements: string[];
  /** Statements whose conditions could not be told, and the condition keys that could not be evaluated. */
  undecidedStatements: string[];
  undecidedKeys: string[];
}

/**
 * Whether SageMaker's `sns:Publish` to the topic is allowed by its access policy: an Allow statement covering it
 * whose conditions hold, and no Deny statement covering it whose conditions hold (a Deny wins). `sourceAccount` is
 * the team's account (`aws:SourceAccount` of SageMaker's request); by default the topic's. An absent or unreadable
 * policy allows nothing.
 */
export function sageMakerPublishVerdict(
  policyJson: string | undefined,
  topicArn: string,
  sourceAccount: string | undefined = accountOf(topicArn),
): PublishVerdict {
  const context = sageMakerPublishContext(sourceAccount);
  const allows: Truth[] = [];
  const denyingStatements: string[] = [];
  const undecidedDenies: { name: string; keys: string[] }[] = [];
  const undecidedAllows: { name: string; keys: string[] }[] = [];
  statementsOf(policyJson).forEach((statement, index) => {
    if (!coversSageMakerPublish(statement, topicArn)) return;
    const { truth, undecided } = evaluateCondition(statement.Condition, context);
    const name = statementName(statement, index);
    if (statement.Effect === 'Deny') {
      if (truth === true) denyingStatements.push(name);
      if (truth === 'unknown') undecidedDenies.push({ name, keys: undecided });
    } else if (statement.Effect === 'Allow') {
      allows.push(truth);
      if (truth === 'unknown') undecidedAllows.push({ name, keys: undecided });
    }
  });
  let mayPublish: Truth;
  if (denyingStatements.length > 0) mayPublish = false;
  else if (allows.includes(true)) mayPublish = undecidedDenies.length > 0 ? 'unknown' : true;
  else mayPublish = allows.includes('unknown') ? 'unknown' : false;
  // Only what decides the answer is named: undecided allows do not matter once one allow holds.
  const deciding =
    mayPublish === 'unknown' ? [...undecidedDenies, ...(allows.includes(true) ? [] : undecidedAllows)] : [];
  return {
    mayPublish,
    denyingStatements,
    undecidedStatements: deciding.map(({ name }) => name),
    undecidedKeys: [...new Set(deciding.flatMap(({ keys }) => keys))].sort(),
  };
}

/** Shorthand: SageMaker may publish, for certain. */
export function allowsSageMakerPublish(policyJson: string | undefined, topicArn: string): boolean {
  return sageMakerPublishVerdict(policyJson, topicArn).mayPublish === true;
}

/**
 * Condition keys that confine a statement to one account or organisation: a positive match on one of them with a
 * value that is not a wildcard keeps everyone else out.
 */
const CONFINING_KEYS = new Set([
  'aws:sourceaccount',
  'aws:sourceowner',
  'aws:sourceorgid',
  'aws:sourceorgpaths',
  'aws:sourcearn',
  'aws:principalaccount',
  'aws:principalorgid',
  'aws:principalorgpaths',
  'aws:principalarn',
]);
const CONFINING_OPERATORS = new Set(['stringequals', 'stringequalsignorecase', 'stringlike', 'arnequals', 'arnlike']);

/** Whether a value names something narrower than everyone: not a bare wildcard, nor an ARN of any account. */
function isConfiningValue(key: string, value: string): boolean {
  if (value === '' || /^[*?]+$/.test(value)) return false;
  if (key === 'aws:sourcearn' || key === 'aws:principalarn') {
    const account = value.split(':')[4];
    return account !== undefined && /^\d{12}$/.test(account);
  }
  return true;
}

/**
 * A Condition that confines a statement to an account or organisation: at least one of its blocks is a positive,
 * non-`IfExists` match of a confining key against values that are not wildcards (every block must hold, so one
 * confining block confines the statement).
 */
function isConfined(condition: unknown): boolean {
  if (!isJsonObject(condition)) return false;
  return Object.entries(condition).some(([rawOperator, block]) => {
    const operator = parseOperator(rawOperator);
    if (operator.ifExists || operator.set === 'all' || !CONFINING_OPERATORS.has(operator.base)) return false;
    if (!isJsonObject(block)) return false;
    return Object.entries(block).some(([rawKey, rawValues]) => {
      const key = rawKey.toLowerCase();
      const values = conditionValues(rawValues);
      return (
        CONFINING_KEYS.has(key) &&
        values !== undefined &&
        values.length > 0 &&
        values.every((value) => isConfiningValue(key, value))
      );
    });
  });
}

export interface OpenAccess {
  /** The actions anyone may call on the topic: `sns:Subscribe`, `sns:Publish`. */
  actions: string[];
  /** The statements that let them (Sid or place). */
  statements: string[];
}

const OPEN_ACTIONS = ['sns:Subscribe', 'sns:Publish'];

/**
 * What an Allow statement lets anyone do on the topic: Principal `"*"` or `{"AWS": "*"}` (or a NotPrincipal,
 * which allows everyone it does not name) with `sns:Subscribe` or `sns:Publish`, and no condition confining it to
 * an account or organisation. Undefined when the policy lets nobody outside in.
 */
export function openAccessOf(policyJson: string | undefined, topicArn: string): OpenAccess | undefined {
  const actions = new Set<string>();
  const statements: string[] = [];
  statementsOf(policyJson).forEach((statement, index) => {
    if (statement.Effect !== 'Allow') return;
    const anyone = 'Principal' in statement ? namesAnyone(statement.Principal) : 'NotPrincipal' in statement;
    if (!anyone || !coversTopic(statement, topicArn) || isConfined(statement.Condition)) return;
    const opened = OPEN_ACTIONS.filter((action) => coversAction(statement, action));
    if (opened.length === 0) return;
    for (const action of opened) actions.add(action);
    statements.push(statementName(statement, index));
  });
  if (statements.length === 0) return undefined;
  return { actions: OPEN_ACTIONS.filter((action) => actions.has(action)), statements };
}

/** The AWS managed key of SNS (`alias/aws/sns`, by name or alias ARN): its key policy cannot grant SageMaker. */
export function isAwsManagedSnsKey(kmsMasterKeyId: string | undefined): boolean {
  if (kmsMasterKeyId === undefined) return false;
  return /^(arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:)?alias\/aws\/sns$/.test(kmsMasterKeyId.trim());
}
