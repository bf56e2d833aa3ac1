/**
 * The caller of a local call, as CloudTrail's `userIdentity` would name it. The local cloud has no IAM: the
 * access key of the request's SigV4 signature names the caller, as a role's session when the key is one the local
 * cloud was told about (the functions'), as an IAM user of that name otherwise. Shared by the SageMaker emulator's
 * and the Cognito proxy's CloudTrail records.
 */
import { createHash } from 'node:crypto';

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
  const accessKeyId = /Credential=([^/,\s]+)\//.exec(authorization ?? '')?.[1];
  if (!accessKeyId) return { type: 'Unknown', accountId };
  const known = Object.hasOwn(identities, accessKeyId) ? identities[accessKeyId] : undefined;
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
