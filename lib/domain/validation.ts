import { redactEmailAddresses, ValidationFailed } from './errors';
import {
  type MemberDefinition,
  SNS_TOPIC_ARN_PATTERN,
  SORT_ORDER_VALUES,
  type Tag,
  TOGGLE_VALUES,
  type Toggle,
  WORKFORCE_NAME_PATTERN,
  WORKTEAM_LIMITS,
  WORKTEAM_NAME_PATTERN,
  WORKTEAM_SORT_BY_VALUES,
  type WorkerAccess,
  type WorkteamSpec,
  type WorkteamUpdate,
} from './workteam';

/*
 * Validation of work-team requests, as they arrive (any shape). Every function returns ALL violations, never
 * throws, and never echoes a submitted value in a message (values may be e-mail addresses). A path may hold a key
 * the client chose (`tags.<key>`, an unknown field): build it with `keyPath`, and `violation` masks any e-mail
 * address in the path or the message anyway (as `ValidationFailed` does again, for violations built elsewhere).
 *
 * `path` names the offending field in the model's camelCase: 'name', 'memberDefinitions[2].cognito.clientId',
 * 'tags[3].key'; '' is the whole input. `null` is a value of the wrong type, never "absent".
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
 *   Conflict   fields that cannot go together (Cognito and OIDC in one definition, or in one team)
 *   Mismatch   a value that must equal the same field of another item does not (the path names the odd one)
 *   Reserved   a value the service keeps for itself (a tag key beginning with 'aws:')
 *   Unknown    a field the request does not have (a typo is refused rather than silently ignored)
 *   NotPatchable  a field of the team that a PATCH cannot change (the message says how it is changed)
 *   Policy     the organisation policy forbids it (the message names the rule and the policy version)
 *
 * One field gets at most one violation, for the first rule it breaks; in particular a Cognito user pool or app
 * client that differs from the team's first definition is reported as `Mismatch`, not also as `Pattern`.
 */

export interface Violation {
  path: string;
  code: string;
  message: string;
}

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
  | 'Mismatch'
  | 'Reserved'
  | 'Unknown'
  | 'NotPatchable'
  | 'Policy';

export type DeepPartial<T> = T extends readonly (infer Item)[]
  ? DeepPartial<Item>[]
  : T extends object
    ? { [Key in keyof T]?: DeepPartial<T[Key]> }
    : T;

export type WorkteamSpecInput = DeepPartial<WorkteamSpec>;

// ---------------------------------------------------------------------------------------------------------------
// Forms the SageMaker API reference gives (CreateWorkteam, CognitoMemberDefinition, OidcMemberDefinition, Tag),
// which the local emulator enforces too.

/** `Description` has the pattern `.+`: one line. Java's `.` also stops at U+0085, U+2028 and U+2029. */
export const SINGLE_LINE_PATTERN = /^[^\n\r\u0085\u2028\u2029]+$/u;
export const USER_POOL_PATTERN = /^[\w-]+_[0-9a-zA-Z]+$/;
/** Cognito's own form of an app client id; no client id that Cognito issues has any other character. */
export const CLIENT_ID_PATTERN = /^[\w+]+$/;
/** `UserGroup` and OIDC `Groups` items. */
export const GROUP_NAME_PATTERN = /^[\p{L}\p{M}\p{S}\p{N}\p{P}]+$/u;
export const TAG_TEXT_PATTERN = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
/** Tag keys beginning with `aws:` (in any case) are reserved for AWS. */
export const RESERVED_TAG_KEY_PREFIX = 'aws:';

export const MEMBER_LIMITS = {
  userPoolMaxLength: 55,
  clientIdMaxLength: 128,
  cognitoGroupMaxLength: 128,
  oidcGroupMaxLength: 63,
} as const;

export function isReservedTagKey(key: string): boolean {
  return key.toLowerCase().startsWith(RESERVED_TAG_KEY_PREFIX);
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

export function isValidWorkteamName(name: unknown): name is string {
  return (
    typeof name === 'string' &&
    characterCount(name) <= WORKTEAM_LIMITS.nameMaxLength &&
    WORKTEAM_NAME_PATTERN.test(name)
  );
}

export function isSnsTopicArn(arn: unknown): arn is string {
  return typeof arn === 'string' && SNS_TOPIC_ARN_PATTERN.test(arn);
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

function hasAllowedLength(value: string, rule: StringRule): boolean {
  const length = characterCount(value);
  return length >= rule.minLength && length <= rule.maxLength;
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

const NOTIFICATION_TOPIC_ARN_RULE: StringRule = {
  required: false,
  minLength: 0,
  maxLength: Number.POSITIVE_INFINITY,
  pattern: { regex: SNS_TOPIC_ARN_PATTERN, describe: 'the ARN of an SNS topic (arn:aws:sns:region:account:name)' },
};

const GROUP_NAME_FORM = {
  regex: GROUP_NAME_PATTERN,
  describe: 'letters, marks, symbols, digits and punctuation, without spaces',
};

const USER_POOL_RULE: StringRule = { required: true, minLength: 1, maxLength: MEMBER_LIMITS.userPoolMaxLength };
const USER_POOL_FORM = { regex: USER_POOL_PATTERN, describe: 'a Cognito user pool id (region_id)' };
const CLIENT_ID_RULE: StringRule = { required: true, minLength: 1, maxLength: MEMBER_LIMITS.clientIdMaxLength };
const CLIENT_ID_FORM = { regex: CLIENT_ID_PATTERN, describe: 'a Cognito app client id (letters, digits, _ and +)' };

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

// The form of userPool and clientId is checked with the team-wide rule that they are all equal (see
// checkSharedCognitoField), so that a value that differs is one Mismatch rather than also a Pattern violation.
function checkCognitoMember(value: unknown, path: string): Violation[] {
  if (!isRecord(value)) return checkObject(value, path);
  return [
    ...checkString(value.userPool, childPath(path, 'userPool'), USER_POOL_RULE),
    ...checkCognitoGroupName(value.userGroup, childPath(path, 'userGroup')),
    ...checkString(value.clientId, childPath(path, 'clientId'), CLIENT_ID_RULE),
  ];
}

function checkOidcMember(value: unknown, path: string): Violation[] {
  if (!isRecord(value)) return checkObject(value, path);
  const groupsPath = childPath(path, 'groups');
  const groups = checkList(value.groups, groupsPath, {
    required: true,
    minItems: 1,
    maxItems: WORKTEAM_LIMITS.oidcGroupsMax,
  });
  return [
    ...groups.violations,
    ...groups.items.flatMap((group, index) => checkOidcGroupName(group, childPath(groupsPath, index))),
  ];
}

type MemberKind = 'cognito' | 'oidc';

function memberKind(definition: unknown): MemberKind | undefined {
  if (!isRecord(definition)) return undefined;
  const hasCognito = definition.cognito !== undefined;
  const hasOidc = definition.oidc !== undefined;
  if (hasCognito === hasOidc) return undefined;
  return hasCognito ? 'cognito' : 'oidc';
}

function checkMemberDefinition(definition: unknown, path: string): Violation[] {
  if (!isRecord(definition)) return checkObject(definition, path);
  const hasCognito = definition.cognito !== undefined;
  const hasOidc = definition.oidc !== undefined;
  if (!hasCognito && !hasOidc) {
    return [violation(path, 'Required', `${path} must hold either cognito or oidc`)];
  }
  return [
    ...(hasCognito && hasOidc
      ? [violation(path, 'Conflict', `${path} holds both cognito and oidc; a definition holds exactly one of them`)]
      : []),
    ...(hasCognito ? checkCognitoMember(definition.cognito, childPath(path, 'cognito')) : []),
    ...(hasOidc ? checkOidcMember(definition.oidc, childPath(path, 'oidc')) : []),
  ];
}

const KIND_LABEL: Record<MemberKind, string> = { cognito: 'a Cognito', oidc: 'an OIDC' };

function checkNoMixedMemberKinds(definitions: unknown[], path: string): Violation[] {
  const kinds = definitions.map(memberKind);
  const firstIndex = kinds.findIndex((kind) => kind !== undefined);
  const firstKind = kinds[firstIndex];
  if (firstKind === undefined) return [];
  return kinds.flatMap((kind, index) =>
    kind === undefined || kind === firstKind
      ? []
      : [
          violation(
            childPath(path, index),
            'Conflict',
            `${childPath(path, index)} is ${KIND_LABEL[kind]} definition but ${childPath(path, firstIndex)} is ${KIND_LABEL[firstKind]} one; a team cannot mix Cognito and OIDC members`,
          ),
        ],
  );
}

interface IndexedCognitoMember {
  index: number;
  member: Record<string, unknown>;
}

function cognitoMembersOf(definitions: unknown[]): IndexedCognitoMember[] {
  return definitions.flatMap((definition, index) =>
    isRecord(definition) && isRecord(definition.cognito) ? [{ index, member: definition.cognito }] : [],
  );
}

function nonEmptyString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * All Cognito definitions of a team share one user pool and one app client (seed 003): a value that differs from
 * the first definition's is a Mismatch; the shared value itself must have the field's form.
 */
function checkSharedCognitoField(
  members: IndexedCognitoMember[],
  path: string,
  field: 'userPool' | 'clientId',
  fieldLabel: string,
): Violation[] {
  const { rule, form } =
    field === 'userPool'
      ? { rule: USER_POOL_RULE, form: USER_POOL_FORM }
      : { rule: CLIENT_ID_RULE, form: CLIENT_ID_FORM };
  const withField = members.flatMap(({ index, member }) => {
    const value = nonEmptyString(member[field]);
    return value === undefined ? [] : [{ index, value }];
  });
  const reference = withField[0];
  if (reference === undefined) return [];
  return withField.flatMap(({ index, value }) => {
    const fieldPath = childPath(childPath(childPath(path, index), 'cognito'), field);
    if (value !== reference.value) {
      return [
        violation(
          fieldPath,
          'Mismatch',
          `${fieldPath} differs from ${childPath(path, reference.index)}; all Cognito definitions of a team must use the same ${fieldLabel}`,
        ),
      ];
    }
    // A value of the wrong length is already reported by checkCognitoMember.
    if (!hasAllowedLength(value, rule) || form.regex.test(value)) return [];
    return [violation(fieldPath, 'Pattern', `${fieldPath} must be ${form.describe}`)];
  });
}

function checkNoDuplicateCognitoGroups(members: IndexedCognitoMember[], path: string): Violation[] {
  const firstIndexByGroup = new Map<string, number>();
  return members.flatMap(({ index, member }) => {
    const userPool = nonEmptyString(member.userPool);
    const userGroup = nonEmptyString(member.userGroup);
    if (userPool === undefined || userGroup === undefined) return [];
    const key = JSON.stringify([userPool, userGroup]);
    const firstIndex = firstIndexByGroup.get(key);
    if (firstIndex === undefined) {
      firstIndexByGroup.set(key, index);
      return [];
    }
    const groupPath = childPath(childPath(childPath(path, index), 'cognito'), 'userGroup');
    return [
      violation(
        groupPath,
        'Duplicate',
        `${groupPath} names the same Cognito group as ${childPath(path, firstIndex)}; each group is listed once`,
      ),
    ];
  });
}

function checkMemberDefinitions(value: unknown, path: string, required: boolean): Violation[] {
  const list = checkList(value, path, { required, minItems: 1, maxItems: WORKTEAM_LIMITS.memberDefinitionsMax });
  const definitions = list.items;
  const cognitoMembers = cognitoMembersOf(definitions);
  return [
    ...list.violations,
    ...definitions.flatMap((definition, index) => checkMemberDefinition(definition, childPath(path, index))),
    ...checkNoMixedMemberKinds(definitions, path),
    ...checkSharedCognitoField(cognitoMembers, path, 'userPool', 'user pool'),
    ...checkSharedCognitoField(cognitoMembers, path, 'clientId', 'app client'),
    ...checkNoDuplicateCognitoGroups(cognitoMembers, path),
  ];
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

function checkWorkerAccess(value: unknown, path: string): Violation[] {
  if (value === undefined) return [];
  if (!isRecord(value)) return checkObject(value, path);
  return [
    ...checkEnum(value.sourceIp, childPath(path, 'sourceIp'), TOGGLE_VALUES),
    ...checkEnum(value.vpcSourceIp, childPath(path, 'vpcSourceIp'), TOGGLE_VALUES),
  ];
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

/** One tag key: its length and form, and not one of the keys AWS reserves. `subject` names it in messages. */
export function checkTagKey(key: unknown, path: string, subject = label(path)): Violation[] {
  const violations = checkString(key, path, TAG_KEY_RULE, subject);
  if (violations.length > 0 || typeof key !== 'string' || !isReservedTagKey(key)) return violations;
  return [violation(path, 'Reserved', `${subject} begins with 'aws:', which AWS reserves for its own tags`)];
}

/** One tag value (an empty value is allowed). `subject` names it in messages. */
export function checkTagValue(value: unknown, path: string, subject = label(path)): Violation[] {
  return checkString(value, path, TAG_VALUE_RULE, subject);
}

/** Tags of one resource. Absent tags are fine (no tags); keys are unique and compared case-sensitively. */
export function validateTags(tags: unknown, path = 'tags'): Violation[] {
  const list = checkList(tags, path, { required: false, minItems: 0, maxItems: WORKTEAM_LIMITS.tagsMax });
  const firstIndexByKey = new Map<string, number>();
  const perTag = list.items.flatMap((tag, index) => {
    const tagPath = childPath(path, index);
    if (!isRecord(tag)) return checkObject(tag, tagPath);
    const keyPath = childPath(tagPath, 'key');
    const keyViolations = checkTagKey(tag.key, keyPath);
    const valueViolations = checkTagValue(tag.value, childPath(tagPath, 'value'));
    const duplicate: Violation[] = [];
    if (typeof tag.key === 'string') {
      const firstIndex = firstIndexByKey.get(tag.key);
      if (firstIndex === undefined) {
        firstIndexByKey.set(tag.key, index);
      } else {
        duplicate.push(
          violation(
            keyPath,
            'Duplicate',
            `${keyPath} repeats the key of ${childPath(path, firstIndex)}; tag keys are unique`,
          ),
        );
      }
    }
    return [...keyViolations, ...valueViolations, ...duplicate];
  });
  return [...list.violations, ...perTag];
}

function notAnObject(input: unknown): Violation[] {
  return [violation('', 'Type', `The work team must be given as an object, not ${typeName(input)}`)];
}

/** The rules of CreateWorkteam. */
export function validateWorkteamSpec(input: unknown): Violation[] {
  if (!isRecord(input)) return notAnObject(input);
  return [
    ...checkString(input.name, 'name', NAME_RULE),
    ...checkString(input.description, 'description', DESCRIPTION_RULE),
    ...checkString(input.workforceName, 'workforceName', WORKFORCE_NAME_RULE),
    ...checkMemberDefinitions(input.memberDefinitions, 'memberDefinitions', true),
    ...checkString(input.notificationTopicArn, 'notificationTopicArn', NOTIFICATION_TOPIC_ARN_RULE),
    ...checkWorkerAccess(input.workerAccess, 'workerAccess'),
    ...validateTags(input.tags, 'tags'),
  ];
}

/** The rules of UpdateWorkteam: only the name is required; every field given must be valid. */
export function validateWorkteamUpdate(input: unknown): Violation[] {
  if (!isRecord(input)) return notAnObject(input);
  return [
    ...checkString(input.name, 'name', NAME_RULE),
    ...checkString(input.description, 'description', { ...DESCRIPTION_RULE, required: false }),
    ...checkMemberDefinitions(input.memberDefinitions, 'memberDefinitions', false),
    ...checkString(input.notificationTopicArn, 'notificationTopicArn', NOTIFICATION_TOPIC_ARN_RULE),
    ...checkWorkerAccess(input.workerAccess, 'workerAccess'),
  ];
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

// ---------------------------------------------------------------------------------------------------------------
// From unknown input to the model: validate, then copy only the known fields.

function toMemberDefinition(definition: unknown): MemberDefinition {
  const record = isRecord(definition) ? definition : {};
  if (isRecord(record.cognito)) {
    const { userPool, userGroup, clientId } = record.cognito;
    return { cognito: { userPool: String(userPool), userGroup: String(userGroup), clientId: String(clientId) } };
  }
  const oidc = isRecord(record.oidc) ? record.oidc : {};
  const groups: unknown[] = Array.isArray(oidc.groups) ? oidc.groups : [];
  return { oidc: { groups: groups.map(String) } };
}

function toWorkerAccess(value: unknown): WorkerAccess | undefined {
  if (!isRecord(value)) return undefined;
  return {
    ...(isToggle(value.sourceIp) ? { sourceIp: value.sourceIp } : {}),
    ...(isToggle(value.vpcSourceIp) ? { vpcSourceIp: value.vpcSourceIp } : {}),
  };
}

function toTags(value: unknown): Tag[] {
  const tags: unknown[] = Array.isArray(value) ? value : [];
  return tags.map((tag) => {
    const record = isRecord(tag) ? tag : {};
    return { key: String(record.key), value: String(record.value) };
  });
}

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** Validates a CreateWorkteam body and returns the model; throws `ValidationFailed` with every violation. */
export function toWorkteamSpec(input: unknown): WorkteamSpec {
  const violations = validateWorkteamSpec(input);
  if (violations.length > 0 || !isRecord(input)) throw new ValidationFailed(violations);
  const definitions: unknown[] = Array.isArray(input.memberDefinitions) ? input.memberDefinitions : [];
  const workforceName = optionalString(input.workforceName);
  const notificationTopicArn = optionalString(input.notificationTopicArn);
  const workerAccess = toWorkerAccess(input.workerAccess);
  // Absent fields are left out rather than set to undefined: DynamoDB marshalling refuses undefined values.
  return {
    name: String(input.name),
    description: String(input.description),
    ...(workforceName === undefined ? {} : { workforceName }),
    memberDefinitions: definitions.map(toMemberDefinition),
    ...(notificationTopicArn === undefined ? {} : { notificationTopicArn }),
    ...(workerAccess === undefined ? {} : { workerAccess }),
    tags: toTags(input.tags),
  };
}

/** Validates an UpdateWorkteam body and returns the model; throws `ValidationFailed` with every violation. */
export function toWorkteamUpdate(input: unknown): WorkteamUpdate {
  const violations = validateWorkteamUpdate(input);
  if (violations.length > 0 || !isRecord(input)) throw new ValidationFailed(violations);
  const definitions: unknown[] | undefined = Array.isArray(input.memberDefinitions)
    ? input.memberDefinitions
    : undefined;
  const description = optionalString(input.description);
  const notificationTopicArn = optionalString(input.notificationTopicArn);
  const workerAccess = toWorkerAccess(input.workerAccess);
  return {
    name: String(input.name),
    ...(description === undefined ? {} : { description }),
    ...(definitions === undefined ? {} : { memberDefinitions: definitions.map(toMemberDefinition) }),
    ...(notificationTopicArn === undefined ? {} : { notificationTopicArn }),
    ...(workerAccess === undefined ? {} : { workerAccess }),
  };
}
