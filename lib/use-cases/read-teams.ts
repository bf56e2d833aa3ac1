/** The read path's lists: work teams and workforces. */

import { ValidationFailed } from '../domain/errors';
import { validateListParams } from '../domain/validation';
import type { ListQuery, WorkteamReader } from '../ports';
import { type TeamView, toTeamView, toWorkforceView, type WorkforceView } from '../teams/views';

function assertValidListQuery(query: ListQuery): void {
  const violations = validateListParams(query);
  if (violations.length > 0) throw new ValidationFailed(violations);
}

export async function listTeams(
  reader: WorkteamReader,
  query: ListQuery,
): Promise<{ teams: TeamView[]; nextToken?: string }> {
  assertValidListQuery(query);
  const page = await reader.listWorkteams(query);
  return { teams: page.items.map(toTeamView), ...(page.nextToken ? { nextToken: page.nextToken } : {}) };
}

export async function listWorkforces(
  reader: WorkteamReader,
  query: ListQuery,
): Promise<{ workforces: WorkforceView[]; nextToken?: string }> {
  assertValidListQuery(query);
  const page = await reader.listWorkforces(query);
  return { workforces: page.items.map(toWorkforceView), ...(page.nextToken ? { nextToken: page.nextToken } : {}) };
}
