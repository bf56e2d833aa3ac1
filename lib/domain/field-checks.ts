/*
 * The field checks every validation is built of (SageMaker's field rules in validation.ts, the list parameters in
 * list-params.ts, the commands in team-commands.ts), for input as it arrives (any shape). Every function returns
 * ALL violations, never throws, and never echoes a submitted value in a message (values may be e-mail addresses).
 * A path may hold a key the client chose (`tags.<key>`, an unknown field): build it with `keyPath`, and
 * `violation` masks any e-mail address in the path or the message anyway (as `ValidationFailed` does again, for
 * violations built elsewhere).
 *
 * `path` names the offending field in the API's camelCase: 'name', 'members.cognitoGroups[2]',
 * 'workerAccess.sourceIp', 'tags.<key>'; '' is the whole input. `null` is a value of the wrong type, never "absent".
 *
 * Codes (stable; clients may branch on them):
 *   Required   a required field is missing
 *   Type       wrong JSON type (includes null, and a non-object body)
 *   Integer    a number that must be a whole number is not
 *   TooShort   a string shorter than its minimum length (e.g. empty)
 *   TooLong    a string longer than its maximum length (counted in characters, not UTF-16 units)
 *   TooSmall   a number below its minimum
 *   TooLarge   a number above its maximum
 *   TooFew     a list with fewer items than its minimum
 *   TooMany    a list with more items than its maximum
 *   Pattern    a string that does not have the required form
 *   Enum       a value outside its fixed set
 *   Duplicate  a value that must be unique appears again (the path names the repeat)
 *   Conflict   fields that cannot go together (cognitoGroups and oidcGroups in one request)
 *   Reserved   a value kept out of requests: a tag key beginning with 'aws:' (AWS's) or 'managed-by' (this system's)
 *   Unknown    a field the request does not have (a typo is refused rather than silently ignored)
 *   NotPatchable  a field of the team that a PATCH cannot change (the message says how it is changed)
 *   Policy     the organisation policy forbids it (the message names the rule and the policy version)
 *
 * One field gets at most one violation, for the first rule it breaks.
 */
import type { Violation } from './errors';
import { redactEmailAddresses } from './privacy';

type ViolationCode =
  | 'Required'
  | 'Type'
  | 'Integer'
  | 'TooShort'
  | 'TooLong'
  | 'TooSmall'
  | 'TooLarge'
  | 'TooFew'
  | 'TooMany'
  | 'Pattern'
  | 'Enum'
  | 'Duplicate'
  | 'Conflict'
  | 'Reserved'
  | 'Unknown'
  | 'NotPatchable'
  | 'Policy';

// ---------------------------------------------------------------------------------------------------------------
// Small predicates, useful on their own.

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Length in characters (code points), as the service counts it, not in UTF-16 units. */
function characterCount(text: string): number {
  return [...text].length;
}

// ---------------------------------------------------------------------------------------------------------------
// Generic field checks. Each returns the violations of one field; `undefined` means "absent".

export function violation(path: string, code: ViolationCode, message: string): Violation {
  return { path: redactEmailAddresses(path), code, message: redactEmailAddresses(message) };
}

export function childPath(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path === '' ? key : `${path}.${key}`;
}

/**
 * The path of a member whose key the client chose (a tag key, an unknown field): the key is masked on its own, so
 * that an e-mail address in it becomes `[email]` and the path keeps its parent (`tags.[email]`).
 */
export function keyPath(path: string, key: string): string {
  return childPath(path, redactEmailAddresses(key));
}

/** How messages name a field: its path, or `the request` for the whole input. */
export function label(path: string): string {
  return path === '' ? 'the request' : path;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

export function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return `a ${typeof value}`;
}

export interface StringRule {
  required: boolean;
  minLength: number;
  maxLength: number;
  pattern?: { regex: RegExp; describe: string };
}

/**
 * `subject` names the field in messages; it defaults to the path. Give it when the path holds a submitted value
 * (`tags.<key>`), so that messages never echo one.
 */
export function checkString(value: unknown, path: string, rule: StringRule, subject = label(path)): Violation[] {
  if (value === undefined) {
    return rule.required ? [violation(path, 'Required', `${subject} is required`)] : [];
  }
  if (typeof value !== 'string') {
    return [violation(path, 'Type', `${subject} must be a string, not ${typeName(value)}`)];
  }
  const length = characterCount(value);
  if (length < rule.minLength) {
    return [
      violation(
        path,
        'TooShort',
        `${subject} holds ${plural(length, 'character')}; at least ${rule.minLength} ${rule.minLength === 1 ? 'is' : 'are'} required`,
      ),
    ];
  }
  if (length > rule.maxLength) {
    return [
      violation(
        path,
        'TooLong',
        `${subject} holds ${plural(length, 'character')}; at most ${rule.maxLength} are allowed`,
      ),
    ];
  }
  if (rule.pattern !== undefined && !rule.pattern.regex.test(value)) {
    return [violation(path, 'Pattern', `${subject} must be ${rule.pattern.describe}`)];
  }
  return [];
}

interface ListRule {
  required: boolean;
  minItems: number;
  maxItems: number;
}

/** Checks the list itself; returns its items (for per-item checks) when it is a list at all. */
export function checkList(value: unknown, path: string, rule: ListRule): { violations: Violation[]; items: unknown[] } {
  if (value === undefined) {
    return {
      violations: rule.required ? [violation(path, 'Required', `${label(path)} is required`)] : [],
      items: [],
    };
  }
  if (!Array.isArray(value)) {
    return {
      violations: [violation(path, 'Type', `${label(path)} must be a list, not ${typeName(value)}`)],
      items: [],
    };
  }
  const items: unknown[] = value;
  if (items.length < rule.minItems) {
    return {
      violations: [
        violation(
          path,
          'TooFew',
          `${label(path)} holds ${plural(items.length, 'item')}; at least ${rule.minItems} ${rule.minItems === 1 ? 'is' : 'are'} required`,
        ),
      ],
      items,
    };
  }
  if (items.length > rule.maxItems) {
    return {
      violations: [
        violation(
          path,
          'TooMany',
          `${label(path)} holds ${plural(items.length, 'item')}; at most ${rule.maxItems} are allowed`,
        ),
      ],
      items,
    };
  }
  return { violations: [], items };
}

export function checkEnum(value: unknown, path: string, allowed: readonly string[]): Violation[] {
  if (value === undefined) return [];
  if (typeof value === 'string' && allowed.includes(value)) return [];
  return [violation(path, 'Enum', `${label(path)} must be one of ${allowed.map((item) => `'${item}'`).join(', ')}`)];
}

export function checkInteger(value: unknown, path: string, range: { min: number; max?: number }): Violation[] {
  if (value === undefined) return [];
  if (typeof value !== 'number') {
    return [violation(path, 'Type', `${label(path)} must be a number, not ${typeName(value)}`)];
  }
  if (!Number.isInteger(value)) {
    return [violation(path, 'Integer', `${label(path)} must be a whole number`)];
  }
  if (value < range.min) {
    return [violation(path, 'TooSmall', `${label(path)} is ${value}; it must be at least ${range.min}`)];
  }
  if (range.max !== undefined && value > range.max) {
    return [violation(path, 'TooLarge', `${label(path)} is ${value}; it must be at most ${range.max}`)];
  }
  return [];
}

export function checkObject(value: unknown, path: string): Violation[] {
  return isRecord(value) ? [] : [violation(path, 'Type', `${label(path)} must be an object, not ${typeName(value)}`)];
}
