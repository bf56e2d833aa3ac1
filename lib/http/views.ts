/**
 * The API's camelCase views of work teams and workforces, and the ETag of a managed team: what HTTP answers
 * show. Use cases hand over records and live state; only the HTTP layer turns them into views.
 */
import { toWorkteamSpec } from '../domain/desired-spec';
import type { LiveWorkforce, LiveWorkteam } from '../domain/live';
import { togglesOf } from '../domain/plan';
import { maskAddress } from '../domain/privacy';
import type { Target } from '../domain/target';
import type { Difference, TeamRecord, TeamStatus } from '../domain/team';
import { teamStatus } from '../domain/team-status';
import type { Tag, WorkerAccessToggles } from '../domain/workteam';
import type { ExpectedVersions } from '../use-cases/team-writes';

type MembersView = { cognitoGroups: string[] } | { oidcGroups: string[] };

interface TeamView {
  name: string;
  arn: string;
  description: string;
  members: MembersView;
  notificationTopicArn: string | null;
  /** The effective S3 presign constraints: a team without WorkerAccessConfiguration has none (Disabled). */
  workerAccess: WorkerAccessToggles;
  subDomain: string | null;
  createdAt: string | null;
  updatedAt: string | null;
  tags?: Record<string, string>;
}

interface WorkforceView {
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

function toMembersView(team: Pick<LiveWorkteam, 'memberDefinitions'>): MembersView {
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
    workerAccess: togglesOf(team.workerAccess),
    subDomain: team.subDomain ?? null,
    createdAt: team.createdAt?.toISOString() ?? null,
    updatedAt: team.updatedAt?.toISOString() ?? null,
  };
  if (team.tags) view.tags = Object.fromEntries(team.tags.map((tag) => [tag.key, tag.value]));
  return view;
}

/** A team's view with the account and region it is in, after its name. */
export function inTarget<V extends { name: string }>(view: V, target: Target): V & Target {
  const { name, ...rest } = view;
  return { name, account: target.account, region: target.region, ...rest } as V & Target;
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

interface ManagedTeamView extends Omit<TeamView, 'arn'> {
  arn: string | null;
  managed: true;
  owner: string;
  version: number;
  status: TeamStatus;
  pendingReason?: string;
  /**
   * The addresses an OIDC team's topic is subscribed to (`notifications: { addresses }`), masked
   * (`a***@example.com`): only on teams that name some. Masked, they cannot be sent back in a PATCH.
   */
  notificationAddresses?: string[];
  differences: Difference[];
}

/**
 * The managed team: live state where SageMaker has it, the desired state where it does not (yet). `managementTag`
 * is the stage's managed-by tag, which the desired state holds.
 */
export function toManagedTeamView(
  record: TeamRecord,
  live: LiveWorkteam | undefined,
  managementTag: Tag,
): ManagedTeamView {
  const desired = toWorkteamSpec(record.spec, record.identity, record.topicArn, managementTag);
  const { status, differences } = teamStatus(record, live, managementTag);
  const base = live
    ? toTeamView(live)
    : {
        name: record.name,
        arn: null,
        description: record.spec.description,
        members: toMembersView(desired),
        notificationTopicArn: record.topicArn ?? null,
        workerAccess: record.spec.workerAccess,
        subDomain: null,
        createdAt: null,
        updatedAt: null,
        tags: record.spec.tags,
      };
  return {
    ...base,
    managed: true,
    owner: record.owner,
    version: record.version,
    status,
    ...(record.orphaned
      ? {
          pendingReason: `its last Cognito group '${record.orphaned.group}' was deleted: add a group, or delete the team`,
        }
      : status !== 'InSync' && record.pendingReason
        ? { pendingReason: record.pendingReason }
        : {}),
    ...(record.spec.notificationAddresses === undefined
      ? {}
      : { notificationAddresses: record.spec.notificationAddresses.map(maskAddress) }),
    differences,
  };
}

/** Where a team is, as its ETag says it: nothing for the hub's teams (their tags are as they always were). */
type TaggedTarget = Target & { hub: boolean };

/**
 * A team's entity tag: its version, and for a team of another target the target too (`"v3@111111111111.eu-west-1"`),
 * so that an ETag read of one target's team never matches the team of that name in another (a request that forgot
 * its `account`/`region` is refused 412, not applied to the hub's team).
 */
export function etagOf(record: Pick<TeamRecord, 'version'>, target?: TaggedTarget): string {
  return `"v${record.version}${suffixOf(target)}"`;
}

function suffixOf(target: TaggedTarget | undefined): string {
  return target === undefined || target.hub ? '' : `@${target.account}.${target.region}`;
}

/**
 * RFC 9110 If-Match as the versions it accepts: `*` is any version, otherwise the versions of the listed
 * entity tags (weak ones compare weakly); a tag that is none of ours matches no version.
 */
export function expectedVersionsOf(ifMatch: string, target?: TaggedTarget): ExpectedVersions;
export function expectedVersionsOf(ifMatch: string | undefined, target?: TaggedTarget): ExpectedVersions | undefined;
export function expectedVersionsOf(ifMatch: string | undefined, target?: TaggedTarget): ExpectedVersions | undefined {
  if (ifMatch === undefined) return undefined;
  const tags = ifMatch.split(',').map((tag) => tag.trim().replace(/^W\//, ''));
  if (tags.includes('*')) return 'any';
  const suffix = suffixOf(target);
  return tags.flatMap((tag) => {
    // Exactly the form etagOf writes for this target: "v03", a 20-digit version or another target's is none of ours.
    const match = /^"v([1-9]\d{0,14})(@[^"]*)?"$/.exec(tag);
    return match && (match[2] ?? '') === suffix ? [Number(match[1])] : [];
  });
}
