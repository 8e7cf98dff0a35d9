import { describe, expect, it } from 'vitest';
import { parseFeed } from '../../../src/reader/parse-feed.ts';
import { FeedParseError } from '../../../src/reader/types.ts';

const url = 'http://blog.example/feed/';
const rss = (inside: string) => `<?xml version="1.0"?><rss version="2.0"><channel><title>Blog</title><item><title>Eins</title><description>${inside}</description></item></channel></rss>`;

describe('markup declarations sax reads slowly', () => {
  it('refuses a declaration that runs on, before sax reads it (a CDATA opener with a typo, 200,000 characters)', async () => {
    const err = await parseFeed(rss(`<![CDA${'http://target.example/post/1'.repeat(7000)}]]>`), url).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FeedParseError);
    expect((err as FeedParseError).code).toBe('malformed');
    expect((err as Error).message).toBe('not well-formed XML at line 1: a markup declaration ("<![CDAhttp://t…") runs on for more than 1024 characters');
  });

  it('refuses one whose quoted text hides its ">", and many short ones together', async () => {
    expect((await parseFeed(rss(`<!x ">" ${'a'.repeat(3000)}>`), url).catch((e: unknown) => e)) as Error).toBeInstanceOf(FeedParseError);
    const many = await parseFeed(rss(`<!x ${'a'.repeat(900)}>`.repeat(5)), url).catch((e: unknown) => e);
    expect((many as Error).message).toMatch(/runs on for 4096 characters with those before it$/);
  });

  it('reads as before a short declaration, long comments, CDATA sections and a DOCTYPE with its internal subset', async () => {
    const long = 'ä'.repeat(50_000);
    const feed = await parseFeed(`<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x "${long}"> <!-- ${long} -->]><rss version="2.0"><channel><title>Blog</title><!-- ${long} --><item><title>Eins</title><description><![CDATA[<!x ${long}]]><!y kurz></description></item></channel></rss>`, url);
    expect(feed.items).toHaveLength(1);
    expect(feed.items[0]!.summaryHtml).toContain(`<!x ${long}`);
  });
});
