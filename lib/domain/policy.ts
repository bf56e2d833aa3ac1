/**
 * The organisation's policy for work teams: a versioned file in the repository (policy/policy.json), parsed once
 * at cold start. Its rules come on top of SageMaker's; a breach is a violation with code `Policy` whose message
 * names the rule and the policy version, so that a refused client knows which edition of the rules refused it.
 */
import { z } from 'zod';
import { RULE_IDS, type RuleId } from './audit/findings';
import { parseCidr } from './cidr';
import type { Violation } from './errors';
import { violation } from './field-checks';
import type { DesiredTeam } from './team';
import { WORKER_ACCESS_FIELDS, type WorkerAccessToggles } from './workteam';

/** The policy file is wrong: raised at cold start, so a bad policy never reaches a request. */
export class PolicyInvalid extends Error {
  override readonly name = 'PolicyInvalid';

  constructor(readonly issues: { path: string; message: string }[]) {
    super(`The work-team policy is invalid: ${issues.map(({ path, message }) => `${path}: ${message}`).join('; ')}`);
  }
}

/** A policy's `namePattern` must match the whole name, whether or not it is anchored. */
function wholeNamePattern(pattern: string): RegExp {
  return new RegExp(`^(?:${pattern})$`, 'u');
}

function compiles(pattern: string): boolean {
  try {
    wholeNamePattern(pattern);
    return true;
  } catch {
    return false;
  }
}

const ToggleSchema = z.enum(['Enabled', 'Disabled']);

/** What an audit run does with a remediable finding of a rule: only report it, or reconcile the team. */
const RemediationModeSchema = z.enum(['report', 'remediate']);

export type RemediationMode = z.infer<typeof RemediationModeSchema>;

/** The audit's settings when the policy leaves them out: `remediation` is each rule's mode. */
export const AUDIT_DEFAULTS: {
  notificationsRequiredFor: readonly string[];
  teamLimitWarningPercent: number;
  remediation: RemediationMode;
} = { notificationsRequiredFor: [], teamLimitWarningPercent: 80, remediation: 'report' };

function isRuleId(key: string): key is RuleId {
  return (RULE_IDS as readonly string[]).includes(key);
}

const AuditSchema = z.strictObject({
  /** Classifications whose teams must have a NotificationConfiguration. Absent: none. */
  notificationsRequiredFor: z.array(z.string().min(1)).optional(),
  /** IPv4 or IPv6 CIDRs that each of the workforce's SourceIpConfig.Cidrs must lie within. Absent: any range. */
  workforceSourceCidrs: z
    .array(z.string().refine((cidr) => parseCidr(cidr) !== undefined, { message: 'must be an IPv4 or IPv6 CIDR' }))
    .optional(),
  /** The share of SageMaker's 25 work teams per region from which the audit warns. Absent: 80. */
  teamLimitWarningPercent: z.number().min(1).max(100).optional(),
  /** Per rule, whether a run reconciles the teams of its remediable findings. Absent rule: `report`. */
  remediation: z
    .record(z.string(), RemediationModeSchema)
    .superRefine((remediation, context) => {
      for (const rule of Object.keys(remediation)) {
        if (!isRuleId(rule)) {
          context.addIssue({
            code: 'custom',
            path: [rule],
            message: `is not an audit rule (the rules are ${RULE_IDS.join(', ')})`,
          });
        }
      }
    })
    .transform((remediation): Partial<Record<RuleId, RemediationMode>> => remediation)
    .optional(),
});

const PolicySchema = z
  .strictObject({
    /** Named in every violation message. */
    version: z.string().min(1),
    /** A JavaScript regular expression (`u` flag) that every team name must match as a whole. */
    namePattern: z.string().min(1).refine(compiles, { message: 'must be a valid regular expression' }),
    /** Tags every team must carry, with a non-empty value. */
    requiredTags: z.array(z.string().min(1)),
    /** The tag whose value classifies a team's data. */
    classificationTag: z.string().min(1),
    classifications: z.array(z.string().min(1)).min(1),
    /** Per classification, the worker-access toggles that must be `Enabled`. */
    minimumWorkerAccess: z.record(
      z.string(),
      z.strictObject({ sourceIp: ToggleSchema.optional(), vpcSourceIp: ToggleSchema.optional() }),
    ),
    /**
     * Cognito groups created with a name of this form join a team of their own, named by the pattern's `team`
     * group, which the system creates with these defaults when it does not exist yet. Absent: no such groups.
     */
    autoProvisioning: z
      .strictObject({
        groupPattern: z
          .string()
          .min(1)
          .refine(compiles, { message: 'must be a valid regular expression' })
          .refine((pattern) => pattern.includes('(?<team>'), { message: 'must capture the team name as (?<team>…)' }),
        /** `{group}` stands for the group's name. */
        description: z.string().min(1).max(200),
        notifications: z.boolean(),
        workerAccess: z.strictObject({ sourceIp: ToggleSchema, vpcSourceIp: ToggleSchema }),
        tags: z.record(z.string().min(1), z.string()),
      })
      .optional(),
    /** The compliance audit's settings; every one has a default. */
    audit: AuditSchema.optional(),
  })
  .superRefine((policy, context) => {
    for (const classification of Object.keys(policy.minimumWorkerAccess)) {
      if (!policy.classifications.includes(classification)) {
        context.addIssue({
          code: 'custom',
          path: ['minimumWorkerAccess', classification],
          message: 'is not one of classifications',
        });
      }
    }
    for (const [index, classification] of (policy.audit?.notificationsRequiredFor ?? []).entries()) {
      if (!policy.classifications.includes(classification)) {
        context.addIssue({
          code: 'custom',
          path: ['audit', 'notificationsRequiredFor', index],
          message: 'is not one of classifications',
        });
      }
    }
  });

export type Policy = z.infer<typeof PolicySchema>;

/** The policy file's content, checked; throws `PolicyInvalid` naming every bad field. */
export function parsePolicy(json: unknown): Policy {
  const result = PolicySchema.safeParse(json);
  if (result.success) return result.data;
  throw new PolicyInvalid(
    result.error.issues.map((issue) => ({
      path: issue.path.length === 0 ? '(the policy)' : issue.path.map(String).join('.'),
      message: issue.message,
    })),
  );
}

function policyViolation(path: string, message: string, rule: string, policy: Policy): Violation {
  return violation(path, 'Policy', `${message} (policy ${policy.version}, rule ${rule})`);
}

/** A record's own entry: a key such as `__proto__` names an entry, never the prototype. */
export function ownValue<T>(record: Record<string, T>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

/** The toggles a classification requires to be `Enabled`; none for an unknown or unlisted classification. */
export function requiredToggles(policy: Policy, classification: string | undefined): (keyof WorkerAccessToggles)[] {
  if (classification === undefined || !policy.classifications.includes(classification)) return [];
  const minimum = ownValue(policy.minimumWorkerAccess, classification);
  if (minimum === undefined) return [];
  return WORKER_ACCESS_FIELDS.filter((field) => minimum[field] === 'Enabled');
}

/** Every policy rule the team breaks. The workforce tells whether it has a WorkforceVpcConfig. */
export function checkPolicy(team: DesiredTeam, policy: Policy, workforce: { hasVpcConfig: boolean }): Violation[] {
  const violations: Violation[] = [];
  if (!wholeNamePattern(policy.namePattern).test(team.name)) {
    violations.push(policyViolation('name', `name must match ${policy.namePattern}`, 'namePattern', policy));
  }
  for (const key of policy.requiredTags) {
    const value = ownValue(team.tags, key);
    if (value === undefined || value.trim() === '') {
      violations.push(
        policyViolation(`tags.${key}`, `tag '${key}' is required and must not be empty`, 'requiredTags', policy),
      );
    }
  }
  const classification = ownValue(team.tags, policy.classificationTag);
  if (
    classification !== undefined &&
    classification.trim() !== '' &&
    !policy.classifications.includes(classification)
  ) {
    violations.push(
      policyViolation(
        `tags.${policy.classificationTag}`,
        `tag '${policy.classificationTag}' must be one of ${policy.classifications.join(', ')}`,
        'classifications',
        policy,
      ),
    );
  }
  for (const field of requiredToggles(policy, classification)) {
    if (team.workerAccess[field] !== 'Enabled') {
      violations.push(
        policyViolation(
          `workerAccess.${field}`,
          `workerAccess.${field} must be Enabled for a team classified '${classification}'`,
          'minimumWorkerAccess',
          policy,
        ),
      );
    }
  }
  if (team.workerAccess.vpcSourceIp === 'Enabled' && !workforce.hasVpcConfig) {
    violations.push(
      policyViolation(
        'workerAccess.vpcSourceIp',
        'workerAccess.vpcSourceIp cannot be Enabled: VpcSourceIp only works from a private worker portal inside a VPC, and this workforce has no WorkforceVpcConfig',
        'vpcSourceIpNeedsVpc',
        policy,
      ),
    );
  }
  return violations;
}
