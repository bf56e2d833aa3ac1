/**
 * The privacy rule, in one place: e-mail addresses never leave the system unmasked, neither in a log line, nor in
 * an answer, nor in a record or an alert. Log lines are masked once, by the logger's formatter
 * (lib/runtime/observability.ts); answers, records and alerts mask what they quote where they are built (a domain
 * error's message and details, a stored reason, an audit finding).
 */

/**
 * An e-mail address as people and RFC 5322/6531 write it: a local part of any characters but spaces, controls
 * and the specials `()<>[]:;@\\,"` (so every `atext` character, dots, and non-ASCII letters), then a domain of
 * dot-separated labels whose last label (the top-level domain) starts with a letter and has at least two
 * characters. `a@b.c` and `user@localhost` are not addresses.
 */
// It starts only where a run of local-part characters starts (the lookbehind), which keeps it linear.
const EMAIL_ADDRESS =
  /(?<![^\s\p{C}()<>[\]:;@\\,"])([^\s\p{C}()<>[\]:;@\\,"]+)@[\p{L}\p{M}\p{N}-]+(?:\.[\p{L}\p{M}\p{N}-]+)*\.\p{L}[\p{L}\p{M}\p{N}-]*[\p{L}\p{M}\p{N}]/gu;

/** Quotes that wrap an address in a message ('…' or `…`) stay outside the mask. */
const LEADING_QUOTES = /^['`]+/;

export function redactEmailAddresses(text: string): string {
  // An address can hide behind another one's tail ('a@b.cd/e@f.gh': the second local part starts inside the
  // first match): mask again until nothing changes. Each round masks at least one '@', so this ends.
  let masked = text;
  for (;;) {
    const next = masked.replace(EMAIL_ADDRESS, (_match, local: string) => {
      const quotes = LEADING_QUOTES.exec(local)?.[0] ?? '';
      return quotes.length < local.length ? `${quotes}[email]` : '[email]';
    });
    if (next === masked) return masked;
    masked = next;
  }
}

/** Every string in a JSON-like value (objects, arrays, nested) with the e-mail addresses in it masked. */
export function redactDeep(value: unknown): unknown {
  if (typeof value === 'string') return redactEmailAddresses(value);
  if (Array.isArray(value)) return value.map(redactDeep);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, redactDeep(entry)]));
  }
  return value;
}

/**
 * An e-mail address that an admin can tell apart from others without a report holding it: the first character of
 * the local part, a `*` for each other character (at least two), the domain as it is (`ana@example.com` →
 * `a**@example.com`). A one-character local part keeps no character at all, so that the mask never shows a whole
 * local part.
 */
export function maskAddress(address: string): string {
  const at = address.lastIndexOf('@');
  const local = at === -1 ? address : address.slice(0, at);
  const domain = at === -1 ? '' : address.slice(at);
  const [first = ''] = local;
  const rest = '*'.repeat(Math.max(2, local.length - first.length));
  return local.length > first.length ? `${first}${rest}${domain}` : `*${rest}${domain}`;
}
