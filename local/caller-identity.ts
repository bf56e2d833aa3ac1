/**
 * The caller of a local call, as CloudTrail's `userIdentity` would name it, and the account and region it acts in.
 * The local cloud has no IAM: the access key of the request's SigV4 signature names the caller, as a role's session
 * when the key is one the local cloud was told about (the functions', or a session the local STS issued), as the
 * session of a target account's role when it is a temporary key of that account (`ASIA<account>…`), as an IAM user
 * of that name otherwise. Every local service takes the account from the key (`accountOfAccessKey`) and the region
 * from the signature's scope (`signingScope`), so no state is shared between them to tell whose a call is.
 */
import { createHash } from 'node:crypto';
import { targetRoleArn, targetRoleName } from './targets';

/**
 * A temporary key the local STS issues: `ASIA`, the 12-digit account, 4 upper-case letters or digits (20 in all,
 * as AWS's). The account is in the key itself, so any local service can tell it.
 */
const TEMPORARY_KEY = /^ASIA(\d{12})[0-9A-Z]{4}$/;

/** The account whose key this is: a temporary key's own; any other key is the default account's. */
export function accountOfAccessKey(accessKeyId: string | undefined, defaultAccount: string): string {
  return TEMPORARY_KEY.exec(accessKeyId ?? '')?.[1] ?? defaultAccount;
}

/** The access key and region of a SigV4 `Authorization` header (`Credential=<key>/<date>/<region>/<service>/aws4_request`). */
export function signingScope(authorization: string | undefined): { accessKeyId?: string; region?: string } {
  const match = /Credential=([^/,\s]+)\/\d{8}\/([a-z0-9-]+)\//.exec(authorization ?? '');
  if (match) return { accessKeyId: match[1], region: match[2] };
  return { accessKeyId: /Credential=([^/,\s]+)\//.exec(authorization ?? '')?.[1] };
}

/**
 * The account and region a signed call acts in: the key's account (else `defaults.account`), the signature's region
 * (else `defaults.region`).
 */
export function callScope(
  authorization: string | undefined,
  defaults: { account: string; region: string },
): { account: string; region: string } {
  const { accessKeyId, region } = signingScope(authorization);
  return { account: accountOfAccessKey(accessKeyId, defaults.account), region: region ?? defaults.region };
}

/**
 * The session of a target account's role: what the local STS registers for the keys it issues, and what a
 * temporary key it did not issue (made by hand, e.g. the seed's) stands for, named by the key.
 */
export function targetSession(account: string, region: string, sessionName: string): CallerIdentity {
  return {
    arn: `arn:aws:sts::${account}:assumed-role/${targetRoleName(region)}/${sessionName}`,
    type: 'AssumedRole',
    roleArn: targetRoleArn(account, region),
  };
}

/** Who signs with an access key: an assumed role's session (`arn:aws:sts::<account>:assumed-role/<role>/<session>`) or a user. */
export interface CallerIdentity {
  arn: string;
  /** Without it, an `assumed-role/` ARN is an AssumedRole and anything else an IAMUser. */
  type?: 'AssumedRole' | 'IAMUser';
  /**
   * An assumed role's own ARN, `arn:aws:iam::<account>:role<path><role>`: a session's ARN never shows the role's
   * IAM path, CloudTrail's `sessionContext.sessionIssuer.arn` does. Without it, the role has no path (`/`).
   */
  roleArn?: string;
}

/** A stable made-up unique id (`AROA…` for a role, `AIDA…` for a user), as IAM gives every principal one. */
function uniqueId(prefix: 'AROA' | 'AIDA', name: string): string {
  return prefix + createHash('sha256').update(name).digest('hex').slice(0, 17).toUpperCase();
}

export function userIdentity(
  authorization: string | undefined,
  accountId: string,
  identities: Readonly<Record<string, CallerIdentity>>,
): Record<string, unknown> {
  const { accessKeyId, region } = signingScope(authorization);
  if (!accessKeyId) return { type: 'Unknown', accountId };
  const temporaryAccount = TEMPORARY_KEY.exec(accessKeyId)?.[1];
  const known = Object.hasOwn(identities, accessKeyId)
    ? identities[accessKeyId]
    : temporaryAccount
      ? targetSession(temporaryAccount, region ?? 'us-east-1', accessKeyId)
      : undefined;
  if (!known) {
    return {
      type: 'IAMUser',
      principalId: accessKeyId,
      arn: `arn:aws:iam::${accountId}:user/${accessKeyId}`,
      accountId,
      accessKeyId,
      userName: accessKeyId,
    };
  }
  const account = known.arn.split(':')[4] || accountId;
  const assumedRole = /:assumed-role\/([^/]+)\/(.+)$/.exec(known.arn);
  const type = known.type ?? (assumedRole ? 'AssumedRole' : 'IAMUser');
  if (type === 'AssumedRole' && assumedRole) {
    const [, roleName = '', sessionName = ''] = assumedRole;
    const roleArn = known.roleArn ?? `arn:aws:iam::${account}:role/${roleName}`;
    const roleId = uniqueId('AROA', `${account}/${roleName}`);
    return {
      type: 'AssumedRole',
      principalId: `${roleId}:${sessionName}`,
      arn: known.arn,
      accountId: account,
      accessKeyId,
      sessionContext: {
        sessionIssuer: {
          type: 'Role',
          principalId: roleId,
          arn: roleArn,
          accountId: account,
          userName: roleName,
        },
        attributes: { mfaAuthenticated: 'false' },
      },
    };
  }
  const userName = known.arn.split('/').pop() ?? accessKeyId;
  return {
    type,
    principalId: uniqueId('AIDA', `${account}/${userName}`),
    arn: known.arn,
    accountId: account,
    accessKeyId,
    userName,
  };
}
