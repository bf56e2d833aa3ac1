/** A finding as every rule writes it: its scope, its message and details, its severity from the catalogue. */
import { redactEmailAddresses } from '../../privacy';
import type { Finding, RuleId, Severity } from '../findings';
import { RULES } from './catalogue';

export interface Scope {
  resource: string;
  team?: string;
}

/** What a rule says of a finding: the Finding's own fields, and a severity graver than the catalogue's when it is. */
type Details = Pick<Finding, 'message' | 'desired' | 'actual' | 'remediable'> & { severity?: Severity };

/** Messages quote names that people typed (groups, descriptions): an address among them is masked. */
export function finding(rule: RuleId, scope: Scope, details: Details): Finding {
  return {
    rule,
    severity: details.severity ?? RULES[rule].severity,
    ...scope,
    message: redactEmailAddresses(details.message),
    desired: details.desired,
    actual: details.actual,
    remediable: details.remediable,
  };
}

export function quoted(names: readonly string[]): string {
  return names.map((name) => `'${name}'`).join(', ');
}
