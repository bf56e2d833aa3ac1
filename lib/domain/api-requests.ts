/**
 * The HTTP API's request bodies (camelCase JSON) and what they do to a team's desired state.
 *
 * Validation follows lib/domain/validation.ts: every violation is listed, nothing throws, and no message echoes
 * a submitted value. Paths use the API's field names: `name`, `members.cognitoGroups[3]`, `workerAccess.sourceIp`,
 * `tags.<key>` (a tag's key or value), `tags` (the tags as a whole), and `''` for the body itself.
 */
import { createHash } from 'node:crypto';
import { type MemberKind, ValidationFailed } from './errors';
import { hasDotSegment, MEMBER_GROUP_LIMIT } from './members';
import type { DesiredTeam, Members } from './team';
import {
  checkCognitoGroupName,
  checkDescription,
  checkList,
  checkObject,
  checkOidcGroupName,
  checkTagKey,
  checkTagValue,
  checkToggle,
  checkWorkforceName,
  checkWorkteamName,
  childPath,
  isRecord,
  isToggle,
  keyPath,
  MANAGED_BY_TAG,
  TEAM_TAGS_MAX,
  typeName,
  type Violation,
  violation,
} from './validation';
import { type Toggle, WORKTEAM_LIMITS } from './workteam';

export interface WorkerAccessRequest {
  sourceIp?: Toggle;
  vpcSourceIp?: Toggle;
}

/** `POST /teams`. */
export interface CreateTeamRequest {
  name: string;
  description: string;
  /** Defaults to the region's private workforce. */
  workforceName?: string;
  members: Members;
  /** Defaults to true. */
  notifications?: boolean;
  /** Each field defaults to `Disabled`. */
  workerAccess?: WorkerAccessRequest;
  tags?: Record<string, string>;
}

/**
 * `PATCH /teams/{name}`: a JSON merge patch (RFC 7386). A field left out stays as it is; `null` removes (a tag)
 * or resets (a worker-access toggle to `Disabled`); `description` and `notifications` cannot be removed.
 */
export interface TeamPatch {
  description?: string;
  notifications?: boolean;
  workerAccess?: { sourceIp?: Toggle | null; vpcSourceIp?: Toggle | null } | null;
  tags?: Record<string, string | null> | null;
}

const CREATE_FIELDS = [
  'name',
  'description',
  'workforceName',
  'members',
  'notifications',
  'workerAccess',
  'tags',
] as const;
const PATCH_FIELDS = ['description', 'notifications', 'workerAccess', 'tags'] as const;
const MEMBERS_FIELDS = ['cognitoGroups', 'oidcGroups'] as const;
const WORKER_ACCESS_FIELDS = ['sourceIp', 'vpcSourceIp'] as const;

/** Why a field of the team cannot be changed by PATCH, and how it is changed instead. */
const NOT_PATCHABLE: Record<string, string> = {
  name: 'a work team cannot be renamed: create a team with the new name instead',
  workforceName: 'a work team stays in the workforce it was created in',
  members:
    'members have their own endpoint: POST /teams/{name}/members adds groups, DELETE /teams/{name}/members/{group} removes one',
};

const DISABLED: Toggle = 'Disabled';

// ---------------------------------------------------------------------------------------------------------------
// Field checks of the API's shapes.

function notAnObjectBody(body: unknown): Violation[] {
  return [violation('', 'Type', `The request body must be a JSON object, not ${typeName(body)}`)];
}

function checkKnownFields(record: Record<string, unknown>, allowed: readonly string[], path: string): Violation[] {
  return Object.keys(record)
    .filter((key) => !allowed.includes(key))
    .map((key) =>
      violation(keyPath(path, key), 'Unknown', `This field is not known here; the fields are ${allowed.join(', ')}`),
    );
}

function checkBoolean(value: unknown, path: string): Violation[] {
  if (value === undefined || typeof value === 'boolean') return [];
  return [violation(path, 'Type', `${path} must be true or false, not ${typeName(value)}`)];
}

function checkGroupList(value: unknown, path: string, kind: MemberKind): Violation[] {
  const list = checkList(value, path, { required: true, minItems: 1, maxItems: MEMBER_GROUP_LIMIT[kind] });
  const checkName = kind === 'cognito' ? checkCognitoGroupName : checkOidcGroupName;
  const firstIndexByGroup = new Map<string, number>();
  const perGroup = list.items.flatMap((group, index) => {
    const groupPath = childPath(path, index);
    const nameViolations = [...checkName(group, groupPath), ...checkAddressableGroup(group, groupPath)];
    if (typeof group !== 'string') return nameViolations;
    const firstIndex = firstIndexByGroup.get(group);
    if (firstIndex === undefined) {
      firstIndexByGroup.set(group, index);
      return nameViolations;
    }
    return [
      ...nameViolations,
      violation(
        groupPath,
        'Duplicate',
        `${groupPath} repeats ${childPath(path, firstIndex)}; each group is listed once`,
      ),
    ];
  });
  return [...list.violations, ...perGroup];
}

/** A group with a `.` or `..` segment could not be addressed, so never removed: see `hasDotSegment`. */
function checkAddressableGroup(group: unknown, path: string): Violation[] {
  if (typeof group !== 'string' || !hasDotSegment(group)) return [];
  return [
    violation(
      path,
      'Reserved',
      `${path} cannot be '.' or '..', nor hold such a segment between slashes: it could not be addressed in a URL path`,
    ),
  ];
}

/** `{ cognitoGroups }` or `{ oidcGroups }`, at `path` ('' for the body of the members endpoint). */
function checkMembersObject(value: Record<string, unknown>, path: string): Violation[] {
  const where = path === '' ? 'The request' : path;
  const hasCognito = value.cognitoGroups !== undefined;
  const hasOidc = value.oidcGroups !== undefined;
  const unknownFields = checkKnownFields(value, MEMBERS_FIELDS, path);
  if (hasCognito && hasOidc) {
    return [
      ...unknownFields,
      violation(
        path,
        'Conflict',
        `${where} holds both cognitoGroups and oidcGroups; a team has either Cognito or OIDC groups`,
      ),
    ];
  }
  if (!hasCognito && !hasOidc) {
    return [...unknownFields, violation(path, 'Required', `${where} must hold cognitoGroups or oidcGroups`)];
  }
  return [
    ...unknownFields,
    ...(hasCognito
      ? checkGroupList(value.cognitoGroups, childPath(path, 'cognitoGroups'), 'cognito')
      : checkGroupList(value.oidcGroups, childPath(path, 'oidcGroups'), 'oidc')),
  ];
}

function checkMembers(value: unknown, path: string): Violation[] {
  if (value === undefined) {
    return [violation(path, 'Required', `${path} is required: give cognitoGroups or oidcGroups`)];
  }
  if (!isRecord(value)) return checkObject(value, path);
  return checkMembersObject(value, path);
}

/** `workerAccess`; with `nullable` (a patch) the object and each toggle may be null. */
function checkWorkerAccessRequest(value: unknown, path: string, nullable: boolean): Violation[] {
  if (value === undefined || (nullable && value === null)) return [];
  if (!isRecord(value)) return checkObject(value, path);
  return [
    ...checkKnownFields(value, WORKER_ACCESS_FIELDS, path),
    ...WORKER_ACCESS_FIELDS.flatMap((field) =>
      nullable && value[field] === null ? [] : checkToggle(value[field], childPath(path, field)),
    ),
  ];
}

/** `tags` as an object of key → value; with `nullable` (a patch) the object and each value may be null. */
function checkTagRecord(value: unknown, path: string, nullable: boolean): Violation[] {
  if (value === undefined || (nullable && value === null)) return [];
  if (!isRecord(value)) {
    return [violation(path, 'Type', `${path} must be an object of tag keys to values, not ${typeName(value)}`)];
  }
  const entries = Object.entries(value);
  const count = entries.filter(([, tagValue]) => tagValue !== null).length;
  const tooMany =
    count > TEAM_TAGS_MAX
      ? [
          violation(
            path,
            'TooMany',
            `${path} holds ${count} tags; at most ${TEAM_TAGS_MAX} are allowed (SageMaker's ${WORKTEAM_LIMITS.tagsMax}, less the '${MANAGED_BY_TAG.key}' tag this service adds)`,
          ),
        ]
      : [];
  const perTag = entries.flatMap(([key, tagValue]) => {
    // The key is part of the path (masked if it is an e-mail address), so that the client can find the tag, but
    // never of the message.
    const tagPath = keyPath(path, key);
    return [
      ...checkTagKey(key, tagPath, 'the tag key'),
      ...(nullable && tagValue === null ? [] : checkTagValue(tagValue, tagPath, 'the tag value')),
    ];
  });
  return [...tooMany, ...perTag];
}

function checkTeamFields(body: Record<string, unknown>, workforceRequired: boolean): Violation[] {
  return [
    ...checkKnownFields(body, CREATE_FIELDS, ''),
    ...checkWorkteamName(body.name, 'name'),
    ...checkDescription(body.description, 'description'),
    ...checkWorkforceName(body.workforceName, 'workforceName', workforceRequired),
    ...checkMembers(body.members, 'members'),
    ...checkBoolean(body.notifications, 'notifications'),
    ...checkWorkerAccessRequest(body.workerAccess, 'workerAccess', false),
    ...checkTagRecord(body.tags, 'tags', false),
  ];
}

// ---------------------------------------------------------------------------------------------------------------
// Create.

/** The body of `POST /teams`. Every violation is listed; unknown fields are violations (code `Unknown`). */
export function validateCreateTeamRequest(body: unknown): Violation[] {
  if (!isRecord(body)) return notAnObjectBody(body);
  return checkTeamFields(body, false);
}

/**
 * A desired team, as the registry keeps it. The use case validates every team it is about to store with this,
 * in particular the result of `applyTeamPatch` and `addMembers` (a merge can break a rule that neither the
 * stored team nor the patch breaks alone, e.g. more than 50 tags).
 */
export function validateDesiredTeam(team: DesiredTeam): Violation[] {
  // Typed for callers, but checked as unknown: a record read back from the registry does not honour the type.
  const raw: unknown = team;
  if (!isRecord(raw)) return notAnObjectBody(raw);
  return checkTeamFields(raw, true);
}

function readToggle(value: unknown): Toggle | undefined {
  return isToggle(value) ? value : undefined;
}

function readStrings(value: unknown): string[] {
  return Array.isArray(value) ? value.map(String) : [];
}

function readMembers(value: unknown): Members {
  const record = isRecord(value) ? value : {};
  return record.oidcGroups !== undefined
    ? { oidcGroups: readStrings(record.oidcGroups) }
    : { cognitoGroups: readStrings(record.cognitoGroups) };
}

/** Validates the body of `POST /teams` and returns it typed; throws `ValidationFailed` with every violation. */
export function toCreateTeamRequest(body: unknown): CreateTeamRequest {
  const violations = validateCreateTeamRequest(body);
  if (violations.length > 0 || !isRecord(body)) throw new ValidationFailed(violations);
  const workerAccess = isRecord(body.workerAccess) ? body.workerAccess : undefined;
  const sourceIp = readToggle(workerAccess?.sourceIp);
  const vpcSourceIp = readToggle(workerAccess?.vpcSourceIp);
  return {
    name: String(body.name),
    description: String(body.description),
    ...(typeof body.workforceName === 'string' ? { workforceName: body.workforceName } : {}),
    members: readMembers(body.members),
    ...(typeof body.notifications === 'boolean' ? { notifications: body.notifications } : {}),
    ...(workerAccess === undefined
      ? {}
      : {
          workerAccess: {
            ...(sourceIp === undefined ? {} : { sourceIp }),
            ...(vpcSourceIp === undefined ? {} : { vpcSourceIp }),
          },
        }),
    ...(isRecord(body.tags)
      ? { tags: Object.fromEntries(Object.entries(body.tags).map(([key, value]) => [key, String(value)])) }
      : {}),
  };
}

function copyMembers(members: Members): Members {
  return 'cognitoGroups' in members
    ? { cognitoGroups: [...members.cognitoGroups] }
    : { oidcGroups: [...members.oidcGroups] };
}

/**
 * The desired team a valid create request asks for. `workforceName` is the workforce the use case resolved for
 * it: the request's own when it names one (which then wins), else the region's private workforce.
 */
export function toDesiredTeam(request: CreateTeamRequest, workforceName: string): DesiredTeam {
  return {
    name: request.name,
    description: request.description,
    workforceName: request.workforceName ?? workforceName,
    members: copyMembers(request.members),
    notifications: request.notifications ?? true,
    workerAccess: {
      sourceIp: request.workerAccess?.sourceIp ?? DISABLED,
      vpcSourceIp: request.workerAccess?.vpcSourceIp ?? DISABLED,
    },
    // Object.fromEntries defines every key as an own property, even '__proto__'.
    tags: Object.fromEntries(Object.entries(request.tags ?? {})),
  };
}

/** JSON with the keys of every object sorted, so that equal data always gives the same text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item ?? null)).join(',')}]`;
  if (isRecord(value)) {
    const fields = Object.keys(value)
      .filter((key) => value[key] !== undefined)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key])}`);
    return `{${fields.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * A fingerprint of what a create request asks for (its desired team, defaults filled in): the same for a replay
 * of the request whatever its key order, and for a request that spells out a default. Group order counts.
 */
export function createFingerprint(request: CreateTeamRequest, workforceName: string): string {
  return createHash('sha256')
    .update(canonicalJson(toDesiredTeam(request, workforceName)))
    .digest('hex');
}

// ---------------------------------------------------------------------------------------------------------------
// Patch.

/**
 * The shape of a `PATCH /teams/{name}` body. It cannot see the stored team: the use case applies the patch with
 * `applyTeamPatch` and then validates the merged team with `validateDesiredTeam`.
 */
export function validateTeamPatch(body: unknown): Violation[] {
  if (!isRecord(body)) return notAnObjectBody(body);
  const otherFields = Object.keys(body)
    .filter((key) => !(PATCH_FIELDS as readonly string[]).includes(key))
    .map((key) => {
      const why = NOT_PATCHABLE[key];
      return why === undefined
        ? violation(
            keyPath('', key),
            'Unknown',
            `This field is not known here; a patch may hold ${PATCH_FIELDS.join(', ')}`,
          )
        : violation(key, 'NotPatchable', `${key} cannot be changed by PATCH: ${why}`);
    });
  return [
    ...otherFields,
    ...(body.description === null
      ? [violation('description', 'Required', 'description cannot be removed: a work team needs one')]
      : checkDescription(body.description, 'description', false)),
    ...(body.notifications === null
      ? [violation('notifications', 'Required', 'notifications cannot be removed: give true or false')]
      : checkBoolean(body.notifications, 'notifications')),
    ...checkWorkerAccessRequest(body.workerAccess, 'workerAccess', true),
    ...checkTagRecord(body.tags, 'tags', true),
  ];
}

function readNullableToggle(value: unknown): Toggle | null | undefined {
  return value === null ? null : readToggle(value);
}

/** Validates a PATCH body and returns it typed; throws `ValidationFailed` with every violation. */
export function toTeamPatch(body: unknown): TeamPatch {
  const violations = validateTeamPatch(body);
  if (violations.length > 0 || !isRecord(body)) throw new ValidationFailed(violations);
  const { description, notifications, workerAccess, tags } = body;
  return {
    ...(typeof description === 'string' ? { description } : {}),
    ...(typeof notifications === 'boolean' ? { notifications } : {}),
    ...(workerAccess === null ? { workerAccess: null } : {}),
    ...(isRecord(workerAccess)
      ? {
          workerAccess: {
            ...(workerAccess.sourceIp === undefined ? {} : { sourceIp: readNullableToggle(workerAccess.sourceIp) }),
            ...(workerAccess.vpcSourceIp === undefined
              ? {}
              : { vpcSourceIp: readNullableToggle(workerAccess.vpcSourceIp) }),
          },
        }
      : {}),
    ...(tags === null ? { tags: null } : {}),
    ...(isRecord(tags)
      ? {
          tags: Object.fromEntries(
            Object.entries(tags).map(([key, value]) => [key, value === null ? null : String(value)]),
          ),
        }
      : {}),
  };
}

function mergeToggle(current: Toggle, patch: Toggle | null | undefined): Toggle {
  if (patch === undefined) return current;
  return patch ?? DISABLED;
}

/** RFC 7386 merge of a (valid) patch into a team; returns a new team and leaves both inputs as they are. */
export function applyTeamPatch(team: DesiredTeam, patch: TeamPatch): DesiredTeam {
  const workerAccess =
    patch.workerAccess === null
      ? { sourceIp: DISABLED, vpcSourceIp: DISABLED }
      : {
          sourceIp: mergeToggle(team.workerAccess.sourceIp, patch.workerAccess?.sourceIp),
          vpcSourceIp: mergeToggle(team.workerAccess.vpcSourceIp, patch.workerAccess?.vpcSourceIp),
        };
  const tags = new Map(patch.tags === null ? [] : Object.entries(team.tags));
  for (const [key, value] of Object.entries(patch.tags ?? {})) {
    if (value === null) tags.delete(key);
    else tags.set(key, value);
  }
  return {
    ...team,
    description: patch.description ?? team.description,
    members: copyMembers(team.members),
    notifications: patch.notifications ?? team.notifications,
    workerAccess,
    tags: Object.fromEntries(tags),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Members.

/** The body of `POST /teams/{name}/members`: `{ cognitoGroups: [...] }` or `{ oidcGroups: [...] }`. */
export function validateMembersRequest(body: unknown): Violation[] {
  if (!isRecord(body)) return notAnObjectBody(body);
  return checkMembersObject(body, '');
}

/** Validates a members body and returns it typed; throws `ValidationFailed` with every violation. */
export function toMembers(body: unknown): Members {
  const violations = validateMembersRequest(body);
  if (violations.length > 0) throw new ValidationFailed(violations);
  return readMembers(body);
}
