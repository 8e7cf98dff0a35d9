// How many items of one feed a poll reads: the newest `max` (by their dates; undated items keep
// their place after the dated ones), so a feed of 17,500 items costs a poll of `max`, and the
// rest is only counted. Pure.
import type { FeedItem } from '../reader/types.ts';

/** Picks the newest `max` items of a feed; `skipped` counts the older ones left out. */
export function newestItems(items: FeedItem[], max: number): { items: FeedItem[]; skipped: number } {
  if (items.length <= max) return { items, skipped: 0 };
  const time = (i: FeedItem) => {
    const t = Date.parse(i.publishedAt ?? i.updatedAt ?? '');
    return Number.isNaN(t) ? -Infinity : t;
  };
  // Sort positions, not items: the order among equal dates (and undated items) stays the feed's.
  const order = items.map((item, index) => ({ index, t: time(item) }));
  order.sort((a, b) => (b.t === a.t ? a.index - b.index : b.t > a.t ? 1 : -1));
  const kept = new Set(order.slice(0, max).map((o) => o.index));
  return { items: items.filter((_, i) => kept.has(i)), skipped: items.length - max };
}
