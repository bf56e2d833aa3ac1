/**
 * EventBridge event patterns, the subset the local event bus needs: every field of the pattern must match; a
 * field is either a list of matchers (the event's value, or one of its values when it is an array, matches one of
 * them) or a nested pattern. A matcher is a value (string, number, boolean, null: equal to it) or an `anything-but`
 * filter: `{"anything-but": "a"}`, `{"anything-but": ["a", "b"]}` (all strings or all numbers), or
 * `{"anything-but": {"prefix": "p"}}` (or a list of prefixes), or `{"anything-but": {"wildcard": "a*b"}}` (or a list:
 * `*` stands for any characters, `\*` for a star itself): the field must be there, and is then matched by any value
 * but those (null and numbers, which have no prefix, included), as EventBridge matches it; or an
 * `exists` filter: `{"exists": true}` (the field is there, a value not an object) or `{"exists": false}` (it is
 * not, nor is any object above it). A level of the pattern may hold `"$or": [pattern, pattern, ...]` (two or
 * more), which matches when one of them does, beside its other fields.
 * Other content filters (`prefix`, `numeric`, ...) are refused when the pattern is read, naming where they are: a
 * rule the local bus cannot evaluate as EventBridge would must not be silently wrong.
 */

export type PatternValue = string | number | boolean | null;
/** `{"anything-but": ...}`, as written in the pattern. */
export interface AnythingBut {
  'anything-but':
    | string
    | number
    | string[]
    | number[]
    | { prefix: string | string[] }
    | { wildcard: string | string[] };
}
/** `{"exists": true | false}`: whether the field is there at all. */
export interface Exists {
  exists: boolean;
}
export type Matcher = PatternValue | AnythingBut | Exists;
/** A field's matchers, a nested pattern, or (under `$or`) the alternatives of which one must match. */
export interface EventPattern {
  [field: string]: Matcher[] | EventPattern | EventPattern[];
}

/** EventBridge's other content-filter operators: valid in AWS, not evaluated by the local bus. */
const OPERATORS = new Set(['prefix', 'suffix', 'numeric', 'cidr', 'equals-ignore-case', 'wildcard']);

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
        'it matches exact values, anything-but, exists, $or and nested fields only (extend local/event-pattern.ts to use it)',
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
    if (field === '$or') {
      compiled.$or = compileOr(value, name, path, where);
      continue;
    }
    if (Array.isArray(value)) {
      if (value.length === 0) throw new InvalidPatternError(where, 'an empty list matches nothing');
      compiled[field] = value.map((item): Matcher => {
        if (item === null || ['string', 'number', 'boolean'].includes(typeof item)) return item as PatternValue;
        if (isObject(item)) {
          const [operator = '{}', ...others] = Object.keys(item);
          if (others.length > 0) throw new InvalidPatternError(where, 'a filter is an object with one operator');
          if (operator === 'anything-but') return compileAnythingBut(item[operator], where);
          if (operator === 'exists') {
            if (typeof item.exists !== 'boolean') throw new InvalidPatternError(where, '"exists" takes true or false');
            return { exists: item.exists };
          }
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

/** `"$or": [...]`: two alternatives or more (EventBridge refuses fewer), each a pattern of its own. */
function compileOr(value: unknown, name: string, path: string[], where: string): EventPattern[] {
  if (!Array.isArray(value) || value.length < 2) {
    throw new InvalidPatternError(where, '"$or" takes a list of two patterns or more');
  }
  return value.map((alternative, index) => {
    if (!isObject(alternative) || Object.keys(alternative).length === 0) {
      throw new InvalidPatternError(where, 'each alternative of "$or" is an object with at least one field');
    }
    return compileObject(alternative, name, [...path, `$or[${index}]`]);
  });
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
    if (filter === 'wildcard') {
      const wildcard = operand.wildcard;
      if (typeof wildcard === 'string') return { 'anything-but': { wildcard } };
      if (Array.isArray(wildcard) && wildcard.length > 0 && wildcard.every((item) => typeof item === 'string')) {
        return { 'anything-but': { wildcard: wildcard as string[] } };
      }
      throw invalid('"wildcard" takes a string or a list of them');
    }
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
  throw invalid('takes a string, a number, a list of either, {"prefix": ...} or {"wildcard": ...}');
}

/** Whether one value of the event (a leaf: never an object) is matched by the matcher. */
function matchesValue(matcher: Matcher, value: unknown): boolean {
  if (matcher === null || typeof matcher !== 'object') return matcher === value;
  if (isObject(value)) return false;
  if ('exists' in matcher) return matcher.exists;
  const operand = matcher['anything-but'];
  if (Array.isArray(operand)) return !(operand as unknown[]).includes(value);
  if (typeof operand === 'object' && 'wildcard' in operand) {
    const wildcards = Array.isArray(operand.wildcard) ? operand.wildcard : [operand.wildcard];
    return typeof value !== 'string' || !wildcards.some((wildcard) => wildcardRegExp(wildcard).test(value));
  }
  if (typeof operand === 'object') {
    const prefixes = Array.isArray(operand.prefix) ? operand.prefix : [operand.prefix];
    return typeof value !== 'string' || !prefixes.some((prefix) => value.startsWith(prefix));
  }
  return operand !== value;
}

/** EventBridge's wildcard: `*` any characters (none included), `\*` a star; everything else itself, the whole value. */
function wildcardRegExp(wildcard: string): RegExp {
  const parts = wildcard
    .split(/(\\\*|\*)/)
    .map((part) => (part === '*' ? '.*' : part === '\\*' ? '\\*' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  return new RegExp(`^${parts.join('')}$`, 's');
}

const isExistsFalse = (matcher: Matcher) =>
  typeof matcher === 'object' && matcher !== null && 'exists' in matcher && !matcher.exists;

/** Whether the event matches the pattern, with EventBridge's semantics for the subset above. */
export function matchesPattern(pattern: EventPattern, event: unknown): boolean {
  if (!isObject(event)) return false;
  return matchesLevel(pattern, event);
}

/**
 * One level of the pattern against one object of the event; `undefined` where the event has no object there (a
 * nested pattern under an absent field): only `exists: false` matches what is not there.
 */
function matchesLevel(pattern: EventPattern, event: Record<string, unknown> | undefined): boolean {
  return Object.entries(pattern).every(([field, expected]) => {
    if (field === '$or') return (expected as EventPattern[]).some((alternative) => matchesLevel(alternative, event));
    const present = event !== undefined && Object.hasOwn(event, field);
    const actual = present ? event[field] : undefined;
    if (Array.isArray(expected)) {
      const matchers = expected as Matcher[];
      // An absent field matches nothing but exists: false (anything-but included); so does an empty array.
      const values = Array.isArray(actual) ? actual : present ? [actual] : [];
      if (values.length === 0) return matchers.some(isExistsFalse);
      return values.some((value) => matchers.some((matcher) => matchesValue(matcher, value)));
    }
    const nested = expected as EventPattern;
    // A nested pattern over an array of objects matches when one of them matches.
    if (Array.isArray(actual) && actual.length > 0) {
      return actual.some((item) => matchesLevel(nested, isObject(item) ? item : undefined));
    }
    return matchesLevel(nested, isObject(actual) ? actual : undefined);
  });
}
