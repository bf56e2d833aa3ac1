/**
 * What the team rules (team.ts, notifications.ts) know of one team, and what they share: whether the team is
 * managed, whether a reconcile may put it right, and the remedy a finding then names.
 */

import type { LiveWorkteam } from '../../live';
import { ownValue, type Policy } from '../../policy';
import type { TeamRecord } from '../../team';
import type { MemberDefinition } from '../../workteam';
import type { TeamAuditInput } from '../findings';
import type { Scope } from './finding';

export interface TeamContext {
  input: TeamAuditInput;
  live: LiveWorkteam;
  scope: Scope;
  /** The registry's record, when the team is managed (an active record). */
  record: TeamRecord | undefined;
  classification: string | undefined;
  policy: Policy;
}

/** The registry's record of the team when this system manages it (an active record). */
export function managedRecordOf(input: TeamAuditInput): TeamRecord | undefined {
  return input.record?.lifecycle === 'active' ? input.record : undefined;
}

/**
 * Whether the live team still carries the stage's managed-by tag (`input.managementTag`): this stage's roles may
 * write only to teams that do (IAM conditions on the tag). Tags not read count as carried.
 */
export function carriesManagedTag(input: TeamAuditInput): boolean {
  const { key, value } = input.managementTag;
  return input.liveTags === undefined || ownValue(input.liveTags, key) === value;
}

/**
 * Whether a reconcile may be run to put the team right: it is managed, its desired state is not Pending (its change
 * is being applied by the retries, which reconcile the whole team anyway), and this system may still write to it.
 * A Failed team may be: a remediation is one more reconcile of its desired state, and a refusal leaves that state
 * and its version as they are.
 */
export function mayRemediate(record: TeamRecord | undefined, input: TeamAuditInput): record is TeamRecord {
  return record?.lifecycle === 'active' && record.applyState !== 'Pending' && carriesManagedTag(input);
}

/** Whether reconciling makes a finding right: the team may be reconciled and its desired state satisfies the rule. */
export function remediableWhen(
  record: TeamRecord | undefined,
  input: TeamAuditInput,
  desiredSatisfies: boolean,
): boolean {
  return desiredSatisfies && mayRemediate(record, input);
}

/** The remedy for a managed team whose desired state itself satisfies the rule, by the state of the team. */
export function restoreRemedy(record: TeamRecord, input: TeamAuditInput, reconcileTo: string): string {
  if (!carriesManagedTag(input)) {
    return `put the team's ${input.managementTag.key}: ${input.managementTag.value} tag back first (this system may only write to teams carrying it), then reconcile the team to ${reconcileTo}`;
  }
  if (record.applyState === 'Pending') {
    return 'let its pending change be applied (the retries apply its whole desired state, this included), then audit again';
  }
  if (record.applyState === 'Failed') {
    return `reconcile the team to ${reconcileTo} (its last change failed, see its pendingReason: a reconcile applies its desired state again)`;
  }
  return `reconcile the team to ${reconcileTo}`;
}

export function cognitoGroupsOf(definitions: readonly MemberDefinition[]): string[] {
  return definitions.flatMap((definition) => (definition.cognito === undefined ? [] : [definition.cognito.userGroup]));
}
