/** Workers' e-mail addresses, as the topics are subscribed to them. */

/**
 * Workers' e-mail addresses as a topic is subscribed to them: one per mailbox (addresses that differ only in
 * case are one), the first spelling seen, sorted ignoring case.
 */
export function mergeAddresses(lists: Iterable<readonly string[]>): string[] {
  const byMailbox = new Map<string, string>();
  for (const list of lists) {
    for (const address of list)
      if (!byMailbox.has(address.toLowerCase())) byMailbox.set(address.toLowerCase(), address);
  }
  return [...byMailbox.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, address]) => address);
}
