import { describe, expect, it } from 'vitest';
import { trimEndOf } from '../../src/domain/trim.ts';

describe('trimEndOf', () => {
  it.each([
    ['http://example.org/a///', '/', 'http://example.org/a'],
    ['a,b,,', ',', 'a,b'],
    ['Siehe http://x.example/p.!?', '.,;:!?', 'Siehe http://x.example/p'],
    ['nichts', '/', 'nichts'],
    ['///', '/', ''],
    ['', '/', ''],
  ])('%j without the %j it ends with', (text, chars, trimmed) => {
    expect(trimEndOf(text, chars)).toBe(trimmed);
  });

  it('leaves a run inside the text alone', () => {
    const text = `a${','.repeat(100_000)}b,`;
    expect(trimEndOf(text, ',')).toBe(text.slice(0, -1));
  });
});
