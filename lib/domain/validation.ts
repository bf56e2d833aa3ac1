import type { Violation } from './errors';
import { redactEmailAddresses } from './privacy';
import {
  SORT_ORDER_VALUES,
  TOGGLE_VALUES,
  type Toggle,
  WORKFORCE_NAME_PATTERN,
  WORKTEAM_LIMITS,
  WORKTEAM_NAME_PATTERN,
  WORKTEAM_SORT_BY_VALUES,
} from './workteam';

/*
 * Validation of work-team requests, as they arrive (any shape). Every function returns ALL violations, never
 * throws, and never echoes a submitted value in a message (values may be e-mail addresses). A path may hold a key
 * the client chose (`tags.<key>`, an unknown field): build it with `keyPath`, and `violation` masks any e-mail
 * address in the path or the message anyway (as `ValidationFailed` does again, for violations built elsewhere).
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

export type { Violation } from './errors';

export type ViolationCode =
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
// Forms the SageMaker API reference gives (CreateWorkteam, CognitoMemberDefinition, OidcMemberDefinition, Tag),
// which the local emulator enforces too.

/** `Description` has the pattern `.+`: one line. Java's `.` also stops at U+0085, U+2028 and U+2029. */
export const SINGLE_LINE_PATTERN = /^[^\n\r\u0085\u2028\u2029]+$/u;
/** `UserGroup` and OIDC `Groups` items. */
export const GROUP_NAME_PATTERN = /^[\p{L}\p{M}\p{S}\p{N}\p{P}]+$/u;
export const TAG_TEXT_PATTERN = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
/** Tag keys beginning with `aws:` (in any case) are reserved for AWS. */
export const RESERVED_TAG_KEY_PREFIX = 'aws:';
/**
 * The tag this system puts on every work team and topic it creates. IAM lets the functions write only to teams
 * that carry it, so no request may set or remove the key, in any case (IAM compares tag keys ignoring case).
 */
export const MANAGED_BY_TAG = { key: 'managed-by', value: 'workteam-automation' } as const;
/** A team's own tags: SageMaker's limit, less the managed-by tag that every team carries besides them. */
export const TEAM_TAGS_MAX = WORKTEAM_LIMITS.tagsMax - 1;

export const MEMBER_LIMITS = {
  cognitoGroupMaxLength: 128,
  oidcGroupMaxLength: 63,
} as const;

function isAwsTagKey(key: string): boolean {
  return key.toLowerCase().startsWith(RESERVED_TAG_KEY_PREFIX);
}

function isManagedByTagKey(key: string): boolean {
  return key.toLowerCase() === MANAGED_BY_TAG.key;
}

/** A tag key that requests may not set or remove: AWS's (`aws:`) or the managed-by tag. */
export function isReservedTagKey(key: string): boolean {
  return isAwsTagKey(key) || isManagedByTagKey(key);
}

export interface ListParams {
  maxItems?: number;
  pageSize?: number;
  nameContains?: string;
  sortBy?: string;
  sortOrder?: string;
  startingToken?: string;
}

// ---------------------------------------------------------------------------------------------------------------
// Small predicates, useful on their own.

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Length in characters (code points), as the service counts it, not in UTF-16 units. */
export function characterCount(text: string): number {
  return [...text].length;
}

export function isToggle(value: unknown): value is Toggle {
  return typeof value === 'string' && (TOGGLE_VALUES as readonly string[]).includes(value);
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

function label(path: string): string {
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

export interface ListRule {
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

function checkInteger(value: unknown, path: string, range: { min: number; max?: number }): Violation[] {
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

// ---------------------------------------------------------------------------------------------------------------
// Work-team fields.

const NAME_RULE: StringRule = {
  required: true,
  minLength: 1,
  maxLength: WORKTEAM_LIMITS.nameMaxLength,
  pattern: {
    regex: WORKTEAM_NAME_PATTERN,
    describe: 'letters and digits, optionally joined by hyphens, starting and ending with a letter or digit',
  },
};

const DESCRIPTION_RULE: StringRule = {
  required: true,
  minLength: 1,
  maxLength: WORKTEAM_LIMITS.descriptionMaxLength,
  pattern: { regex: SINGLE_LINE_PATTERN, describe: 'a single line (no line breaks)' },
};

const WORKFORCE_NAME_RULE: StringRule = {
  required: false,
  minLength: 1,
  maxLength: 63,
  pattern: {
    regex: WORKFORCE_NAME_PATTERN,
    describe: 'letters, digits and hyphens, starting with a letter or digit',
  },
};

const GROUP_NAME_FORM = {
  regex: GROUP_NAME_PATTERN,
  describe: 'letters, marks, symbols, digits and punctuation, without spaces',
};

const COGNITO_GROUP_RULE: StringRule = {
  required: true,
  minLength: 1,
  maxLength: MEMBER_LIMITS.cognitoGroupMaxLength,
  pattern: GROUP_NAME_FORM,
};

const OIDC_GROUP_RULE: StringRule = {
  required: true,
  minLength: 1,
  maxLength: MEMBER_LIMITS.oidcGroupMaxLength,
  pattern: GROUP_NAME_FORM,
};

/** A Cognito user group as CognitoMemberDefinition.UserGroup accepts it. */
export function checkCognitoGroupName(value: unknown, path: string): Violation[] {
  return checkString(value, path, COGNITO_GROUP_RULE);
}

/** An OIDC group as OidcMemberDefinition.Groups accepts it. */
export function checkOidcGroupName(value: unknown, path: string): Violation[] {
  return checkString(value, path, OIDC_GROUP_RULE);
}

/** A work team's name as CreateWorkteam accepts it (required). */
export function checkWorkteamName(value: unknown, path: string): Violation[] {
  return checkString(value, path, NAME_RULE);
}

/** A work team's description: 1–200 characters on one line. */
export function checkDescription(value: unknown, path: string, required = true): Violation[] {
  return checkString(value, path, { ...DESCRIPTION_RULE, required });
}

/** A workforce name (optional). */
export function checkWorkforceName(value: unknown, path: string, required = false): Violation[] {
  return checkString(value, path, { ...WORKFORCE_NAME_RULE, required });
}

/** `Enabled` or `Disabled`; absent is fine. */
export function checkToggle(value: unknown, path: string): Violation[] {
  return checkEnum(value, path, TOGGLE_VALUES);
}

const TAG_TEXT_FORM = {
  regex: TAG_TEXT_PATTERN,
  describe: 'letters, digits, spaces and the characters _ . : / = + - @',
};
const TAG_KEY_RULE: StringRule = {
  required: true,
  minLength: 1,
  maxLength: WORKTEAM_LIMITS.tagKeyMaxLength,
  pattern: TAG_TEXT_FORM,
};
const TAG_VALUE_RULE: StringRule = {
  required: true,
  minLength: 0,
  maxLength: WORKTEAM_LIMITS.tagValueMaxLength,
  pattern: TAG_TEXT_FORM,
};

/** One tag key: its length and form, and not a reserved one (`isReservedTagKey`). `subject` names it in messages. */
export function checkTagKey(key: unknown, path: string, subject = label(path)): Violation[] {
  const violations = checkString(key, path, TAG_KEY_RULE, subject);
  if (violations.length > 0 || typeof key !== 'string') return violations;
  if (isAwsTagKey(key)) {
    return [violation(path, 'Reserved', `${subject} begins with 'aws:', which AWS reserves for its own tags`)];
  }
  if (isManagedByTagKey(key)) {
    return [
      violation(
        path,
        'Reserved',
        `${subject} is '${MANAGED_BY_TAG.key}', which this service sets on every team it manages and nobody else may`,
      ),
    ];
  }
  return violations;
}

/** One tag value (an empty value is allowed). `subject` names it in messages. */
export function checkTagValue(value: unknown, path: string, subject = label(path)): Violation[] {
  return checkString(value, path, TAG_VALUE_RULE, subject);
}

/** ListWorkteams and its paginator. */
export function validateListParams(params: ListParams): Violation[] {
  // Typed for callers, but checked as unknown: query strings and JSON do not honour the type.
  const raw: Record<string, unknown> = isRecord(params) ? params : {};
  return [
    ...checkInteger(raw.maxItems, 'maxItems', { min: 1 }),
    ...checkInteger(raw.pageSize, 'pageSize', { min: 1, max: WORKTEAM_LIMITS.listMaxResults }),
    ...checkString(raw.nameContains, 'nameContains', { ...NAME_RULE, required: false }),
    ...checkEnum(raw.sortBy, 'sortBy', WORKTEAM_SORT_BY_VALUES),
    ...checkEnum(raw.sortOrder, 'sortOrder', SORT_ORDER_VALUES),
    ...checkString(raw.startingToken, 'startingToken', {
      required: false,
      minLength: 0,
      maxLength: WORKTEAM_LIMITS.nextTokenMaxLength,
    }),
  ];
}
