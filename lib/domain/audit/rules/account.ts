/**
 * The account rules: the region's work teams against SageMaker's limit, and a trail logging the events the real-time
 * paths follow.
 */
import { AUDIT_DEFAULTS, type Policy } from '../../policy';
import { WORKTEAM_LIMITS } from '../../workteam';
import { type Finding, FOLLOWED_EVENT_SOURCES, type RuleId, type TrailState } from '../findings';
import { RULES } from './catalogue';
import { finding } from './finding';

/** The region's number of work teams against SageMaker's limit of 25. */
export function auditTeamCount(count: number, policy: Policy): Finding[] {
  const limit = WORKTEAM_LIMITS.workteamsPerRegion;
  const percent = policy.audit?.teamLimitWarningPercent ?? AUDIT_DEFAULTS.teamLimitWarningPercent;
  const warnFrom = Math.ceil((limit * percent) / 100);
  if (count < warnFrom) return [];
  const atLimit = count >= limit;
  const consequence = atLimit
    ? 'SageMaker refuses any further team (ResourceLimitExceeded)'
    : 'SageMaker will refuse teams beyond that';
  return [
    finding(
      'account.team-limit',
      { resource: 'account' },
      {
        message: `The region holds ${count} of SageMaker's ${limit} work teams, and ${consequence}: delete the teams nobody uses any more, or ask AWS for a higher quota.`,
        desired: { limit, warnFrom },
        actual: { count },
        remediable: false,
        severity: atLimit ? 'high' : RULES['account.team-limit'].severity,
      },
    ),
  ];
}

/**
 * `account.no-trail`: no trail logs the region's management write events of SageMaker and Cognito, so EventBridge
 * receives no "AWS API Call via CloudTrail" event of them and the Cognito sync and the real-time audit hear of
 * nothing. Nothing when a trail logs them, nor when CloudTrail could not tell (`accountRulesNotEvaluated`).
 */
export function auditTrails(state: TrailState): Finding[] {
  if (state === 'cannot tell' || state.logged) return [];
  const { trails } = state;
  const which =
    trails.length === 0
      ? 'no trail applies to this region'
      : `the trail(s) that apply to this region, ${trails.join(', ')}, are stopped or select other events`;
  return [
    finding(
      'account.no-trail',
      { resource: 'account' },
      {
        message: `No CloudTrail trail logs this region's management write events of SageMaker and Cognito (${which}), so EventBridge receives none of their "AWS API Call via CloudTrail" events: the Cognito sync and the real-time audit receive no events without one, and only the nightly resync and the scheduled audit catch up. Log them with an organisation trail (or a trail of this account, of this region or multi-region, logging management write events), or deploy the stack with CREATE_TRAIL=true (or --param="createTrail=true") so that it creates its own trail.`,
        desired: { managementWriteEventsLogged: true, eventSources: FOLLOWED_EVENT_SOURCES },
        actual: { managementWriteEventsLogged: false, trails },
        remediable: false,
      },
    ),
  ];
}

/**
 * The account rules a run could not judge, whose open findings it leaves as they are: `account.no-trail` when
 * CloudTrail was not asked (a single-team run) or could not tell (a trail it may not read, a selector it cannot
 * judge, CloudTrail throttling past the retries).
 */
export function accountRulesNotEvaluated(trails: TrailState | undefined): RuleId[] {
  return trails === undefined || trails === 'cannot tell' ? ['account.no-trail'] : [];
}
