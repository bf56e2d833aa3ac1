/**
 * Audit runs, finding records and real-time claims in one DynamoDB table (partition `pk`, sort `sk`):
 * - `pk = run`, `sk = <run id>`: the report (JSON) of a run of every team, with `expiresAt` for DynamoDB's TTL.
 *   Run ids start with the run's start time, so the latest is the first item of a descending Query.
 * - `pk = team-run/<team>`, `sk = <run id>`: the report of a single-team run (real time, or `POST /audit` naming a
 *   team), apart, so that no number of them hides the latest run of every team; and `pk = run-team`,
 *   `sk = <run id>` naming its team, so that `GET /audit/runs/{id}` finds any run by its id alone.
 * - `pk = finding`, `sk = <finding key>`: a finding from the first run that sees it until its resolution is
 *   announced (suspected → open → resolving → gone), its announcement in flight (`ann*`) and whether its
 *   operations alert is still due (`alertClaimedAt`). Every step is a conditional write on what the run read, and
 *   none is taken while an announcement is in flight: a finding's events alternate however many runs race.
 * - `pk = team-audit`, `sk = <team>`: the latest real-time audit of the team (when it reads from, who runs it,
 *   whether it finished), for events of a burst to be answered by one run.
 * An item holds at most 400 KB: a report larger than REPORT_MAX_BYTES keeps its counts and teams and as many
 * findings as fit, marked `truncated`.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AuditStore } from '../ports/audit';
import { findingRecordsOf } from './audit-store/finding-records';
import { auditRunsOf } from './audit-store/runs';
import { auditTable } from './audit-store/table';
import { teamAuditClaimsOf } from './audit-store/team-audit-claims';

interface AuditStoreOptions {
  tableName: string;
  /** How long a run's report is kept. */
  retentionDays: number;
}

export function createAuditStore(doc: DynamoDBDocumentClient, options: AuditStoreOptions): AuditStore {
  const table = auditTable(doc, options.tableName);
  return { ...auditRunsOf(table, options.retentionDays), ...findingRecordsOf(table), ...teamAuditClaimsOf(table) };
}
