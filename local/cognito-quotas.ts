/**
 * Amazon Cognito user pools' request-rate quotas, as the developer guide publishes them ("Quotas in Amazon
 * Cognito", section "Amazon Cognito user pools API operation categories and request rate quotas",
 * https://docs.aws.amazon.com/cognito/latest/developerguide/quotas.html): every operation belongs to one
 * category whose default quota (requests per second) is shared by all user pools of one account in one Region.
 *
 * - Categories marked there with note 3 (UserPoolResourceRead/Update, UserPoolClientRead/Update) also hold each of
 *   their operations to 5 requests per second for a single user pool: a bucket per operation and pool.
 * - RespondToAuthChallenge/AdminRespondToAuthChallenge have their own allowance of three times UserAuthentication;
 *   a NEW_PASSWORD_REQUIRED answer counts toward UserAccountRecovery instead (note 1). Beyond the allowance the
 *   guide adds the excess to UserAuthentication; here the excess is simply refused (a simplification).
 * - Per user (the same page, "per-user request rate quotas"): 10 reads and 10 writes of the user's own profile per
 *   second. Applied to the operations a signed-in user makes with an access token, keyed by the token's `sub`.
 * Operations the table does not name have no quota here.
 */
import type { QuotaDefinition } from './request-quota';

type Category =
  | 'UserAuthentication'
  | 'UserAuthenticationChallenge'
  | 'UserCreation'
  | 'UserAccountRecovery'
  | 'UserRead'
  | 'UserUpdate'
  | 'UserToken'
  | 'UserResourceRead'
  | 'UserResourceUpdate'
  | 'UserList'
  | 'UserPoolRead'
  | 'UserPoolUpdate'
  | 'UserPoolResourceRead'
  | 'UserPoolResourceUpdate'
  | 'UserPoolClientRead'
  | 'UserPoolClientUpdate'
  | 'ClientAuthentication'
  | 'LimitManagement';

/** Default quota (requests per second) of each category, account-wide per Region. */
const CATEGORY_RATES: Readonly<Record<Category, number>> = {
  UserAuthentication: 120,
  // Three times UserAuthentication, for the challenge answers (note 1 of the table).
  UserAuthenticationChallenge: 360,
  UserCreation: 50,
  UserAccountRecovery: 30,
  UserRead: 120,
  UserUpdate: 25,
  UserToken: 120,
  UserResourceRead: 50,
  UserResourceUpdate: 25,
  UserList: 30,
  UserPoolRead: 15,
  UserPoolUpdate: 15,
  UserPoolResourceRead: 20,
  UserPoolResourceUpdate: 15,
  UserPoolClientRead: 15,
  UserPoolClientUpdate: 15,
  ClientAuthentication: 150,
  LimitManagement: 1,
};

const CATEGORY_OPERATIONS: Readonly<Record<Category, readonly string[]>> = {
  UserAuthentication: ['InitiateAuth', 'AdminInitiateAuth', 'GetTokensFromRefreshToken'],
  UserAuthenticationChallenge: ['RespondToAuthChallenge', 'AdminRespondToAuthChallenge'],
  UserCreation: ['SignUp', 'ConfirmSignUp', 'AdminCreateUser', 'AdminConfirmSignUp'],
  UserAccountRecovery: [
    'ChangePassword',
    'ConfirmForgotPassword',
    'ForgotPassword',
    'AdminResetUserPassword',
    'AdminSetUserPassword',
  ],
  UserRead: ['AdminGetUser', 'AdminGetUserAuthFactors', 'GetUser'],
  UserUpdate: [
    'AdminAddUserToGroup',
    'AdminDeleteUserAttributes',
    'AdminUpdateUserAttributes',
    'AdminDeleteUser',
    'AdminDisableUser',
    'AdminEnableUser',
    'AdminLinkProviderForUser',
    'AdminDisableProviderForUser',
    'VerifyUserAttribute',
    'DeleteUser',
    'DeleteUserAttributes',
    'UpdateUserAttributes',
    'AdminUserGlobalSignOut',
    'GlobalSignOut',
    'AdminRemoveUserFromGroup',
  ],
  UserToken: ['RevokeToken'],
  UserResourceRead: [
    'AdminGetDevice',
    'AdminListGroupsForUser',
    'AdminListDevices',
    'GetDevice',
    'ListDevices',
    'GetUserAttributeVerificationCode',
    'ResendConfirmationCode',
    'AdminListUserAuthEvents',
  ],
  UserResourceUpdate: [
    'AdminForgetDevice',
    'AdminUpdateAuthEventFeedback',
    'AdminSetUserMFAPreference',
    'AdminSetUserSettings',
    'AdminUpdateDeviceStatus',
    'UpdateDeviceStatus',
    'UpdateAuthEventFeedback',
    'ConfirmDevice',
    'SetUserMFAPreference',
    'SetUserSettings',
    'VerifySoftwareToken',
    'AssociateSoftwareToken',
    'ForgetDevice',
  ],
  UserList: ['ListUsers', 'ListUsersInGroup'],
  UserPoolRead: ['DescribeUserPool', 'ListUserPools'],
  UserPoolUpdate: ['CreateUserPool', 'UpdateUserPool', 'DeleteUserPool'],
  UserPoolResourceRead: [
    'DescribeIdentityProvider',
    'DescribeResourceServer',
    'DescribeUserImportJob',
    'DescribeUserPoolDomain',
    'GetCSVHeader',
    'GetGroup',
    'GetSigningCertificate',
    'GetIdentityProviderByIdentifier',
    'GetUserPoolMfaConfig',
    'ListGroups',
    'ListIdentityProviders',
    'ListResourceServers',
    'ListTagsForResource',
    'ListUserImportJobs',
    'DescribeRiskConfiguration',
    'GetUICustomization',
    'DescribeManagedLoginBranding',
    'DescribeManagedLoginBrandingByClient',
  ],
  UserPoolResourceUpdate: [
    'AddCustomAttributes',
    'CreateGroup',
    'CreateIdentityProvider',
    'CreateResourceServer',
    'CreateUserImportJob',
    'CreateUserPoolDomain',
    'DeleteGroup',
    'DeleteIdentityProvider',
    'DeleteResourceServer',
    'DeleteUserPoolDomain',
    'SetUserPoolMfaConfig',
    'StartUserImportJob',
    'StopUserImportJob',
    'UpdateGroup',
    'UpdateIdentityProvider',
    'UpdateResourceServer',
    'UpdateUserPoolDomain',
    'SetRiskConfiguration',
    'SetUICustomization',
    'TagResource',
    'UntagResource',
    'CreateManagedLoginBranding',
    'UpdateManagedLoginBranding',
    'DeleteManagedLoginBranding',
  ],
  UserPoolClientRead: ['DescribeUserPoolClient', 'ListUserPoolClients'],
  UserPoolClientUpdate: ['CreateUserPoolClient', 'DeleteUserPoolClient', 'UpdateUserPoolClient'],
  ClientAuthentication: ['GetClientToken'],
  LimitManagement: ['GetProvisionedLimit', 'UpdateProvisionedLimit'],
};

/** Categories whose every operation is also held to PER_POOL_OPERATION_RATE for one user pool (note 3). */
const PER_POOL_CATEGORIES: ReadonlySet<Category> = new Set([
  'UserPoolResourceRead',
  'UserPoolResourceUpdate',
  'UserPoolClientRead',
  'UserPoolClientUpdate',
]);
const PER_POOL_OPERATION_RATE = 5;

/** The per-user quotas: reads and writes of one user's own profile with the user's access token. */
const PER_USER_RATE = 10;
const PROFILE_READS: ReadonlySet<string> = new Set(['GetUser', 'GetDevice', 'ListDevices']);
const PROFILE_WRITES: ReadonlySet<string> = new Set([
  'UpdateUserAttributes',
  'DeleteUserAttributes',
  'DeleteUser',
  'VerifyUserAttribute',
  'SetUserSettings',
  'SetUserMFAPreference',
  'ChangePassword',
  'GlobalSignOut',
  'ForgetDevice',
  'UpdateDeviceStatus',
  'ConfirmDevice',
  'AssociateSoftwareToken',
  'VerifySoftwareToken',
]);

const CATEGORY_OF: ReadonlyMap<string, Category> = new Map(
  (Object.entries(CATEGORY_OPERATIONS) as [Category, readonly string[]][]).flatMap(([category, operations]) =>
    operations.map((operation) => [operation, category] as const),
  ),
);

/**
 * Every quota, for createRequestQuotas: the categories by name, each per-pool operation by its own name (a bucket
 * per pool), and `UserProfileRead`/`UserProfileWrite` (a bucket per user).
 */
export const COGNITO_QUOTAS: Readonly<Record<string, QuotaDefinition>> = {
  ...Object.fromEntries(Object.entries(CATEGORY_RATES).map(([name, perSecond]) => [name, { perSecond }])),
  ...Object.fromEntries(
    [...PER_POOL_CATEGORIES].flatMap((category) =>
      CATEGORY_OPERATIONS[category].map((operation) => [operation, { perSecond: PER_POOL_OPERATION_RATE }]),
    ),
  ),
  UserProfileRead: { perSecond: PER_USER_RATE },
  UserProfileWrite: { perSecond: PER_USER_RATE },
};

/** The pool a request names: `UserPoolId`, or the pool of a `ResourceArn` (tags). */
function poolOf(params: Record<string, unknown>): string | undefined {
  if (typeof params.UserPoolId === 'string' && params.UserPoolId) return params.UserPoolId;
  if (typeof params.ResourceArn === 'string') return /:userpool\/([^/]+)$/.exec(params.ResourceArn)?.[1];
  return undefined;
}

/**
 * The quota keys one call takes from (`[quota, resource?]`, for RequestQuotas.take): its category, its per-pool
 * bucket where the category has one, its user's bucket for a call with an access token. None for an operation the
 * table does not name.
 */
export function cognitoQuotaKeys(
  operation: string,
  params: Record<string, unknown>,
  tokenSub?: string,
): [string, string?][] {
  let category = CATEGORY_OF.get(operation);
  if (!category) return [];
  if (category === 'UserAuthenticationChallenge' && params.ChallengeName === 'NEW_PASSWORD_REQUIRED') {
    category = 'UserAccountRecovery';
  }
  const keys: [string, string?][] = [[category]];
  const pool = poolOf(params);
  if (PER_POOL_CATEGORIES.has(category) && pool) keys.push([operation, pool]);
  if (tokenSub && PROFILE_READS.has(operation)) keys.push(['UserProfileRead', tokenSub]);
  if (tokenSub && PROFILE_WRITES.has(operation)) keys.push(['UserProfileWrite', tokenSub]);
  return keys;
}
