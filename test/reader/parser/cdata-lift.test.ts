// Long CDATA sections lifted out before sax reads the text: what rss-parser hands on must be what
// it hands on for the text as it is, on hand-made edge cases and on every feed of the shared corpus.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decodeText } from '../../../src/reader/decode.ts';
import { parseFeed } from '../../../src/reader/parse-feed.ts';
import { liftCdata } from '../../../src/reader/parser/cdata-lift.ts';
import { createParser } from '../../../src/reader/parser/rss-parser.ts';

/** rss-parser's reading of xml as it is, or the message it throws. */
async function readAsIs(xml: string): Promise<unknown> {
  return createParser(new Map()).parseString(xml).catch((err: Error) => ({ threw: err.message }));
}

/** rss-parser's reading of xml with its CDATA sections of minChars or more lifted, or null where the caller must read it as it is. */
async function readLifted(xml: string, minChars: number): Promise<unknown> {
  const lifted = liftCdata(xml, minChars);
  if (!lifted) return null;
  const raw = await createParser(new Map(), lifted.restore).parseString(lifted.xml).catch(() => null);
  return raw && lifted.complete() ? raw : null;
}

const long = (text: string) => text.repeat(Math.ceil(300 / text.length));
const feed = (items: string) =>
  `<?xml version="1.0"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>Blog</title><link>http://blog.example/</link>${items}</channel></rss>`;

describe('liftCdata', () => {
  it('leaves text without a section long enough alone', () => {
    expect(liftCdata(feed('<item><title><![CDATA[short]]></title></item>'))).toBeNull();
    expect(liftCdata(feed('<item><title>plain text</title></item>'))).toBeNull();
  });

  it('replaces each long section by a placeholder and gives the same text back where xml2js closes its element', async () => {
    const body = long('<p>Ein Absatz mit <a href="http://a.example/?x=1&amp;y=2">Link</a> – und ]] Klammern, ]]]</p>');
    const xml = feed(`<item><title>T</title><description><![CDATA[${body}]]></description><content:encoded><![CDATA[${body}x]]></content:encoded></item>`);
    const lifted = liftCdata(xml)!;
    expect(lifted.xml.length).toBeLessThan(xml.length - 2 * body.length + 100);
    expect(lifted.xml).not.toContain('Absatz');
    const raw = await readLifted(xml, 256);
    expect(raw).toEqual(await readAsIs(xml));
    expect(JSON.stringify(raw)).toContain(JSON.stringify(body + 'x'));
  });

  it('gives back text and sections mixed in one element, and sections that end in brackets', async () => {
    const xml = feed(`<item><title>T</title><description>before <![CDATA[${long('a]')}]]]> between <![CDATA[${long('b')}]]> after</description></item>`);
    const raw = await readLifted(xml, 256);
    expect(raw).not.toBeNull();
    expect(raw).toEqual(await readAsIs(xml));
  });

  it('is incomplete when a section sax does not read as one never comes back: in an attribute, a comment, a processing instruction', async () => {
    const section = `<![CDATA[${long('x')}]]>`;
    for (const xml of [
      feed(`<item><title>T</title><link href="${section}">http://blog.example/1</link></item>`),
      feed(`<item><title>T</title><!-- ${section} --><description>d</description></item>`),
      feed(`<item><title>T</title><?note ${section} ?><description>d</description></item>`),
      // A "section" that starts in a comment and swallows markup up to the next "]]>".
      feed(`<item><title>T</title><!-- <![CDATA[ --><description>${long('d')}</description><content:encoded><![CDATA[c]]></content:encoded></item>`),
    ]) {
      const lifted = liftCdata(xml)!;
      expect(lifted, xml).not.toBeNull();
      await createParser(new Map(), lifted.restore).parseString(lifted.xml).catch(() => null);
      expect(lifted.complete(), xml).toBe(false);
    }
  });

  it('never lifts from a document that holds its placeholder characters', () => {
    expect(liftCdata(feed(`<item><description><![CDATA[${long('\uE0000\uE001')}]]></description></item>`))).toBeNull();
  });

  it('leaves an unclosed section to sax', () => {
    expect(liftCdata(feed(`<item><description><![CDATA[${long('x')}</description></item>`))).toBeNull();
  });
});

describe('parseFeed with long sections lifted', () => {
  it('reads an item whose "section" sits in an attribute as it is written', async () => {
    const section = `<![CDATA[${long('y')}]]>`;
    const xml = `<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><entry><id>urn:1</id><title>T</title><link rel="alternate" href="http://blog.example/1"/><link rel="related" href="http://blog.example/${section}"/><content type="html"><![CDATA[${long('<p>z</p>')}]]></content></entry></feed>`;
    const parsed = await parseFeed(xml, 'http://blog.example/feed');
    expect(parsed.items[0]!.contentHtml).toBe(long('<p>z</p>'));
    expect(parsed.items[0]!.relatedUrls?.join(' ')).toContain('y'.repeat(300));
  });

  it('reports a malformed feed with the line and column of the text as it is', async () => {
    const xml = `<rss version="2.0"><channel><title>t</title>\n<item><description><![CDATA[${long('line\n')}]]></description>\n<title>broken</titel></item></channel></rss>`;
    const lines = xml.split('\n');
    await expect(parseFeed(xml, 'http://blog.example/feed')).rejects.toThrow(`line ${lines.length}, column ${lines.at(-1)!.indexOf('</titel>') + 9}:`);
  });
});

const corpusDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../shared/corpus');
const manifestPath = path.join(corpusDir, 'manifest.json');

describe.skipIf(!existsSync(manifestPath))('liftCdata on the shared corpus (../shared/corpus, read in place)', () => {
  it('reads every feed with its sections lifted (down to a single character) as rss-parser reads it as it is', async () => {
    const records = JSON.parse(readFileSync(manifestPath, 'utf8')) as { file: string; format: string }[];
    let lifted = 0;
    for (const record of records) {
      if (record.format === 'html' || record.format === 'json') continue;
      const xml = decodeText(readFileSync(path.join(corpusDir, record.file)), null, 'xml').text;
      const raw = await readLifted(xml, 1);
      if (raw === null) continue;
      lifted++;
      expect(raw, record.file).toEqual(await readAsIs(xml));
    }
    expect(lifted).toBeGreaterThan(20);
  });
});
