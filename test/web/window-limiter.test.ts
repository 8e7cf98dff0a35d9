import { describe, expect, it } from 'vitest';
import { createMinuteLimiter, createWindowLimiter } from '../../src/web/window-limiter.ts';

/** A clock the test moves by hand. */
function clock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('createWindowLimiter', () => {
  it('lets `limit` events per key through in a sliding window, refusals not counted, keys apart', () => {
    const c = clock();
    const limiter = createWindowLimiter({ limit: 2, windowMs: 10_000, now: c.now });
    expect([limiter.take('a'), limiter.take('a'), limiter.take('a'), limiter.take('b')]).toEqual([true, true, false, true]);
    c.advance(5_000);
    expect(limiter.take('a')).toBe(false);
    // The first two events leave the window 10 s after they happened; the refusals did not count.
    c.advance(5_000);
    expect([limiter.take('a'), limiter.take('a'), limiter.take('a')]).toEqual([true, true, false]);
  });

  it('says how long until a key may act again, in whole seconds, at least one', () => {
    const c = clock();
    const limiter = createWindowLimiter({ limit: 2, windowMs: 10_000, now: c.now });
    expect(limiter.retryAfterSeconds('a')).toBe(0);
    limiter.take('a');
    c.advance(2_500);
    limiter.take('a');
    // The oldest event leaves the window in 7.5 s.
    expect(limiter.retryAfterSeconds('a')).toBe(8);
    c.advance(7_400);
    expect(limiter.retryAfterSeconds('a')).toBe(1);
    c.advance(100);
    expect(limiter.retryAfterSeconds('a')).toBe(0);
  });

  it('remembers at most maxKeys keys, forgetting the longest unused first', () => {
    const c = clock();
    const limiter = createWindowLimiter({ limit: 2, windowMs: 60_000, maxKeys: 2, now: c.now });
    // "old" is used again after "mid", so "mid" is the longest unused when "new" comes.
    expect([limiter.take('old'), limiter.take('mid'), limiter.take('old'), limiter.take('new')]).toEqual([true, true, true, true]);
    // "old" is still held (at its limit); "mid" was forgotten, so it starts afresh.
    expect([limiter.take('old'), limiter.take('mid'), limiter.take('mid')]).toEqual([false, true, true]);
  });
});

describe('createMinuteLimiter', () => {
  it('counts per sliding minute', () => {
    const c = clock();
    const limiter = createMinuteLimiter(1, c.now);
    expect([limiter.take('host'), limiter.take('host')]).toEqual([true, false]);
    c.advance(59_999);
    expect(limiter.take('host')).toBe(false);
    c.advance(1);
    expect(limiter.take('host')).toBe(true);
  });
});
