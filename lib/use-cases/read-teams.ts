/**
 * The read path: one team as the registry and SageMaker hold it, and the lists of work teams and workforces, one
 * page each, as SageMaker holds them (the query checked at the edge). Apart from the write use cases, so that the
 * read functions' bundles carry none of the policy, reconcile or SNS.
 */

import { TeamNotFound } from '../domain/errors';
import type { ListQuery } from '../domain/list-params';
import type { LiveWorkforce, LiveWorkteam } from '../domain/live';
import type { TeamRecord } from '../domain/team';
import type { Page, TeamRegistry, WorkteamReader, WorkteamWriter } from '../ports/teams';

export async function listTeams(reader: WorkteamReader, query: ListQuery): Promise<Page<LiveWorkteam>> {
  return reader.listWorkteams(query);
}

export async function listWorkforces(reader: WorkteamReader, query: ListQuery): Promise<Page<LiveWorkforce>> {
  return reader.listWorkforces(query);
}

/**
 * One team, as GET /teams/{name} reads it: a managed one with its record, or one SageMaker has that nobody here
 * manages. A retired team whose deletion is still pending is ours until SageMaker has let it go.
 */
export async function getTeam(
  deps: { registry: TeamRegistry; sagemaker: WorkteamWriter },
  name: string,
): Promise<{ record: TeamRecord; live?: LiveWorkteam } | { record?: undefined; live: LiveWorkteam }> {
  const [record, live] = await Promise.all([deps.registry.get(name), deps.sagemaker.describeWorkteam(name)]);
  const ours = record && (record.lifecycle === 'active' || (record.applyState !== 'Applied' && live));
  if (record && ours) return { record, live };
  if (!live) throw new TeamNotFound(name);
  return { live };
}
