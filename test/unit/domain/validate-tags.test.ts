import { validateTags } from '#lib/domain/validation';
import { pathsAndCodes, repeat } from './fixtures';

describe('validateTags', () => {
  it('accepts absent tags', () => {
    // Act
    const violations = validateTags(undefined);

    // Assess
    expect(violations).toEqual([]);
  });

  it('accepts well-formed tags', () => {
    // Act
    const violations = validateTags([
      { key: 'project', value: 'catalogue' },
      { key: 'cost-centre', value: '4711' },
    ]);

    // Assess
    expect(violations).toEqual([]);
  });

  it('refuses tags that are not a list', () => {
    // Act
    const violations = validateTags({ project: 'catalogue' });

    // Assess
    expect(pathsAndCodes(violations)).toEqual([{ path: 'tags', code: 'Type' }]);
  });

  it('refuses a tag that is not an object', () => {
    // Act
    const violations = validateTags(['project=catalogue']);

    // Assess
    expect(pathsAndCodes(violations)).toEqual([{ path: 'tags[0]', code: 'Type' }]);
  });

  it('requires a tag key', () => {
    // Act
    const violations = validateTags([{ value: 'catalogue' }]);

    // Assess
    expect(pathsAndCodes(violations)).toEqual([{ path: 'tags[0].key', code: 'Required' }]);
  });

  it('refuses an empty tag key', () => {
    // Act
    const violations = validateTags([{ key: '', value: 'catalogue' }]);

    // Assess
    expect(pathsAndCodes(violations)).toEqual([{ path: 'tags[0].key', code: 'TooShort' }]);
  });

  it('refuses a tag key longer than 128 characters, naming the limit', () => {
    // Act
    const violations = validateTags([{ key: 'k'.repeat(129), value: 'v' }]);

    // Assess
    expect(violations).toEqual([
      { path: 'tags[0].key', code: 'TooLong', message: 'tags[0].key holds 129 characters; at most 128 are allowed' },
    ]);
  });

  it('accepts a tag key of exactly 128 characters', () => {
    // Act
    const violations = validateTags([{ key: 'k'.repeat(128), value: 'v' }]);

    // Assess
    expect(violations).toEqual([]);
  });

  it('requires a tag value', () => {
    // Act
    const violations = validateTags([{ key: 'project' }]);

    // Assess
    expect(pathsAndCodes(violations)).toEqual([{ path: 'tags[0].value', code: 'Required' }]);
  });

  it('refuses a tag value that is not a string', () => {
    // Act
    const violations = validateTags([{ key: 'project', value: 7 }]);

    // Assess
    expect(pathsAndCodes(violations)).toEqual([{ path: 'tags[0].value', code: 'Type' }]);
  });

  it('accepts an empty tag value', () => {
    // Act
    const violations = validateTags([{ key: 'project', value: '' }]);

    // Assess
    expect(violations).toEqual([]);
  });

  it('refuses a tag value longer than 256 characters', () => {
    // Act
    const violations = validateTags([{ key: 'project', value: 'v'.repeat(257) }]);

    // Assess
    expect(pathsAndCodes(violations)).toEqual([{ path: 'tags[0].value', code: 'TooLong' }]);
  });

  it('accepts a tag value of exactly 256 characters', () => {
    // Act
    const violations = validateTags([{ key: 'project', value: 'v'.repeat(256) }]);

    // Assess
    expect(violations).toEqual([]);
  });

  it('refuses a repeated tag key, naming the repeat', () => {
    // Prepare
    const tags = [
      { key: 'project', value: 'a' },
      { key: 'owner', value: 'b' },
      { key: 'project', value: 'c' },
    ];

    // Act
    const violations = validateTags(tags);

    // Assess
    expect(pathsAndCodes(violations)).toEqual([{ path: 'tags[2].key', code: 'Duplicate' }]);
  });

  it('treats keys that differ only in case as different keys', () => {
    // Act
    const violations = validateTags([
      { key: 'Project', value: 'a' },
      { key: 'project', value: 'b' },
    ]);

    // Assess
    expect(violations).toEqual([]);
  });

  it('refuses more than 50 tags, naming the limit', () => {
    // Prepare
    const tags = repeat(51, (index) => ({ key: `key-${index}`, value: 'v' }));

    // Act
    const violations = validateTags(tags);

    // Assess
    expect(violations).toEqual([
      { path: 'tags', code: 'TooMany', message: 'tags holds 51 items; at most 50 are allowed' },
    ]);
  });

  it('accepts exactly 50 tags', () => {
    // Prepare
    const tags = repeat(50, (index) => ({ key: `key-${index}`, value: 'v' }));

    // Act
    const violations = validateTags(tags);

    // Assess
    expect(violations).toEqual([]);
  });

  it('prefixes paths with the path it is given', () => {
    // Act
    const violations = validateTags([{ key: '', value: 'v' }], 'body.tags');

    // Assess
    expect(pathsAndCodes(violations)).toEqual([{ path: 'body.tags[0].key', code: 'TooShort' }]);
  });

  it('does not echo tag values in its messages', () => {
    // Prepare
    const address = 'jane.doe@example.com';

    // Act
    const violations = validateTags([
      { key: address, value: address },
      { key: address, value: 'v'.repeat(257) },
    ]);

    // Assess
    expect(violations.length).toBeGreaterThan(0);
    expect(violations.map(({ message }) => message).join('\n')).not.toContain(address);
  });
});
