/*
 * SageMaker's field rules for work-team requests: the forms the SageMaker API reference gives (CreateWorkteam,
 * CognitoMemberDefinition, OidcMemberDefinition, Tag), which the local emulator enforces too, and the tags this
 * system keeps for itself. Built of the field checks in field-checks.ts, with the same conventions: every
 * violation listed, nothing thrown, no submitted value echoed.
 */
import type { Violation } from './errors';
import { checkEnum, checkString, label, type StringRule, violation } from './field-checks';
import { MANAGED_BY_KEY } from './management-tag';
import { TOGGLE_VALUES, type Toggle, WORKFORCE_NAME_PATTERN, WORKTEAM_LIMITS, WORKTEAM_NAME_PATTERN } from './workteam';

export type { Violation } from './errors';

/** `Description` has the pattern `.+`: one line. Java's `.` also stops at U+0085, U+2028 and U+2029. */
const SINGLE_LINE_PATTERN = /^[^\n\r\u0085\u2028\u2029]+$/u;
/** `UserGroup` and OIDC `Groups` items. */
const GROUP_NAME_PATTERN = /^[\p{L}\p{M}\p{S}\p{N}\p{P}]+$/u;
const TAG_TEXT_PATTERN = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
/** Tag keys beginning with `aws:` (in any case) are reserved for AWS. */
const RESERVED_TAG_KEY_PREFIX = 'aws:';
/** A team's own tags: SageMaker's limit, less the managed-by tag that every team carries besides them. */
export const TEAM_TAGS_MAX = WORKTEAM_LIMITS.tagsMax - 1;

const MEMBER_LIMITS = {
  cognitoGroupMaxLength: 128,
  oidcGroupMaxLength: 63,
} as const;

function isAwsTagKey(key: string): boolean {
  return key.toLowerCase().startsWith(RESERVED_TAG_KEY_PREFIX);
}

function isManagedByTagKey(key: string): boolean {
  // IAM lets the functions write only to teams that carry the stage's managed-by tag (management-tag.ts), so no
  // request may set or remove the key, in any case (IAM compares tag keys ignoring case).
  return key.toLowerCase() === MANAGED_BY_KEY;
}

/** A tag key that requests may not set or remove: AWS's (`aws:`) or the managed-by tag. */
export function isReservedTagKey(key: string): boolean {
  return isAwsTagKey(key) || isManagedByTagKey(key);
}

export function isToggle(value: unknown): value is Toggle {
  return typeof value === 'string' && (TOGGLE_VALUES as readonly string[]).includes(value);
}

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

/** A required string of `form`, `minLength` to `maxLength` characters. */
function requiredString(form: StringRule['pattern'], minLength: number, maxLength: number): StringRule {
  return { required: true, minLength, maxLength, pattern: form };
}

const COGNITO_GROUP_RULE = requiredString(GROUP_NAME_FORM, 1, MEMBER_LIMITS.cognitoGroupMaxLength);
const OIDC_GROUP_RULE = requiredString(GROUP_NAME_FORM, 1, MEMBER_LIMITS.oidcGroupMaxLength);

/** A Cognito user group as CognitoMemberDefinition.UserGroup accepts it. */
export function checkCognitoGroupName(value: unknown, path: string): Violation[] {
  return checkString(value, path, COGNITO_GROUP_RULE);
}

/** An OIDC group as OidcMemberDefinition.Groups accepts it. */
export function checkOidcGroupName(value: unknown, path: string): Violation[] {
  return checkString(value, path, OIDC_GROUP_RULE);
}

/** A work team's name as CreateWorkteam accepts it (required unless said otherwise: a name filter is not). */
export function checkWorkteamName(value: unknown, path: string, required = true): Violation[] {
  return checkString(value, path, { ...NAME_RULE, required });
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
const TAG_KEY_RULE = requiredString(TAG_TEXT_FORM, 1, WORKTEAM_LIMITS.tagKeyMaxLength);
const TAG_VALUE_RULE = requiredString(TAG_TEXT_FORM, 0, WORKTEAM_LIMITS.tagValueMaxLength);

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
        `${subject} is '${MANAGED_BY_KEY}', which this service sets on every team it manages and nobody else may`,
      ),
    ];
  }
  return violations;
}

/** One tag value (an empty value is allowed). `subject` names it in messages. */
export function checkTagValue(value: unknown, path: string, subject?: string): Violation[] {
  return checkString(value, path, TAG_VALUE_RULE, subject);
}
