/**
 * The tag that marks a work team (and its topic) as managed by this system's stack of one stage:
 * `managed-by: workteam-automation-<stage>`. IAM lets a stage's functions write only to teams carrying that stage's
 * value (serverless.yml, custom.managedByTag, builds the same value; test/deploy/iam.test.ts checks they agree),
 * so a dev stack in the same account cannot change a prod stack's teams. The value is handed to the domain by the
 * composition roots (the functions' `STAGE`), never read from a global.
 */
import type { Tag } from './workteam';

/** The key of the tag; the same for every stage (no request may set or remove it, in any case). */
export const MANAGED_BY_KEY = 'managed-by';

/**
 * The value versions before stages apart put on every team, whatever the stage. A team carrying it belongs to no
 * stage now: it shows as unmanaged, and `POST /teams/{name}/adopt` may replace the value with the stage's.
 */
export const UNSTAGED_MANAGED_BY_VALUE = 'workteam-automation';

/** The tag of the stack of `stage`. */
export function managementTagOf(stage: string): Tag {
  return { key: MANAGED_BY_KEY, value: `${UNSTAGED_MANAGED_BY_VALUE}-${stage}` };
}
