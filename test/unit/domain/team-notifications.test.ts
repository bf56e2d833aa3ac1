/**
 * `notifications: { addresses }` of OIDC teams (lib/domain/team-notifications.ts): how requests and patches take
 * them, what the desired team keeps, how the history tells a change, and that no message, path or answer ever
 * shows an address unmasked.
 */
import { describeChange } from '#lib/domain/change-summary';
import { isEmailAddress } from '#lib/domain/email-addresses';
import { redactEmailAddresses } from '#lib/domain/privacy';
import type { TeamRecord } from '#lib/domain/team';
import { applyTeamPatch, checkPatchForMembers, toDesiredTeam, validateDesiredTeam } from '#lib/domain/team-commands';
import { NOTIFICATION_ADDRESSES_MAX } from '#lib/domain/team-notifications';
import {
  parseCreateTeamRequest,
  parseTeamPatch,
  validateCreateTeamRequest,
  validateTeamPatch,
} from '#lib/http/requests';
import { toManagedTeamView } from '#lib/http/views';
import { MANAGEMENT_TAG, pathsAndCodes, repeat } from './fixtures';
import { createRequest, desiredTeam, WORKFORCE } from './team-fixtures';

const OIDC = { oidcGroups: ['okta-labelers'] };
const ADDRESSES = ['ana@example.com', 'Bruno.Keller@example.org'];

function oidcRequest(notifications: unknown): Record<string, unknown> {
  return createRequest({ members: OIDC, notifications });
}

describe('notifications of a create request', () => {
  it('takes { addresses } on an OIDC team and keeps them on the desired team', () => {
    // Act
    const request = parseCreateTeamRequest(oidcRequest({ addresses: ADDRESSES }));
    const team = toDesiredTeam(request, WORKFORCE);

    // Assess
    expect(team).toMatchObject({ notifications: true, notificationAddresses: ADDRESSES });
    expect(validateDesiredTeam(team)).toEqual([]);
  });

  it('keeps no list for { addresses: [] }: a topic whose subscriptions are the owner’s, as with true', () => {
    // Act
    const team = toDesiredTeam(parseCreateTeamRequest(oidcRequest({ addresses: [] })), WORKFORCE);

    // Assess
    expect(team.notifications).toBe(true);
    expect(team).not.toHaveProperty('notificationAddresses');
  });

  it('refuses { addresses } on a Cognito team, even an empty list, with a Conflict on notifications', () => {
    // Act
    const violations = validateCreateTeamRequest(createRequest({ notifications: { addresses: [] } }));

    // Assess
    expect(pathsAndCodes(violations)).toEqual([{ path: 'notifications', code: 'Conflict' }]);
    expect(violations[0]?.message).toContain('OIDC');
  });

  it('lists every bad address by index, never echoing one', () => {
    // Prepare
    const addresses = ['ok@example.com', 'not-an-address', 'OK@EXAMPLE.COM', 7, 'user@localhost', 'a b@example.com'];

    // Act
    const violations = validateCreateTeamRequest(oidcRequest({ addresses, extra: true }));

    // Assess
    expect(pathsAndCodes(violations)).toEqual([
      { path: 'notifications.extra', code: 'Unknown' },
      { path: 'notifications.addresses[1]', code: 'Pattern' },
      { path: 'notifications.addresses[2]', code: 'Duplicate' },
      { path: 'notifications.addresses[3]', code: 'Type' },
      { path: 'notifications.addresses[4]', code: 'Pattern' },
      { path: 'notifications.addresses[5]', code: 'Pattern' },
    ]);
    const text = JSON.stringify(violations);
    expect(text).not.toMatch(/example\.com|localhost|not-an-address/i);
  });

  it(`takes ${NOTIFICATION_ADDRESSES_MAX} addresses and refuses one more`, () => {
    // Prepare
    const list = (count: number) => repeat(count, (index) => `worker-${index}@example.com`);

    // Act
    const atLimit = validateCreateTeamRequest(oidcRequest({ addresses: list(NOTIFICATION_ADDRESSES_MAX) }));
    const over = validateCreateTeamRequest(oidcRequest({ addresses: list(NOTIFICATION_ADDRESSES_MAX + 1) }));

    // Assess
    expect(atLimit).toEqual([]);
    expect(pathsAndCodes(over)).toEqual([{ path: 'notifications.addresses', code: 'TooMany' }]);
  });

  it.each([
    ['a string', 'yes', 'Type'],
    ['a list', ['a@example.com'], 'Type'],
    ['null', null, 'Type'],
    ['an object without addresses', {}, 'Required'],
  ])('refuses %s', (_label, notifications, code) => {
    // Act
    const violations = validateCreateTeamRequest(oidcRequest(notifications));

    // Assess
    expect(violations.map((violation) => violation.code)).toEqual([code]);
  });
});

describe('isEmailAddress', () => {
  it.each(['a@example.com', 'first.last+tag@sub.example.co.uk', 'jörg@bücher.de'])('takes %s', (address) => {
    expect(isEmailAddress(address)).toBe(true);
    // Whatever it takes, the privacy rule masks.
    expect(redactEmailAddresses(address)).toBe('[email]');
  });

  it.each(['a@b.c', 'user@localhost', '@example.com', 'a@@example.com', `${'x'.repeat(65)}@example.com`])(
    'refuses %s',
    (address) => {
      expect(isEmailAddress(address)).toBe(false);
    },
  );
});

describe('notifications of a patch', () => {
  const team = desiredTeam({ members: OIDC, notificationAddresses: ADDRESSES });

  it('replaces the list with { addresses } (a merge patch replaces a list)', () => {
    // Act
    const patched = applyTeamPatch(team, parseTeamPatch({ notifications: { addresses: ['ana@example.com'] } }));

    // Assess
    expect(patched.notificationAddresses).toEqual(['ana@example.com']);
    expect(describeChange(team, patched)).toBe('notifications.addresses: -1');
  });

  it.each([
    [true, true],
    [{ addresses: [] }, true],
    [false, false],
  ])('drops the list for %j (notifications %s)', (notifications, on) => {
    // Act
    const patched = applyTeamPatch(team, parseTeamPatch({ notifications }));

    // Assess
    expect(patched.notifications).toBe(on);
    expect(patched).not.toHaveProperty('notificationAddresses');
  });

  it('keeps the list when the patch leaves notifications out', () => {
    // Act
    const patched = applyTeamPatch(team, parseTeamPatch({ description: 'new' }));

    // Assess
    expect(patched.notificationAddresses).toEqual(ADDRESSES);
  });

  it('refuses { addresses } for a Cognito team once its members are known', () => {
    // Act
    const patch = parseTeamPatch({ notifications: { addresses: [] } });

    // Assess
    expect(pathsAndCodes(checkPatchForMembers(patch, { cognitoGroups: ['labelers'] }))).toEqual([
      { path: 'notifications', code: 'Conflict' },
    ]);
    expect(checkPatchForMembers(patch, OIDC)).toEqual([]);
  });

  it('refuses null and bad addresses in the body', () => {
    // Act
    const violations = [
      ...validateTeamPatch({ notifications: null }),
      ...validateTeamPatch({ notifications: { addresses: ['nope'] } }),
    ];

    // Assess
    expect(pathsAndCodes(violations)).toEqual([
      { path: 'notifications', code: 'Required' },
      { path: 'notifications.addresses[0]', code: 'Pattern' },
    ]);
  });

  it('tells the history how many addresses came and went, never which', () => {
    // Act
    const summary = describeChange(
      team,
      desiredTeam({ members: OIDC, notificationAddresses: ['ana@example.com', 'carla@example.net'] }),
    );

    // Assess
    expect(summary).toBe('notifications.addresses: +1 -1');
  });
});

describe('validateDesiredTeam with addresses', () => {
  it('refuses addresses on a team without notifications, or on a Cognito team', () => {
    // Act
    const withoutTopic = validateDesiredTeam(
      desiredTeam({ members: OIDC, notifications: false, notificationAddresses: ADDRESSES }),
    );
    const onCognito = validateDesiredTeam(desiredTeam({ notificationAddresses: ADDRESSES }));

    // Assess
    expect(pathsAndCodes(withoutTopic)).toEqual([{ path: 'notifications', code: 'Conflict' }]);
    expect(pathsAndCodes(onCognito)).toEqual([{ path: 'notifications', code: 'Conflict' }]);
  });
});

describe('the managed team view', () => {
  it('shows the addresses masked, and only on a team that names some', () => {
    // Prepare
    const record = (spec: TeamRecord['spec']): TeamRecord => ({
      name: spec.name,
      spec,
      owner: 'owner-sub',
      version: 1,
      lifecycle: 'active',
      applyState: 'Pending',
      createdAt: '2024-01-01T00:00:00.000Z',
      updatedAt: '2024-01-01T00:00:00.000Z',
      history: [],
    });

    // Act
    const named = toManagedTeamView(
      record(desiredTeam({ members: OIDC, notificationAddresses: ADDRESSES })),
      undefined,
      MANAGEMENT_TAG,
    );
    const none = toManagedTeamView(record(desiredTeam({ members: OIDC })), undefined, MANAGEMENT_TAG);

    // Assess
    expect(named.notificationAddresses).toEqual(['a**@example.com', 'B***********@example.org']);
    expect(JSON.stringify(named)).not.toMatch(/ana@|bruno/i);
    expect(none).not.toHaveProperty('notificationAddresses');
  });
});
