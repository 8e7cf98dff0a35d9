import Parser from 'rss-parser';
import { describe, expect, it } from 'vitest';
import { atomNamespace, threadNamespace } from '../../src/feeds/atom.ts';
import { renderRss } from '../../src/feeds/rss.ts';
import { tombstoneNote } from '../../src/feeds/tombstone.ts';
import { feedContentTypes } from '../../src/feeds/types.ts';
import { parseFeed } from '../../src/reader/parse-feed.ts';
import { hostileCases } from './hostile.ts';
import { buildFeed, buildItem, sampleItems } from './sample-feed.ts';
import { childrenOf, onlyChild, parseStrictXml, type XmlNode } from './strict-xml.ts';

const dc = 'http://purl.org/dc/elements/1.1/';
const wfw = 'http://wellformedweb.org/CommentAPI/';
const slash = 'http://purl.org/rss/1.0/modules/slash/';
// RFC 822 as RSS 2.0 uses it, with a four-digit year (RFC 1123).
const rfc822 = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$/;
const parser = new Parser({
  customFields: { item: ['thr:in-reply-to', 'wfw:commentRss', 'slash:comments', 'comments', ['source', 'source', { keepArray: true }]] },
});

function channelOf(text: string): XmlNode {
  const root = parseStrictXml(text);
  expect(root.local).toBe('rss');
  expect(root.attributes.version).toBe('2.0');
  return onlyChild(root, '', 'channel');
}

const itemsOf = (text: string) => childrenOf(channelOf(text), '', 'item');
const textOf = (node: XmlNode, uri: string, local: string) => onlyChild(node, uri, local).text;

describe('renderRss', () => {
  it('has the channel elements RSS 2.0 requires, with atom:link self and hub', () => {
    const channel = channelOf(renderRss(buildFeed('rss')));
    expect(textOf(channel, '', 'title')).toBe('Social Media Camp – ein kleiner Exkurs');
    expect(textOf(channel, '', 'link')).toBe('https://palaver.example/c/12');
    expect(textOf(channel, '', 'description')).toBe('Eine Debatte über drei Blogs');
    expect(textOf(channel, '', 'language')).toBe('de');
    expect(textOf(channel, '', 'lastBuildDate')).toBe('Sat, 07 Jun 2008 08:00:00 GMT');
    expect(childrenOf(channel, atomNamespace, 'link').map((l) => l.attributes)).toEqual([
      { rel: 'self', type: 'application/rss+xml', href: 'https://palaver.example/c/12/feed.rss' },
      { rel: 'hub', href: 'https://palaver.example/websub' },
    ]);
  });

  it('gives every item a title, link, non-permalink guid, RFC 822 pubDate and description', () => {
    const items = itemsOf(renderRss(buildFeed('rss')));
    expect(items).toHaveLength(sampleItems.length);
    items.forEach((item, i) => {
      const guid = onlyChild(item, '', 'guid');
      expect(guid.text).toBe(sampleItems[i]!.id);
      expect(guid.attributes.isPermaLink).toBe('false');
      expect(textOf(item, '', 'title').length).toBeGreaterThan(0);
      expect(textOf(item, '', 'link')).toMatch(/^https?:\/\//);
      expect(textOf(item, '', 'pubDate')).toMatch(rfc822);
      expect(textOf(item, '', 'description').length).toBeGreaterThan(0);
    });
  });

  it('round-trips through rss-parser with every guid, title, link and date intact', async () => {
    const parsed = await parser.parseString(renderRss(buildFeed('rss')));
    expect(parsed.title).toBe('Social Media Camp – ein kleiner Exkurs');
    expect(parsed.link).toBe('https://palaver.example/c/12');
    expect(parsed.feedUrl).toBe('https://palaver.example/c/12/feed.rss');
    expect(parsed.items.map((i) => i.guid)).toEqual(sampleItems.map((i) => i.id));
    expect(parsed.items.map((i) => i.title)).toEqual(sampleItems.map((i) => (i.tombstone ? `[removed] ${i.title}` : i.title)));
    expect(parsed.items.map((i) => i.link)).toEqual(sampleItems.map((i) => i.url ?? i.conversation.url));
    expect(parsed.items.map((i) => i.isoDate)).toEqual(sampleItems.map((i) => new Date(i.publishedAt).toISOString()));
    expect(parsed.items.map((i) => i.creator)).toEqual([
      'planetsab', 'Sachar', 'Blogwoche', 'Freitag', 'planetsab', 'Jens Best', 'planetsab', 'Sachar',
    ]);
  });

  it('carries comments, wfw:commentRss, slash:comments and thr:in-reply-to readable by rss-parser', async () => {
    const parsed = await parser.parseString(renderRss(buildFeed('rss')));
    const exkurs = parsed.items.find((i) => i.guid === 'tag:palaver.example,2026:entry/2')!;
    expect(exkurs.comments).toBe('http://planetsab.example/2008/06/social-media-camp-ein-kleiner-exkurs/#comments');
    expect(exkurs['wfw:commentRss']).toBe('http://planetsab.example/2008/06/social-media-camp-ein-kleiner-exkurs/feed/atom/');
    expect(exkurs['slash:comments']).toBe('4');
    expect(exkurs['thr:in-reply-to']).toEqual({
      $: { ref: 'tag:palaver.example,2026:entry/1', href: 'http://sachar.example/2008/06/social-media-camp/', type: 'text/html' },
    });
    expect(exkurs.source).toEqual([{ _: 'planetsab', $: { url: 'http://planetsab.example/feed/' } }]);
  });

  it('round-trips threading and comment counts through Palaver\'s own reader', async () => {
    const parsed = await parseFeed(renderRss(buildFeed('rss')), 'https://palaver.example/c/12/feed.rss');
    expect(parsed.format).toBe('rss');
    expect(parsed.items.map((i) => i.guid)).toEqual(sampleItems.map((i) => i.id));
    expect(parsed.items.map((i) => i.publishedAt)).toEqual(sampleItems.map((i) => new Date(i.publishedAt).toISOString()));
    const post = parsed.items.find((i) => i.guid === 'tag:palaver.example,2026:entry/1')!;
    expect(post.commentCount).toBe(2);
    expect(post.commentsPageUrl).toBe('http://sachar.example/2008/06/social-media-camp/#comments');
    expect(post.commentFeeds.map((f) => f.url)).toEqual(['http://sachar.example/2008/06/social-media-camp/feed/atom/']);
    const reply = parsed.items.find((i) => i.guid === 'tag:palaver.example,2026:entry/4')!;
    expect(reply.inReplyTo).toEqual([
      { ref: 'tag:palaver.example,2026:entry/3', href: 'http://planetsab.example/2008/06/social-media-camp-ein-kleiner-exkurs/#comment-3' },
    ]);
  });

  it('names kind, every channel and a tombstone as categories with a domain', () => {
    const items = itemsOf(renderRss(buildFeed('rss')));
    const base = 'https://palaver.example/docs/json-feed-extension';
    const categories = (item: XmlNode) => childrenOf(item, '', 'category').map((c) => `${c.attributes.domain} ${c.text}`);
    expect(categories(items[3]!)).toEqual([`${base}#kind post`, `${base}#via feed`, `${base}#via pingback`]);
    expect(categories(items[1]!)).toEqual([`${base}#kind comment`, `${base}#via comment-feed`, `${base}#status tombstone`]);
  });

  it('writes the blog as source, naming its feed or else its home page', () => {
    const items = itemsOf(renderRss(buildFeed('rss')));
    const source = (i: number) => {
      const node = onlyChild(items[i]!, '', 'source');
      return [node.attributes.url, node.text];
    };
    expect(source(5)).toEqual(['http://planetsab.example/feed/', 'planetsab']);
    expect(source(3)).toEqual(['https://freitag.example/', 'Freitag – Das Meinungsmedium']);
  });

  it('writes dc:creator (never an RSS author without e-mail) and dc:language only where it differs', () => {
    const items = itemsOf(renderRss(buildFeed('rss')));
    expect(items.map((i) => childrenOf(i, '', 'author').length)).toEqual(items.map(() => 0));
    expect(textOf(items[5]!, dc, 'creator')).toBe('Jens Best');
    expect(childrenOf(items[5]!, dc, 'language')).toEqual([]);
    expect(textOf(items[6]!, dc, 'language')).toBe('de-DE');
  });

  it('writes the comment elements only for items with replies', () => {
    const items = itemsOf(renderRss(buildFeed('rss')));
    expect(items.map((i) => childrenOf(i, wfw, 'commentRss').length)).toEqual([0, 0, 0, 0, 0, 0, 1, 1]);
    expect(textOf(items[7]!, slash, 'comments')).toBe('2');
    expect(childrenOf(items[7]!, threadNamespace, 'in-reply-to')).toEqual([]);
  });

  it('puts the summary, escaped as HTML, in the description of an item without content', () => {
    const feed = buildFeed('rss', { items: [buildItem({ id: 'a', summaryText: 'A < B & „C“' })] });
    expect(textOf(itemsOf(renderRss(feed))[0]!, '', 'description')).toBe('<p>A &lt; B &amp; „C“</p>');
  });

  it('replaces a tombstone\'s words with the note', () => {
    const text = renderRss(buildFeed('rss'));
    const item = itemsOf(text)[1]!;
    expect(textOf(item, '', 'title')).toBe("[removed] Sachar on 'Gestrichen'");
    expect(textOf(item, '', 'description')).toBe(`<p>${tombstoneNote}</p>`);
    expect(text).not.toContain('Words the author took down');
  });

  it('uses the title as description of a channel without subtitle and leaves out hub and language when absent', () => {
    const channel = channelOf(renderRss(buildFeed('rss', { subtitle: null, hubUrl: null, lang: null, items: [] })));
    expect(textOf(channel, '', 'description')).toBe('Social Media Camp – ein kleiner Exkurs');
    expect(childrenOf(channel, atomNamespace, 'link').map((l) => l.attributes.rel)).toEqual(['self']);
    expect(childrenOf(channel, '', 'language')).toEqual([]);
    expect(childrenOf(channel, '', 'item')).toEqual([]);
  });

  it('is served as application/rss+xml in UTF-8', () => {
    expect(feedContentTypes.rss).toBe('application/rss+xml; charset=utf-8');
  });

  describe('with hostile text', () => {
    for (const { name, input, expected } of hostileCases) {
      it(`keeps ${name} as text in title, description, creator and URLs`, async () => {
        const url = `https://evil.example/?q=${input}`;
        const item = buildItem({ id: input, url, title: input, contentHtml: input, authorName: input });
        const text = renderRss(buildFeed('rss', { title: input, items: [item] }));
        expect(text).not.toMatch(/<script|<evil|<!\[CDATA\[/);
        const channel = channelOf(text);
        expect(textOf(channel, '', 'title')).toBe(expected);
        const node = onlyChild(channel, '', 'item');
        expect(textOf(node, '', 'guid')).toBe(expected);
        expect(textOf(node, '', 'title')).toBe(expected);
        expect(textOf(node, '', 'description')).toBe(expected);
        expect(textOf(node, dc, 'creator')).toBe(expected.trim());
        expect(textOf(node, '', 'link')).toBe(`https://evil.example/?q=${expected}`);
        const parsed = await parser.parseString(text);
        expect(parsed.items[0]!.title).toBe(expected);
      });
    }
  });
});
