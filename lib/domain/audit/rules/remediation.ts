import { AUDIT_DEFAULTS, ownValue, type Policy, type RemediationMode } from '../../policy';
import type { Finding } from '../findings';

/** What a run does with a finding: 'remediate' only for remediable findings whose rule the policy (or the run's override) sets to remediate. */
export function remediationFor(finding: Finding, policy: Policy, override?: RemediationMode): RemediationMode {
  if (!finding.remediable) return 'report';
  if (override !== undefined) return override;
  return ownValue(policy.audit?.remediation ?? {}, finding.rule) ?? AUDIT_DEFAULTS.remediation;
}
