/**
 * The organisation's policy for work teams: a versioned file in the repository (policy/policy.json), parsed once
 * at cold start. Its rules come on top of SageMaker's; a breach is a violation with code `Policy` whose message
 * names the rule and the policy version, so that a refused client knows which edition of the rules refused it.
 */
import { z } from 'zod';
import type { LiveWorkteam } from './live';
import type { DesiredTeam } from './team';
import { type Violation, violation } from './validation';
import type { Toggle } from './workteam';

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

const WORKER_ACCESS_FIELDS = ['sourceIp', 'vpcSourceIp'] as const;

export const PolicySchema = z
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

function ownValue<T>(record: Record<string, T>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

/** The toggles a classification requires to be `Enabled`; none for an unknown or unlisted classification. */
function requiredToggles(policy: Policy, classification: string | undefined): (typeof WORKER_ACCESS_FIELDS)[number][] {
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

/**
 * The audit of a team as SageMaker has it: the worker-access toggles below its classification's minimum (an
 * absent toggle is `Disabled`). A team read without its tags (`live.tags` undefined) cannot be classified and
 * yields nothing: describe it with its tags first.
 */
export function auditWorkerAccess(live: LiveWorkteam, policy: Policy): Violation[] {
  const classification = live.tags?.find(({ key }) => key === policy.classificationTag)?.value;
  return requiredToggles(policy, classification).flatMap((field) => {
    const actual: Toggle = live.workerAccess?.[field] ?? 'Disabled';
    return actual === 'Enabled'
      ? []
      : [
          policyViolation(
            `workerAccess.${field}`,
            `workerAccess.${field} is ${actual}, but a team classified '${classification}' needs it Enabled`,
            'minimumWorkerAccess',
            policy,
          ),
        ];
  });
}
