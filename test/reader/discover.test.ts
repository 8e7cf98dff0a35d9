// Discovery of feeds that other readers accept, pasted as the feed's own address: the fixtures of
// test/fixtures/feeds/ (one quirk each) and the real samples of the same quirks in the shared
// corpus, served byte for byte by a loopback fixture server.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixtureServer, type FixtureServer } from '../../src/demo/fixture-server.ts';
import { discoverBlog } from '../../src/reader/discover.ts';
import { createFetcher, type Fetcher } from '../../src/reader/fetcher.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const fixtures = path.resolve(here, '../fixtures/feeds');
const corpusDir = path.resolve(here, '../../../shared/corpus');

let fetcher: Fetcher;
let server: FixtureServer;

beforeAll(async () => {
  fetcher = createFetcher({ userAgent: 'Palaver-test', allowPrivateNetworks: true, timeoutMs: 3000, connectTimeoutMs: 2000, headersTimeoutMs: 2000, maxBodyBytes: 1 << 22, maxRedirects: 5, perHostConcurrency: 4 });
  server = await startFixtureServer();
});

afterAll(async () => {
  await server.close();
  await fetcher.close();
});

async function discoverServed(name: string, body: Buffer, contentType: string) {
  const route = `/${name.replace(/[^\w.-]/g, '_')}/${encodeURIComponent(contentType)}`;
  server.set(route, { headers: { 'content-type': contentType }, body });
  return discoverBlog(`${server.origin}${route}`, { fetch: fetcher.fetch });
}

describe('discoverBlog on feeds that other readers accept', () => {
  it.each([
    ['doctype-xhtml-before-rss.xml', 'Notizen aus dem Netz', 2],
    ['doctype-netscape-long-internal-subset.xml', 'Freitag Blog', 1],
    ['utf-32be-bom.xml', 'Grüße aus Köln', 1],
    ['utf-32le-bom.xml', 'Grüße aus Köln', 1],
    ['utf-32be-no-bom.xml', 'Grüße aus Köln', 1],
    ['utf-32le-no-bom.xml', 'Grüße aus Köln', 1],
    ['rss-items-outside-channel.xml', 'Alte Schule', 2],
    ['rss-no-items.xml', 'Neues Blog', 0],
    ['rss-no-items-bom.xml', 'Neues Blog', 0],
    ['rss-no-channel-bom.xml', null, 0],
  ])('finds %s to be a feed (%s, %i entries)', async (name, title, itemCount) => {
    const found = await discoverServed(name, readFileSync(path.join(fixtures, name)), 'application/rss+xml');
    expect(found.feed).toMatchObject({ format: 'rss', title, itemCount });
    if (itemCount === 0) expect(found.notes).toContain('The feed has no entries yet; Palaver shows them as they appear.');
    else expect(found.notes).not.toContain('The feed has no entries yet; Palaver shows them as they appear.');
  });

  it('decides by the root element when a server sends a feed as text/html', async () => {
    const found = await discoverServed('rss-091.xml', readFileSync(path.join(fixtures, 'rss-091.xml')), 'text/html; charset=utf-8');
    expect(found.feed).toMatchObject({ format: 'rss', title: 'Freitag Blog', itemCount: 2 });
  });
});

// Real samples of the same quirks, from other feed readers' test suites (read in place).
const corpusSamples: [file: string, quirk: string][] = [
  ['feeds/gofeed/rss__version_rss_091_netscape.xml', 'Netscape DOCTYPE, <rss> without a channel'],
  ['feeds/gofeed/universal__rss_feed_bom.xml', 'UTF-8 BOM and a comment before an RSS channel without items'],
  ['feeds/feedparser/encoding__utf-16be-bom.xml', 'UTF-16BE with a BOM, an empty <rss>'],
  ['feeds/feedparser/encoding__utf-16le-bom.xml', 'UTF-16LE with a BOM, an empty <rss>'],
];
const corpusPresent = existsSync(path.join(corpusDir, 'manifest.json'));
if (!corpusPresent) console.info(`discover corpus samples: skipped, ${corpusDir} is absent`);

describe.skipIf(!corpusPresent)('discoverBlog on the corpus samples of these quirks', () => {
  it.each(corpusSamples)('registers %s (%s) as a feed with no entries yet', async (file) => {
    const found = await discoverServed(path.basename(file), readFileSync(path.join(corpusDir, file)), 'application/xml');
    expect(found.feed).toMatchObject({ format: 'rss', itemCount: 0 });
    expect(found.notes).toContain('The feed has no entries yet; Palaver shows them as they appear.');
  });
});
