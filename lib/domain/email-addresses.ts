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

/**
 * One e-mail address, whole, as SNS takes it for an `email` subscription: a local part of up to 64 characters
 * (no spaces, controls or the specials `()<>[]:;@\\,"`), an `@`, and a domain of dot-separated labels whose last
 * one starts with a letter; 254 characters at most (RFC 5321). It is the form lib/domain/privacy.ts masks, so an
 * address taken here is never logged or answered unmasked.
 */
const WHOLE_ADDRESS =
  /^[^\s\p{C}()<>[\]:;@\\,"]{1,64}@[\p{L}\p{M}\p{N}-]+(?:\.[\p{L}\p{M}\p{N}-]+)*\.\p{L}[\p{L}\p{M}\p{N}-]*[\p{L}\p{M}\p{N}]$/u;

export const EMAIL_ADDRESS_MAX_LENGTH = 254;

export function isEmailAddress(value: string): boolean {
  return [...value].length <= EMAIL_ADDRESS_MAX_LENGTH && WHOLE_ADDRESS.test(value);
}
