import { randomBytes } from 'node:crypto';
import type { EmulatorBehaviour } from './behaviour';
import { ApiError, validationError } from './errors';
import { type Json, Reader } from './input';
import { page, pageByOffset } from './paging';
import {
  type CognitoConfig,
  type CreateWorkteamInput,
  checkTags,
  MAX_TAGS,
  type MemberDefinition,
  type NotificationConfiguration,
  type OidcConfig,
  RESOURCE_ARN,
  readCreateWorkforce,
  readCreateWorkteam,
  readList,
  readName,
  readTagKeys,
  readTags,
  readUpdateWorkteam,
  usesVpcSourceIp,
  type WorkerAccessConfiguration,
  type WorkforceVpcConfig,
} from './shapes';

export const MAX_WORKTEAMS = 25;
const DEFAULT_WORKFORCE_NAME = 'default';

interface TeamRecord {
  name: string;
  seq: number;
  arn: string;
  members: MemberDefinition[];
  description: string;
  notification?: NotificationConfiguration;
  workerAccess?: WorkerAccessConfiguration;
  createdMs: number;
  updatedMs: number;
}

interface WorkforceRecord {
  name: string;
  seq: number;
  arn: string;
  subDomain: string;
  cognito?: CognitoConfig;
  oidc?: OidcConfig;
  cidrs: string[];
  vpc?: WorkforceVpcConfig & { VpcEndpointId: string };
  ipAddressType?: string;
  createdMs: number;
  updatedMs: number;
}

type Handler = (reader: Reader) => Json;

function randomAlnum(length: number): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  return [...randomBytes(length)].map((byte) => alphabet[byte % alphabet.length]).join('');
}

const seconds = (ms: number): number => ms / 1000;

/** The in-memory state of one account and region, and the operations on it. */
export class SageMakerState {
  private seq = 0;
  private readonly teams = new Map<string, TeamRecord>();
  private workforce: WorkforceRecord | undefined;
  private readonly tags = new Map<string, Map<string, string>>();

  private readonly handlers: Record<string, Handler> = {
    CreateWorkteam: (r) => this.createWorkteam(r),
    UpdateWorkteam: (r) => this.updateWorkteam(r),
    DescribeWorkteam: (r) => this.describeWorkteam(r),
    DeleteWorkteam: (r) => this.deleteWorkteam(r),
    ListWorkteams: (r) => this.listWorkteams(r),
    CreateWorkforce: (r) => this.createWorkforce(r),
    DescribeWorkforce: (r) => this.describeWorkforce(r),
    ListWorkforces: (r) => this.listWorkforces(r),
    DeleteWorkforce: (r) => this.deleteWorkforce(r),
    AddTags: (r) => this.addTags(r),
    ListTags: (r) => this.listTags(r),
    DeleteTags: (r) => this.deleteTags(r),
  };

  constructor(
    private readonly region: string,
    private readonly accountId: string,
    /** Where SageMaker's documentation is silent, what the emulator does (the choices: behaviour.ts): one for all. */
    private readonly behaviour: () => Readonly<EmulatorBehaviour>,
  ) {}

  supports(operation: string): boolean {
    return Object.hasOwn(this.handlers, operation);
  }

  handle(operation: string, body: Json): Json {
    const handler = this.handlers[operation];
    if (!handler) throw new ApiError('UnknownOperationException', `Unknown operation: ${operation}`);
    return handler(Reader.root(body));
  }

  // --- work teams ------------------------------------------------------------------------------

  private teamArn(name: string): string {
    return `arn:aws:sagemaker:${this.region}:${this.accountId}:workteam/private-crowd/${name}`;
  }

  private workforceArn(name: string): string {
    return `arn:aws:sagemaker:${this.region}:${this.accountId}:workforce/${name}`;
  }

  private requireTeam(name: string): TeamRecord {
    const team = this.teams.get(name);
    if (!team) throw validationError(`The work team '${name}' does not exist.`);
    return team;
  }

  /** The member definitions must fit the region's workforce (when there is one). */
  private checkAgainstWorkforce(members: MemberDefinition[], workforce: WorkforceRecord | undefined): void {
    const cognito = members.find((m) => m.CognitoMemberDefinition)?.CognitoMemberDefinition;
    if (!workforce) {
      if (!cognito) {
        throw validationError(
          'No workforce exists in this region: an OIDC work team needs a workforce created with OidcConfig first.',
        );
      }
      return;
    }
    if (cognito) {
      if (!workforce.cognito) {
        throw validationError(
          `The workforce '${workforce.name}' uses an OIDC identity provider: use OidcMemberDefinition, not CognitoMemberDefinition.`,
        );
      }
      if (cognito.UserPool !== workforce.cognito.UserPool || cognito.ClientId !== workforce.cognito.ClientId) {
        throw validationError(
          `The UserPool and ClientId of the member definitions must match those of the workforce '${workforce.name}' (${workforce.cognito.UserPool}, ${workforce.cognito.ClientId}).`,
        );
      }
    } else if (!workforce.oidc) {
      throw validationError(
        `The workforce '${workforce.name}' uses Amazon Cognito: use CognitoMemberDefinition, not OidcMemberDefinition.`,
      );
    }
  }

  private checkWorkerAccess(
    access: WorkerAccessConfiguration | undefined,
    workforce: WorkforceRecord | undefined,
  ): void {
    if (usesVpcSourceIp(access) && !workforce?.vpc) {
      throw validationError(
        'VpcSourceIp can only be Enabled for a work team of a workforce with a WorkforceVpcConfig (a private worker portal inside a VPC).',
      );
    }
  }

  private createWorkteam(reader: Reader): Json {
    const input: CreateWorkteamInput = readCreateWorkteam(reader);
    if (this.teams.has(input.WorkteamName)) {
      throw new ApiError('ResourceInUse', `Workteam '${input.WorkteamName}' already exists.`);
    }
    if (this.teams.size >= MAX_WORKTEAMS) {
      throw new ApiError(
        'ResourceLimitExceeded',
        `The account-level service limit 'Number of work teams' is ${MAX_WORKTEAMS} work teams, with current utilization of ${this.teams.size} work teams and a request delta of 1 work teams. You cannot create more than ${MAX_WORKTEAMS} work teams in an account and region.`,
      );
    }
    if (input.WorkforceName !== undefined && input.WorkforceName !== this.workforce?.name) {
      throw validationError(`No workforce found with name '${input.WorkforceName}'.`);
    }
    this.checkAgainstWorkforce(input.MemberDefinitions, this.workforce);
    this.checkWorkerAccess(input.WorkerAccessConfiguration, this.workforce);
    if (!this.workforce) this.autoCreateWorkforce(input.MemberDefinitions);
    const now = Date.now();
    const team: TeamRecord = {
      name: input.WorkteamName,
      seq: ++this.seq,
      arn: this.teamArn(input.WorkteamName),
      members: structuredClone(input.MemberDefinitions),
      description: input.Description,
      createdMs: now,
      updatedMs: now,
    };
    if (input.NotificationConfiguration?.NotificationTopicArn) {
      team.notification = { NotificationTopicArn: input.NotificationConfiguration.NotificationTopicArn };
    }
    if (input.WorkerAccessConfiguration) team.workerAccess = structuredClone(input.WorkerAccessConfiguration);
    this.teams.set(team.name, team);
    this.storeTags(team.arn, input.Tags);
    return { WorkteamArn: team.arn };
  }

  /** Seed 001: the region's private workforce is created with the first private (Cognito) work team. */
  private autoCreateWorkforce(members: MemberDefinition[]): void {
    const cognito = members.find((m) => m.CognitoMemberDefinition)?.CognitoMemberDefinition;
    if (!cognito) throw new ApiError('InternalFailure', 'No Cognito member definition to create a workforce from', 500);
    this.addWorkforce(DEFAULT_WORKFORCE_NAME, { UserPool: cognito.UserPool, ClientId: cognito.ClientId });
  }

  private teamView(team: TeamRecord): Json {
    const view: Json = {
      WorkteamName: team.name,
      MemberDefinitions: structuredClone(team.members),
      WorkteamArn: team.arn,
      WorkforceArn: this.workforce?.arn,
      Description: team.description,
      SubDomain: this.workforce?.subDomain,
      CreateDate: seconds(team.createdMs),
      LastUpdatedDate: seconds(team.updatedMs),
    };
    if (team.notification) view.NotificationConfiguration = { ...team.notification };
    if (team.workerAccess) view.WorkerAccessConfiguration = structuredClone(team.workerAccess);
    return view;
  }

  private describeWorkteam(reader: Reader): Json {
    const team = this.requireTeam(readName(reader, 'WorkteamName'));
    return { Workteam: this.teamView(team) };
  }

  private updateWorkteam(reader: Reader): Json {
    const input = readUpdateWorkteam(reader);
    const team = this.requireTeam(input.WorkteamName);
    if (input.MemberDefinitions) this.checkAgainstWorkforce(input.MemberDefinitions, this.workforce);
    if (input.WorkerAccessConfiguration) this.checkWorkerAccess(input.WorkerAccessConfiguration, this.workforce);
    if (input.MemberDefinitions) team.members = structuredClone(input.MemberDefinitions);
    if (input.Description !== undefined) team.description = input.Description;
    if (input.NotificationConfiguration) {
      const arn = input.NotificationConfiguration.NotificationTopicArn;
      if (arn) team.notification = { NotificationTopicArn: arn };
      else if (this.behaviour().emptyNotificationConfiguration === 'removes-topic') delete team.notification;
    }
    if (input.WorkerAccessConfiguration) team.workerAccess = structuredClone(input.WorkerAccessConfiguration);
    team.updatedMs = Math.max(Date.now(), team.updatedMs + 1);
    return { Workteam: this.teamView(team) };
  }

  private deleteWorkteam(reader: Reader): Json {
    const team = this.requireTeam(readName(reader, 'WorkteamName'));
    this.teams.delete(team.name);
    this.tags.delete(team.arn);
    return { Success: true };
  }

  private listWorkteams(reader: Reader): Json {
    const input = readList(reader);
    const result = page('ListWorkteams', this.teams.values(), input);
    return { Workteams: result.items.map((team) => this.teamView(team)), NextToken: result.nextToken };
  }

  // --- workforces ------------------------------------------------------------------------------

  private addWorkforce(
    name: string,
    cognito: CognitoConfig | undefined,
    extra: Partial<Pick<WorkforceRecord, 'oidc' | 'cidrs' | 'vpc' | 'ipAddressType'>> = {},
  ): WorkforceRecord {
    const now = Date.now();
    const workforce: WorkforceRecord = {
      name,
      seq: ++this.seq,
      arn: this.workforceArn(name),
      subDomain: `${randomAlnum(10)}.labeling.${this.region}.sagemaker.aws`,
      cidrs: [],
      createdMs: now,
      updatedMs: now,
      ...extra,
    };
    if (cognito) workforce.cognito = cognito;
    this.workforce = workforce;
    return workforce;
  }

  private createWorkforce(reader: Reader): Json {
    const input = readCreateWorkforce(reader);
    if (this.workforce) {
      throw new ApiError(
        'ResourceLimitExceeded',
        `A private workforce ('${this.workforce.name}') already exists in ${this.region}: you can create one private workforce per region.`,
      );
    }
    const extra: Partial<Pick<WorkforceRecord, 'oidc' | 'cidrs' | 'vpc' | 'ipAddressType'>> = {};
    if (input.OidcConfig) extra.oidc = structuredClone(input.OidcConfig);
    if (input.SourceIpConfig) extra.cidrs = [...input.SourceIpConfig.Cidrs];
    if (input.WorkforceVpcConfig) {
      extra.vpc = {
        ...structuredClone(input.WorkforceVpcConfig),
        VpcEndpointId: `vpce-${randomBytes(9).toString('hex').slice(0, 17)}`,
      };
    }
    if (input.IpAddressType) extra.ipAddressType = input.IpAddressType;
    const workforce = this.addWorkforce(input.WorkforceName, input.CognitoConfig && { ...input.CognitoConfig }, extra);
    this.storeTags(workforce.arn, input.Tags);
    return { WorkforceArn: workforce.arn };
  }

  private requireWorkforce(name: string): WorkforceRecord {
    if (!this.workforce || this.workforce.name !== name)
      throw validationError(`No workforce found with name '${name}'.`);
    return this.workforce;
  }

  private workforceView(workforce: WorkforceRecord): Json {
    const view: Json = {
      WorkforceName: workforce.name,
      WorkforceArn: workforce.arn,
      LastUpdatedDate: seconds(workforce.updatedMs),
      SourceIpConfig: { Cidrs: [...workforce.cidrs] },
      SubDomain: workforce.subDomain,
      CreateDate: seconds(workforce.createdMs),
      Status: 'Active',
    };
    if (workforce.cognito) view.CognitoConfig = { ...workforce.cognito };
    if (workforce.oidc) {
      const { ClientSecret: _secret, ...oidc } = workforce.oidc;
      view.OidcConfig = structuredClone(oidc);
    }
    if (workforce.vpc) view.WorkforceVpcConfig = structuredClone(workforce.vpc);
    if (workforce.ipAddressType) view.IpAddressType = workforce.ipAddressType;
    return view;
  }

  private describeWorkforce(reader: Reader): Json {
    return { Workforce: this.workforceView(this.requireWorkforce(readName(reader, 'WorkforceName'))) };
  }

  private deleteWorkforce(reader: Reader): Json {
    const workforce = this.requireWorkforce(readName(reader, 'WorkforceName'));
    if (this.teams.size > 0) {
      throw validationError(
        `The workforce '${workforce.name}' still has ${this.teams.size} work team(s): delete them before deleting the workforce.`,
      );
    }
    this.workforce = undefined;
    this.tags.delete(workforce.arn);
    return {};
  }

  private listWorkforces(reader: Reader): Json {
    const input = readList(reader);
    const result = page('ListWorkforces', this.workforce ? [this.workforce] : [], input);
    return { Workforces: result.items.map((w) => this.workforceView(w)), NextToken: result.nextToken };
  }

  // --- tags ------------------------------------------------------------------------------------

  private storeTags(arn: string, tags: { Key: string; Value: string }[]): void {
    const stored = new Map<string, string>();
    for (const tag of tags) stored.set(tag.Key, tag.Value);
    this.tags.set(arn, stored);
  }

  private resourceTags(reader: Reader): { arn: string; tags: Map<string, string> } {
    const arn = reader.string('ResourceArn', RESOURCE_ARN) ?? '';
    reader.violations.throwIfAny();
    const exists = [...this.teams.values()].some((team) => team.arn === arn) || this.workforce?.arn === arn;
    if (!exists) throw validationError(`Resource '${arn}' does not exist.`);
    let tags = this.tags.get(arn);
    if (!tags) {
      tags = new Map();
      this.tags.set(arn, tags);
    }
    return { arn, tags };
  }

  private static tagList(tags: Map<string, string>): Json[] {
    return [...tags].map(([Key, Value]) => ({ Key, Value }));
  }

  private addTags(reader: Reader): Json {
    const added = readTags(reader, 'Tags', true) ?? [];
    const { tags } = this.resourceTags(reader);
    checkTags(added);
    const keys = new Set([...tags.keys(), ...added.map((tag) => tag.Key)]);
    if (keys.size > MAX_TAGS) {
      throw validationError(
        `A resource can have at most ${MAX_TAGS} tags: it has ${tags.size} and this request would bring it to ${keys.size}.`,
      );
    }
    for (const tag of added) tags.set(tag.Key, tag.Value);
    return { Tags: SageMakerState.tagList(tags) };
  }

  private listTags(reader: Reader): Json {
    const maxResults = reader.integer('MaxResults', { min: 1, max: 100 }) ?? 50;
    const token = reader.string('NextToken', { min: 0, max: 8192 });
    const { arn, tags } = this.resourceTags(reader);
    const result = pageByOffset('ListTags', arn, SageMakerState.tagList(tags), maxResults, token);
    return { Tags: result.items, NextToken: result.nextToken };
  }

  private deleteTags(reader: Reader): Json {
    const keys = readTagKeys(reader);
    const { tags } = this.resourceTags(reader);
    for (const key of keys) tags.delete(key);
    return {};
  }
}
