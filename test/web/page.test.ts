// The cache of rendered pages: bounded by entries and by bytes, the compressed forms a page gains
// after it was stored counted too.
import { describe, expect, it } from 'vitest';
import { PageCache, toRenderedPage, type RenderedPage } from '../../src/web/page.ts';

const page = (bytes: number, at = 0): RenderedPage => toRenderedPage('x'.repeat(bytes), null, at);

describe('PageCache', () => {
  it('keeps a page for its time and renders it again after', async () => {
    const cache = new PageCache(1000, 10, 1_000_000);
    const first = await cache.get('a', 0, () => page(10));
    expect(await cache.get('a', 999, () => page(20))).toBe(first);
    expect((await cache.get('a', 1000, () => page(20))).body.length).toBe(20);
  });

  it('drops the least recently used page beyond its entries', async () => {
    const cache = new PageCache(60_000, 2, 1_000_000);
    const a = await cache.get('a', 0, () => page(1));
    await cache.get('b', 0, () => page(1));
    await cache.get('a', 0, () => page(1));
    await cache.get('c', 0, () => page(1));
    expect(cache.size).toBe(2);
    expect(await cache.get('a', 0, () => page(2))).toBe(a);
    expect((await cache.get('b', 0, () => page(2))).body.length).toBe(2);
  });

  it('counts the compressed forms a kept page gained towards its bytes', async () => {
    const cache = new PageCache(60_000, 10, 3000);
    const a = await cache.get('a', 0, () => page(1000));
    // Compressed after it was stored (sendKept), in two codings.
    a.encodedBytes = 1500;
    await cache.get('b', 0, () => page(1000));
    expect(cache.size).toBe(1);
    expect(await cache.get('a', 0, () => page(1))).not.toBe(a);
  });

  it('keeps the newest page even when it alone is over the bytes', async () => {
    const cache = new PageCache(60_000, 10, 100);
    const big = await cache.get('big', 0, () => page(500));
    expect(cache.size).toBe(1);
    expect(await cache.get('big', 0, () => page(1))).toBe(big);
  });
});
