/** HTTP answers of the team write routes: 201/200/202 with the team view and its ETag. */
import type { TeamResult } from '../use-cases/manage-teams';
import { jsonResponse } from './errors';

export function teamResponse(result: TeamResult, created = false) {
  // Recorded but not applied (Pending, or Failed after every retry): 202, the body's status says which.
  const status = result.outcome !== 'applied' ? 202 : created && !result.replayed ? 201 : 200;
  return jsonResponse(status, result.team, { etag: result.etag });
}
