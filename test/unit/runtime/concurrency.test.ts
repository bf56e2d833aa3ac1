/** The bounded pool every per-team, per-group and per-worker fan-out goes through. */
import { forEachBounded, mapBounded } from '#lib/runtime/concurrency';

/** A task that stays open until the test lets it go, so the interleaving is the test's, not the clock's. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, opened };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('forEachBounded', () => {
  it('never has more than the limit running, and runs every item once', async () => {
    // Prepare
    const gates = Array.from({ length: 7 }, gate);
    const started: number[] = [];
    let running = 0;
    let peak = 0;

    // Act
    const done = forEachBounded(gates, 3, async (item, index) => {
      started.push(index);
      running += 1;
      peak = Math.max(peak, running);
      await item.opened;
      running -= 1;
    });
    await settle();
    const startedFirst = [...started];
    for (const item of gates) {
      item.open();
      await settle();
    }
    await done;

    // Assess
    expect(startedFirst).toEqual([0, 1, 2]);
    expect(started).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(peak).toBe(3);
  });

  it('starts nothing after a failure, lets the started ones finish, then throws the first error', async () => {
    // Prepare
    const slow = gate();
    const started: number[] = [];
    let finished = 0;

    // Act
    const done = forEachBounded([0, 1, 2, 3, 4], 2, async (item) => {
      started.push(item);
      if (item === 0) throw new Error('first');
      await slow.opened;
      finished += 1;
    });
    const outcome = done.then(
      () => 'resolved',
      (error: Error) => error.message,
    );
    await settle();
    const settledEarly = await Promise.race([outcome, settle().then(() => 'still running')]);
    slow.open();

    // Assess
    expect(settledEarly).toBe('still running');
    expect(await outcome).toBe('first');
    expect(started).toEqual([0, 1]);
    expect(finished).toBe(1);
  });

  it('with onFailure finish, still runs every item after a failure, then throws the first error', async () => {
    // Prepare
    const ran: number[] = [];

    // Act
    const outcome = await forEachBounded(
      [0, 1, 2, 3, 4],
      2,
      async (item) => {
        ran.push(item);
        if (item === 0 || item === 3) throw new Error(`failed ${item}`);
      },
      { onFailure: 'finish' },
    ).then(
      () => 'resolved',
      (error: Error) => error.message,
    );

    // Assess
    expect(outcome).toBe('failed 0');
    expect(ran.sort()).toEqual([0, 1, 2, 3, 4]);
  });

  it('does nothing for no items', async () => {
    // Prepare
    const work = jest.fn(async () => undefined);

    // Act
    await forEachBounded([], 4, work);

    // Assess
    expect(work).not.toHaveBeenCalled();
  });
});

describe('mapBounded', () => {
  it('answers in the order of the items, whatever order they finish in', async () => {
    // Prepare
    const gates = [gate(), gate(), gate()];

    // Act
    const done = mapBounded(gates, 3, async (item, index) => {
      await item.opened;
      return index * 10;
    });
    gates[2]?.open();
    await settle();
    gates[0]?.open();
    await settle();
    gates[1]?.open();

    // Assess
    expect(await done).toEqual([0, 10, 20]);
  });
});
