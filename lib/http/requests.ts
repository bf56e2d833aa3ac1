/**
 * What the HTTP API accepts: the request bodies of `POST /teams`, `PATCH /teams/{name}`, `POST /teams/{name}/members`,
 * `POST /teams/{name}/adopt` and `POST /audit`, parsed into the typed commands the use cases take. Every violation is listed, nothing else
 * throws, and no message echoes a submitted value. Paths use the API's field names: `name`,
 * `members.cognitoGroups[3]`, `workerAccess.sourceIp`, `tags.<key>`, `tags`, and `''` for the body itself. What
 * makes a valid team (SageMaker's field rules, the organisation's policy) is the domain's: lib/domain/team-commands.ts,
 * lib/domain/validation.ts and lib/domain/policy.ts.
 */
import type { AuditMode, AuditRunRequest } from '../domain/audit/report';
import { ValidationFailed, type Violation } from '../domain/errors';
import { checkString, isRecord, keyPath, typeName, violation } from '../domain/field-checks';
import { checkTargetFields, type Target } from '../domain/target';
import type { Members } from '../domain/team';
import {
  type CreateTeamRequest,
  checkMembersObject,
  checkTagRecord,
  checkTeamFields,
  checkWorkerAccessRequest,
  notAnObjectBody,
  type TeamPatch,
} from '../domain/team-commands';
import { checkNotificationsRequest, type NotificationsRequest } from '../domain/team-notifications';
import { checkDescription, checkWorkteamName, isToggle } from '../domain/validation';
import type { Toggle } from '../domain/workteam';
import type { AdoptTeamCommand } from '../use-cases/adopt-release';

const PATCH_FIELDS = ['description', 'notifications', 'workerAccess', 'tags'] as const;

/** Why a field of the team cannot be changed by PATCH, and how it is changed instead. */
const NOT_PATCHABLE: Record<string, string> = {
  name: 'a work team cannot be renamed: create a team with the new name instead',
  workforceName: 'a work team stays in the workforce it was created in',
  members:
    'members have their own endpoint: POST /teams/{name}/members adds groups, DELETE /teams/{name}/members/{group} removes one',
};

/** The body of `POST /teams`. Every violation is listed; unknown fields are violations (code `Unknown`). */
export function validateCreateTeamRequest(body: unknown): Violation[] {
  if (!isRecord(body)) return notAnObjectBody(body);
  // Where the team goes is the request's, not the team's: checked apart, left out of the team.
  const { account, region, ...team } = body;
  return [...checkTargetFields({ account, region }), ...checkTeamFields(team, false)];
}

/**
 * The body of `POST /teams`: the team, and where it goes (`account` and `region`, the hub's when left out).
 * Throws `ValidationFailed` with every violation of both.
 */
export function parseCreateTeamBody(body: unknown): { target: Partial<Target>; team: CreateTeamRequest } {
  const team = parseCreateTeamRequest(body);
  const { account, region } = body as { account?: string; region?: string };
  return {
    target: { ...(account === undefined ? {} : { account }), ...(region === undefined ? {} : { region }) },
    team,
  };
}

function readToggle(value: unknown): Toggle | undefined {
  return isToggle(value) ? value : undefined;
}

function readStrings(value: unknown): string[] {
  return Array.isArray(value) ? value.map(String) : [];
}

/** `notifications` of a valid body: a boolean or `{ addresses }`; undefined when absent. */
function readNotifications(value: unknown): NotificationsRequest | undefined {
  if (typeof value === 'boolean') return value;
  return isRecord(value) ? { addresses: readStrings(value.addresses) } : undefined;
}

function readMembers(value: unknown): Members {
  const record = isRecord(value) ? value : {};
  return record.oidcGroups !== undefined
    ? { oidcGroups: readStrings(record.oidcGroups) }
    : { cognitoGroups: readStrings(record.cognitoGroups) };
}

/** Validates the body of `POST /teams` and returns it typed; throws `ValidationFailed` with every violation. */
export function parseCreateTeamRequest(body: unknown): CreateTeamRequest {
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
    ...(body.notifications === undefined ? {} : { notifications: readNotifications(body.notifications) }),
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
      ? [violation('notifications', 'Required', 'notifications cannot be removed: give true, false or { addresses }')]
      : checkNotificationsRequest(body.notifications, 'notifications')),
    ...checkWorkerAccessRequest(body.workerAccess, 'workerAccess', true),
    ...checkTagRecord(body.tags, 'tags', true),
  ];
}

function readNullableToggle(value: unknown): Toggle | null | undefined {
  return value === null ? null : readToggle(value);
}

/** Validates a PATCH body and returns it typed; throws `ValidationFailed` with every violation. */
export function parseTeamPatch(body: unknown): TeamPatch {
  const violations = validateTeamPatch(body);
  if (violations.length > 0 || !isRecord(body)) throw new ValidationFailed(violations);
  const { description, notifications, workerAccess, tags } = body;
  return {
    ...(typeof description === 'string' ? { description } : {}),
    ...(notifications === undefined ? {} : { notifications: readNotifications(notifications) }),
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

/** The body of `POST /teams/{name}/members`: `{ cognitoGroups: [...] }` or `{ oidcGroups: [...] }`. */
export function validateMembersRequest(body: unknown): Violation[] {
  if (!isRecord(body)) return notAnObjectBody(body);
  return checkMembersObject(body, '');
}

/** Validates a members body and returns it typed; throws `ValidationFailed` with every violation. */
export function parseMembers(body: unknown): Members {
  const violations = validateMembersRequest(body);
  if (violations.length > 0) throw new ValidationFailed(violations);
  return readMembers(body);
}

// `POST /audit`: `{ "mode"?: "report" | "remediate", "dryRun"?: boolean, "team"?: "<name>", "account"?, "region"? }`,
// every field optional, an empty or absent body meaning "audit everything, in every target, as the policy says".

const AUDIT_FIELDS = ['mode', 'dryRun', 'team', 'account', 'region'] as const;

export function parseAuditRunRequest(body: unknown): AuditRunRequest {
  if (body === undefined || body === null) return {};
  if (!isRecord(body)) {
    throw new ValidationFailed([
      violation('', 'Type', `The request body must be a JSON object, not ${typeName(body)}`),
    ]);
  }
  const violations: Violation[] = [];
  for (const key of Object.keys(body)) {
    if (!(AUDIT_FIELDS as readonly string[]).includes(key)) {
      violations.push(
        violation(
          keyPath('', key),
          'Unknown',
          `This field is not known here; the fields are ${AUDIT_FIELDS.join(', ')}`,
        ),
      );
    }
  }
  const { mode, dryRun, team, account, region } = body;
  if (mode !== undefined && mode !== 'report' && mode !== 'remediate') {
    violations.push(violation('mode', 'Enum', "mode must be 'report' or 'remediate'"));
  }
  if (dryRun !== undefined && typeof dryRun !== 'boolean') {
    violations.push(violation('dryRun', 'Type', `dryRun must be a boolean, not ${typeName(dryRun)}`));
  }
  if (team !== undefined) violations.push(...checkWorkteamName(team, 'team'));
  violations.push(...checkTargetFields({ account, region }));
  if (violations.length > 0) throw new ValidationFailed(violations);
  return {
    ...(mode === undefined ? {} : { mode: mode as AuditMode }),
    ...(dryRun === undefined ? {} : { dryRun: dryRun as boolean }),
    ...(team === undefined ? {} : { team: team as string }),
    ...(account === undefined ? {} : { account: account as string }),
    ...(region === undefined ? {} : { region: region as string }),
  };
}

// `POST /teams/{name}/adopt`: `{ "owner"?: "<sub>" }`, an empty or absent body meaning "owned by the caller".

/** A user's subject as tokens carry it (a Cognito sub is a UUID); never an e-mail address, which logs must not hold. */
const OWNER_RULE = {
  required: false,
  minLength: 1,
  maxLength: 128,
  pattern: {
    regex: /^[A-Za-z0-9][A-Za-z0-9_.:|-]*$/,
    describe: "a user's sub (the token's subject), not an e-mail address",
  },
};

export function parseAdoptTeamRequest(name: string, body: unknown): AdoptTeamCommand {
  if (body === undefined || body === null) return { name };
  if (!isRecord(body)) throw new ValidationFailed(notAnObjectBody(body));
  const violations: Violation[] = Object.keys(body)
    .filter((key) => key !== 'owner')
    .map((key) => violation(keyPath('', key), 'Unknown', 'This field is not known here; the only field is owner'));
  violations.push(...checkString(body.owner, 'owner', OWNER_RULE));
  if (violations.length > 0) throw new ValidationFailed(violations);
  return typeof body.owner === 'string' ? { name, owner: body.owner } : { name };
}
