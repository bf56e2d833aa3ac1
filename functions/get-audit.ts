/** GET /audit (the latest run's report) and GET /audit/runs/{id} (an earlier one): administrators only. */
import { z } from 'zod';
import { buildAuditStore } from '#lib/audit-reports';
import { jsonResponse } from '#lib/http/errors';
import { httpRoute } from '#lib/http/handler';
import { NoQuerySchema } from '#lib/http/schemas';
import { readAuditRun } from '#lib/use-cases/audit';

const store = buildAuditStore();

const AuditPathSchema = z
  .object({ id: z.string().min(1).max(64) })
  .partial()
  .nullish();

export const handler = httpRoute({ query: NoQuerySchema, path: AuditPathSchema }, async ({ caller, path }) =>
  jsonResponse(200, await readAuditRun(store, caller, path?.id)),
);
