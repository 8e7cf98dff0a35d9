import { describe, expect, it } from 'vitest';
import { parseAtomFeed } from '../../../src/reader/parser/atom-feed.ts';
import { readPrologue, type RootTag } from '../../../src/reader/parser/sniff.ts';

const feedUrl = 'http://fetched.example/feed/';

function rootOf(text: string): RootTag {
  const prologue = readPrologue(text);
  if (prologue.kind !== 'element') throw new Error('no root element');
  return prologue.root;
}

const parse = (text: string) => parseAtomFeed(text, rootOf(text), feedUrl);
const feedOf = (inner: string) => `<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>${inner}</feed>`;

describe('parseAtomFeed', () => {
  it('names an entry by its id and its HTML alternate link, a link written as text included', async () => {
    const feed = await parse(
      feedOf(`
        <entry><id>tag:a.example,2008:1</id><link rel="alternate" type="application/json" href="http://a.example/1.json"/><link rel="alternate" type="text/html" href="http://a.example/1"/></entry>
        <entry><id>tag:a.example,2008:2</id><link>http://a.example/2</link></entry>`),
    );
    expect(feed.items.map((i) => [i.guid, i.url])).toEqual([
      ['tag:a.example,2008:1', 'http://a.example/1'],
      ['tag:a.example,2008:2', 'http://a.example/2'],
    ]);
  });

  it('reads text constructs without a type as text, and content before summary', async () => {
    const feed = await parse(feedOf('<subtitle>a &lt;b&gt; tag</subtitle><entry><id>1</id><title>x &lt; y</title><summary>1 &lt; 2</summary><content type="html">&lt;p&gt;full&lt;/p&gt;</content></entry>'));
    expect(feed.description).toBe('a <b> tag');
    expect(feed.items[0]).toMatchObject({ title: 'x < y', summaryHtml: '1 &lt; 2', contentHtml: '<p>full</p>' });
  });

  it("gives entries the feed's author when they name none", async () => {
    const feed = await parse(
      feedOf('<author><name>Sachar</name><uri>http://a.example/about</uri></author><entry><id>1</id></entry><entry><id>2</id><author><name>Kuhn</name></author></entry>'),
    );
    expect(feed.items.map((i) => [i.authorName, i.authorUrl])).toEqual([
      ['Sachar', 'http://a.example/about'],
      ['Kuhn', null],
    ]);
  });

  it('answers a self-closing root as an empty feed, with or without its namespace', async () => {
    for (const text of ['<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"/>', '<feed/>']) {
      const feed = await parse(text);
      expect([feed.format, feed.items, feed.warnings]).toEqual(['atom', [], []]);
    }
  });
});
