import Parser from 'rss-parser';
import { describe, expect, it } from 'vitest';
import { renderAtom } from '../../src/feeds/atom.ts';
import { renderJsonFeed } from '../../src/feeds/json-feed.ts';
import { renderRss } from '../../src/feeds/rss.ts';
import type { OutFeed, OutItem } from '../../src/feeds/types.ts';
import { parseFeed } from '../../src/reader/parse-feed.ts';
import { buildFeed, buildItem, publicUrl, sampleItems } from './sample-feed.ts';
import { parseStrictXml } from './strict-xml.ts';

const writers = { atom: renderAtom, rss: renderRss, json: renderJsonFeed } as const;
type Format = keyof typeof writers;
const formats = Object.keys(writers) as Format[];

async function readBack(format: Format, feed: OutFeed) {
  return parseFeed(writers[format](feed), feed.selfUrl);
}

// The three scopes the routes serve differ only in what the caller puts into the feed.
const scopes: Record<string, Partial<OutFeed>> = {
  conversation: {},
  everything: { id: `${publicUrl}/`, homeUrl: `${publicUrl}/`, title: 'Palaver: alle Debatten', subtitle: null },
  blog: { id: `${publicUrl}/blogs/2`, homeUrl: `${publicUrl}/blogs/2`, title: 'planetsab', items: sampleItems.filter((i) => i.source?.title === 'planetsab') },
};

describe('the three writers', () => {
  for (const [scope, overrides] of Object.entries(scopes)) {
    for (const format of formats) {
      it(`round-trip the ${scope} feed as ${format} with ids, titles, links and dates intact`, async () => {
        const feed = buildFeed(format, { ...overrides, selfUrl: `${overrides.id ?? `${publicUrl}/c/12`}/feed.${format}` });
        const parsed = await readBack(format, feed);
        expect(parsed.title).toBe(feed.title);
        expect(parsed.homeUrl).toBe(feed.homeUrl);
        expect(parsed.items.map((i) => [i.guid, i.title, i.url, i.publishedAt])).toEqual(
          feed.items.map((i) => [i.id, i.tombstone ? `[removed] ${i.title}` : i.title, i.url ?? i.conversation.url, new Date(i.publishedAt).toISOString()]),
        );
      });
    }
  }

  it('write the same item ids before and after its conversation merges into another', async () => {
    const merged = (item: OutItem): OutItem => ({ ...item, conversation: { id: '3', url: `${publicUrl}/c/3` } });
    for (const format of formats) {
      const before = await readBack(format, buildFeed(format));
      const after = await readBack(format, buildFeed(format, { items: sampleItems.map(merged) }));
      expect(after.items.map((i) => i.guid)).toEqual(before.items.map((i) => i.guid));
      expect(after.items.map((i) => i.guid)).toEqual(sampleItems.map((i) => i.id));
    }
  });

  it('write a 500-item feed that strict parsers and rss-parser read whole', async () => {
    const items = Array.from({ length: 500 }, (_, n) =>
      buildItem({
        id: `tag:palaver.example,2026:entry/${1000 + n}`,
        url: `http://blog.example/2008/06/${n}/`,
        title: `Kommentar Nr. ${n} – „${'ä'.repeat(n % 7)}“`,
        kind: 'comment',
        via: ['comment-feed'],
        contentHtml: `<p>${'Text & mehr '.repeat(n % 20)}</p>`,
        publishedAt: new Date(Date.UTC(2008, 5, 3) + n * 60_000).toISOString(),
        updatedAt: new Date(Date.UTC(2008, 5, 3) + n * 60_000).toISOString(),
      }),
    );
    const parser = new Parser();
    for (const format of ['atom', 'rss'] as const) {
      const text = writers[format](buildFeed(format, { items }));
      expect(parseStrictXml(text).children.length).toBeGreaterThan(0);
      const parsed = await parser.parseString(text);
      expect(parsed.items.map((i) => i.title)).toEqual(items.map((i) => i.title));
    }
    expect((JSON.parse(renderJsonFeed(buildFeed('json', { items }))) as { items: unknown[] }).items).toHaveLength(500);
  });
});
