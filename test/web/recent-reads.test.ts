import { describe, expect, it } from 'vitest';
import { createRecentReads } from '../../src/web/recent-reads.ts';

describe('createRecentReads', () => {
  const setUp = (max = 10) => {
    let clock = 0;
    const recent = createRecentReads<string>({ maxAgeMs: 60_000, max, now: () => new Date(clock) });
    let reads = 0;
    const read = (value: string) => async () => {
      reads += 1;
      return value;
    };
    return { recent, read, reads: () => reads, tick: (ms: number) => (clock += ms) };
  };

  it('reads a key once a minute, and again for another key', async () => {
    const t = setUp();
    expect(await t.recent('a', t.read('first'))).toBe('first');
    t.tick(59_000);
    expect(await t.recent('a', t.read('second'))).toBe('first');
    expect(await t.recent('b', t.read('other'))).toBe('other');
    expect(t.reads()).toBe(2);
    t.tick(1_000);
    expect(await t.recent('a', t.read('third'))).toBe('third');
    expect(t.reads()).toBe(3);
  });

  it('shares a read in flight, and forgets one that failed', async () => {
    const t = setUp();
    let release!: (v: string) => void;
    const slow = t.recent('a', () => new Promise<string>((resolve) => (release = resolve)));
    const joined = t.recent('a', t.read('own'));
    release('shared');
    expect(await Promise.all([slow, joined])).toEqual(['shared', 'shared']);
    expect(t.reads()).toBe(0);
    await expect(t.recent('b', async () => Promise.reject(new Error('busy')))).rejects.toThrow('busy');
    expect(await t.recent('b', t.read('again'))).toBe('again');
  });

  it('keeps at most `max` answers, the least recently asked going first', async () => {
    const t = setUp(2);
    await t.recent('a', t.read('a'));
    await t.recent('b', t.read('b'));
    await t.recent('a', t.read('a2'));
    await t.recent('c', t.read('c'));
    expect(await t.recent('a', t.read('a3'))).toBe('a');
    expect(await t.recent('b', t.read('b2'))).toBe('b2');
  });
});
