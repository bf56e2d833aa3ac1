/** HTTP answers of the team write routes: 201/200/202 with the team view and its ETag. */
import type { TeamResult } from '../use-cases/manage-teams';
import { jsonResponse } from './errors';

export function teamResponse(result: TeamResult, created = false) {
  const status = result.outcome === 'pending' ? 202 : created && !result.replayed ? 201 : 200;
  return jsonResponse(status, result.team, { etag: result.etag });
}
