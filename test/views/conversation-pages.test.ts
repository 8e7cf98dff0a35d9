import { describe, expect, it } from 'vitest';
import { splitIntoPages } from '../../src/views/conversation-pages.ts';

const steps = (n: number) => Array.from({ length: n }, (_, i) => ({ id: i + 1, depth: 0 }));

describe('splitIntoPages', () => {
  it('keeps a conversation within the budget on one page', () => {
    expect(splitIntoPages(steps(10), () => 100, { maxEntries: 500, maxChars: 1_000_000 })).toEqual([steps(10)]);
  });

  it('cuts by the number of entries, keeping the order', () => {
    const pages = splitIntoPages(steps(1001), () => 0, { maxEntries: 500, maxChars: 10_000_000 });
    expect(pages.map((p) => p.length)).toEqual([500, 500, 1]);
    expect(pages.flat()).toEqual(steps(1001));
  });

  it('cuts by characters, and gives an entry larger than the budget a page of its own', () => {
    const sizes: Record<number, number> = { 1: 1000, 2: 50_000, 3: 1000, 4: 1000 };
    const pages = splitIntoPages(steps(4), (id) => sizes[id]!, { maxEntries: 500, maxChars: 20_000 });
    expect(pages.map((p) => p.map((s) => s.id))).toEqual([[1], [2], [3, 4]]);
  });

  it('answers one empty page for an empty conversation', () => {
    expect(splitIntoPages([], () => 0, { maxEntries: 5, maxChars: 10_000 })).toEqual([[]]);
  });
});
