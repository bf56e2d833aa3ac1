import { type ListParams, validateListParams } from '#lib/domain/list-params';
import { pathsAndCodes } from './fixtures';

/** Query strings and JSON bodies do not honour the declared types; the validator must not either. */
function untyped(params: Record<string, unknown>): ListParams {
  return params as ListParams;
}

describe('validateListParams', () => {
  it('accepts no parameters at all', () => {
    // Act
    const violations = validateListParams({});

    // Assess
    expect(violations).toEqual([]);
  });

  it('accepts every parameter at its limit', () => {
    // Prepare
    const params: ListParams = {
      maxItems: 1,
      pageSize: 100,
      nameContains: 'a'.repeat(63),
      sortBy: 'CreateDate',
      sortOrder: 'Descending',
      startingToken: 't'.repeat(8192),
    };

    // Act
    const violations = validateListParams(params);

    // Assess
    expect(violations).toEqual([]);
  });

  test.each([
    ['0', 0, 'TooSmall'],
    ['a fraction', 1.5, 'Integer'],
    ['not a number', Number.NaN, 'Integer'],
    ['a string', '5', 'Type'],
  ])('refuses a maxItems that is %s', (_label, maxItems, code) => {
    // Act
    const violations = validateListParams(untyped({ maxItems }));

    // Assess
    expect(pathsAndCodes(violations)).toEqual([{ path: 'maxItems', code }]);
  });

  it('accepts a maxItems above the page limit', () => {
    // Act
    const violations = validateListParams({ maxItems: 1000 });

    // Assess
    expect(violations).toEqual([]);
  });

  test.each([
    ['0', 0, 'TooSmall'],
    ['above 100', 101, 'TooLarge'],
    ['a fraction', 10.5, 'Integer'],
  ])('refuses a pageSize that is %s', (_label, pageSize, code) => {
    // Act
    const violations = validateListParams({ pageSize });

    // Assess
    expect(pathsAndCodes(violations)).toEqual([{ path: 'pageSize', code }]);
  });

  it('names the page-size limit in its message', () => {
    // Act
    const violations = validateListParams({ pageSize: 101 });

    // Assess
    expect(violations).toEqual([
      { path: 'pageSize', code: 'TooLarge', message: 'pageSize is 101; it must be at most 100' },
    ]);
  });

  test.each([
    ['empty', '', 'TooShort'],
    ['longer than 63 characters', 'a'.repeat(64), 'TooLong'],
    ['not in the work-team name pattern', 'team_a', 'Pattern'],
  ])('refuses a nameContains that is %s', (_label, nameContains, code) => {
    // Act
    const violations = validateListParams({ nameContains });

    // Assess
    expect(pathsAndCodes(violations)).toEqual([{ path: 'nameContains', code }]);
  });

  test.each(['Name', 'CreateDate'])('accepts sortBy %s', (sortBy) => {
    // Act
    const violations = validateListParams({ sortBy });

    // Assess
    expect(violations).toEqual([]);
  });

  test.each(['CreationTime', 'name', ''])("refuses sortBy '%s'", (sortBy) => {
    // Act
    const violations = validateListParams({ sortBy });

    // Assess
    expect(pathsAndCodes(violations)).toEqual([{ path: 'sortBy', code: 'Enum' }]);
  });

  test.each(['Ascending', 'Descending'])('accepts sortOrder %s', (sortOrder) => {
    // Act
    const violations = validateListParams({ sortOrder });

    // Assess
    expect(violations).toEqual([]);
  });

  test.each(['asc', 'DESCENDING'])("refuses sortOrder '%s'", (sortOrder) => {
    // Act
    const violations = validateListParams({ sortOrder });

    // Assess
    expect(pathsAndCodes(violations)).toEqual([{ path: 'sortOrder', code: 'Enum' }]);
  });

  it('refuses a startingToken longer than 8192 characters', () => {
    // Act
    const violations = validateListParams({ startingToken: 't'.repeat(8193) });

    // Assess
    expect(pathsAndCodes(violations)).toEqual([{ path: 'startingToken', code: 'TooLong' }]);
  });

  it('reports every broken parameter at once', () => {
    // Act
    const violations = validateListParams({ maxItems: 0, pageSize: 500, sortBy: 'Size', sortOrder: 'Up' });

    // Assess
    expect(pathsAndCodes(violations)).toEqual([
      { path: 'maxItems', code: 'TooSmall' },
      { path: 'pageSize', code: 'TooLarge' },
      { path: 'sortBy', code: 'Enum' },
      { path: 'sortOrder', code: 'Enum' },
    ]);
  });
});
