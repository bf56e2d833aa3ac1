/**
 * EventBridge event patterns, the subset the local event bus needs: every field of the pattern must match; a
 * field is either a list of matchers (the event's value, or one of its values when it is an array, matches one of
 * them) or a nested pattern. A matcher is a value (string, number, boolean, null: equal to it) or an `anything-but`
 * filter: `{"anything-but": "a"}`, `{"anything-but": ["a", "b"]}` (all strings or all numbers), or
 * `{"anything-but": {"prefix": "p"}}` (or a list of prefixes): the field must be there, and is then matched by
 * any value but those (null and numbers, which have no prefix, included), as EventBridge matches it.
 * Other content filters (`prefix`, `numeric`, `exists`, ...) and `$or` are refused when the pattern is read,
 * naming where they are: a rule the local bus cannot evaluate as EventBridge would must not be silently wrong.
 */

export type PatternValue = string | number | boolean | null;
/** `{"anything-but": ...}`, as written in the pattern. */
export interface AnythingBut {
  'anything-but': string | number | string[] | number[] | { prefix: string | string[] };
}
export type Matcher = PatternValue | AnythingBut;
export interface EventPattern {
  [field: string]: Matcher[] | EventPattern;
}

/** EventBridge's other content-filter operators: valid in AWS, not evaluated by the local bus. */
const OPERATORS = new Set(['prefix', 'suffix', 'numeric', 'exists', 'cidr', 'equals-ignore-case', 'wildcard']);

export class InvalidPatternError extends Error {
  constructor(where: string, problem: string) {
    super(`event pattern ${where}: ${problem}`);
    this.name = 'InvalidPatternError';
  }
}

export class UnsupportedPatternError extends Error {
  constructor(where: string, operator: string) {
    super(
      `event pattern ${where}: the local event bus does not support ${operator}; ` +
        'it matches exact values, anything-but and nested fields only (extend local/event-pattern.ts to use it)',
    );
    this.name = 'UnsupportedPatternError';
  }
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Checks a pattern (as read from serverless.yml) and returns it typed; `name` says whose pattern it is. */
export function compilePattern(pattern: unknown, name: string): EventPattern {
  if (!isObject(pattern) || Object.keys(pattern).length === 0) {
    throw new InvalidPatternError(name, 'a pattern is an object with at least one field');
  }
  return compileObject(pattern, name, []);
}

function compileObject(pattern: Record<string, unknown>, name: string, path: string[]): EventPattern {
  const compiled: EventPattern = {};
  for (const [field, value] of Object.entries(pattern)) {
    const where = `${name} at ${[...path, field].join('.')}`;
    if (field === '$or') throw new UnsupportedPatternError(where, '$or');
    if (Array.isArray(value)) {
      if (value.length === 0) throw new InvalidPatternError(where, 'an empty list matches nothing');
      compiled[field] = value.map((item): Matcher => {
        if (item === null || ['string', 'number', 'boolean'].includes(typeof item)) return item as PatternValue;
        if (isObject(item)) {
          const [operator = '{}', ...others] = Object.keys(item);
          if (others.length > 0) throw new InvalidPatternError(where, 'a filter is an object with one operator');
          if (operator === 'anything-but') return compileAnythingBut(item[operator], where);
          if (OPERATORS.has(operator)) throw new UnsupportedPatternError(where, `the "${operator}" filter`);
          throw new InvalidPatternError(where, `unknown filter ${JSON.stringify(operator)}`);
        }
        throw new InvalidPatternError(where, `a value to match must be a string, number, boolean or null`);
      });
    } else if (isObject(value)) {
      if (Object.keys(value).length === 0) throw new InvalidPatternError(where, 'an empty object matches nothing');
      compiled[field] = compileObject(value, name, [...path, field]);
    } else {
      throw new InvalidPatternError(where, 'a field must hold a list of values or a nested pattern');
    }
  }
  return compiled;
}

const isNonEmptyString = (value: unknown): value is string => typeof value === 'string' && value !== '';

/** Checks the operand of `anything-but` as EventBridge does when a rule is put. */
function compileAnythingBut(operand: unknown, where: string): AnythingBut {
  const invalid = (problem: string) => new InvalidPatternError(where, `"anything-but" ${problem}`);
  if (typeof operand === 'string' || (typeof operand === 'number' && Number.isFinite(operand))) {
    return { 'anything-but': operand };
  }
  if (Array.isArray(operand)) {
    if (operand.length === 0) throw invalid('needs at least one value');
    if (operand.every((item) => typeof item === 'string')) return { 'anything-but': operand as string[] };
    if (operand.every((item) => typeof item === 'number' && Number.isFinite(item))) {
      return { 'anything-but': operand as number[] };
    }
    throw invalid('takes a list of strings only or of numbers only');
  }
  if (isObject(operand)) {
    const [filter = '{}', ...others] = Object.keys(operand);
    if (others.length > 0) throw invalid('takes one filter');
    if (filter !== 'prefix') {
      if (OPERATORS.has(filter)) throw new UnsupportedPatternError(where, `the "anything-but" filter with "${filter}"`);
      throw invalid(`has an unknown filter ${JSON.stringify(filter)}`);
    }
    const prefix = operand.prefix;
    if (isNonEmptyString(prefix)) return { 'anything-but': { prefix } };
    if (Array.isArray(prefix) && prefix.length > 0 && prefix.every(isNonEmptyString)) {
      return { 'anything-but': { prefix: prefix as string[] } };
    }
    throw invalid('"prefix" takes a non-empty string or a list of them');
  }
  throw invalid('takes a string, a number, a list of either, or {"prefix": ...}');
}

/** Whether one value of the event (a leaf: never an object) is matched by the matcher. */
function matchesValue(matcher: Matcher, value: unknown): boolean {
  if (matcher === null || typeof matcher !== 'object') return matcher === value;
  if (isObject(value)) return false;
  const operand = matcher['anything-but'];
  if (Array.isArray(operand)) return !(operand as unknown[]).includes(value);
  if (typeof operand === 'object') {
    const prefixes = Array.isArray(operand.prefix) ? operand.prefix : [operand.prefix];
    return typeof value !== 'string' || !prefixes.some((prefix) => value.startsWith(prefix));
  }
  return operand !== value;
}

/** Whether the event matches the pattern, with EventBridge's semantics for the subset above. */
export function matchesPattern(pattern: EventPattern, event: unknown): boolean {
  if (!isObject(event)) return false;
  return Object.entries(pattern).every(([field, expected]) => {
    // An absent field matches nothing, anything-but included.
    if (!Object.hasOwn(event, field)) return false;
    const actual = event[field];
    if (Array.isArray(expected)) {
      const values = Array.isArray(actual) ? actual : [actual];
      return values.some((value) => expected.some((matcher) => matchesValue(matcher, value)));
    }
    // A nested pattern over an array of objects matches when one of them matches.
    return Array.isArray(actual)
      ? actual.some((item) => matchesPattern(expected, item))
      : matchesPattern(expected, actual);
  });
}
