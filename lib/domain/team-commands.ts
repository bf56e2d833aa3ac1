/**
 * What is a valid team, and what the commands of the team use cases do to its desired state: a create request
 * becomes a desired team (defaults filled in, fingerprinted for replays), a patch is merged into one (RFC 7386), and
 * every team about to be stored is checked against SageMaker's field rules (`validateDesiredTeam`). The HTTP edge
 * (lib/http/requests.ts) parses bodies into these commands with the same field checks.
 *
 * Validation follows lib/domain/field-checks.ts: every violation is listed, nothing throws, and no message echoes
 * a submitted value. Paths use the API's field names: `name`, `members.cognitoGroups[3]`, `workerAccess.sourceIp`,
 * `tags.<key>` (a tag's key or value), `tags` (the tags as a whole), and `''` for the body itself.
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json';
import type { MemberKind, Violation } from './errors';
import { checkList, checkObject, childPath, isRecord, keyPath, typeName, violation } from './field-checks';
import { MANAGED_BY_KEY } from './management-tag';
import { hasDotSegment, MEMBER_GROUP_LIMIT, memberKindOf } from './members';
import { togglesOf } from './plan';
import type { DesiredTeam, Members } from './team';
import {
  checkNotificationsRequest,
  type NotificationsRequest,
  notificationsOf,
  notificationsRequestOf,
} from './team-notifications';
import {
  checkCognitoGroupName,
  checkDescription,
  checkOidcGroupName,
  checkTagKey,
  checkTagValue,
  checkToggle,
  checkWorkforceName,
  checkWorkteamName,
  TEAM_TAGS_MAX,
} from './validation';
import {
  type Toggle,
  WORKER_ACCESS_FIELDS,
  WORKTEAM_LIMITS,
  type WorkerAccess,
  type WorkerAccessToggles,
} from './workteam';

/** `POST /teams`. */
export interface CreateTeamRequest {
  name: string;
  description: string;
  /** Defaults to the region's private workforce. */
  workforceName?: string;
  members: Members;
  /** Defaults to true; `{ addresses }` only for an OIDC team (lib/domain/team-notifications.ts). */
  notifications?: NotificationsRequest;
  /** Each field defaults to `Disabled`. */
  workerAccess?: WorkerAccess;
  tags?: Record<string, string>;
}

/**
 * `PATCH /teams/{name}`: a JSON merge patch (RFC 7386). A field left out stays as it is; `null` removes (a tag)
 * or resets (a worker-access toggle to `Disabled`); `description` and `notifications` cannot be removed.
 * `notifications` is replaced whole: `{ addresses }` is the new list, `true` or `false` drops the list.
 */
export interface TeamPatch {
  description?: string;
  notifications?: NotificationsRequest;
  workerAccess?: { [Field in keyof WorkerAccessToggles]?: Toggle | null } | null;
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
const MEMBERS_FIELDS = ['cognitoGroups', 'oidcGroups'] as const;

const DISABLED: Toggle = 'Disabled';

// ---------------------------------------------------------------------------------------------------------------
// Field checks of the API's shapes.

export function notAnObjectBody(body: unknown): Violation[] {
  return [violation('', 'Type', `The request body must be a JSON object, not ${typeName(body)}`)];
}

function checkKnownFields(record: Record<string, unknown>, allowed: readonly string[], path: string): Violation[] {
  return Object.keys(record)
    .filter((key) => !allowed.includes(key))
    .map((key) =>
      violation(keyPath(path, key), 'Unknown', `This field is not known here; the fields are ${allowed.join(', ')}`),
    );
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
export function checkMembersObject(value: Record<string, unknown>, path: string): Violation[] {
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
export function checkWorkerAccessRequest(value: unknown, path: string, nullable: boolean): Violation[] {
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
export function checkTagRecord(value: unknown, path: string, nullable: boolean): Violation[] {
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
            `${path} holds ${count} tags; at most ${TEAM_TAGS_MAX} are allowed (SageMaker's ${WORKTEAM_LIMITS.tagsMax}, less the '${MANAGED_BY_KEY}' tag this service adds)`,
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

/** The kind of a body's `members`, when it names exactly one kind. */
function kindOfBody(members: unknown): MemberKind | undefined {
  if (!isRecord(members)) return undefined;
  const cognito = members.cognitoGroups !== undefined;
  const oidc = members.oidcGroups !== undefined;
  return cognito === oidc ? undefined : cognito ? 'cognito' : 'oidc';
}

export function checkTeamFields(body: Record<string, unknown>, workforceRequired: boolean): Violation[] {
  return [
    ...checkKnownFields(body, CREATE_FIELDS, ''),
    ...checkWorkteamName(body.name, 'name'),
    ...checkDescription(body.description, 'description'),
    ...checkWorkforceName(body.workforceName, 'workforceName', workforceRequired),
    ...checkMembers(body.members, 'members'),
    ...checkNotificationsRequest(body.notifications, 'notifications', kindOfBody(body.members)),
    ...checkWorkerAccessRequest(body.workerAccess, 'workerAccess', false),
    ...checkTagRecord(body.tags, 'tags', false),
  ];
}

// ---------------------------------------------------------------------------------------------------------------
// Create.

/**
 * A desired team, as the registry keeps it. The use case validates every team it is about to store with this,
 * in particular the result of `applyTeamPatch` and `addMembers` (a merge can break a rule that neither the
 * stored team nor the patch breaks alone, e.g. more than 50 tags).
 */
export function validateDesiredTeam(team: DesiredTeam): Violation[] {
  // Typed for callers, but checked as unknown: a record read back from the registry does not honour the type.
  const raw: unknown = team;
  if (!isRecord(raw)) return notAnObjectBody(raw);
  // Its notifications are checked in the request's shape, where the addresses are the field's.
  const { notificationAddresses, ...fields } = raw;
  const addressesWithoutTopic =
    notificationAddresses !== undefined && raw.notifications !== true
      ? [violation('notifications', 'Conflict', 'notifications.addresses need notifications: a topic to subscribe')]
      : [];
  const notifications = notificationAddresses === undefined ? raw.notifications : { addresses: notificationAddresses };
  return [...addressesWithoutTopic, ...checkTeamFields({ ...fields, notifications }, true)];
}

/**
 * A patch's `notifications` against the team's members: `{ addresses }` (even an empty list) is refused on a
 * Cognito team, as on create. The rest of a patch is checked by `validateDesiredTeam` once merged.
 */
export function checkPatchForMembers(patch: TeamPatch, members: Members): Violation[] {
  if (typeof patch.notifications !== 'object') return [];
  return checkNotificationsRequest(patch.notifications, 'notifications', memberKindOf(members));
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
    ...notificationsOf(request.notifications),
    workerAccess: togglesOf(request.workerAccess),
    // Object.fromEntries defines every key as an own property, even '__proto__'.
    tags: Object.fromEntries(Object.entries(request.tags ?? {})),
  };
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
  const { notificationAddresses: _kept, ...rest } = team;
  return {
    ...rest,
    description: patch.description ?? team.description,
    members: copyMembers(team.members),
    ...notificationsOf(patch.notifications ?? notificationsRequestOf(team)),
    workerAccess,
    tags: Object.fromEntries(tags),
  };
}
