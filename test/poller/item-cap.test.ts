import { describe, expect, it } from 'vitest';
import { newestItems } from '../../src/poller/item-cap.ts';
import type { FeedItem } from '../../src/reader/types.ts';

const item = (id: string, publishedAt: string | null) => ({ guid: id, publishedAt, updatedAt: null }) as unknown as FeedItem;
const ids = (items: FeedItem[]) => items.map((i) => (i as unknown as { guid: string }).guid);

describe('newestItems', () => {
  it('keeps a feed within the cap as it is', () => {
    const items = [item('a', '2026-01-01'), item('b', null)];
    expect(newestItems(items, 5)).toEqual({ items, skipped: 0 });
  });

  it('keeps the newest by date whatever the feed order, in the feed order, and counts the rest', () => {
    const items = [item('old', '2020-01-01'), item('new', '2026-01-01'), item('mid', '2023-01-01'), item('older', '2019-01-01')];
    const { items: kept, skipped } = newestItems(items, 2);
    expect(ids(kept)).toEqual(['new', 'mid']);
    expect(skipped).toBe(2);
  });

  it('leaves undated items out before dated ones, and keeps the feed order among undated ones', () => {
    expect(ids(newestItems([item('u1', null), item('d', '2026-01-01'), item('u2', null)], 2).items)).toEqual(['u1', 'd']);
    expect(ids(newestItems([item('u1', null), item('u2', null), item('u3', null)], 2).items)).toEqual(['u1', 'u2']);
  });
});
