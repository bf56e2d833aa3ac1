/** HTTP answers of the team routes: the team view, its ETag, and 201/200/202 for writes. */
import type { LiveWorkteam } from '../domain/live';
import type { Target } from '../domain/target';
import type { TeamRecord } from '../domain/team';
import type { Tag } from '../domain/workteam';
import type { TeamResult } from '../use-cases/manage-teams';
import { jsonResponse } from './errors';
import { etagOf, inTarget, toManagedTeamView, toTeamView } from './views';

/**
 * A write's answer; `managementTag` is the stage's managed-by tag (the deps' `managementTag`), `target` where the
 * team is.
 */
export function teamResponse(
  result: TeamResult,
  managementTag: Tag,
  target: Target & { hub: boolean },
  created = false,
) {
  // Recorded but not applied (Pending, or Failed after every retry): 202, the body's status says which.
  const status = result.outcome !== 'applied' ? 202 : created && !result.replayed ? 201 : 200;
  return jsonResponse(status, inTarget(toManagedTeamView(result.record, result.live, managementTag), target), {
    etag: etagOf(result.record, target),
  });
}

/** GET /teams/{name}: a managed team with its ETag, or a team SageMaker has that nobody here manages. */
export function readTeamResponse(
  team: { record?: TeamRecord; live?: LiveWorkteam },
  managementTag: Tag,
  target: Target & { hub: boolean },
) {
  if (team.record) {
    return jsonResponse(200, inTarget(toManagedTeamView(team.record, team.live, managementTag), target), {
      etag: etagOf(team.record, target),
    });
  }
  if (!team.live) throw new Error('a team read holds a record or a live team');
  return jsonResponse(200, inTarget({ ...toTeamView(team.live), managed: false }, target));
}
