import { etagOf, expectedVersionsOf } from '#lib/http/views';

describe('expectedVersionsOf (If-Match)', () => {
  it.each([
    [undefined, undefined],
    ['*', 'any'],
    ['"v3"', [3]],
    ['W/"v3"', [3]],
    ['"v3", "v4"', [3, 4]],
    ['"v3", *', 'any'],
    ['"v03"', []],
    ['"v0"', []],
    ['"v123456789012345678901"', []],
    ['v3', []],
    ['"x3"', []],
    ['', []],
  ] as const)('reads %j as %j', (header, expected) => {
    expect(expectedVersionsOf(header)).toEqual(expected);
  });

  it('reads back every ETag it writes', () => {
    for (const version of [1, 9, 10, 12345]) {
      expect(expectedVersionsOf(etagOf({ version }))).toEqual([version]);
    }
  });
});

describe('the ETag of a team of another target', () => {
  const hub = { hub: true, account: '000000000000', region: 'us-east-1' };
  const vendor = { hub: false, account: '111111111111', region: 'eu-west-1' };
  const other = { hub: false, account: '111111111111', region: 'us-east-1' };

  it('names the target, and matches only a team of that target', () => {
    const tag = etagOf({ version: 3 }, vendor);

    expect(tag).toBe('"v3@111111111111.eu-west-1"');
    expect(expectedVersionsOf(tag, vendor)).toEqual([3]);
    expect(expectedVersionsOf(tag, other)).toEqual([]);
    expect(expectedVersionsOf(tag, hub)).toEqual([]);
    expect(expectedVersionsOf(tag)).toEqual([]);
  });

  it("keeps the hub's teams' ETags as they were, which no other target's team matches", () => {
    expect(etagOf({ version: 3 }, hub)).toBe('"v3"');
    expect(expectedVersionsOf('"v3"', hub)).toEqual([3]);
    expect(expectedVersionsOf('"v3"', vendor)).toEqual([]);
  });
});
