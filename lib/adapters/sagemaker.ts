/**
 * SageMaker behind a small port: work teams and workforces in the domain's camelCase model. Listing goes
 * through the SDK's paginators; "not found" is the ValidationException the real service answers with.
 */
import {
  DescribeWorkteamCommand,
  ListTagsCommand,
  paginateListWorkforces,
  paginateListWorkteams,
  type SageMakerClient,
  type MemberDefinition as SdkMemberDefinition,
  type Workforce as SdkWorkforce,
  type Workteam as SdkWorkteam,
} from '@aws-sdk/client-sagemaker';
import type { MemberDefinition, Tag, Toggle, WorkerAccess } from '../domain/workteam';
import { collectPage, type Page, type PageRequest } from './pagination';

export interface LiveWorkteam {
  name: string;
  arn: string;
  workforceArn?: string;
  description: string;
  memberDefinitions: MemberDefinition[];
  notificationTopicArn?: string;
  workerAccess?: WorkerAccess;
  subDomain?: string;
  createdAt?: Date;
  updatedAt?: Date;
  /** Only filled where the caller asked for tags (one ListTags walk per team). */
  tags?: Tag[];
}

export interface LiveWorkforce {
  name: string;
  arn: string;
  subDomain?: string;
  cognito?: { userPool: string; clientId: string };
  oidc?: { clientId: string; issuer: string };
  sourceIpCidrs: string[];
  vpc?: { vpcId: string; securityGroupIds: string[]; subnets: string[]; vpcEndpointId?: string };
  status?: string;
  failureReason?: string;
  createdAt?: Date;
  updatedAt?: Date;
}

export type SortBy = 'Name' | 'CreateDate';
export type SortOrder = 'Ascending' | 'Descending';

export interface ListQuery extends PageRequest {
  nameContains?: string;
  sortBy?: SortBy;
  sortOrder?: SortOrder;
}

export interface WorkteamReader {
  listWorkteams(query: ListQuery): Promise<Page<LiveWorkteam>>;
  /** The team with its tags, or undefined when SageMaker has no team of that name. */
  describeWorkteam(name: string): Promise<LiveWorkteam | undefined>;
  listWorkforces(query: ListQuery): Promise<Page<LiveWorkforce>>;
}

/** SageMaker's page size ceiling for both list operations. */
const MAX_PAGE_SIZE = 100;

export function createSageMakerAdapter(client: SageMakerClient): WorkteamReader {
  return {
    async listWorkteams(query) {
      const input = { NameContains: query.nameContains, SortBy: query.sortBy, SortOrder: query.sortOrder };
      return collectPage(
        { ...query, query: { kind: 'workteams', ...input } },
        (startingToken) =>
          paginateListWorkteams({ client, pageSize: query.pageSize ?? MAX_PAGE_SIZE, startingToken }, input),
        (page) => (page.Workteams ?? []).map(toLiveWorkteam),
        (page) => page.NextToken,
      );
    },

    async describeWorkteam(name) {
      let workteam: SdkWorkteam | undefined;
      try {
        workteam = (await client.send(new DescribeWorkteamCommand({ WorkteamName: name }))).Workteam;
      } catch (error) {
        if (isWorkteamNotFound(error)) return undefined;
        throw error;
      }
      if (!workteam) return undefined;
      return { ...toLiveWorkteam(workteam), tags: await listAllTags(client, workteam.WorkteamArn ?? '') };
    },

    async listWorkforces(query) {
      const input = { NameContains: query.nameContains, SortBy: query.sortBy, SortOrder: query.sortOrder };
      return collectPage(
        { ...query, query: { kind: 'workforces', ...input } },
        (startingToken) =>
          paginateListWorkforces({ client, pageSize: query.pageSize ?? MAX_PAGE_SIZE, startingToken }, input),
        (page) => (page.Workforces ?? []).map(toLiveWorkforce),
        (page) => page.NextToken,
      );
    },
  };
}

async function listAllTags(client: SageMakerClient, resourceArn: string): Promise<Tag[]> {
  const tags: Tag[] = [];
  let nextToken: string | undefined;
  do {
    const page = await client.send(
      new ListTagsCommand({ ResourceArn: resourceArn, NextToken: nextToken, MaxResults: 100 }),
    );
    for (const tag of page.Tags ?? []) tags.push({ key: tag.Key ?? '', value: tag.Value ?? '' });
    nextToken = page.NextToken;
  } while (nextToken);
  return tags;
}

/** The real service has no ResourceNotFound for work teams: it answers ValidationException "The work team …". */
export function isWorkteamNotFound(error: unknown): boolean {
  return error instanceof Error && error.name === 'ValidationException' && error.message.startsWith('The work team');
}

/** DescribeWorkforce/DeleteWorkforce of a missing workforce: ValidationException mentioning "No workforce". */
export function isWorkforceNotFound(error: unknown): boolean {
  return error instanceof Error && error.name === 'ValidationException' && error.message.includes('No workforce');
}

function toMemberDefinition(definition: SdkMemberDefinition): MemberDefinition {
  const cognito = definition.CognitoMemberDefinition;
  if (cognito) {
    return {
      cognito: {
        userPool: cognito.UserPool ?? '',
        userGroup: cognito.UserGroup ?? '',
        clientId: cognito.ClientId ?? '',
      },
    };
  }
  return { oidc: { groups: definition.OidcMemberDefinition?.Groups ?? [] } };
}

function toLiveWorkteam(workteam: SdkWorkteam): LiveWorkteam {
  const constraints = workteam.WorkerAccessConfiguration?.S3Presign?.IamPolicyConstraints;
  return {
    name: workteam.WorkteamName ?? '',
    arn: workteam.WorkteamArn ?? '',
    workforceArn: workteam.WorkforceArn,
    description: workteam.Description ?? '',
    memberDefinitions: (workteam.MemberDefinitions ?? []).map(toMemberDefinition),
    notificationTopicArn: workteam.NotificationConfiguration?.NotificationTopicArn || undefined,
    workerAccess: constraints
      ? {
          sourceIp: constraints.SourceIp as Toggle | undefined,
          vpcSourceIp: constraints.VpcSourceIp as Toggle | undefined,
        }
      : undefined,
    subDomain: workteam.SubDomain,
    createdAt: workteam.CreateDate,
    updatedAt: workteam.LastUpdatedDate,
  };
}

function toLiveWorkforce(workforce: SdkWorkforce): LiveWorkforce {
  const vpc = workforce.WorkforceVpcConfig;
  return {
    name: workforce.WorkforceName ?? '',
    arn: workforce.WorkforceArn ?? '',
    subDomain: workforce.SubDomain,
    cognito: workforce.CognitoConfig
      ? { userPool: workforce.CognitoConfig.UserPool ?? '', clientId: workforce.CognitoConfig.ClientId ?? '' }
      : undefined,
    oidc: workforce.OidcConfig
      ? { clientId: workforce.OidcConfig.ClientId ?? '', issuer: workforce.OidcConfig.Issuer ?? '' }
      : undefined,
    sourceIpCidrs: workforce.SourceIpConfig?.Cidrs ?? [],
    vpc: vpc
      ? {
          vpcId: vpc.VpcId ?? '',
          securityGroupIds: vpc.SecurityGroupIds ?? [],
          subnets: vpc.Subnets ?? [],
          vpcEndpointId: vpc.VpcEndpointId,
        }
      : undefined,
    status: workforce.Status,
    failureReason: workforce.FailureReason,
    createdAt: workforce.CreateDate,
    updatedAt: workforce.LastUpdatedDate,
  };
}
