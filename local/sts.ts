/**
 * The local STS: `AssumeRole` and `GetCallerIdentity` on the wire as STS answers them (the `query` protocol: a
 * form-encoded POST, XML in the `https://sts.amazonaws.com/doc/2011-06-15/` namespace, shapes of botocore's sts
 * 2011-06-15 model), reached by AWS_ENDPOINT_URL_STS, so that the hub's cross-account code
 * (`fromTemporaryCredentials`, one set of clients per target) runs unchanged locally.
 *
 * It knows a set of roles, each with a trust rule: the access keys that may assume it (the hub's functions', the
 * operator's) and the ExternalId it demands. As AWS, it answers `AccessDenied` (HTTP 403, Sender) with the message
 * "User: <caller arn> is not authorized to perform: sts:AssumeRole on resource: <role arn>" alike to a caller the
 * role does not trust, a wrong or missing ExternalId and a role that does not exist, so a caller learns nothing
 * of which it was. Issued credentials name their account in the key itself (`ASIA` + account + 4 characters,
 * local/caller-identity.ts): every local service keeps that account's state for them. The sessions it issues are
 * registered in `identities` (the object the other services name callers by), so CloudTrail names their calls as
 * the role's session. Nothing expires locally: the Expiration is what the SDK refreshes by.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type CallerIdentity, signingScope, userIdentity } from './caller-identity';
import { listenOnLoopback, readBody } from './http-server';

export interface LocalRole {
  account: string;
  name: string;
  /** Its IAM path (default `/`): part of its ARN, which a caller must name whole, as IAM has it. */
  path?: string;
  /** The access keys whose owners the role trusts; none: it refuses everyone. */
  trustedKeys: readonly string[];
  /** What the caller must pass as ExternalId. */
  externalId: string;
  /** The longest session, as the role's MaxSessionDuration (AWS's default: 3600). */
  maxSessionSeconds?: number;
}

export interface LocalStsOptions {
  /** 0 picks a free port. */
  port: number;
  /** The account of any key the local cloud did not issue (the hub's). */
  accountId: string;
  roles: readonly LocalRole[];
  /**
   * Who signs with which key: read to name the caller, and written with every session issued (the same object
   * the SageMaker emulator and the CloudTrail proxies name callers by).
   */
  identities: Record<string, CallerIdentity>;
}

export interface LocalSts {
  /** What STS clients use (AWS_ENDPOINT_URL_STS). */
  url: string;
  close(): Promise<void>;
}

const XMLNS = 'https://sts.amazonaws.com/doc/2011-06-15/';
/** A role's ARN: its account, its path (`/` or `/a/b/`) and its name; IAM knows a role by all three. */
const ROLE_ARN = /^arn:aws:iam::(\d{12}):role(\/(?:[\w+=,.@-]+\/)*)([\w+=,.@-]{1,64})$/;
const KEY_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

class StsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

function escapeXml(value: string): string {
  return value.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');
}

/** A role's made-up unique id (`AROA…`), stable per role, as IAM gives every role one. */
function roleId(account: string, name: string): string {
  return `AROA${createHash('sha256').update(`${account}/${name}`).digest('hex').slice(0, 17).toUpperCase()}`;
}

/** STS's validation message for one member, as AWS words it. */
function invalid(value: string, member: string, constraint: string): StsError {
  return new StsError(
    'ValidationError',
    `1 validation error detected: Value '${value}' at '${member}' failed to satisfy constraint: ${constraint}`,
  );
}

function checkString(value: string | null, member: string, min: number, max: number, pattern: RegExp): string {
  if (value === null) throw new StsError('MissingParameter', `The request must contain the parameter ${member}`);
  if (value.length < min) throw invalid(value, member, `Member must have length greater than or equal to ${min}`);
  if (value.length > max) throw invalid(value, member, `Member must have length less than or equal to ${max}`);
  if (!pattern.test(value))
    throw invalid(value, member, `Member must satisfy regular expression pattern: ${pattern.source}`);
  return value;
}

export async function startLocalSts(options: LocalStsOptions): Promise<LocalSts> {
  const { identities } = options;
  const roles = new Map(options.roles.map((role) => [`${role.account}${role.path ?? '/'}${role.name}`, role]));

  const callerOf = (req: IncomingMessage) => {
    const identity = userIdentity(req.headers.authorization, options.accountId, identities);
    return { identity, accessKeyId: signingScope(req.headers.authorization).accessKeyId };
  };

  const assumeRole = (params: URLSearchParams, req: IncomingMessage): string => {
    const roleArn = checkString(params.get('RoleArn'), 'roleArn', 20, 2048, /^[\t\n\r\u0020-\u007E]+$/);
    const sessionName = checkString(params.get('RoleSessionName'), 'roleSessionName', 2, 64, /^[\w+=,.@-]*$/);
    const externalId = params.get('ExternalId');
    if (externalId !== null) checkString(externalId, 'externalId', 2, 1224, /^[\w+=,.@:/-]*$/);
    const durationText = params.get('DurationSeconds');
    const duration = durationText === null ? 3600 : Number(durationText);
    if (!Number.isInteger(duration) || duration < 900) {
      throw invalid(String(durationText), 'durationSeconds', 'Member must have value greater than or equal to 900');
    }
    if (duration > 43200) {
      throw invalid(String(durationText), 'durationSeconds', 'Member must have value less than or equal to 43200');
    }
    const { identity, accessKeyId } = callerOf(req);
    const parsed = ROLE_ARN.exec(roleArn);
    const role = parsed ? roles.get(`${parsed[1]}${parsed[2]}${parsed[3]}`) : undefined;
    const trusted =
      role !== undefined &&
      accessKeyId !== undefined &&
      role.trustedKeys.includes(accessKeyId) &&
      externalId === role.externalId;
    if (!role || !trusted) {
      throw new StsError(
        'AccessDenied',
        `User: ${String(identity.arn ?? 'anonymous')} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
        403,
      );
    }
    if (duration > (role.maxSessionSeconds ?? 3600)) {
      throw new StsError(
        'ValidationError',
        'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.',
      );
    }
    const { account, name: roleName } = role;
    const suffix = [...randomBytes(4)].map((byte) => KEY_ALPHABET[byte % KEY_ALPHABET.length]).join('');
    const key = `ASIA${account}${suffix}`;
    const sessionArn = `arn:aws:sts::${account}:assumed-role/${roleName}/${sessionName}`;
    const assumedRoleId = `${roleId(account, roleName)}:${sessionName}`;
    identities[key] = {
      arn: sessionArn,
      type: 'AssumedRole',
      roleArn: `arn:aws:iam::${account}:role${role.path ?? '/'}${roleName}`,
    };
    const expiration = new Date(Date.now() + duration * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
    return (
      `<Credentials><AccessKeyId>${key}</AccessKeyId>` +
      `<SecretAccessKey>${randomBytes(30).toString('base64')}</SecretAccessKey>` +
      `<SessionToken>${randomBytes(96).toString('base64')}</SessionToken>` +
      `<Expiration>${expiration}</Expiration></Credentials>` +
      `<AssumedRoleUser><AssumedRoleId>${escapeXml(assumedRoleId)}</AssumedRoleId>` +
      `<Arn>${escapeXml(sessionArn)}</Arn></AssumedRoleUser><PackedPolicySize>0</PackedPolicySize>`
    );
  };

  const getCallerIdentity = (req: IncomingMessage): string => {
    const { identity } = callerOf(req);
    const arn = String(identity.arn ?? '');
    const account = String(identity.accountId ?? options.accountId);
    if (!arn) throw new StsError('MissingAuthenticationToken', 'Request is missing Authentication Token', 403);
    const userId = String(identity.principalId ?? '');
    return `<UserId>${escapeXml(userId)}</UserId><Account>${account}</Account><Arn>${escapeXml(arn)}</Arn>`;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const requestId = randomUUID();
    const reply = (status: number, xml: string) => {
      res.writeHead(status, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId });
      res.end(xml);
    };
    try {
      const body = (
        await readBody(req, {
          maxBytes: 64 * 1024,
          tooLarge: () => new StsError('RequestTooLarge', 'Request too large', 413),
        })
      ).toString('utf8');
      const params = new URLSearchParams(req.method === 'POST' ? body : new URL(req.url ?? '/', 'http://x').search);
      const action = params.get('Action') ?? '';
      let result: string;
      if (action === 'AssumeRole') result = assumeRole(params, req);
      else if (action === 'GetCallerIdentity') result = getCallerIdentity(req);
      else throw new StsError('InvalidAction', `Could not find operation ${action} for version 2011-06-15`);
      reply(
        200,
        `<${action}Response xmlns="${XMLNS}"><${action}Result>${result}</${action}Result>` +
          `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`,
      );
    } catch (error) {
      const known = error instanceof StsError ? error : new StsError('InternalFailure', String(error), 500);
      const type = known.status >= 500 ? 'Receiver' : 'Sender';
      reply(
        known.status,
        `<ErrorResponse xmlns="${XMLNS}"><Error><Type>${type}</Type><Code>${known.code}</Code>` +
          `<Message>${escapeXml(known.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
      );
    }
  };

  const { server, port } = await listenOnLoopback(options.port, handle);
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
