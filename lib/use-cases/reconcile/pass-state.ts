/**
 * What one pass of reconcile learns and what the whole run remembers across its passes, the errors that make a
 * pass start again or give up, and the clock and time limit every step consults.
 */
import type { LiveWorkteam } from '../../domain/live';
import { outOfTime } from '../../runtime/invocation';
import type { ReconcileDeps } from './contract';

/** The live state moved under this pass (a team created or deleted by another attempt): run the pass again. */
export class RaceLost extends Error {
  override readonly name = 'RaceLost';
}

/** Every Cognito group of a team was deleted before SageMaker could create it: nothing can be created. */
export class NoMemberGroupLeft extends Error {
  override readonly name = 'NoMemberGroupLeft';
}

/**
 * SageMaker still shows the team's topic after an UpdateWorkteam that was to remove it: the change is not taken as
 * done (the topic, which SageMaker may still publish to, is kept), it waits Pending for the scheduled retry.
 */
export class TopicKept extends Error {
  override readonly name = 'TopicKept';

  constructor(readonly topicArn: string) {
    super(
      `SageMaker still shows notification topic ${topicArn} on the team after UpdateWorkteam with an empty NotificationConfiguration (how notifications are turned off; read back after the update), so the topic is kept`,
    );
  }
}

/** What one pass did, for the record it then writes. */
export interface ApplyAttempt {
  topicArn?: string;
  live?: LiveWorkteam;
  missingGroups: string[];
  subscriptions?: { subscribed: number; unsubscribed: number };
  /** What of SageMaker this pass put back although the desired state was applied already (an out-of-band change). */
  reverted?: string[];
  /** The topic SageMaker still showed after this pass asked it to remove it (`TopicKept`). */
  topicKeptBySageMaker?: string;
}

/** What the whole reconcile run did across its passes. */
export interface RunState {
  /** This run created the team in SageMaker. */
  created: boolean;
  /**
   * This run ensured the team's topic (and its ARN): a later pass, for a newer version that wants no topic,
   * deletes it even though that version's record never learnt of it (a stale pass recreated it).
   */
  topicArn?: string;
  topicTouched?: boolean;
}

/** What the run learnt of the topic, for a record written after a pass that did not learn it itself. */
export function runFacts(run: RunState): ApplyAttempt {
  return { missingGroups: [], ...(run.topicArn ? { topicArn: run.topicArn } : {}) };
}

export function clock(deps: ReconcileDeps): () => Date {
  return deps.now ?? (() => new Date());
}

/** A step is started only while the invocation has time left; a cut-short change is recorded as Pending. */
export function checkTime(): void {
  if (outOfTime()) throw Object.assign(new Error('the invocation ran out of time'), { name: 'AbortError' });
}
