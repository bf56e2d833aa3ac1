/**
 * The audit's reports alone: what GET /audit reads, and what the audit writes them with, one store per target (the
 * hub's by default: runs of every team are read from any). Its own module, so that the report reader's bundle
 * carries DynamoDB and nothing else of the SDK.
 */
import { createAuditStore } from '../adapters/audit-store';
import type { AuditTarget } from '../domain/audit/fan-out';
import type { AuditStore } from '../ports/audit';
import { documentClient } from '../runtime/clients/dynamodb';
import { type AuditStoreConfig, auditStoreConfigSchema, loadConfig } from '../runtime/config';

export function buildAuditStore(
  config: AuditStoreConfig = loadConfig(auditStoreConfigSchema()),
  target: AuditTarget = { account: config.HUB_ACCOUNT_ID, region: config.AWS_REGION, hub: true },
): AuditStore {
  return createAuditStore(documentClient(config), {
    tableName: config.AUDIT_TABLE,
    retentionDays: config.AUDIT_RETENTION_DAYS,
    target,
  });
}
