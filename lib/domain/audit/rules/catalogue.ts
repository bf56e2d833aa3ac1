/**
 * The catalogue of the compliance audit's rules: every rule's id, severity and what it checks. The rules are pure
 * functions from what the audit read (SageMaker, SNS, Cognito, the registry) and the policy to findings, one module
 * a family: team.ts (a team and its members), notifications.ts (its topic and subscriptions), workforce.ts,
 * account.ts. The audit use case does the reading, keeps the open findings of the rules `rulesNotEvaluated` and
 * `accountRulesNotEvaluated` name, and decides with `remediationFor` (remediation.ts) what a run does with each
 * finding.
 */
import type { RuleId, Severity } from '../findings';

/** Every rule: its severity (a finding may be graver, as `account.team-limit` at the limit) and what it checks. */
export const RULES: Record<RuleId, { severity: Severity; description: string }> = {
  'team.missing': {
    severity: 'high',
    description: 'A managed team that SageMaker no longer has (deleted outside this system).',
  },
  'team.drift': {
    severity: 'medium',
    description:
      'A managed team whose description, member groups or notification topic differ from its desired state (a Pending team: from every state it may be in), or whose topic SageMaker kept when reconcile turned its notifications off.',
  },
  'worker-access.drift': {
    severity: 'high',
    description:
      'A managed team whose worker access (SourceIp, VpcSourceIp) differs from its desired state (a Pending team: from every state it may be in).',
  },
  'worker-access.below-policy': {
    severity: 'high',
    description: "A team whose worker access is below the policy's minimum for its classification.",
  },
  'worker-access.vpc-without-vpc-config': {
    severity: 'high',
    description: 'VpcSourceIp Enabled on a team whose workforce has no WorkforceVpcConfig: its tasks cannot render.',
  },
  'notifications.not-configured': {
    severity: 'medium',
    description:
      'A team without a notification topic where its classification (policy) or its desired state wants one.',
  },
  'notifications.topic-missing': {
    severity: 'high',
    description: "The team's notification topic does not exist.",
  },
  'notifications.publish-denied': {
    severity: 'high',
    description: "The topic's access policy does not let sagemaker.amazonaws.com publish to it.",
  },
  'notifications.topic-open': {
    severity: 'high',
    description:
      'The topic\'s access policy lets anyone (Principal "*") subscribe to it or publish to it, without a condition confining it to the account or organisation.',
  },
  'notifications.kms-key-unusable': {
    severity: 'high',
    description:
      'The topic is encrypted with the AWS managed key alias/aws/sns, whose key policy cannot let SageMaker use it: SageMaker cannot publish.',
  },
  'notifications.workers-unsubscribed': {
    severity: 'medium',
    description: "Workers of the team's Cognito groups who are not subscribed to its topic.",
  },
  'notifications.stale-subscriptions': {
    severity: 'medium',
    description: "Addresses subscribed to the team's topic of people in none of its Cognito groups.",
  },
  'notifications.pending-leaver': {
    severity: 'low',
    description:
      "Subscriptions pending confirmation of people in none of the team's Cognito groups: SNS cannot remove them; they lapse unless confirmed.",
  },
  'members.group-missing': {
    severity: 'high',
    description: 'The team names Cognito groups that no longer exist.',
  },
  'team.orphaned': {
    severity: 'high',
    description: 'A managed team left orphaned: its last Cognito group was deleted, so nobody can work in it.',
  },
  'team.managed-tag-removed': {
    severity: 'high',
    description:
      "A managed team whose managed-by: workteam-automation-<stage> tag was removed or changed in SageMaker: this system's role can no longer change or delete it.",
  },
  'workforce.not-active': {
    severity: 'critical',
    description: "The workforce's Status is not Active.",
  },
  'workforce.source-ip-missing': {
    severity: 'high',
    description: 'The workforce has no SourceIpConfig CIDRs: its worker portal is open to any address.',
  },
  'workforce.source-ip-outside-policy': {
    severity: 'high',
    description: "Workforce CIDRs outside the policy's allowed ranges.",
  },
  'account.team-limit': {
    severity: 'medium',
    description: "The region's work teams near SageMaker's limit of 25 (from the policy's warning share); high at 25.",
  },
  'account.no-trail': {
    severity: 'high',
    description:
      "No trail logs the region's management write events of SageMaker and Cognito: the Cognito sync and the real-time audit receive no events.",
  },
};
