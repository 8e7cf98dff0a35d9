import { describe, expect, it } from 'vitest';
import { rssAuthorName } from '../../../src/reader/parser/xml-nodes.ts';

describe('rssAuthorName', () => {
  it.each([
    ['sachar@example.org (Sachar Kriwoj)', 'Sachar Kriwoj'],
    ['  sachar@example.org(Sachar)  ', 'Sachar'],
    ['Sachar Kriwoj', 'Sachar Kriwoj'],
    ['sachar@example.org', 'sachar@example.org'],
  ])('reads %j as %j', (value, name) => {
    expect(rssAuthorName(value)).toBe(name);
  });

  it('takes a long author as the name without reading it as an address', () => {
    // Read as "email (Name)", 200,000 @ took about half a minute: the time grew with the square of the run.
    const value = '@'.repeat(200_000);
    expect(rssAuthorName(value)).toBe(value);
    expect(rssAuthorName(`${'a'.repeat(2000)}@example.org (Name)`)).toBe(`${'a'.repeat(2000)}@example.org (Name)`);
  });
});
