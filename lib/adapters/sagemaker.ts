/**
 * SageMaker behind a small port: work teams and workforces in the domain's camelCase model. Listing goes
 * through the SDK's paginators; "not found" is the ValidationException the real service answers with.
 */

import { GetResourcesCommand, type ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import {
  AddTagsCommand,
  CreateWorkteamCommand,
  DeleteTagsCommand,
  DeleteWorkteamCommand,
  DescribeWorkforceCommand,
  DescribeWorkteamCommand,
  ListTagsCommand,
  paginateListWorkforces,
  paginateListWorkteams,
  type SageMakerClient,
  type MemberDefinition as SdkMemberDefinition,
  type Workforce as SdkWorkforce,
  type Workteam as SdkWorkteam,
  UpdateWorkteamCommand,
  type WorkerAccessConfiguration,
} from '@aws-sdk/client-sagemaker';
import type { ListQuery } from '../domain/list-params';
import type { LiveWorkforce, LiveWorkteam } from '../domain/live';
import type { MemberDefinition, Tag, Toggle, WorkerAccess } from '../domain/workteam';
import type { AuditReader, Page, WorkteamReader, WorkteamWriter } from '../ports/teams';
import { collectPage } from './pagination';

export type { LiveWorkforce, LiveWorkteam } from '../domain/live';
export type { WorkteamChange, WorkteamReader, WorkteamWriter } from '../ports/teams';

/** SageMaker's page size ceiling for both list operations. */
const MAX_PAGE_SIZE = 100;

/**
 * One page of a SageMaker list operation (ListWorkteams, ListWorkforces) through its paginator, `maxItems` and
 * `startingToken` as the paginators' PaginationConfig means them (lib/adapters/pagination.ts).
 */
function listPage<P extends { NextToken?: string }, T>(
  query: ListQuery,
  kind: 'workteams' | 'workforces',
  paginate: (
    config: { pageSize: number; startingToken: string | undefined },
    input: { NameContains?: string; SortBy?: ListQuery['sortBy']; SortOrder?: ListQuery['sortOrder'] },
  ) => AsyncIterable<P>,
  itemsOf: (page: P) => T[],
  scope: string,
): Promise<Page<T>> {
  const input = { NameContains: query.nameContains, SortBy: query.sortBy, SortOrder: query.sortOrder };
  return collectPage(
    { ...query, query: { kind, ...input, ...(scope === '' ? {} : { target: scope }) } },
    (startingToken) => paginate({ pageSize: query.pageSize ?? MAX_PAGE_SIZE, startingToken }, input),
    itemsOf,
    (page) => page.NextToken,
  );
}

/**
 * `scope`: the target the client acts in (its key; '' for the hub, whose tokens stay as they were), which a list's
 * token carries, so a token of one target's listing is refused by another's (InvalidPaginationToken).
 */
export function createSageMakerAdapter(client: SageMakerClient, scope = ''): WorkteamReader {
  return {
    listWorkteams: (query) =>
      listPage(
        query,
        'workteams',
        (config, input) => paginateListWorkteams({ client, ...config }, input),
        (page) => (page.Workteams ?? []).map(toLiveWorkteam),
        scope,
      ),

    async describeWorkteam(name, options = {}) {
      let workteam: SdkWorkteam | undefined;
      try {
        workteam = (await client.send(new DescribeWorkteamCommand({ WorkteamName: name }))).Workteam;
      } catch (error) {
        if (isWorkteamNotFound(error)) return undefined;
        throw error;
      }
      if (!workteam) return undefined;
      if (options.tags === false) return toLiveWorkteam(workteam);
      return { ...toLiveWorkteam(workteam), tags: await listAllTags(client, workteam.WorkteamArn ?? '') };
    },

    listWorkforces: (query) =>
      listPage(
        query,
        'workforces',
        (config, input) => paginateListWorkforces({ client, ...config }, input),
        (page) => (page.Workforces ?? []).map(toLiveWorkforce),
        scope,
      ),
  };
}

/**
 * The reader plus SageMaker's writes. Errors stay the SDK's (ResourceInUse, ResourceLimitExceeded,
 * ValidationException, ThrottlingException); only "not found" becomes a return value.
 */
export function createSageMakerWriter(client: SageMakerClient): WorkteamWriter {
  const reader = createSageMakerAdapter(client);
  return {
    ...reader,

    async createWorkteam(spec) {
      const { WorkteamArn } = await client.send(
        new CreateWorkteamCommand({
          WorkteamName: spec.name,
          WorkforceName: spec.workforceName,
          Description: spec.description,
          MemberDefinitions: spec.memberDefinitions.map(toSdkMemberDefinition),
          NotificationConfiguration: spec.notificationTopicArn
            ? { NotificationTopicArn: spec.notificationTopicArn }
            : undefined,
          WorkerAccessConfiguration: spec.workerAccess ? toSdkWorkerAccess(spec.workerAccess) : undefined,
          Tags: spec.tags.map((tag) => ({ Key: tag.key, Value: tag.value })),
        }),
      );
      if (!WorkteamArn) throw new Error(`CreateWorkteam returned no WorkteamArn for '${spec.name}'`);
      return WorkteamArn;
    },

    async updateWorkteam(change) {
      const topicArn = change.notificationTopicArn;
      await client.send(
        new UpdateWorkteamCommand({
          WorkteamName: change.name,
          Description: change.description,
          MemberDefinitions: change.memberDefinitions?.map(toSdkMemberDefinition),
          // An empty NotificationConfiguration asks UpdateWorkteam to remove the topic. The API model allows it, but no
          // public source says SageMaker removes the topic so: reconcile reads the team back (docs/api.md).
          NotificationConfiguration:
            topicArn === undefined ? undefined : topicArn === null ? {} : { NotificationTopicArn: topicArn },
          WorkerAccessConfiguration: change.workerAccess ? toSdkWorkerAccess(change.workerAccess) : undefined,
        }),
      );
    },

    async deleteWorkteam(name) {
      try {
        await client.send(new DeleteWorkteamCommand({ WorkteamName: name }));
        return true;
      } catch (error) {
        if (isWorkteamNotFound(error)) return false;
        throw error;
      }
    },

    async addTags(resourceArn, tags) {
      if (tags.length === 0) return;
      await client.send(
        new AddTagsCommand({ ResourceArn: resourceArn, Tags: tags.map((tag) => ({ Key: tag.key, Value: tag.value })) }),
      );
    },

    async deleteTags(resourceArn, keys) {
      if (keys.length === 0) return;
      await client.send(new DeleteTagsCommand({ ResourceArn: resourceArn, TagKeys: keys }));
    },

    async describeWorkforce(name) {
      if (name === undefined) {
        // One private workforce per region: the list holds it, or nothing.
        const page = await reader.listWorkforces({ maxItems: 1 });
        return page.items[0];
      }
      try {
        const { Workforce } = await client.send(new DescribeWorkforceCommand({ WorkforceName: name }));
        return Workforce ? toLiveWorkforce(Workforce) : undefined;
      } catch (error) {
        if (isWorkforceNotFound(error)) return undefined;
        throw error;
      }
    },

    workteamNames: () => listWorkteamNames(client),
  };
}

/**
 * SageMaker as the audit reads it: every team by ListWorkteams pages (100 a page, WorkerAccessConfiguration inline,
 * never a DescribeWorkteam), the workforces, and the teams' tags through the Resource Groups Tagging API
 * (`tagging`): one GetResources call answers a whole page of teams, where SageMaker's ListTags takes one a team
 * (kept for one team's tags read afresh).
 */
export function createAuditReader(
  client: SageMakerClient,
  tagging: ResourceGroupsTaggingAPIClient,
  options: { pageSize?: number } = {},
): AuditReader {
  const pageSize = options.pageSize ?? MAX_PAGE_SIZE;
  return {
    async *workteamPages() {
      for await (const page of paginateListWorkteams({ client, pageSize }, { SortBy: 'Name' })) {
        yield (page.Workteams ?? []).map(toLiveWorkteam);
      }
    },

    async listAllWorkforces() {
      const workforces: LiveWorkforce[] = [];
      for await (const page of paginateListWorkforces({ client, pageSize: MAX_PAGE_SIZE }, {})) {
        workforces.push(...(page.Workforces ?? []).map(toLiveWorkforce));
      }
      return workforces;
    },

    tagsOf: (workteamArn) => listAllTags(client, workteamArn),

    async tagsOfTeams(workteamArns) {
      const tags = new Map<string, Tag[]>(workteamArns.map((arn) => [arn, []]));
      for (let start = 0; start < workteamArns.length; start += TAGGING_ARNS_PER_CALL) {
        const ResourceARNList = workteamArns.slice(start, start + TAGGING_ARNS_PER_CALL);
        const { ResourceTagMappingList = [] } = await tagging.send(new GetResourcesCommand({ ResourceARNList }));
        for (const mapping of ResourceTagMappingList) {
          if (mapping.ResourceARN === undefined || !tags.has(mapping.ResourceARN)) continue;
          tags.set(
            mapping.ResourceARN,
            (mapping.Tags ?? []).map((tag) => ({ key: tag.Key ?? '', value: tag.Value ?? '' })),
          );
        }
      }
      return tags;
    },
  };
}

/** GetResources takes at most 100 ARNs a call (ResourceARNList). */
const TAGGING_ARNS_PER_CALL = 100;

function toSdkMemberDefinition(definition: MemberDefinition): SdkMemberDefinition {
  if (definition.cognito) {
    return {
      CognitoMemberDefinition: {
        UserPool: definition.cognito.userPool,
        UserGroup: definition.cognito.userGroup,
        ClientId: definition.cognito.clientId,
      },
    };
  }
  return { OidcMemberDefinition: { Groups: definition.oidc?.groups ?? [] } };
}

function toSdkWorkerAccess(access: WorkerAccess): WorkerAccessConfiguration {
  return { S3Presign: { IamPolicyConstraints: { SourceIp: access.sourceIp, VpcSourceIp: access.vpcSourceIp } } };
}

async function listWorkteamNames(client: SageMakerClient): Promise<string[]> {
  const names: string[] = [];
  for await (const page of paginateListWorkteams({ client, pageSize: MAX_PAGE_SIZE }, {})) {
    for (const team of page.Workteams ?? []) if (team.WorkteamName) names.push(team.WorkteamName);
  }
  return names;
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
function isWorkteamNotFound(error: unknown): boolean {
  return error instanceof Error && error.name === 'ValidationException' && error.message.startsWith('The work team');
}

/** DescribeWorkforce/DeleteWorkforce of a missing workforce: ValidationException mentioning "No workforce". */
function isWorkforceNotFound(error: unknown): boolean {
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
