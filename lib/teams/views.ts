/** The API's camelCase views of live work teams and workforces. */
import type { LiveWorkforce, LiveWorkteam } from '../domain/live';
import type { Toggle } from '../domain/workteam';

export type MembersView = { cognitoGroups: string[] } | { oidcGroups: string[] };

export interface TeamView {
  name: string;
  arn: string;
  description: string;
  members: MembersView;
  notificationTopicArn: string | null;
  /** The effective S3 presign constraints: a team without WorkerAccessConfiguration has none (Disabled). */
  workerAccess: { sourceIp: Toggle; vpcSourceIp: Toggle };
  subDomain: string | null;
  createdAt: string | null;
  updatedAt: string | null;
  tags?: Record<string, string>;
}

export interface WorkforceView {
  name: string;
  arn: string;
  subDomain: string | null;
  identityProvider:
    | { cognito: { userPool: string; clientId: string } }
    | { oidc: { clientId: string; issuer: string } }
    | null;
  sourceIpCidrs: string[];
  vpc: { vpcId: string; securityGroupIds: string[]; subnets: string[]; vpcEndpointId: string | null } | null;
  status: string | null;
  failureReason: string | null;
  createdAt: string | null;
  updatedAt: string | null;
}

export function toMembersView(team: Pick<LiveWorkteam, 'memberDefinitions'>): MembersView {
  const oidcGroups = team.memberDefinitions.flatMap((definition) => definition.oidc?.groups ?? []);
  if (oidcGroups.length > 0) return { oidcGroups };
  return {
    cognitoGroups: team.memberDefinitions.flatMap((definition) =>
      definition.cognito ? [definition.cognito.userGroup] : [],
    ),
  };
}

export function toTeamView(team: LiveWorkteam): TeamView {
  const view: TeamView = {
    name: team.name,
    arn: team.arn,
    description: team.description,
    members: toMembersView(team),
    notificationTopicArn: team.notificationTopicArn ?? null,
    workerAccess: {
      sourceIp: team.workerAccess?.sourceIp ?? 'Disabled',
      vpcSourceIp: team.workerAccess?.vpcSourceIp ?? 'Disabled',
    },
    subDomain: team.subDomain ?? null,
    createdAt: team.createdAt?.toISOString() ?? null,
    updatedAt: team.updatedAt?.toISOString() ?? null,
  };
  if (team.tags) view.tags = Object.fromEntries(team.tags.map((tag) => [tag.key, tag.value]));
  return view;
}

export function toWorkforceView(workforce: LiveWorkforce): WorkforceView {
  return {
    name: workforce.name,
    arn: workforce.arn,
    subDomain: workforce.subDomain ?? null,
    identityProvider: workforce.cognito
      ? { cognito: workforce.cognito }
      : workforce.oidc
        ? { oidc: workforce.oidc }
        : null,
    sourceIpCidrs: workforce.sourceIpCidrs,
    vpc: workforce.vpc ? { ...workforce.vpc, vpcEndpointId: workforce.vpc.vpcEndpointId ?? null } : null,
    status: workforce.status ?? null,
    failureReason: workforce.failureReason ?? null,
    createdAt: workforce.createdAt?.toISOString() ?? null,
    updatedAt: workforce.updatedAt?.toISOString() ?? null,
  };
}
