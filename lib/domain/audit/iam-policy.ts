/**
 * An IAM resource policy read as IAM evaluates it, for the audit's questions about a team topic's access policy
 * (topic-policy.ts): its statements, whether a statement's Action / NotAction and Resource / NotResource cover a
 * call, and its Condition evaluated against the request. Pure; no AWS call.
 *
 * Conditions are evaluated as IAM does, in three values (true, false, cannot tell):
 * - a key the request always carries is evaluated with its value (`RequestContext.present`);
 * - a key it never carries (`RequestContext.absent`) is absent, and an absent key makes a positive operator false, a
 *   negated one (`StringNotEquals`, `ArnNotLike`, ...) and `...IfExists` true, and `Null` what it tests;
 * - any other key, an operator outside String, Arn, Bool and Null on a present key, or a policy variable in a
 *   value: cannot tell.
 * A statement applies when all its conditions hold; one that cannot be told is reported as such, never taken as
 * passing.
 */

export type Json = Record<string, unknown>;

export type Truth = true | false | 'unknown';

/** The request context of a call, keys in lower case (condition keys are case-insensitive). */
export interface RequestContext {
  present: Map<string, string>;
  absent: ReadonlySet<string>;
}

export function isJsonObject(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** An IAM element that is a string or a list of strings; anything else names nothing. */
export function stringsOf(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

/** A condition's values: strings, or booleans and numbers as IAM reads them (as their text). */
export function conditionValues(value: unknown): string[] | undefined {
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
function matchesWildcard(pattern: string, value: string, ignoreCase: boolean): boolean {
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

export function parseOperator(raw: string): ParsedOperator {
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
export function evaluateCondition(condition: unknown, context: RequestContext): { truth: Truth; undecided: string[] } {
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

/**
 * Whether a statement's element (`Action` / `NotAction`, `Resource` / `NotResource`) covers the value; `absent`:
 * the answer when the statement has neither.
 */
function coversElement(
  statement: Json,
  element: 'Action' | 'Resource',
  value: string,
  ignoreCase: boolean,
  absent: boolean,
): boolean {
  const matches = (pattern: string) => matchesWildcard(pattern, value, ignoreCase);
  if (element in statement) return stringsOf(statement[element]).some(matches);
  const negated = `Not${element}`;
  if (negated in statement) return !stringsOf(statement[negated]).some(matches);
  return absent;
}

/** Action names are case-insensitive; a statement without Action or NotAction covers no action. */
export function coversAction(statement: Json, action: string): boolean {
  return coversElement(statement, 'Action', action, true, false);
}

/** ARNs are case-sensitive; a statement without Resource or NotResource covers every resource. */
export function coversResource(statement: Json, arn: string): boolean {
  return coversElement(statement, 'Resource', arn, false, true);
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
export function statementName(statement: Json, index: number): string {
  return typeof statement.Sid === 'string' && statement.Sid !== '' ? statement.Sid : `statement ${index + 1}`;
}
