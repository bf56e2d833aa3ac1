import { isIP } from 'node:net';
import { validationError } from './errors';
import type { Reader, StringRule } from './input';

// ---------------------------------------------------------------------------------------------
// Types of the (validated) request members, named as on the wire.
// ---------------------------------------------------------------------------------------------

export type EnabledOrDisabled = 'Enabled' | 'Disabled';
export type SortBy = 'Name' | 'CreateDate';
export type SortOrder = 'Ascending' | 'Descending';

export interface CognitoMemberDefinition {
  UserPool: string;
  UserGroup: string;
  ClientId: string;
}

export interface OidcMemberDefinition {
  Groups: string[];
}

export interface MemberDefinition {
  CognitoMemberDefinition?: CognitoMemberDefinition;
  OidcMemberDefinition?: OidcMemberDefinition;
}

export interface IamPolicyConstraints {
  SourceIp?: EnabledOrDisabled;
  VpcSourceIp?: EnabledOrDisabled;
}

export interface WorkerAccessConfiguration {
  S3Presign?: { IamPolicyConstraints?: IamPolicyConstraints };
}

export interface NotificationConfiguration {
  NotificationTopicArn?: string;
}

export interface Tag {
  Key: string;
  Value: string;
}

export interface CognitoConfig {
  UserPool: string;
  ClientId: string;
}

export interface OidcConfig {
  ClientId: string;
  ClientSecret: string;
  Issuer: string;
  AuthorizationEndpoint: string;
  TokenEndpoint: string;
  UserInfoEndpoint: string;
  LogoutEndpoint: string;
  JwksUri: string;
  Scope?: string;
  AuthenticationRequestExtraParams?: Record<string, string>;
}

export interface WorkforceVpcConfig {
  VpcId: string;
  SecurityGroupIds: string[];
  Subnets: string[];
}

export interface CreateWorkteamInput {
  WorkteamName: string;
  WorkforceName?: string;
  MemberDefinitions: MemberDefinition[];
  Description: string;
  NotificationConfiguration?: NotificationConfiguration;
  WorkerAccessConfiguration?: WorkerAccessConfiguration;
  Tags: Tag[];
}

export interface UpdateWorkteamInput {
  WorkteamName: string;
  MemberDefinitions?: MemberDefinition[];
  Description?: string;
  NotificationConfiguration?: NotificationConfiguration;
  WorkerAccessConfiguration?: WorkerAccessConfiguration;
}

export interface CreateWorkforceInput {
  WorkforceName: string;
  CognitoConfig?: CognitoConfig;
  OidcConfig?: OidcConfig;
  SourceIpConfig?: { Cidrs: string[] };
  WorkforceVpcConfig?: WorkforceVpcConfig;
  IpAddressType?: string;
  Tags: Tag[];
}

export interface ListInput {
  MaxResults: number;
  NextToken?: string;
  SortBy: SortBy;
  SortOrder: SortOrder;
  NameContains?: string;
}

// ---------------------------------------------------------------------------------------------
// Constraints, from the public SageMaker API reference.
// ---------------------------------------------------------------------------------------------

export const NAME_PATTERN = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;
const NAME: StringRule = { min: 1, max: 63, pattern: NAME_PATTERN };
const DESCRIPTION: StringRule = { min: 1, max: 200, pattern: /^.+$/ };
const USER_POOL: StringRule = { min: 1, max: 55, pattern: /^[\w-]+_[0-9a-zA-Z]+$/ };
const USER_GROUP: StringRule = { min: 1, max: 128, pattern: /^[\p{L}\p{M}\p{S}\p{N}\p{P}]+$/u };
const CLIENT_ID: StringRule = { min: 1, max: 128, pattern: /^[\w+-]+$/ };
const OIDC_GROUP: StringRule = { min: 1, max: 63, pattern: /^[\p{L}\p{M}\p{S}\p{N}\p{P}]+$/u };
const TOPIC_ARN: StringRule = { max: 2048, pattern: /^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[a-zA-Z0-9_.-]+$/ };
const ENABLED_OR_DISABLED: StringRule = { enum: ['Enabled', 'Disabled'] };
const TAG_KEY: StringRule = { required: true, min: 1, max: 128, pattern: /^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$/u };
const TAG_VALUE: StringRule = { required: true, min: 0, max: 256, pattern: /^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$/u };
export const RESOURCE_ARN: StringRule = {
  required: true,
  min: 0,
  max: 256,
  pattern: /^arn:aws[a-z-]*:sagemaker:[a-z0-9-]*:[0-9]{12}:.+$/,
};
const HTTPS_URL: StringRule = { required: true, min: 1, max: 500, pattern: /^https:\/\/\S+$/ };
const OIDC_SECRET: StringRule = { required: true, min: 1, max: 1024, pattern: /^\S+$/ };
const VPC_ID: StringRule = { min: 1, max: 32, pattern: /^vpc-[0-9a-f]{8}(?:[0-9a-f]{9})?$/ };
const SECURITY_GROUP_ID: StringRule = { min: 1, max: 32, pattern: /^sg-[0-9a-f]{8}(?:[0-9a-f]{9})?$/ };
const SUBNET_ID: StringRule = { min: 1, max: 32, pattern: /^subnet-[0-9a-f]{8}(?:[0-9a-f]{9})?$/ };
const CIDR: StringRule = { min: 4, max: 64 };

export const MAX_TAGS = 50;

// ---------------------------------------------------------------------------------------------
// Readers of request members.
// ---------------------------------------------------------------------------------------------

function readMemberDefinitions(reader: Reader, required: boolean): MemberDefinition[] | undefined {
  const items = reader.objectList('MemberDefinitions', { required, min: 1, max: 10 });
  return items?.map((item) => {
    const definition: MemberDefinition = {};
    const cognito = item.object('CognitoMemberDefinition');
    if (cognito) {
      definition.CognitoMemberDefinition = {
        UserPool: cognito.string('UserPool', { ...USER_POOL, required: true }) ?? '',
        UserGroup: cognito.string('UserGroup', { ...USER_GROUP, required: true }) ?? '',
        ClientId: cognito.string('ClientId', { ...CLIENT_ID, required: true }) ?? '',
      };
    }
    const oidc = item.object('OidcMemberDefinition');
    if (oidc) {
      definition.OidcMemberDefinition = {
        Groups: oidc.stringList('Groups', { required: true, min: 1, max: 10 }, OIDC_GROUP) ?? [],
      };
    }
    return definition;
  });
}

/** Rules across the member definitions of one team (run once every member is well formed). */
export function checkMemberDefinitions(definitions: MemberDefinition[]): void {
  for (const [index, definition] of definitions.entries()) {
    const kinds =
      Number(definition.CognitoMemberDefinition !== undefined) + Number(definition.OidcMemberDefinition !== undefined);
    if (kinds !== 1) {
      throw validationError(
        `Member definition ${index + 1} must hold exactly one of CognitoMemberDefinition or OidcMemberDefinition.`,
      );
    }
  }
  const cognito = definitions.flatMap((d) => (d.CognitoMemberDefinition ? [d.CognitoMemberDefinition] : []));
  const oidc = definitions.flatMap((d) => (d.OidcMemberDefinition ? [d.OidcMemberDefinition] : []));
  if (cognito.length > 0 && oidc.length > 0) {
    throw validationError(
      'A work team cannot mix CognitoMemberDefinition and OidcMemberDefinition member definitions.',
    );
  }
  const [first] = cognito;
  if (first) {
    for (const other of cognito) {
      if (other.UserPool !== first.UserPool || other.ClientId !== first.ClientId) {
        throw validationError(
          'All CognitoMemberDefinition objects of a work team must have the same UserPool and ClientId values.',
        );
      }
    }
  }
  const groups = [...cognito.map((c) => c.UserGroup), ...oidc.flatMap((o) => o.Groups)];
  const seen = new Set<string>();
  for (const group of groups) {
    if (seen.has(group)) throw validationError(`The user group '${group}' is listed more than once in the work team.`);
    seen.add(group);
  }
}

function readNotification(reader: Reader): NotificationConfiguration | undefined {
  const notification = reader.object('NotificationConfiguration');
  if (!notification) return undefined;
  const arn = notification.string('NotificationTopicArn', TOPIC_ARN);
  return arn === undefined ? {} : { NotificationTopicArn: arn };
}

function readWorkerAccess(reader: Reader): WorkerAccessConfiguration | undefined {
  const access = reader.object('WorkerAccessConfiguration');
  if (!access) return undefined;
  const out: WorkerAccessConfiguration = {};
  const presign = access.object('S3Presign');
  if (presign) {
    out.S3Presign = {};
    const constraints = presign.object('IamPolicyConstraints');
    if (constraints) {
      const iam: IamPolicyConstraints = {};
      const sourceIp = constraints.string('SourceIp', ENABLED_OR_DISABLED);
      const vpcSourceIp = constraints.string('VpcSourceIp', ENABLED_OR_DISABLED);
      if (sourceIp !== undefined) iam.SourceIp = sourceIp as EnabledOrDisabled;
      if (vpcSourceIp !== undefined) iam.VpcSourceIp = vpcSourceIp as EnabledOrDisabled;
      out.S3Presign.IamPolicyConstraints = iam;
    }
  }
  return out;
}

export function usesVpcSourceIp(access: WorkerAccessConfiguration | undefined): boolean {
  return access?.S3Presign?.IamPolicyConstraints?.VpcSourceIp === 'Enabled';
}

export function readTags(reader: Reader, key: string, required: boolean): Tag[] | undefined {
  const items = reader.objectList(key, { required, min: 0, max: MAX_TAGS });
  return items?.map((item) => ({
    Key: item.string('Key', TAG_KEY) ?? '',
    Value: item.string('Value', TAG_VALUE) ?? '',
  }));
}

/** Tag rules beyond the member constraints (run once every tag is well formed). */
export function checkTags(tags: Tag[]): void {
  const seen = new Set<string>();
  for (const tag of tags) {
    if (tag.Key.toLowerCase().startsWith('aws:')) {
      throw validationError(`Tag keys beginning with 'aws:' are reserved for system use: '${tag.Key}'.`);
    }
    if (seen.has(tag.Key)) throw validationError(`Tag keys must be unique per resource; '${tag.Key}' is given twice.`);
    seen.add(tag.Key);
  }
}

export function readTagKeys(reader: Reader): string[] {
  return reader.stringList('TagKeys', { required: true, min: 1, max: MAX_TAGS }, { min: 1, max: 128 }) ?? [];
}

// ---------------------------------------------------------------------------------------------
// Whole requests.
// ---------------------------------------------------------------------------------------------

export function readCreateWorkteam(reader: Reader): CreateWorkteamInput {
  const input: CreateWorkteamInput = {
    WorkteamName: reader.string('WorkteamName', { ...NAME, required: true }) ?? '',
    WorkforceName: reader.string('WorkforceName', NAME),
    MemberDefinitions: readMemberDefinitions(reader, true) ?? [],
    Description: reader.string('Description', { ...DESCRIPTION, required: true }) ?? '',
    NotificationConfiguration: readNotification(reader),
    WorkerAccessConfiguration: readWorkerAccess(reader),
    Tags: readTags(reader, 'Tags', false) ?? [],
  };
  reader.violations.throwIfAny();
  checkMemberDefinitions(input.MemberDefinitions);
  checkTags(input.Tags);
  return input;
}

export function readUpdateWorkteam(reader: Reader): UpdateWorkteamInput {
  const input: UpdateWorkteamInput = {
    WorkteamName: reader.string('WorkteamName', { ...NAME, required: true }) ?? '',
    MemberDefinitions: readMemberDefinitions(reader, false),
    Description: reader.string('Description', DESCRIPTION),
    NotificationConfiguration: readNotification(reader),
    WorkerAccessConfiguration: readWorkerAccess(reader),
  };
  reader.violations.throwIfAny();
  if (input.MemberDefinitions) checkMemberDefinitions(input.MemberDefinitions);
  return input;
}

export function readName(reader: Reader, key: 'WorkteamName' | 'WorkforceName'): string {
  const name = reader.string(key, { ...NAME, required: true }) ?? '';
  reader.violations.throwIfAny();
  return name;
}

function isCidr(value: string): boolean {
  const match = /^([^/]+)\/([0-9]{1,3})$/.exec(value);
  if (!match?.[1] || !match[2]) return false;
  const prefix = Number(match[2]);
  const family = isIP(match[1]);
  if (family === 4) return prefix <= 32;
  if (family === 6) return prefix <= 128;
  return false;
}

export function readCreateWorkforce(reader: Reader): CreateWorkforceInput {
  const input: CreateWorkforceInput = {
    WorkforceName: reader.string('WorkforceName', { ...NAME, required: true }) ?? '',
    Tags: readTags(reader, 'Tags', false) ?? [],
    IpAddressType: reader.string('IpAddressType', { enum: ['ipv4', 'dualstack'] }),
  };
  const cognito = reader.object('CognitoConfig');
  if (cognito) {
    input.CognitoConfig = {
      UserPool: cognito.string('UserPool', { ...USER_POOL, required: true }) ?? '',
      ClientId: cognito.string('ClientId', { ...CLIENT_ID, required: true }) ?? '',
    };
  }
  const oidc = reader.object('OidcConfig');
  if (oidc) {
    const config: OidcConfig = {
      ClientId: oidc.string('ClientId', OIDC_SECRET) ?? '',
      ClientSecret: oidc.string('ClientSecret', OIDC_SECRET) ?? '',
      Issuer: oidc.string('Issuer', HTTPS_URL) ?? '',
      AuthorizationEndpoint: oidc.string('AuthorizationEndpoint', HTTPS_URL) ?? '',
      TokenEndpoint: oidc.string('TokenEndpoint', HTTPS_URL) ?? '',
      UserInfoEndpoint: oidc.string('UserInfoEndpoint', HTTPS_URL) ?? '',
      LogoutEndpoint: oidc.string('LogoutEndpoint', HTTPS_URL) ?? '',
      JwksUri: oidc.string('JwksUri', HTTPS_URL) ?? '',
    };
    const scope = oidc.string('Scope', { min: 0, max: 1024 });
    if (scope !== undefined) config.Scope = scope;
    const extra = oidc.map('AuthenticationRequestExtraParams');
    if (extra !== undefined) {
      if (Object.keys(extra).length > 10) {
        reader.violations.add(
          extra,
          oidc.pathOf('AuthenticationRequestExtraParams'),
          'Member must have length less than or equal to 10',
        );
      }
      config.AuthenticationRequestExtraParams = extra;
    }
    input.OidcConfig = config;
  }
  const sourceIp = reader.object('SourceIpConfig');
  if (sourceIp) {
    const cidrs = sourceIp.stringList('Cidrs', { required: true, min: 1, max: 10 }, CIDR) ?? [];
    for (const cidr of cidrs) {
      if (!isCidr(cidr)) {
        reader.violations.add(cidr, sourceIp.pathOf('Cidrs'), 'Member must be a valid CIDR block (IPv4 or IPv6)');
      }
    }
    input.SourceIpConfig = { Cidrs: cidrs };
  }
  const vpc = reader.object('WorkforceVpcConfig');
  if (vpc) {
    input.WorkforceVpcConfig = {
      VpcId: vpc.string('VpcId', { ...VPC_ID, required: true }) ?? '',
      SecurityGroupIds: vpc.stringList('SecurityGroupIds', { required: true, min: 1, max: 5 }, SECURITY_GROUP_ID) ?? [],
      Subnets: vpc.stringList('Subnets', { required: true, min: 1, max: 16 }, SUBNET_ID) ?? [],
    };
  }
  reader.violations.throwIfAny();
  if ((input.CognitoConfig === undefined) === (input.OidcConfig === undefined)) {
    throw validationError('A workforce needs exactly one of CognitoConfig or OidcConfig.');
  }
  checkTags(input.Tags);
  return input;
}

export function readList(reader: Reader): ListInput {
  const input: ListInput = {
    MaxResults: reader.integer('MaxResults', { min: 1, max: 100 }) ?? 10,
    NextToken: reader.string('NextToken', { min: 0, max: 8192 }),
    SortBy: (reader.string('SortBy', { enum: ['Name', 'CreateDate'] }) ?? 'CreateDate') as SortBy,
    SortOrder: (reader.string('SortOrder', { enum: ['Ascending', 'Descending'] }) ?? 'Ascending') as SortOrder,
    NameContains: reader.string('NameContains', NAME),
  };
  reader.violations.throwIfAny();
  return input;
}
