/** The read path's lists: work teams and workforces, one page each, as SageMaker holds them (the query checked at the edge). */

import type { ListQuery } from '../domain/list-params';
import type { LiveWorkforce, LiveWorkteam } from '../domain/live';
import type { Page, WorkteamReader } from '../ports/teams';

export async function listTeams(reader: WorkteamReader, query: ListQuery): Promise<Page<LiveWorkteam>> {
  return reader.listWorkteams(query);
}

export async function listWorkforces(reader: WorkteamReader, query: ListQuery): Promise<Page<LiveWorkforce>> {
  return reader.listWorkforces(query);
}
