// The project's own model of a private work team: camelCase plain data, independent of the SageMaker SDK shapes,
// so that domain rules and use cases never depend on the wire format.

export type Toggle = 'Enabled' | 'Disabled';

export const TOGGLE_VALUES: readonly Toggle[] = ['Enabled', 'Disabled'];

interface CognitoMember {
  userPool: string;
  userGroup: string;
  clientId: string;
}

/** Exactly one of `cognito` or `oidc` is set in a valid definition. */
export interface MemberDefinition {
  cognito?: CognitoMember;
  oidc?: { groups: string[] };
}

/**
 * The worker-access toggles, `WorkerAccessConfiguration.S3Presign.IamPolicyConstraints` on the wire: the one shape
 * of worker access, as a desired team holds it (both set) and the API shows it.
 */
export interface WorkerAccessToggles {
  sourceIp: Toggle;
  vpcSourceIp: Toggle;
}

/** The toggles by name, in the order the API lists them. */
export const WORKER_ACCESS_FIELDS = [
  'sourceIp',
  'vpcSourceIp',
] as const satisfies readonly (keyof WorkerAccessToggles)[];

/** Worker access as SageMaker and requests carry it: a toggle left out (or the whole of it) is `Disabled`. */
export type WorkerAccess = Partial<WorkerAccessToggles>;

export interface Tag {
  key: string;
  value: string;
}

export interface WorkteamSpec {
  name: string;
  description: string;
  workforceName?: string;
  memberDefinitions: MemberDefinition[];
  notificationTopicArn?: string;
  workerAccess?: WorkerAccess;
  tags: Tag[];
}

export const WORKTEAM_LIMITS = {
  nameMaxLength: 63,
  descriptionMaxLength: 200,
  memberDefinitionsMax: 10,
  oidcGroupsMax: 10,
  tagsMax: 50,
  tagKeyMaxLength: 128,
  tagValueMaxLength: 256,
  workteamsPerRegion: 25,
  listMaxResults: 100,
  nextTokenMaxLength: 8192,
} as const;

export const WORKTEAM_NAME_PATTERN = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;

/** `WorkforceName` in the SageMaker API reference: 1–63 characters. */
export const WORKFORCE_NAME_PATTERN = /^[a-zA-Z0-9]([a-zA-Z0-9-]){0,62}$/;

export type WorkteamSortBy = 'Name' | 'CreateDate';
export type SortOrder = 'Ascending' | 'Descending';

export const WORKTEAM_SORT_BY_VALUES: readonly WorkteamSortBy[] = ['Name', 'CreateDate'];
export const SORT_ORDER_VALUES: readonly SortOrder[] = ['Ascending', 'Descending'];
