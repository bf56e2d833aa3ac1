/**
 * GET /audit (the latest run of every team), GET /audit?team=<name> (the latest single-team run of that team: a
 * real-time run, or POST /audit naming it) and GET /audit/runs/{id} (any run by its id): administrators only.
 */
import { z } from 'zod';
import { buildAuditStore } from '#lib/composition/audit-store';
import { WORKTEAM_NAME_PATTERN } from '#lib/domain/workteam';
import { httpRoute } from '#lib/handlers/http';
import { jsonResponse } from '#lib/http/errors';
import { getAuditConfig, loadConfig } from '#lib/runtime/config';
import { readAuditRun } from '#lib/use-cases/audit/reports';

const store = buildAuditStore(loadConfig(getAuditConfig()));

const AuditPathSchema = z
  .object({ id: z.string().min(1).max(64) })
  .partial()
  .nullish();

/** `team` names a work team; other parameters are ignored, as every route here ignores what it does not take. */
const AuditQuerySchema = z
  .object({
    team: z
      .string()
      .regex(WORKTEAM_NAME_PATTERN, 'must be a work team name: letters, digits and hyphens, 1-63 characters'),
  })
  .partial()
  .nullish();

export const handler = httpRoute({ query: AuditQuerySchema, path: AuditPathSchema }, async ({ actor, path, query }) =>
  jsonResponse(200, await readAuditRun(store, actor, { runId: path?.id, team: query?.team })),
);
