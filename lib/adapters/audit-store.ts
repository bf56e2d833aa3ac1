/**
 * Audit runs, finding records and real-time claims in one DynamoDB table (partition `pk`, sort `sk`), one store per
 * target. The hub's keys are those of the single-target audit (nothing needs migrating); another target's carry
 * its `account/region/` prefix (`auditKeyPrefix`), as the registry's do:
 * - runs (audit-store/runs.ts): `pk = run`, `sk = <run id>`: a run of every team, its header (the targets expected,
 *   the deadline); `pk = run/<run id>`, `sk = <account>/<region>`: each target's row of it (its report, or why it
 *   failed). Run ids start with the run's start time, so the latest is the first item of a descending Query.
 *   `pk = team-run/<prefix><team>`, `sk = <run id>`: the report of a single-team run (real time, or `POST /audit`
 *   naming a team), apart, so that no number of them hides the latest run of every team; and `pk = run-team`,
 *   `sk = <run id>` naming its team, so that `GET /audit/runs/{id}` finds any run by its id alone.
 * - `pk = finding` (another target's: `finding/<account>/<region>`), `sk = <finding key>`: a finding from the first
 *   run that sees it until its resolution is announced (suspected → open → resolving → gone), its announcement in
 *   flight (`ann*`) and whether its operations alert is still due (`alertClaimedAt`). Every step is a conditional
 *   write on what the run read, and none is taken while an announcement is in flight: a finding's events alternate
 *   however many runs race.
 * - `pk = team-audit`, `sk = <prefix><team>`: the latest real-time audit of the team (when it reads from, who runs
 *   it, whether it finished), for events of a burst to be answered by one run.
 * An item holds at most 400 KB: a report larger than REPORT_MAX_BYTES keeps its counts and teams and as many
 * findings as fit, marked `truncated`.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type AuditTarget, auditKeyPrefix } from '../domain/audit/fan-out';
import type { AuditStore } from '../ports/audit';
import { findingPartition, findingRecordsOf } from './audit-store/finding-records';
import { auditRunsOf } from './audit-store/runs';
import { auditTable } from './audit-store/table';
import { teamAuditClaimsOf } from './audit-store/team-audit-claims';

interface AuditStoreOptions {
  tableName: string;
  /** How long a run's report is kept. */
  retentionDays: number;
  /** The target whose records this store reads and writes. */
  target: AuditTarget;
}

export function createAuditStore(doc: DynamoDBDocumentClient, options: AuditStoreOptions): AuditStore {
  const table = auditTable(doc, options.tableName);
  const prefix = auditKeyPrefix(options.target);
  return {
    ...auditRunsOf(table, options.retentionDays, options.target),
    ...findingRecordsOf(table, findingPartition(prefix)),
    ...teamAuditClaimsOf(table, prefix),
  };
}
