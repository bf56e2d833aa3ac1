/**
 * What reached the local EventBridge of the test run's local cloud (GET/DELETE $EVENTBRIDGE_URL/_events): the
 * functions' PutEvents and the CloudTrail events of SageMaker's and Cognito's writes. And the operator's
 * credentials, for a change the local cloud records as someone else's than the functions'.
 */
import { OPERATOR_ACCESS_KEY_ID, OWN_ROLE_ARN_PATTERN } from '../../local/cloud';
import type { EventBridgeEvent } from '../../local/eventbridge';

/** Credentials the local cloud names as the IAM user `local-operator`, not as the functions' role. */
export const OPERATOR_CREDENTIALS = { accessKeyId: OPERATOR_ACCESS_KEY_ID, secretAccessKey: 'local' };

function eventBridgeUrl(): string {
  const url = process.env.EVENTBRIDGE_URL;
  if (!url) throw new Error("EVENTBRIDGE_URL is not set: the test run's global setup starts the local cloud");
  return url;
}

/** The events that reached the bus, oldest first; only those of one source when given. */
export async function busEvents(source?: string): Promise<EventBridgeEvent[]> {
  const query = source === undefined ? '' : `?source=${encodeURIComponent(source)}`;
  const response = await fetch(`${eventBridgeUrl()}/_events${query}`);
  if (!response.ok) throw new Error(`GET /_events answered ${response.status}`);
  return (await response.json()) as EventBridgeEvent[];
}

/** Forgets the events kept so far (the bus itself goes on). */
export async function clearBusEvents(): Promise<void> {
  const response = await fetch(`${eventBridgeUrl()}/_events`, { method: 'DELETE' });
  if (response.status !== 204) throw new Error(`DELETE /_events answered ${response.status}`);
}

/** The events of one source that satisfy the predicate; polls until there is one, or fails after the timeout. */
export async function waitForBusEvents(
  source: string,
  predicate: (event: EventBridgeEvent) => boolean,
  timeoutMs = 5000,
): Promise<EventBridgeEvent[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = (await busEvents(source)).filter(predicate);
    if (found.length > 0) return found;
    if (Date.now() > deadline) throw new Error(`no ${source} event as expected reached the bus in ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** The caller of a work-team write the audit's rule leaves out: a session of one of this system's roles (its path). */
const OWN_ROLE_SESSION = { arn: [{ 'anything-but': { wildcard: OWN_ROLE_ARN_PATTERN } }] };

/**
 * The audit's real-time rule as serverless.yml gives it for the local stage: work-team writes by anyone but this
 * system's own roles, which CloudTrail names by the session issuer's ARN (with the roles' IAM path); a caller that
 * is no role's session has no issuer, which `anything-but` never matches, hence the second alternative.
 * test/deploy/local-event-loop.test.ts checks that `serverless print` yields exactly this.
 */
export const AUDIT_RULE_PATTERN = {
  source: ['aws.sagemaker'],
  'detail-type': ['AWS API Call via CloudTrail'],
  detail: {
    eventSource: ['sagemaker.amazonaws.com'],
    eventName: ['CreateWorkteam', 'UpdateWorkteam', 'DeleteWorkteam'],
    $or: [
      { userIdentity: { sessionContext: { sessionIssuer: OWN_ROLE_SESSION } } },
      { userIdentity: { sessionContext: { sessionIssuer: { arn: [{ exists: false }] } } } },
    ],
  },
};
