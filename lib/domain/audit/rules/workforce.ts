/** The workforce rules: the region's private workforce is Active, and lets workers in only from allowed ranges. */
import { cidrWithin, parseCidr } from '../../cidr';
import type { LiveWorkforce } from '../../live';
import type { Policy } from '../../policy';
import { redactDeep } from '../../privacy';
import type { Finding } from '../findings';
import { finding, type Scope } from './finding';

/** Every finding about the region's private workforce. */
export function auditWorkforce(workforce: LiveWorkforce, policy: Policy): Finding[] {
  const scope: Scope = { resource: `workforce/${workforce.name}` };
  const findings: Finding[] = [];
  if (workforce.status !== undefined && workforce.status !== 'Active') {
    const reason = workforce.failureReason === undefined ? '' : ` (${workforce.failureReason})`;
    findings.push(
      finding('workforce.not-active', scope, {
        message: `Workforce '${workforce.name}' is ${workforce.status}${reason}, not Active, so its workers may not reach their tasks: wait if it is still being created or updated, otherwise fix the cause its failure reason names.`,
        desired: { status: 'Active' },
        actual: redactDeep({
          status: workforce.status,
          ...(workforce.failureReason === undefined ? {} : { failureReason: workforce.failureReason }),
        }),
        remediable: false,
      }),
    );
  }

  const allowed = policy.audit?.workforceSourceCidrs;
  if (workforce.sourceIpCidrs.length === 0) {
    const within = allowed === undefined ? '' : ` within ${allowed.join(', ')}`;
    findings.push(
      finding('workforce.source-ip-missing', scope, {
        message: `Workforce '${workforce.name}' has no SourceIpConfig CIDRs, so its worker portal is open to any address: set SourceIpConfig.Cidrs (UpdateWorkforce) to the ranges your workers work from${within}.`,
        desired: allowed === undefined ? { cidrs: 'one to ten CIDRs' } : { within: allowed },
        actual: { cidrs: [] },
        remediable: false,
      }),
    );
  } else if (allowed !== undefined) {
    const outside = workforce.sourceIpCidrs.filter((cidr) => !withinAny(cidr, allowed));
    if (outside.length > 0) {
      findings.push(
        finding('workforce.source-ip-outside-policy', scope, {
          message: `Workforce '${workforce.name}' lets workers in from ${outside.join(', ')}, outside the ranges policy ${policy.version} allows: narrow SourceIpConfig.Cidrs (UpdateWorkforce) to ranges within ${allowed.join(', ')}.`,
          desired: { within: allowed },
          actual: { cidrs: workforce.sourceIpCidrs, outside },
          remediable: false,
        }),
      );
    }
  }
  return findings;
}

/** A CIDR that cannot be read lies within nothing. */
function withinAny(cidr: string, ranges: readonly string[]): boolean {
  const inner = parseCidr(cidr);
  if (inner === undefined) return false;
  return ranges.some((range) => {
    const outer = parseCidr(range);
    return outer !== undefined && cidrWithin(inner, outer);
  });
}
