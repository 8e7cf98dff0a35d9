// Runs every document of the shared real-world corpus (../shared/corpus, read in place) through
// decode → parse → sanitize. The manifest's facts come from feedparser, a different parser: only
// what must hold is asserted; where Palaver disagrees on ill-formed input, the list is printed.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { load } from 'cheerio';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeText } from '../../src/reader/decode.ts';
import { parseFeed } from '../../src/reader/parse-feed.ts';
import { sanitizeHtml } from '../../src/reader/sanitize.ts';
import { FeedParseError, type ParsedFeed } from '../../src/reader/types.ts';
import { skipOptional } from '../support/skips.ts';

interface Forbidden {
  elements?: string[];
  attributes?: string[];
  uriSchemes?: string[];
  cssProperties?: string[];
  substrings?: string[];
}

interface CorpusRecord {
  file: string;
  category: string;
  format: 'rss' | 'atom' | 'rdf' | 'json' | 'html';
  expect: {
    bozo: boolean;
    items: number;
    feedTitle: string | null;
    firstItem: { title: string | null; link: string | null; id: string | null } | null;
    mustContain?: string;
    forbidden?: Forbidden;
  };
  unreliable?: string[];
  bestEffortContains?: string;
  field?: string;
  xss?: boolean;
}

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const corpusDir = path.resolve(projectRoot, '../shared/corpus');
const manifestPath = path.join(corpusDir, 'manifest.json');
const corpusPresent = existsSync(manifestPath);
const records: CorpusRecord[] = corpusPresent ? (JSON.parse(readFileSync(manifestPath, 'utf8')) as CorpusRecord[]) : [];

/** The URL every corpus document is parsed as coming from (the manifest resolved without one). */
const documentUrl = 'https://corpus.example.net/feed';

const urlAttributes = ['href', 'src', 'action', 'formaction', 'cite', 'poster', 'background', 'data', 'xlink:href', 'srcset', 'longdesc', 'lowsrc', 'dynsrc'];

function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Lists what of `forbidden` survives in `html`, parsed as a browser would. */
function violations(html: string, forbidden: Forbidden): string[] {
  const found: string[] = [];
  const $ = load(html, null, false);
  for (const name of forbidden.elements ?? []) if ($(name).length) found.push(`element <${name}>`);
  for (const el of $('*').toArray()) {
    if (!('attribs' in el)) continue;
    for (const [attr, value] of Object.entries(el.attribs)) {
      const name = attr.toLowerCase();
      if ((forbidden.attributes ?? []).includes(name)) found.push(`attribute ${name}`);
      if (urlAttributes.includes(name)) {
        // Browsers skip whitespace and control characters inside a scheme ("jav&#9;ascript:").
        // eslint-disable-next-line no-control-regex
        const compact = value.replace(/[\s\u0000-\u001f]/g, '').toLowerCase();
        for (const scheme of forbidden.uriSchemes ?? []) if (compact.startsWith(`${scheme}:`) || compact.includes(`,${scheme}:`)) found.push(`${scheme}: in ${name}`);
      }
      if (name === 'style') {
        for (const property of forbidden.cssProperties ?? []) if (new RegExp(`(^|[;\\s])${property}\\s*:`, 'i').test(value)) found.push(`css ${property}`);
      }
    }
  }
  for (const substring of forbidden.substrings ?? []) if (html.includes(substring)) found.push(`substring ${JSON.stringify(substring)}`);
  return found;
}

function isReliable(record: CorpusRecord, key: string): boolean {
  return !(record.unreliable ?? []).some((u) => u === key || key.startsWith(`${u}.`));
}

function kindOf(record: CorpusRecord): 'xml' | 'html' | 'json' {
  return record.format === 'html' ? 'html' : record.format === 'json' ? 'json' : 'xml';
}

/** Documents that are not well-formed feeds by feedparser's reading (or not feeds at all). */
function mayBeRejected(record: CorpusRecord): boolean {
  return record.expect.bozo || record.category === 'ill-formed' || record.format === 'html';
}

const disagreements: string[] = [];
const idDisagreements: string[] = [];
const unreached: string[] = [];
const decodingGoals: string[] = [];
let vectorsReached = 0;

// The corpus lives outside the repository (read in place, never copied in), so a clean clone,
// CI's included, may not have it: then the suite is its last test, which skips saying why.
describe(corpusPresent ? `corpus (${records.length} documents in ${corpusDir})` : 'corpus', () => {
  afterAll(() => {
    if (!corpusPresent) return;
    const lines = [
      `Palaver and feedparser disagree on ${disagreements.length} ill-formed corpus documents (feedparser's lenient fallback parser versus Palaver's strict parse with narrow repairs):`,
      ...disagreements.map((d) => `  - ${d}`),
    ];
    if (idDisagreements.length) lines.push('First-item id differs from feedparser (not asserted):', ...idDisagreements.map((d) => `  - ${d}`));
    if (decodingGoals.length) lines.push('Best-effort decoding goals not reached (not asserted):', ...decodingGoals.map((d) => `  - ${d}`));
    if (unreached.length) lines.push('Sanitize vectors in fields Palaver does not read (nothing to sanitize):', ...unreached.map((d) => `  - ${d}`));
    console.info(lines.join('\n'));
  });

  it.each(records.map((record) => [record.file, record] as const))('reads %s without an uncaught error', async (_file, record) => {
    const bytes = readFileSync(path.join(corpusDir, record.file));
    const decoded = decodeText(bytes, null, kindOf(record));

    if (record.expect.mustContain !== undefined) expect(decoded.text).toContain(record.expect.mustContain);
    if (record.bestEffortContains && !decoded.text.includes(record.bestEffortContains)) {
      decodingGoals.push(`${record.file}: decoded as ${decoded.charset} (${decoded.charsetSource}), no ${JSON.stringify(record.bestEffortContains)}`);
    }

    let feed: ParsedFeed | null = null;
    try {
      feed = await parseFeed(decoded.text, documentUrl);
    } catch (err) {
      // Only a FeedParseError is an accepted outcome, and only for documents that are ill-formed.
      expect(err).toBeInstanceOf(FeedParseError);
      const error = err as FeedParseError;
      if (record.format === 'html') {
        expect(error.code).toBe('not-a-feed');
        expect(sanitizeHtml(decoded.text, documentUrl)).not.toMatch(/<script/i);
        return;
      }
      expect(mayBeRejected(record), `${record.file} is well-formed by feedparser but Palaver says ${error.code}: ${error.message}`).toBe(true);
      if (record.expect.items > 0) disagreements.push(`${record.file}: feedparser ${record.expect.items} items, Palaver rejects it (${error.code}: ${error.message})`);
      return;
    }

    if (record.format === 'html') expect.fail(`${record.file} is an HTML page but parsed as a ${feed.format} feed`);
    if (!mayBeRejected(record) && isReliable(record, 'items')) {
      expect(feed.items, `item count of ${record.file}`).toHaveLength(record.expect.items);
    } else if (feed.items.length !== record.expect.items) {
      disagreements.push(`${record.file}: feedparser ${record.expect.items} items, Palaver ${feed.items.length}`);
    }
    const expectedId = record.expect.firstItem?.id ?? null;
    if (expectedId !== null && isReliable(record, 'firstItem.id') && feed.items[0]?.guid !== expectedId) {
      idDisagreements.push(`${record.file}: feedparser ${JSON.stringify(expectedId)}, Palaver ${JSON.stringify(feed.items[0]?.guid ?? null)}`);
    }

    const sanitized: string[] = [];
    const raw: string[] = [];
    for (const item of feed.items) {
      for (const html of [item.contentHtml, item.summaryHtml]) {
        if (html === null) continue;
        raw.push(html);
        const out = sanitizeHtml(html, item.baseUrl);
        expect(typeof out).toBe('string');
        sanitized.push(out);
      }
      // Plain-text fields reach pages escaped, as every template escapes them.
      for (const text of [item.title, item.authorName]) if (text !== null) sanitized.push(escapeText(text));
    }
    for (const text of [feed.title, feed.description]) if (text !== null) sanitized.push(escapeText(text));

    const forbidden = record.expect.forbidden;
    if (record.category === 'sanitize' && forbidden) {
      for (const out of sanitized) expect(violations(out, forbidden), `${record.file}: ${out.slice(0, 200)}`).toEqual([]);
      if (raw.some((html) => violations(html, forbidden).length > 0)) vectorsReached++;
      else if (record.xss && /^entries\[0\]\.(content|summary)/.test(record.field ?? '')) unreached.push(`${record.file} (${record.field})`);
    }
  });

  it('sees the sanitize vectors in the raw content it hands to the sanitizer', (ctx) => {
    if (!corpusPresent) skipOptional(ctx, `${corpusDir} is absent (the shared corpus lives outside the repository)`);
    const itemVectors = records.filter((r) => r.category === 'sanitize' && r.xss && /^entries\[0\]\.(content|summary)/.test(r.field ?? ''));
    // Guards against a vacuous pass: the hostile markup must have reached sanitizeHtml.
    if (itemVectors.length) expect(vectorsReached).toBeGreaterThan(0);
  });
});
