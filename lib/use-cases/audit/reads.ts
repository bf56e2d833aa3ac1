/**
 * What an audit run reads besides SageMaker's pages: the registry's managed teams (slimmed for the run's memory),
 * the Cognito groups a team names, CloudTrail's answer about the region's trails, and the finding records.
 */
import type { TrailState } from '../../domain/audit/findings';
import type { LiveWorkteam } from '../../domain/live';
import type { TeamRecord } from '../../domain/team';
import type { Tag } from '../../domain/workteam';
import type { AuditStore, FindingRecord } from '../../ports/audit';
import type { AuditReader, TeamRegistry } from '../../ports/teams';
import type { AuditDeps } from './deps';
import { errorText } from './error-text';

/** `reconciled` history entries kept of each record for the run (what resolved a finding). */
const RECONCILED_ENTRIES_KEPT = 10;

/**
 * The record as the rules need it: the states a Pending team may be in, and the latest `reconciled` entries of its
 * history (what resolved a finding); the rest of its history stays out of the run's memory.
 */
export function slim(record: TeamRecord): TeamRecord {
  const { history, supersededSpecs, appliedSpec, ...rest } = record;
  const reconciled = history.filter((entry) => entry.action === 'reconciled').slice(-RECONCILED_ENTRIES_KEPT);
  const inTransit = record.applyState === 'Pending' ? { appliedSpec, supersededSpecs } : {};
  return { ...rest, ...inTransit, history: reconciled };
}

/** The Cognito groups (user pool, group) the live team and a managed team's desired members name, each once. */
export function cognitoGroupsOf(live: LiveWorkteam | undefined, record: TeamRecord | undefined): [string, string][] {
  const groups = new Map<string, [string, string]>();
  for (const definition of live?.memberDefinitions ?? []) {
    if (definition.cognito) {
      const { userPool, userGroup } = definition.cognito;
      groups.set(JSON.stringify([userPool, userGroup]), [userPool, userGroup]);
    }
  }
  if (record?.identity && 'cognitoGroups' in record.spec.members) {
    for (const group of record.spec.members.cognitoGroups) {
      groups.set(JSON.stringify([record.identity.userPool, group]), [record.identity.userPool, group]);
    }
  }
  return [...groups.values()];
}

/**
 * A page's tags, by team name: one call of the Tagging API for the whole page (GetResources), where SageMaker's
 * ListTags takes one a team. That API is eventually consistent, so a team this stage manages whose tags there lack
 * its managed-by tag (added a moment ago, or really gone) is read again with ListTags before it is judged; and
 * should the page's call fail (a target role made before it was allowed tag:GetResources), each team is read with
 * ListTags as before. A single-team run (the real-time audit of a change made a moment ago, whose tags the Tagging
 * API may not show yet) reads its team with ListTags: one call either way.
 */
export function readPageTags(
  reader: AuditReader,
  teams: readonly LiveWorkteam[],
  managed: (name: string) => boolean,
  managementTag: Tag,
  oneTeam: boolean,
): Map<string, Promise<Record<string, string>>> {
  if (oneTeam) {
    const reads = new Map(teams.map((live) => [live.name, reader.tagsOf(live.arn).then(tagsRecord)]));
    for (const read of reads.values()) read.catch(() => undefined);
    return reads;
  }
  const page = reader.tagsOfTeams(teams.map((live) => live.arn));
  page.catch(() => undefined);
  const tagsOf = async (live: LiveWorkteam) => {
    const listed = await page.then(
      (tags) => tags.get(live.arn),
      () => undefined,
    );
    const tagged = listed?.some((tag) => tag.key === managementTag.key && tag.value === managementTag.value);
    return tagsRecord(listed === undefined || (managed(live.name) && !tagged) ? await reader.tagsOf(live.arn) : listed);
  };
  const reads = new Map(teams.map((live) => [live.name, tagsOf(live)]));
  for (const read of reads.values()) read.catch(() => undefined);
  return reads;
}

export function tagsRecord(tags: { key: string; value: string }[]): Record<string, string> {
  const result: Record<string, string> = {};
  for (const { key, value } of tags) Object.defineProperty(result, key, { value, enumerable: true, writable: true });
  return result;
}

/** The managed teams in scope, by name, without their history: one GetItem for one team, else the index's pages. */
export async function readManagedTeams(
  registry: TeamRegistry,
  team: string | undefined,
): Promise<Map<string, TeamRecord>> {
  const records = new Map<string, TeamRecord>();
  if (team !== undefined) {
    const record = await registry.get(team);
    if (record?.lifecycle === 'active') records.set(team, slim(record));
    return records;
  }
  let nextToken: string | undefined;
  do {
    const page = await registry.listActiveTeams({ nextToken });
    for (const record of page.items) records.set(record.name, slim(record));
    nextToken = page.nextToken;
  } while (nextToken);
  return records;
}

/**
 * What CloudTrail says of the region's trails. Its refusals and throttling are already 'cannot tell'; a failure
 * beyond those (the invocation out of time, say) is logged and taken as 'cannot tell' too, as a team that could not
 * be read is reported and not judged, rather than failing the run of every team.
 */
export async function readTrails(deps: AuditDeps): Promise<TrailState> {
  let state: TrailState;
  try {
    state = await deps.trails.managementEventsLogged();
  } catch (error) {
    deps.log?.warn('CloudTrail could not be read; account.no-trail is left as it is', { error: errorText(error) });
    return 'cannot tell';
  }
  if (state === 'cannot tell') {
    deps.log?.warn('CloudTrail cannot tell whether a trail logs management events; account.no-trail is left as it is');
  }
  return state;
}

export async function readFindingRecords(store: AuditStore): Promise<FindingRecord[]> {
  const records: FindingRecord[] = [];
  for await (const page of store.findingRecords()) records.push(...page);
  return records;
}
