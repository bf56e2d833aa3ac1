import { mergeAddresses } from '#lib/domain/email-addresses';

describe('mergeAddresses', () => {
  it('keeps one address per mailbox, the first spelling, sorted ignoring case, across lists', () => {
    expect(
      mergeAddresses([
        ['Zoe@Example.com', 'al@example.com'],
        ['zoe@example.com', 'ben@example.com'],
      ]),
    ).toEqual(['al@example.com', 'ben@example.com', 'Zoe@Example.com']);
  });
});
