/**
 * The audit's reports alone: what GET /audit reads, and what the audit writes them with. Its own module, so that
 * the report reader's bundle carries DynamoDB and nothing else of the SDK.
 */
import { z } from 'zod';
import { createAuditStore } from '../adapters/audit-store';
import type { AuditStore } from '../ports/audit';
import { documentClient } from '../runtime/clients/dynamodb';
import { AwsConfigSchema, loadConfig } from '../runtime/config';

export const auditStoreFields = {
  AUDIT_TABLE: z.string().min(1),
  /** How long a run's report is kept (DynamoDB TTL). */
  AUDIT_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650),
};
export const AuditStoreConfigSchema = AwsConfigSchema.extend(auditStoreFields);

export function buildAuditStore(
  config: z.infer<typeof AuditStoreConfigSchema> = loadConfig(AuditStoreConfigSchema),
): AuditStore {
  return createAuditStore(documentClient(config), {
    tableName: config.AUDIT_TABLE,
    retentionDays: config.AUDIT_RETENTION_DAYS,
  });
}
