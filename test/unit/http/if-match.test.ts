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
