import Parser from 'rss-parser';
import { describe, expect, it } from 'vitest';
import { atomNamespace, renderAtom, threadNamespace } from '../../src/feeds/atom.ts';
import { tombstoneNote } from '../../src/feeds/tombstone.ts';
import { feedContentTypes } from '../../src/feeds/types.ts';
import { parseFeed } from '../../src/reader/parse-feed.ts';
import { hostileCases } from './hostile.ts';
import { buildFeed, buildItem, sampleItems } from './sample-feed.ts';
import { childrenOf, onlyChild, parseStrictXml, xmlNamespace, type XmlNode } from './strict-xml.ts';

const rfc3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const atom = (node: XmlNode, local: string) => childrenOf(node, atomNamespace, local);
// rss-parser's item type knows RSS fields only; Atom entries also carry these.
interface AtomItem {
  id: string;
  author?: string;
  'thr:in-reply-to'?: unknown;
  'thr:total'?: string;
}
const parser = new Parser<object, AtomItem>({ customFields: { item: ['thr:in-reply-to', 'thr:total'] } });

function entriesOf(text: string): XmlNode[] {
  return atom(parseStrictXml(text), 'entry');
}

describe('renderAtom', () => {
  it('writes a well-formed document whose root is an Atom feed in the feed language', () => {
    const root = parseStrictXml(renderAtom(buildFeed('atom')));
    expect(root.uri).toBe(atomNamespace);
    expect(root.local).toBe('feed');
    expect(root.attributes[`{${xmlNamespace}}lang`]).toBe('de');
  });

  it('has the feed elements RFC 4287 requires, with self, alternate and hub links', () => {
    const root = parseStrictXml(renderAtom(buildFeed('atom')));
    expect(onlyChild(root, atomNamespace, 'id').text).toBe('https://palaver.example/c/12');
    expect(onlyChild(root, atomNamespace, 'title').text).toBe('Social Media Camp – ein kleiner Exkurs');
    expect(onlyChild(root, atomNamespace, 'updated').text).toMatch(rfc3339);
    const links = atom(root, 'link').map((l) => [l.attributes.rel, l.attributes.href]);
    expect(links).toEqual([
      ['alternate', 'https://palaver.example/c/12'],
      ['self', 'https://palaver.example/c/12/feed.atom'],
      ['hub', 'https://palaver.example/websub'],
    ]);
    const generator = onlyChild(root, atomNamespace, 'generator');
    expect(generator.text).toBe('Palaver');
    expect(generator.attributes).toEqual({ uri: 'https://palaver.example', version: '0.1.0' });
  });

  it('gives every entry one id, title and updated, an author with a name, and content or an alternate link', () => {
    const entries = entriesOf(renderAtom(buildFeed('atom')));
    expect(entries).toHaveLength(sampleItems.length);
    for (const entry of entries) {
      expect(onlyChild(entry, atomNamespace, 'id').text).toMatch(/^tag:palaver\.example,2026:entry\/\d+$/);
      expect(onlyChild(entry, atomNamespace, 'title').text.length).toBeGreaterThan(0);
      expect(onlyChild(entry, atomNamespace, 'updated').text).toMatch(rfc3339);
      expect(onlyChild(entry, atomNamespace, 'published').text).toMatch(rfc3339);
      const author = onlyChild(entry, atomNamespace, 'author');
      expect(onlyChild(author, atomNamespace, 'name').text.trim()).not.toBe('');
      const alternates = atom(entry, 'link').filter((l) => l.attributes.rel === 'alternate');
      expect(alternates).toHaveLength(1);
      expect(atom(entry, 'content').length).toBeLessThanOrEqual(1);
    }
    expect(new Set(entries.map((e) => onlyChild(e, atomNamespace, 'id').text)).size).toBe(entries.length);
  });

  it('round-trips through rss-parser with every id, title, link and date intact', async () => {
    const parsed = await parser.parseString(renderAtom(buildFeed('atom')));
    expect(parsed.title).toBe('Social Media Camp – ein kleiner Exkurs');
    expect(parsed.link).toBe('https://palaver.example/c/12');
    expect(parsed.feedUrl).toBe('https://palaver.example/c/12/feed.atom');
    expect(parsed.items.map((i) => i.id)).toEqual(sampleItems.map((i) => i.id));
    expect(parsed.items.map((i) => i.title)).toEqual(
      sampleItems.map((i) => (i.tombstone ? `[removed] ${i.title}` : i.title)),
    );
    expect(parsed.items.map((i) => i.link)).toEqual(sampleItems.map((i) => i.url ?? i.conversation.url));
    expect(parsed.items.map((i) => i.isoDate)).toEqual(sampleItems.map((i) => new Date(i.publishedAt).toISOString()));
    expect(parsed.items.map((i) => i.author)).toEqual([
      'planetsab', 'Sachar', 'Blogwoche', 'Freitag', 'planetsab', 'Jens Best', 'planetsab', 'Sachar',
    ]);
  });

  it('carries thr:in-reply-to and thr:total readable by rss-parser', async () => {
    const parsed = await parser.parseString(renderAtom(buildFeed('atom')));
    const jens = parsed.items.find((i) => i.id === 'tag:palaver.example,2026:entry/3')!;
    expect(jens['thr:in-reply-to']).toEqual({
      $: { ref: 'tag:palaver.example,2026:entry/2', href: 'http://planetsab.example/2008/06/social-media-camp-ein-kleiner-exkurs/', type: 'text/html' },
    });
    const exkurs = parsed.items.find((i) => i.id === 'tag:palaver.example,2026:entry/2')!;
    expect(exkurs['thr:total']).toBe('4');
    const root = parsed.items.find((i) => i.id === 'tag:palaver.example,2026:entry/1')!;
    expect(root['thr:in-reply-to']).toBeUndefined();
  });

  it('round-trips threading, comment feeds and languages through Palaver\'s own reader', async () => {
    const parsed = await parseFeed(renderAtom(buildFeed('atom')), 'https://palaver.example/c/12/feed.atom');
    expect(parsed.format).toBe('atom');
    expect(parsed.items.map((i) => i.guid)).toEqual(sampleItems.map((i) => i.id));
    const reply = parsed.items.find((i) => i.guid === 'tag:palaver.example,2026:entry/4')!;
    expect(reply.inReplyTo).toEqual([
      { ref: 'tag:palaver.example,2026:entry/3', href: 'http://planetsab.example/2008/06/social-media-camp-ein-kleiner-exkurs/#comment-3' },
    ]);
    expect(reply.lang).toBe('de');
    expect(reply.authorUrl).toBe('http://planetsab.example/');
    const post = parsed.items.find((i) => i.guid === 'tag:palaver.example,2026:entry/2')!;
    expect(post.commentCount).toBe(4);
    expect(post.commentFeeds).toContainEqual({
      url: 'http://planetsab.example/2008/06/social-media-camp-ein-kleiner-exkurs/feed/atom/',
      type: 'application/atom+xml',
    });
    expect(post.updatedAt).toBe('2008-06-04T07:00:00.000Z');
  });

  it('writes the replies links with thr:count per RFC 4685', () => {
    const entry = entriesOf(renderAtom(buildFeed('atom')))[6]!;
    const replies = atom(entry, 'link').filter((l) => l.attributes.rel === 'replies');
    expect(replies.map((l) => [l.attributes.type, l.attributes.href, l.attributes[`{${threadNamespace}}count`]])).toEqual([
      ['application/atom+xml', 'http://planetsab.example/2008/06/social-media-camp-ein-kleiner-exkurs/feed/atom/', '4'],
      ['text/html', 'http://planetsab.example/2008/06/social-media-camp-ein-kleiner-exkurs/#comments', '4'],
    ]);
  });

  it('names kind, every channel and a tombstone as categories with a scheme', () => {
    const entries = entriesOf(renderAtom(buildFeed('atom')));
    const categories = (entry: XmlNode) => atom(entry, 'category').map((c) => `${c.attributes.scheme} ${c.attributes.term}`);
    const base = 'https://palaver.example/docs/json-feed-extension';
    expect(categories(entries[3]!)).toEqual([`${base}#kind post`, `${base}#via feed`, `${base}#via pingback`]);
    expect(categories(entries[1]!)).toEqual([`${base}#kind comment`, `${base}#via comment-feed`, `${base}#status tombstone`]);
  });

  it('writes the blog as atom:source with id, title and links', () => {
    const source = onlyChild(entriesOf(renderAtom(buildFeed('atom')))[3]!, atomNamespace, 'source');
    expect(onlyChild(source, atomNamespace, 'id').text).toBe('https://freitag.example/');
    expect(onlyChild(source, atomNamespace, 'title').text).toBe('Freitag – Das Meinungsmedium');
    expect(atom(source, 'link').map((l) => l.attributes.rel)).toEqual(['alternate']);
  });

  it('credits a ping without an author name to its blog', () => {
    const author = onlyChild(entriesOf(renderAtom(buildFeed('atom')))[2]!, atomNamespace, 'author');
    expect(onlyChild(author, atomNamespace, 'name').text).toBe('Blogwoche');
    expect(onlyChild(author, atomNamespace, 'uri').text).toBe('http://blogwoche.example/');
  });

  it('replaces a tombstone\'s words with the note and keeps its id, link and threading', () => {
    const entry = entriesOf(renderAtom(buildFeed('atom')))[1]!;
    expect(onlyChild(entry, atomNamespace, 'id').text).toBe('tag:palaver.example,2026:entry/7');
    expect(onlyChild(entry, atomNamespace, 'title').text).toBe("[removed] Sachar on 'Gestrichen'");
    expect(onlyChild(entry, atomNamespace, 'content').text).toBe(`<p>${tombstoneNote}</p>`);
    expect(onlyChild(entry, atomNamespace, 'summary').text).toBe(tombstoneNote);
    expect(onlyChild(entry, threadNamespace, 'in-reply-to').attributes.ref).toBe('tag:palaver.example,2026:entry/1');
    expect(renderAtom(buildFeed('atom'))).not.toContain('Words the author took down');
  });

  it('writes xml:lang on entries only for well-formed language tags', () => {
    const feed = buildFeed('atom', {
      lang: 'de"><x',
      items: [buildItem({ id: 'a', lang: 'de-AT' }), buildItem({ id: 'b', lang: 'not a tag' })],
    });
    const root = parseStrictXml(renderAtom(feed));
    expect(root.attributes[`{${xmlNamespace}}lang`]).toBeUndefined();
    expect(atom(root, 'entry').map((e) => e.attributes[`{${xmlNamespace}}lang`])).toEqual(['de-AT', undefined]);
  });

  it('leaves out the hub link and the subtitle when there are none, and writes a feed without entries', () => {
    const root = parseStrictXml(renderAtom(buildFeed('atom', { hubUrl: null, subtitle: null, items: [] })));
    expect(atom(root, 'link').map((l) => l.attributes.rel)).toEqual(['alternate', 'self']);
    expect(atom(root, 'subtitle')).toEqual([]);
    expect(atom(root, 'entry')).toEqual([]);
  });

  it('refuses a date that does not parse instead of writing an invalid feed', () => {
    expect(() => renderAtom(buildFeed('atom', { items: [buildItem({ id: 'x', publishedAt: 'gestern' })] }))).toThrow(/invalid date "gestern"/);
  });

  it('is served as application/atom+xml in UTF-8', () => {
    expect(feedContentTypes.atom).toBe('application/atom+xml; charset=utf-8');
    expect(renderAtom(buildFeed('atom'))).toMatch(/^<\?xml version="1\.0" encoding="utf-8"\?>\n/);
  });

  describe('with hostile text', () => {
    for (const { name, input, expected } of hostileCases) {
      it(`keeps ${name} as text in title, content, author and URLs`, async () => {
        const url = `https://evil.example/?q=${input}`;
        const item = buildItem({ id: `tag:x,2026:${input}`, url, title: input, contentHtml: input, summaryText: input, authorName: input, authorUrl: url });
        const text = renderAtom(buildFeed('atom', { title: input, items: [item] }));
        expect(text).not.toMatch(/<script|<evil|<!\[CDATA\[/);
        const root = parseStrictXml(text);
        expect(onlyChild(root, atomNamespace, 'title').text).toBe(expected);
        const entry = onlyChild(root, atomNamespace, 'entry');
        expect(onlyChild(entry, atomNamespace, 'id').text).toBe(`tag:x,2026:${expected}`);
        expect(onlyChild(entry, atomNamespace, 'title').text).toBe(expected);
        expect(onlyChild(entry, atomNamespace, 'content').text).toBe(expected);
        expect(onlyChild(entry, atomNamespace, 'summary').text).toBe(expected);
        expect(atom(entry, 'link')[0]!.attributes.href).toBe(`https://evil.example/?q=${expected}`);
        const parsed = await parser.parseString(text);
        expect(parsed.items[0]!.title).toBe(expected);
      });
    }
  });
});
