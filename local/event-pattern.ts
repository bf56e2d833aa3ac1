/**
 * EventBridge event patterns, the subset the local event bus needs: every field of the pattern must match; a
 * field is either a list of values (the event's value, or one of its values when it is an array, equals one of
 * them: strings, numbers, booleans, null) or a nested pattern. Content filters (`prefix`, `anything-but`,
 * `numeric`, `exists`, ...) and `$or` are refused when the pattern is read, naming where they are: a rule
 * the local bus cannot evaluate as EventBridge would must not be silently wrong.
 */

export type PatternValue = string | number | boolean | null;
export interface EventPattern {
  [field: string]: PatternValue[] | EventPattern;
}

/** EventBridge's content-filter operators (and `$or`): valid in AWS, not evaluated by the local bus. */
const OPERATORS = new Set([
  'prefix',
  'suffix',
  'anything-but',
  'numeric',
  'exists',
  'cidr',
  'equals-ignore-case',
  'wildcard',
]);

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
        'it matches exact values and nested fields only (extend local/event-pattern.ts to use it)',
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
      compiled[field] = value.map((item) => {
        if (item === null || ['string', 'number', 'boolean'].includes(typeof item)) return item as PatternValue;
        if (isObject(item)) {
          const [operator = '{}'] = Object.keys(item);
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

/** Whether the event matches the pattern, with EventBridge's semantics for the subset above. */
export function matchesPattern(pattern: EventPattern, event: unknown): boolean {
  if (!isObject(event)) return false;
  return Object.entries(pattern).every(([field, expected]) => {
    if (!Object.hasOwn(event, field)) return false;
    const actual = event[field];
    if (Array.isArray(expected)) {
      const values = Array.isArray(actual) ? actual : [actual];
      return values.some((value) => expected.some((candidate) => candidate === value));
    }
    // A nested pattern over an array of objects matches when one of them matches.
    return Array.isArray(actual)
      ? actual.some((item) => matchesPattern(expected, item))
      : matchesPattern(expected, actual);
  });
}
