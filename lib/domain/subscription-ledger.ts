/**
 * What this system remembers of the e-mail subscriptions it asked for, per team: SNS mails a worker a
 * confirmation at every `Subscribe` of an address not confirmed yet, and keeps no trace of a mail left unanswered
 * (it drops the pending subscription after 48 hours) nor of a worker who unsubscribed from the mail's link. So
 * that no worker gets a second mail they did not ask for, the ledger keeps, per address, when it was last asked
 * to confirm, and whether it was seen confirmed:
 *
 * - an address asked less than the window ago (default 7 days) is not asked again, even once SNS dropped it;
 * - an address seen confirmed and later gone from the topic unsubscribed itself (the link in every mail): it is
 *   not asked again while it stays in the team's groups; leaving them forgets the entry, so rejoining asks again.
 *
 * Addresses are kept as keys derived from them (SHA-256 of the lower-case address): the ledger holds no address.
 */
import { createHash } from 'node:crypto';

export interface LedgerEntry {
  /** `asked`: a confirmation mail went out at `at`; `confirmed`: seen confirmed at `at`; `optedOut`: seen gone after. */
  state: 'asked' | 'confirmed' | 'optedOut';
  at: string;
}

/** By address key (`addressKey`). */
export type SubscriptionLedger = Record<string, LedgerEntry>;

/** How long an unanswered confirmation mail keeps its address from being asked again, unless configured. */
export const DEFAULT_ASK_AGAIN_AFTER_MS = 7 * 24 * 60 * 60_000;

export function addressKey(address: string): string {
  return createHash('sha256').update(address.toLowerCase()).digest('base64url').slice(0, 22);
}

/** Whether a wanted address, absent from the topic (neither subscribed nor pending), may be asked to confirm now. */
export function mayAsk(ledger: SubscriptionLedger, address: string, now: Date, askAgainAfterMs: number): boolean {
  const entry = ledger[addressKey(address)];
  if (!entry) return true;
  if (entry.state !== 'asked') return false;
  return now.getTime() - Date.parse(entry.at) >= askAgainAfterMs;
}

/** What one sync saw of the wanted addresses, and what it did. */
interface SubscriptionsSeen {
  wanted: readonly string[];
  /** Wanted addresses listed confirmed on the topic. */
  confirmed: readonly string[];
  /** Wanted addresses listed pending confirmation. */
  pending: readonly string[];
  /** Wanted addresses this sync subscribed (a mail each). */
  asked: readonly string[];
}

/** The ledger after a sync: the wanted addresses' entries brought up to date, every other address forgotten. */
export function nextLedger(ledger: SubscriptionLedger, seen: SubscriptionsSeen, now: Date): SubscriptionLedger {
  const at = now.toISOString();
  const confirmed = new Set(seen.confirmed.map(addressKey));
  const pending = new Set(seen.pending.map(addressKey));
  const asked = new Set(seen.asked.map(addressKey));
  const next: SubscriptionLedger = {};
  for (const key of new Set(seen.wanted.map(addressKey))) {
    const entry = ledger[key];
    if (asked.has(key)) next[key] = { state: 'asked', at };
    else if (confirmed.has(key)) next[key] = entry?.state === 'confirmed' ? entry : { state: 'confirmed', at };
    else if (pending.has(key)) next[key] = entry?.state === 'asked' ? entry : { state: 'asked', at };
    else if (entry?.state === 'confirmed') next[key] = { state: 'optedOut', at };
    else if (entry) next[key] = entry;
  }
  return next;
}
