import { describe, expect, it } from 'vitest';
import { contextText, findItemChunks, withItems } from '../../../src/reader/parser/item-chunks.ts';

const rss = (items: string[], head = '<title>Blog</title><lastBuildDate>Mon, 17 Nov 2008 10:00:00 +0000</lastBuildDate>') =>
  `<?xml version="1.0"?>\n<rss version="2.0"><channel>${head}\n\t${items.join('\n\t')}\n</channel></rss>`;

const textsOf = (xml: string) => findItemChunks(xml)?.spans.map(([start, end]) => xml.slice(start, end)) ?? null;

describe('findItemChunks', () => {
  it('cuts RSS items and Atom entries from their start tag to their end tag', () => {
    const items = ['<item><title>Eins</title></item>', '<item rdf:about="http://x/2"><title>Zwei</title></item>'];
    expect(textsOf(rss(items))).toEqual(items);
    const atom = '<feed xmlns="http://www.w3.org/2005/Atom"><title>A</title><entry><id>1</id></entry><entry xml:base="/b/"><id>2</id></entry></feed>';
    expect(textsOf(atom)).toEqual(['<entry><id>1</id></entry>', '<entry xml:base="/b/"><id>2</id></entry>']);
  });

  it('looks past CDATA sections, comments and processing instructions that name items', () => {
    const first = '<item><content:encoded><![CDATA[<p>Ein Feed: <item>…</item></p>]]></content:encoded></item>';
    const second = '<item><!-- </item> --><title>Zwei</title></item>';
    expect(textsOf(rss([first, second], '<?xml-stylesheet href="s.xsl"?><title>Blog</title>'))).toEqual([first, second]);
  });

  it('does not cut what it cannot cut with certainty', () => {
    // A DOCTYPE may declare entities any item uses.
    expect(findItemChunks(`<!DOCTYPE rss [<!ENTITY a "b">]>${rss(['<item>&a;</item>'])}`)).toBeNull();
    expect(findItemChunks(rss(['<rss:item>x</rss:item>']))).toBeNull();
    expect(findItemChunks(rss(['<item><item>x</item></item>']))).toBeNull();
    expect(findItemChunks(rss(['<item/>', '<item>x</item>']))).toBeNull();
    expect(findItemChunks(rss(['<item>x</item>', '<entry>y</entry>']))).toBeNull();
    expect(findItemChunks(rss(['<item><![CDATA[ohne Ende</item>']))).toBeNull();
    expect(findItemChunks(rss(['<item>x']))).toBeNull();
    expect(findItemChunks(rss([]))).toBeNull();
  });
});

describe('contextText', () => {
  it('is the document without its items, the whitespace between them and the dates of its last change', () => {
    const a = rss(['<item>1</item>', '<item>2</item>']);
    const b = rss(['<item>3</item>', '<item>1</item>', '<item>2</item>'], '<title>Blog</title><lastBuildDate>Tue, 18 Nov 2008 10:00:00 +0000</lastBuildDate>');
    expect(contextText(b, findItemChunks(b)!)).toBe(contextText(a, findItemChunks(a)!));
    expect(contextText(a, findItemChunks(a)!)).not.toContain('lastBuildDate');
    // What an item's reading may use stays: the title here, a language, a base, the namespaces.
    const other = rss(['<item>1</item>', '<item>2</item>'], '<title>Blog</title><language>de</language>');
    expect(contextText(other, findItemChunks(other)!)).not.toBe(contextText(a, findItemChunks(a)!));
    const atom = (updated: string) => `<feed xmlns="http://www.w3.org/2005/Atom"><updated>${updated}</updated><entry><id>1</id></entry></feed>`;
    const [x, y] = [atom('2008-11-17T10:00:00Z'), atom('2008-11-18T10:00:00Z')];
    expect(contextText(x, findItemChunks(x)!)).toBe(contextText(y, findItemChunks(y)!));
  });

  it('keeps what stands between items other than whitespace', () => {
    const a = rss(['<item>1</item>', '<item>2</item>']);
    const b = a.replace('<item>1</item>', '<item>1</item><image><url>http://x/i.png</url></image>');
    expect(contextText(b, findItemChunks(b)!)).not.toBe(contextText(a, findItemChunks(a)!));
  });
});

describe('withItems', () => {
  it('leaves out the items not kept and nothing else', () => {
    const xml = rss(['<item>1</item>', '<item>2</item>', '<item>3</item>']);
    expect(withItems(xml, findItemChunks(xml)!, [false, true, false])).toBe(xml.replace('<item>1</item>', '').replace('<item>3</item>', ''));
    expect(withItems(xml, findItemChunks(xml)!, [true, true, true])).toBe(xml);
  });
});
