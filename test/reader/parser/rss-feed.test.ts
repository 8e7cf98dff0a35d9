import { describe, expect, it } from 'vitest';
import { parseRssFeed } from '../../../src/reader/parser/rss-feed.ts';
import { readPrologue, type RootTag } from '../../../src/reader/parser/sniff.ts';

const feedUrl = 'http://fetched.example/feed/';

function rootOf(text: string): RootTag {
  const prologue = readPrologue(text);
  if (prologue.kind !== 'element') throw new Error('no root element');
  return prologue.root;
}

const parse = (text: string, format: 'rss' | 'rdf' = 'rss') => parseRssFeed(text, format, rootOf(text), feedUrl);
const channel = (inner: string, rootAttributes = '') =>
  `<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:content="http://purl.org/rss/1.0/modules/content/"${rootAttributes}><channel><title>t</title>${inner}</channel></rss>`;

describe('parseRssFeed', () => {
  it('names an item by its guid, else its rdf:about, else an Atom id', async () => {
    const feed = await parse(
      `<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"><channel rdf:about="http://a.example/"><title>t</title></channel>
        <item rdf:about="http://a.example/about"><guid>guid-1</guid><title>both</title></item>
        <item rdf:about="http://a.example/about-only"><title>about</title></item></rdf:RDF>`,
      'rdf',
    );
    expect(feed.format).toBe('rdf');
    expect(feed.items.map((i) => [i.guid, i.url])).toEqual([
      ['guid-1', 'http://a.example/about'],
      ['http://a.example/about-only', 'http://a.example/about-only'],
    ]);
  });

  it('takes the link from its text, else an alternate atom:link, else a permalink guid, never a guid that is no permalink', async () => {
    const feed = await parse(
      channel(`
        <item><link>http://a.example/text</link><atom:link rel="alternate" href="http://a.example/atom"/><guid>http://a.example/guid</guid></item>
        <item><atom:link rel="alternate" href="http://a.example/atom"/><guid>http://a.example/guid</guid></item>
        <item><guid>http://a.example/guid</guid></item>
        <item><guid isPermaLink="false">http://a.example/not-a-page</guid></item>
        <item><guid>abc123</guid></item>`),
    );
    expect(feed.items.map((i) => i.url)).toEqual(['http://a.example/text', 'http://a.example/atom', 'http://a.example/guid', null, null]);
  });

  it('reads content:encoded as the content and the description as the summary, both HTML unless typed', async () => {
    const feed = await parse(
      channel(`<item><title>a &lt;b&gt;bold&lt;/b&gt; title</title><description>&lt;p&gt;short&lt;/p&gt;</description><content:encoded><![CDATA[<p>long</p>]]></content:encoded></item>`),
    );
    expect(feed.items[0]).toMatchObject({ title: 'a bold title', summaryHtml: '<p>short</p>', contentHtml: '<p>long</p>' });
  });

  it("reads xml:base and xml:lang off the root tag, the channel's own language first", async () => {
    const root = ' xml:base="http://base.example/blog/" xml:lang="de"';
    const feed = await parse(channel('<item><link>post/1</link></item>', root));
    expect([feed.lang, feed.items[0]?.url, feed.items[0]?.lang]).toEqual(['de', 'http://base.example/blog/post/1', 'de']);
    const own = await parse(channel('<language>fr</language><item><link>post/1</link></item>', root));
    expect([own.lang, own.items[0]?.lang]).toEqual(['fr', 'fr']);
  });

  it('gathers items outside <channel> and answers a feed without a channel as empty, saying so', async () => {
    const stray = await parse('<rss version="0.91"><channel><title>t</title></channel><item><title>outside</title><link>http://a.example/1</link></item></rss>');
    expect([stray.items.map((i) => i.title), stray.warnings]).toEqual([['outside'], ['read items that stand outside <channel>']]);
    const empty = await parse('<rss version="0.91"></rss>');
    expect([empty.items, empty.title, empty.warnings]).toEqual([[], null, ['the feed has no channel']]);
  });
});
