/**
 * A team's `notifications` as the API takes them, and what the registry keeps of them. `true` or `false` for any
 * team: a topic that SageMaker publishes to, or none. A Cognito team's topic is subscribed to the enabled members
 * of its groups. This system cannot list who is in an OIDC provider's groups, so an OIDC team may name its
 * subscribers instead, `{ "addresses": [...] }`: the topic is subscribed to exactly those (one confirmation mail
 * each, through the ledger of lib/domain/subscription-ledger.ts). An OIDC team with `true` or `{ "addresses": [] }`
 * has its topic, and who subscribes to it is its owner's business: reconcile never touches its subscriptions
 * (docs/api.md, "Notifications of OIDC teams").
 *
 * Addresses are kept in the desired state (the registry) as given; every answer shows them masked
 * (lib/domain/privacy.ts `maskAddress`), no message or path of a violation ever echoes one, and history summaries
 * count them.
 */
import { isEmailAddress } from './email-addresses';
import type { MemberKind, Violation } from './errors';
import { checkList, childPath, isRecord, keyPath, typeName, violation } from './field-checks';
import type { DesiredTeam } from './team';

/** What `notifications` may be in a create request or a patch. */
export type NotificationsRequest = boolean | { addresses: string[] };

/** How many addresses an OIDC team may name: one Subscribe (and confirmation mail) each, in one pass. */
export const NOTIFICATION_ADDRESSES_MAX = 100;

const NOTIFICATIONS_FIELDS = ['addresses'] as const;

function checkAddresses(value: unknown, path: string): Violation[] {
  const list = checkList(value, path, { required: true, minItems: 0, maxItems: NOTIFICATION_ADDRESSES_MAX });
  const firstIndexByMailbox = new Map<string, number>();
  const perAddress = list.items.flatMap((address, index) => {
    const itemPath = childPath(path, index);
    if (typeof address !== 'string') {
      return [violation(itemPath, 'Type', `${itemPath} must be a string, not ${typeName(address)}`)];
    }
    if (!isEmailAddress(address)) {
      return [violation(itemPath, 'Pattern', `${itemPath} must be an e-mail address, such as name@example.com`)];
    }
    const mailbox = address.toLowerCase();
    const firstIndex = firstIndexByMailbox.get(mailbox);
    if (firstIndex === undefined) {
      firstIndexByMailbox.set(mailbox, index);
      return [];
    }
    return [
      violation(
        itemPath,
        'Duplicate',
        `${itemPath} repeats ${childPath(path, firstIndex)} (addresses that differ only in case are one mailbox); each address is listed once`,
      ),
    ];
  });
  return [...list.violations, ...perAddress];
}

/**
 * `notifications` of a request: absent, a boolean, or `{ addresses }`. With `kind` (the team's members known),
 * `{ addresses }` on a Cognito team is a `Conflict`: its subscriptions follow its groups.
 */
export function checkNotificationsRequest(value: unknown, path: string, kind?: MemberKind): Violation[] {
  if (value === undefined || typeof value === 'boolean') return [];
  if (!isRecord(value)) {
    return [
      violation(path, 'Type', `${path} must be true, false or an object { addresses: [...] }, not ${typeName(value)}`),
    ];
  }
  const unknown = Object.keys(value)
    .filter((key) => !(NOTIFICATIONS_FIELDS as readonly string[]).includes(key))
    .map((key) =>
      violation(keyPath(path, key), 'Unknown', `This field is not known here; the only field is addresses`),
    );
  const conflict =
    kind === 'cognito'
      ? [
          violation(
            path,
            'Conflict',
            `${path}.addresses is for teams of an OIDC workforce: a Cognito team's topic is subscribed to the members of its groups; give true or false`,
          ),
        ]
      : [];
  return [...unknown, ...conflict, ...checkAddresses(value.addresses, childPath(path, 'addresses'))];
}

/** A (valid) request's notifications as the desired team keeps them: no empty list of addresses is kept. */
export function notificationsOf(
  request: NotificationsRequest | undefined,
): Pick<DesiredTeam, 'notifications' | 'notificationAddresses'> {
  if (request === undefined || request === true) return { notifications: true };
  if (request === false) return { notifications: false };
  return request.addresses.length === 0
    ? { notifications: true }
    : { notifications: true, notificationAddresses: [...request.addresses] };
}

/** The desired team's notifications in the request's shape: what `validateDesiredTeam` checks again. */
export function notificationsRequestOf(team: DesiredTeam): NotificationsRequest {
  return team.notificationAddresses === undefined ? team.notifications : { addresses: team.notificationAddresses };
}

/** How the history tells a change of the addresses: counts, never an address. '' when they are the same. */
export function describeAddressesChange(before: DesiredTeam, after: DesiredTeam): string {
  const mailboxes = (team: DesiredTeam) => new Set((team.notificationAddresses ?? []).map((a) => a.toLowerCase()));
  const was = mailboxes(before);
  const is = mailboxes(after);
  const added = [...is].filter((mailbox) => !was.has(mailbox)).length;
  const removed = [...was].filter((mailbox) => !is.has(mailbox)).length;
  if (added === 0 && removed === 0) return '';
  return `notifications.addresses: ${[...(added > 0 ? [`+${added}`] : []), ...(removed > 0 ? [`-${removed}`] : [])].join(' ')}`;
}

/** Whether two desired teams want the same subscribers (in whatever order and case). */
export function sameAddresses(a: DesiredTeam, b: DesiredTeam): boolean {
  return (
    describeAddressesChange(a, b) === '' &&
    (a.notificationAddresses === undefined) === (b.notificationAddresses === undefined)
  );
}
