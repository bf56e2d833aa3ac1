/**
 * A team's e-mail subscriptions synced with the ledger of the confirmation mails this system caused
 * (lib/domain/subscription-ledger.ts): an address is asked to confirm once, not again within the window while
 * unanswered, and never again after it unsubscribed itself, until it leaves the team's groups and rejoins. The
 * caller holds the team's lease (one writer per team), so the ledger has one writer too.
 */
import { isDeepStrictEqual } from 'node:util';
import { DEFAULT_ASK_AGAIN_AFTER_MS, mayAsk, nextLedger } from '../domain/subscription-ledger';
import type { NotificationTopics, SubscriptionLedgers } from '../ports/teams';

interface SubscriptionDeps {
  topics: NotificationTopics;
  ledgers: SubscriptionLedgers;
  /** How long an unanswered confirmation keeps an address from being asked again (DEFAULT_ASK_AGAIN_AFTER_MS). */
  askAgainAfterMs?: number;
  now?: () => Date;
}

export async function syncSubscriptions(
  deps: SubscriptionDeps,
  team: string,
  topicArn: string,
  emails: string[],
): Promise<{ subscribed: number; unsubscribed: number }> {
  const now = (deps.now ?? (() => new Date()))();
  const window = deps.askAgainAfterMs ?? DEFAULT_ASK_AGAIN_AFTER_MS;
  const ledger = await deps.ledgers.get(team);
  const synced = await deps.topics.syncEmailSubscriptions(topicArn, emails, {
    mayAsk: (address) => mayAsk(ledger, address, now, window),
  });
  const next = nextLedger(ledger, { wanted: emails, ...synced.seen }, now);
  if (!isDeepStrictEqual(next, ledger)) await deps.ledgers.put(team, next);
  return { subscribed: synced.subscribed, unsubscribed: synced.unsubscribed };
}
