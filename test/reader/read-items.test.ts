import { describe, expect, it } from 'vitest';
import { itemHashOf } from '../../src/reader/entry-draft.ts';
import { parseFeed } from '../../src/reader/parse-feed.ts';
import { readItemsHere, type KnownItems, type ReadItemsRequest } from '../../src/reader/read-items.ts';
import { rssFeed } from '../support/blog-pages.ts';

const origin = 'http://blog.example';
const url = `${origin}/feed/`;
const type = 'application/rss+xml; charset=UTF-8';
const at = new Date('2026-03-01T12:00:00Z');

const post = (id: number) => ({ id, slug: `beitrag-${id}`, title: `Beitrag ${id}`, body: `<p>Über „Dies“ und <a href="${origin}/2008/11/beitrag-${id - 1}/">das Davor</a>.</p>`, date: `Mon, ${String(id).padStart(2, '0')} Nov 2008 10:00:00 +0100` });
const posts = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, k) => post(to - k));

const request = (known: KnownItems | null, skipUpTo = 50): ReadItemsRequest => ({ kind: 'post', scope: 'feed:', at, draftUpTo: 0, digests: { known, skipUpTo } });
const body = (xml: string) => Buffer.from(xml);

describe('readItemsHere', () => {
  it('reads only the new post of a feed read before, as the whole feed reads it', async () => {
    const before = rssFeed(origin, posts(1, 10));
    const first = await readItemsHere(body(before), type, url, request(null));
    expect(first.digests?.items).toHaveLength(10);
    expect(first.digests?.skipped).toEqual([]);

    // One new post; the oldest drops out; the channel's lastBuildDate moves.
    const after = rssFeed(origin, posts(2, 11)).replace('Mon, 17 Nov 2008', 'Tue, 18 Nov 2008');
    const known = { context: first.digests!.context, digests: first.digests!.items.flatMap((d) => d ?? []) };
    const second = await readItemsHere(body(after), type, url, request(known));
    const whole = await parseFeed(after, url);
    expect(second.feed.items).toEqual([whole.items[0]]);
    expect(second.itemHashes).toEqual([itemHashOf(whole.items[0]!, 'post', 'feed:', at)]);
    expect(second.digests?.skipped).toHaveLength(9);
    expect(second.digests?.context).toBe(first.digests!.context);
    expect({ ...second.feed, items: [] }).toEqual({ ...whole, items: [] });
  });

  it('reads every item when the context changed, the feed is longer than the cap, or nothing is known', async () => {
    const xml = rssFeed(origin, posts(1, 5));
    const first = await readItemsHere(body(xml), type, url, request(null));
    const known = { context: first.digests!.context, digests: first.digests!.items.flatMap((d) => d ?? []) };
    expect((await readItemsHere(body(xml), type, url, request(known))).feed.items).toEqual([]);
    // Another language, the same items: each item's language may be the feed's.
    expect((await readItemsHere(body(xml.replace('<language>de-DE</language>', '<language>en</language>')), type, url, request(known))).feed.items).toHaveLength(5);
    // Another URL: relative links resolve against it.
    expect((await readItemsHere(body(xml), type, `${origin}/other/`, request(known))).feed.items).toHaveLength(5);
    expect((await readItemsHere(body(xml), type, url, request(known, 4))).feed.items).toHaveLength(5);
    expect((await readItemsHere(body(xml), type, url, request({ context: 'anderer', digests: known.digests }))).feed.items).toHaveLength(5);
  });

  it('never records an item whose hash changes with time, nor a repaired document', async () => {
    const future = rssFeed(origin, [post(2), { ...post(1), date: 'Mon, 10 Nov 2099 10:00:00 +0100' }]);
    const read = await readItemsHere(body(future), type, url, request(null));
    expect(read.digests?.items.map((d) => d !== null)).toEqual([true, false]);
    const repaired = rssFeed(origin, [post(2), { ...post(1), title: 'Dies & Das' }]);
    const whole = await readItemsHere(body(repaired), type, url, request(null));
    expect(whole.digests).toBeNull();
    expect(whole.feed).toEqual(await parseFeed(repaired, url));
    expect(whole.feed.warnings).toEqual(['escaped 1 bare ampersand']);
  });

  it('reads the whole feed when what is left to read needs a repair', async () => {
    const first = await readItemsHere(body(rssFeed(origin, posts(1, 3))), type, url, request(null));
    const known = { context: first.digests!.context, digests: first.digests!.items.flatMap((d) => d ?? []) };
    const broken = rssFeed(origin, [{ ...post(4), title: 'Dies & Das' }, ...posts(1, 3)]);
    const read = await readItemsHere(body(broken), type, url, request(known));
    expect(read.feed).toEqual(await parseFeed(broken, url));
    expect(read.digests).toBeNull();
  });

  it('reads as before without digests asked, and a JSON Feed with none', async () => {
    const xml = rssFeed(origin, posts(1, 2));
    const plain = await readItemsHere(body(xml), type, url, { kind: 'post', scope: 'feed:', at, draftUpTo: 0 });
    expect(plain.digests).toBeNull();
    expect(plain.feed).toEqual(await parseFeed(xml, url));
    const json = JSON.stringify({ version: 'https://jsonfeed.org/version/1.1', title: 'J', items: [{ id: '1', content_html: '<item>x</item>' }, { id: '2', content_text: 'y' }] });
    const read = await readItemsHere(body(json), 'application/feed+json', url, request(null));
    expect(read.digests).toBeNull();
    expect(read.feed.items).toHaveLength(2);
  });
});
