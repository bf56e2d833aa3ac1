/** The configured targets, and what a container keeps of each: its own clients, a few targets' at a time. */
import { byTarget, type ConfiguredTarget, configuredTargets, TARGETS_KEPT } from '#lib/runtime/targets';

const HUB = { HUB_ACCOUNT_ID: '000000000000', AWS_REGION: 'us-east-1' };
const role = (account: string, region: string) =>
  `arn:aws:iam::${account}:role/workteam-automation/prod/workteam-automation-target-prod-${region}`;

function target(index: number): ConfiguredTarget {
  const account = String(100000000000 + index);
  return { account, region: 'eu-west-1', key: `${account}/eu-west-1`, hub: false, roleArn: role(account, 'eu-west-1') };
}

describe('configuredTargets', () => {
  it('puts the hub first, then the targets in the order given', () => {
    const targets = configuredTargets({
      ...HUB,
      TARGETS: [
        { account: '111111111111', region: 'eu-west-1', roleArn: role('111111111111', 'eu-west-1'), externalId: 'x1' },
        { account: '000000000000', region: 'eu-west-1', roleArn: role('000000000000', 'eu-west-1') },
      ],
    });

    expect(targets.map((each) => [each.key, each.hub, each.roleArn !== undefined])).toEqual([
      ['000000000000/us-east-1', true, false],
      ['111111111111/eu-west-1', false, true],
      ['000000000000/eu-west-1', false, true],
    ]);
  });

  it('refuses a target given twice, and any target but the hub without its role', () => {
    const twice = { account: '111111111111', region: 'eu-west-1', roleArn: role('111111111111', 'eu-west-1') };
    expect(() => configuredTargets({ ...HUB, TARGETS: [twice, twice] })).toThrow(/given twice/);
    expect(() => configuredTargets({ ...HUB, TARGETS: [{ account: '000000000000', region: 'eu-west-1' }] })).toThrow(
      /needs the roleArn/,
    );
    // A role of another account, or one role for two targets, would act in one account under another's keys.
    expect(() =>
      configuredTargets({
        ...HUB,
        TARGETS: [{ account: '111111111111', region: 'eu-west-1', roleArn: role('222222222222', 'eu-west-1') }],
      }),
    ).toThrow(/another account's role/);
    expect(() =>
      configuredTargets({
        ...HUB,
        TARGETS: [twice, { account: '111111111111', region: 'us-east-1', roleArn: twice.roleArn }],
      }),
    ).toThrow(/another target's too/);
    // The hub named again without a role is the hub.
    expect(configuredTargets({ ...HUB, TARGETS: [{ account: '000000000000', region: 'us-east-1' }] })).toHaveLength(1);
  });
});

describe('byTarget', () => {
  it("builds a target's value once while it is kept, and never hands one target's to another", () => {
    const built: string[] = [];
    const of = byTarget((each) => {
      built.push(each.key);
      return { for: each.key };
    });

    const first = of(target(1));
    const second = of(target(2));

    expect(of(target(1))).toBe(first);
    expect(second).not.toBe(first);
    expect(second.for).toBe(target(2).key);
    expect(built).toEqual([target(1).key, target(2).key]);
  });

  it(`keeps the ${TARGETS_KEPT} targets used last, letting the least recently used go first`, () => {
    let builds = 0;
    const of = byTarget(() => ({ build: ++builds }));
    const kept = of(target(0));

    // Act: target 0 used again between the others, so it stays among the last used
    for (let index = 1; index <= TARGETS_KEPT * 2; index += 1) {
      of(target(index));
      if (index % (TARGETS_KEPT - 1) === 0) of(target(0));
    }

    expect(of(target(0))).toBe(kept);
    // target 1 was let go long ago: built anew
    const before = builds;
    of(target(1));
    expect(builds).toBe(before + 1);
  });
});
