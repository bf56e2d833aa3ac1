/**
 * Findings opened and resolved, as EventBridge events on the account's default bus (`source:
 * workteam-automation`, `detail-type: Finding Opened | Finding Resolved`), ten to a PutEvents call (its limit),
 * the calls side by side. Each names the account and region the finding is in (a finding's `key` carries them too,
 * but for the hub's, whose keys are those of the single-target audit). An entry EventBridge refuses is an error:
 * the run reports it rather than forget it.
 * Each carries its `announcementId` (the same when a later run makes an announcement a failed run could not:
 * deduplicate on it) and, when resolved, `resolvedBy`: `{ kind: 'remediation', runId }`, `{ kind: 'system', by }`
 * (a reconcile by the system, as the team's history tells it) or `{ kind: 'out-of-band' }`.
 */
import { type EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import type { FindingEvents } from '../ports/audit';

export type { FindingEvent, FindingEvents } from '../ports/audit';

const FINDING_EVENT_SOURCE = 'workteam-automation';
const ENTRIES_PER_CALL = 10;

export function createFindingEvents(eventBridge: EventBridgeClient): FindingEvents {
  return {
    async publish(events) {
      const entries: PutEventsRequestEntry[] = events.map((event) => ({
        Source: FINDING_EVENT_SOURCE,
        DetailType: event.type,
        Resources: [],
        Detail: JSON.stringify({
          runId: event.runId,
          account: event.account,
          region: event.region,
          announcementId: event.announcementId,
          key: event.key,
          rule: event.finding.rule,
          severity: event.finding.severity,
          resource: event.finding.resource,
          ...(event.finding.team === undefined ? {} : { team: event.finding.team }),
          message: event.finding.message,
          desired: withoutAddresses(event.finding.desired),
          actual: withoutAddresses(event.finding.actual),
          ...(event.resolvedBy === undefined ? {} : { resolvedBy: event.resolvedBy }),
        }),
      }));
      const batches: PutEventsRequestEntry[][] = [];
      for (let start = 0; start < entries.length; start += ENTRIES_PER_CALL) {
        batches.push(entries.slice(start, start + ENTRIES_PER_CALL));
      }
      await Promise.all(
        batches.map(async (batch) => {
          const { FailedEntryCount, Entries } = await eventBridge.send(new PutEventsCommand({ Entries: batch }));
          if (FailedEntryCount) {
            const codes = (Entries ?? []).flatMap((entry) => (entry.ErrorCode ? [entry.ErrorCode] : []));
            throw new Error(
              `EventBridge refused ${FailedEntryCount} finding event(s): ${[...new Set(codes)].join(', ')}`,
            );
          }
        }),
      );
    },
  };
}

/**
 * Events on the default bus are readable by any rule of the account: a finding's (masked) e-mail addresses stay in
 * the report, the event carries their count only.
 */
function withoutAddresses(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || !('addresses' in value)) return value;
  const { addresses: _addresses, ...rest } = value as Record<string, unknown>;
  return rest;
}
