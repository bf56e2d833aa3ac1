/**
 * A path with a `.` or `..` segment (also percent-encoded, once or twice) names another resource than the route
 * it reached: `DELETE /teams/T/members/..` is `DELETE /teams/T` to anyone who normalises it. Refused outright.
 */
import type { MiddlewareObj } from '@middy/core';
import { ValidationFailed } from '../../domain/errors';

function hasDotSegmentInPath(rawPath: string | null | undefined): boolean {
  if (!rawPath) return false;
  let path = rawPath;
  for (let round = 0; round < 3; round++) {
    if (path.split('/').some((segment) => segment === '.' || segment === '..')) return true;
    try {
      const decoded = decodeURIComponent(path);
      if (decoded === path) return false;
      path = decoded;
    } catch {
      return false;
    }
  }
  return false;
}

export function refuseDotSegments(): MiddlewareObj<{ rawPath?: string | null }> {
  return {
    before: async (request) => {
      if (!hasDotSegmentInPath(request.event.rawPath)) return;
      throw new ValidationFailed([
        { path: 'path', code: 'Pattern', message: "The request path must not hold '.' or '..' segments" },
      ]);
    },
  };
}
