/** HTTP answers of the team routes: the team view, its ETag, and 201/200/202 for writes. */
import type { LiveWorkteam } from '../domain/live';
import type { TeamRecord } from '../domain/team';
import type { Tag } from '../domain/workteam';
import type { TeamResult } from '../use-cases/manage-teams';
import { jsonResponse } from './errors';
import { etagOf, toManagedTeamView, toTeamView } from './views';

/** A write's answer; `managementTag` is the stage's managed-by tag (the deps' `managementTag`). */
export function teamResponse(result: TeamResult, managementTag: Tag, created = false) {
  // Recorded but not applied (Pending, or Failed after every retry): 202, the body's status says which.
  const status = result.outcome !== 'applied' ? 202 : created && !result.replayed ? 201 : 200;
  return jsonResponse(status, toManagedTeamView(result.record, result.live, managementTag), {
    etag: etagOf(result.record),
  });
}

/** GET /teams/{name}: a managed team with its ETag, or a team SageMaker has that nobody here manages. */
export function readTeamResponse(team: { record?: TeamRecord; live?: LiveWorkteam }, managementTag: Tag) {
  if (team.record) {
    return jsonResponse(200, toManagedTeamView(team.record, team.live, managementTag), { etag: etagOf(team.record) });
  }
  if (!team.live) throw new Error('a team read holds a record or a live team');
  return jsonResponse(200, { ...toTeamView(team.live), managed: false });
}
