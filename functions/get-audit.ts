/**
 * GET /audit (the latest run of every team: every target's outcome, the totals, and whether it is running, complete
 * or partial), GET /audit?team=<name>[&account=&region=] (the latest single-team run of that team in that target,
 * the hub's by default: a real-time run, or POST /audit naming it) and GET /audit/runs/{id} (any run by its id):
 * administrators only.
 */
import { z } from 'zod';
import { buildAuditStore } from '#lib/composition/audit-store';
import { targetsOf } from '#lib/composition/targets';
import { mustBeAdmin } from '#lib/domain/actor';
import { ACCOUNT_ID_PATTERN, REGION_PATTERN } from '#lib/domain/target';
import { WORKTEAM_NAME_PATTERN } from '#lib/domain/workteam';
import { httpRoute } from '#lib/handlers/http';
import { jsonResponse } from '#lib/http/errors';
import { getAuditConfig, loadConfig } from '#lib/runtime/config';
import { byTarget } from '#lib/runtime/targets';
import { readAuditRun } from '#lib/use-cases/audit/reports';

const config = loadConfig(getAuditConfig());
const targets = targetsOf(config);
const storeOf = byTarget((target) => buildAuditStore(config, target));

const AuditPathSchema = z
  .object({ id: z.string().min(1).max(64) })
  .partial()
  .nullish();

/** `team` names a work team, `account` and `region` its target; other parameters are ignored, as everywhere. */
const AuditQuerySchema = z
  .object({
    team: z
      .string()
      .regex(WORKTEAM_NAME_PATTERN, 'must be a work team name: letters, digits and hyphens, 1-63 characters'),
    account: z.string().regex(ACCOUNT_ID_PATTERN, 'must be a 12-digit AWS account id'),
    region: z.string().regex(REGION_PATTERN, 'must be an AWS region name, such as eu-west-1'),
  })
  .partial()
  .nullish();

export const handler = httpRoute({ query: AuditQuerySchema, path: AuditPathSchema }, async ({ actor, path, query }) => {
  mustBeAdmin(actor, 'read audit reports');
  // A team's runs are its target's (TargetNotFound for one nobody configured); runs of every team are shared.
  const target = query?.team === undefined ? targets.hub : targets.resolve({ ...query });
  const run = await readAuditRun(storeOf(target), actor, { runId: path?.id, team: query?.team }, { hub: targets.hub });
  return jsonResponse(200, run);
});
