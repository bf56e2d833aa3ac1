/** The read path's lists: work teams and workforces, one page each, as SageMaker holds them. */

import { ValidationFailed } from '../domain/errors';
import { type ListQuery, validateListParams } from '../domain/list-params';
import type { LiveWorkforce, LiveWorkteam } from '../domain/live';
import type { Page, WorkteamReader } from '../ports/teams';

function assertValidListQuery(query: ListQuery): void {
  const violations = validateListParams(query);
  if (violations.length > 0) throw new ValidationFailed(violations);
}

export async function listTeams(reader: WorkteamReader, query: ListQuery): Promise<Page<LiveWorkteam>> {
  assertValidListQuery(query);
  return reader.listWorkteams(query);
}

export async function listWorkforces(reader: WorkteamReader, query: ListQuery): Promise<Page<LiveWorkforce>> {
  assertValidListQuery(query);
  return reader.listWorkforces(query);
}
