// `npm run fuzz`: mutates real feeds, pages, pings and lists and hands them to every reader of
// foreign input, in this process. A reader may refuse its input with its own error (FeedParseError,
// MarkupLimitError, …); anything else thrown is a crash. Crashes and inputs slower than --slow
// are written to test/artifacts/fuzz/ with the seed state that makes them again (--replay).
// Seeded, so a run can be repeated; not a test, because how slow is too slow depends on the machine.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseOpml, OpmlError } from '../../src/feeds/opml.ts';
import { parseTrackbackPing } from '../../src/inbound/trackback.ts';
import { readSourcePage } from '../../src/inbound/verify-source.ts';
import { MarkupLimitError } from '../../src/reader/bounded-markup.ts';
import { CommentPageError, parseCommentList } from '../../src/reader/comment-page.ts';
import { decodeText } from '../../src/reader/decode.ts';
import { readPage, readRsd } from '../../src/reader/discover.ts';
import { parseLinkHeader } from '../../src/reader/link-header.ts';
import { draftAndReadBody, identityOf, itemHashOf } from '../../src/reader/entry-draft.ts';
import { findItemChunks } from '../../src/reader/parser/item-chunks.ts';
import { digestOf, readItemsHere } from '../../src/reader/read-items.ts';
import { fetchPingbackSources, fetchTrackbackListing } from '../../src/reader/listings.ts';
import { parseFeed } from '../../src/reader/parse-feed.ts';
import { FeedParseError, type Fetch } from '../../src/reader/types.ts';
import { readWpRestComments } from '../../src/reader/wp-rest-comments.ts';
import { parseMethodCall, XmlRpcParseError } from '../../src/xmlrpc/codec.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const out = path.join(root, 'test/artifacts/fuzz');

function option(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 && process.argv[at + 1] !== undefined ? process.argv[at + 1]! : fallback;
}
const seed = Number(option('seed', '1')) >>> 0 || 1;
const runs = Number(option('runs', '4000'));
const slowMs = Number(option('slow', '300'));
const replay = option('replay', '');

// xorshift32: the whole run follows from its seed; each input from the state before it.
let state = seed;
function random(): number {
  state ^= state << 13;
  state >>>= 0;
  state ^= state >>> 17;
  state ^= state << 5;
  state >>>= 0;
  return state / 4294967296;
}
const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;

function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}
const read = (file: string) => fs.readFileSync(path.join(root, file), 'latin1');

// Seeds: the test fixtures and, when it is there, the shared corpus of real feeds.
const feeds = [...filesUnder(path.join(root, 'test/fixtures/feeds')), ...filesUnder(path.join(root, '../shared/corpus/feeds'))]
  .filter((f) => fs.statSync(f).size < 2_000_000)
  .map((f) => fs.readFileSync(f, 'latin1'));
const pages = filesUnder(path.join(root, 'test/fixtures/comment-pages')).map((f) => fs.readFileSync(f, 'latin1'));
pages.push(
  '<!doctype html><html><head><link rel="alternate" type="application/rss+xml" href="/feed/"><link rel="pingback" href="/xmlrpc.php"><link rel="EditURI" type="application/rsd+xml" href="/xmlrpc.php?rsd"><base href="http://blog.example/a/"></head><body><div class="h-entry"><p class="e-content"><a href="http://target.example/post/1">x</a></p></div></body></html>',
);
const pingbacks = [
  '<?xml version="1.0"?><methodCall><methodName>pingback.ping</methodName><params><param><value><string>http://source.example/p</string></value></param><param><value><string>http://target.example/post/1</string></value></param></params></methodCall>',
  '<?xml version="1.0"?><methodCall><methodName>x</methodName><params><param><value><struct><member><name>a</name><value><array><data><value><i4>1</i4></value><value><base64>aGk=</base64></value><value><dateTime.iso8601>20260101T00:00:00</dateTime.iso8601></value><value><double>1.5</double></value><value><boolean>1</boolean></value></data></array></value></member></struct></value></param></params></methodCall>',
];
const rsd = '<?xml version="1.0"?><rsd version="1.0"><service><engineName>WordPress</engineName><apis><api name="WordPress" blogID="1" preferred="true" apiLink="http://blog.example/xmlrpc.php"/></apis></service></rsd>';
const opml = read('test/feeds/fixtures/blog-week-nested.opml');
const linkHeader = '<http://blog.example/feed/>; rel="alternate"; type="application/rss+xml", </wm>; rel=webmention, <a>; title="x, y"; rel="x y"';
const listing = '<?xml version="1.0" encoding="iso-8859-1"?><response><error>0</error><rss version="0.91"><channel><title>Idee</title><link>http://blog.example/2008/11/idee/</link><item><title>Antwort</title><link>http://source.example/p/</link><description>Ich sehe das anders.</description></item></channel></rss></response>';
const pingbackList = '<?xml version="1.0"?><methodResponse><params><param><value><array><data><value><string>http://source.example/p/</string></value><value><string>http://other.example/q/</string></value></data></array></value></param></params></methodResponse>';
const wpComments = JSON.stringify([{ id: 7, post: 42, parent: 0, author_name: 'Martin', author_url: 'http://martin.example/', date_gmt: '2008-11-12T10:05:00', link: 'http://blog.example/2008/11/idee/#comment-7', content: { rendered: '<p>Gute Idee, aber <a href="http://x.example/">hier</a>.</p>' }, type: 'comment' }]);

/** A fetch that answers every request with `body`, as a server on the other end might. */
function answering(body: string, contentType: string, headers: Record<string, string> = {}): Fetch {
  return (async (request) => ({ requestedUrl: request.url, url: request.url, status: 200, headers: { 'content-type': contentType, ...headers }, body: Buffer.from(body, 'latin1'), redirects: [], notModified: false })) as Fetch;
}
const trackbacks = ['title=Hallo%20Welt&url=http%3A%2F%2Fsource.example%2Fp&excerpt=%C3%BCber&blog_name=Blog', `url=http://x.example/&title=${'%FF'.repeat(10)}`];

// What mutations splice in: markup that parsers treat specially, and the protocols' own elements.
const tokens = [
  '<', '>', '&', '&amp;', '&#0;', '&#x10FFFF;', '&#xD800;', ']]>', '<![CDATA[', '"', "'", '\u0000', '\uFFFE', '<!DOCTYPE x [<!ENTITY a "aaaa">]>', '&a;',
  '<!', '<![CDA', '<?xml version="1.0" encoding="utf-16"?>', '<?xml version="1.0" encoding="windows-1252"?>', '<item>', '</item>', '<entry>', '</entry>', '<channel>',
  '<content:encoded>', '<description>', '<title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">', '<content type="html">', 'xml:base="', '<link href="',
  '<thr:in-reply-to ref="', '<wfw:commentRss>', '<pubDate>', 'Mon, 31 Feb 99999 25:61:61 +9999', '<at:deleted-entry ref="x"/>', '{', '"items":[',
  '<value>', '</value>', '<array><data>', '<struct><member><name>', '<int>99999999999999999999</int>', '<double>1e400</double>', '<outline ', 'xmlUrl="',
  '<a href="', '<li class="comment" id="comment-', '<ol class="children">', '<div/>', '<div x="<">', '<b id="', '<p>', '<table>', '<svg>', '<math>',
  '<script>', '<template>', '<!--', '-->', '<meta charset="', 'utf-16', 'javascript:', 'http://target.example/post/1', '%', '%FF', '=', ';', ',', '\n', 'ü', '😀',
  ' ', '\t', '\r\n',
];
const runCharacters = [' ', '\n', '\t', '@', '/', '.', ',', ';', ':', '-', '(', ')', '"', "'", '=', '#', '?', '&', 'a', '0'];

function mutate(text: string): string {
  const edits = 1 + Math.floor(random() * 5);
  for (let i = 0; i < edits; i++) {
    const at = Math.floor(random() * (text.length + 1));
    const r = random();
    if (r < 0.3) text = text.slice(0, at) + pick(tokens) + text.slice(at);
    else if (r < 0.45) text = text.slice(0, at) + text.slice(at + Math.floor(random() * 200));
    else if (r < 0.55) text = text.slice(0, at) + String.fromCharCode(Math.floor(random() * 256)) + text.slice(at + 1);
    else if (r < 0.7) {
      // A piece repeated: deep nesting and long runs are what parsers are slow at.
      const length = 1 + Math.floor(random() * 200);
      const times = 2 + Math.floor(random() * (random() < 0.3 ? 3000 : 20));
      text = text.slice(0, at) + text.slice(at, at + length).repeat(times) + text.slice(at + length);
    } else if (r < 0.78) text = text.slice(0, at);
    else if (r < 0.9) text = text.slice(0, at) + pick(tokens).repeat(1 + Math.floor(random() * 5000)) + text.slice(at);
    // A long run of one character: a regular expression that can divide such a run between two
    // of its parts in every way takes time that grows with the square of the run.
    else text = text.slice(0, at) + pick(runCharacters).repeat(1 + Math.floor(random() * 60_000)) + text.slice(at);
  }
  return text;
}

/** A feed as a blog changes it: an item added (a copy, changed a little), one taken out, two swapped, the rest as it was. */
function reshuffle(text: string): string {
  const spans = findItemChunks(text)?.spans;
  if (!spans) return mutate(text);
  const chunks = spans.map(([start, end]) => text.slice(start, end));
  const k = Math.floor(random() * chunks.length);
  const r = random();
  if (r < 0.5) chunks.splice(k, 0, mutate(chunks[k]!));
  else if (r < 0.7) chunks.splice(k, 1);
  else {
    const j = Math.floor(random() * chunks.length);
    [chunks[k], chunks[j]] = [chunks[j]!, chunks[k]!];
  }
  const head = text.slice(0, spans[0]![0]);
  const tail = text.slice(spans.at(-1)![1]);
  return head + chunks.join('\n') + tail;
}

/** Each reader with the errors it refuses input with; `input` is what was handed over. */
const readers: Record<string, { refusals: (abstract new (...args: never[]) => Error)[]; run: () => string }> = {
  feed: {
    refusals: [FeedParseError],
    run: () => {
      const input = random() < 0.05 ? pick(feeds) : mutate(pick(feeds));
      const contentType = pick([null, 'application/rss+xml', 'application/atom+xml; charset=utf-8', 'text/xml; charset=iso-8859-1', 'application/json', 'text/html; charset=utf-16', 'text/xml; charset=x-bogus']);
      return withInput(input, async () => {
        const feed = await parseFeed(decodeText(Buffer.from(input, 'latin1'), contentType, 'xml').text, 'http://blog.example/feed/');
        const now = new Date('2026-12-01T00:00:00Z');
        for (const item of feed.items) {
          draftAndReadBody(item, 'post', now);
          itemHashOf(item, 'post', 'feed', now);
        }
      });
    },
  },
  // A feed read once, then changed and read again leaving unread the items of the first read's
  // record: what it reads, and what the record says of what it left unread, must be what reading
  // the whole changed feed gives (src/reader/read-items.ts). A difference is reported as a crash.
  'feed-items': {
    refusals: [FeedParseError],
    run: () => {
      const first = random() < 0.5 ? pick(feeds) : mutate(pick(feeds));
      const input = random() < 0.5 ? mutate(first) : reshuffle(first);
      return withInput(input, async () => {
        const url = 'http://blog.example/feed/';
        const request = { kind: 'post' as const, scope: 'feed:', at: new Date('2026-12-01T00:00:00Z'), draftUpTo: 0 };
        const before = await readItemsHere(Buffer.from(first, 'latin1'), null, url, { ...request, digests: { known: null, skipUpTo: 500 } }).catch(() => null);
        if (!before?.digests) return;
        const recorded = new Map(before.feed.items.flatMap((item, k) => (before.digests!.items[k] ? [[before.digests!.items[k]!, { identity: identityOf(item), itemHash: before.itemHashes[k]!, commentCount: item.commentCount }] as const] : [])));
        const known = { context: before.digests.context, digests: [...recorded.keys()] };
        const after = await readItemsHere(Buffer.from(input, 'latin1'), null, url, { ...request, digests: { known, skipUpTo: 500 } });
        if (!after.digests || after.digests.skipped.length === 0) return;
        const whole = await readItemsHere(Buffer.from(input, 'latin1'), null, url, request).catch((err: unknown) => {
          throw new Error(`item record: the changed feed read with items left unread, but not whole (${(err as Error).message})`);
        });
        const text = decodeText(Buffer.from(input, 'latin1'), null, 'xml').text;
        const chunks = findItemChunks(text)!;
        const digests = chunks.spans.map(([start, end]) => digestOf(text.slice(start, end)));
        if (whole.feed.items.length !== digests.length) throw new Error(`item record: ${whole.feed.items.length} items read whole, ${digests.length} cut`);
        const readNow = whole.feed.items.filter((_, k) => !recorded.has(digests[k]!));
        if (JSON.stringify(readNow) !== JSON.stringify(after.feed.items)) throw new Error('item record: the items read are not those of the whole feed');
        whole.feed.items.forEach((item, k) => {
          const r = recorded.get(digests[k]!);
          if (r && (r.identity !== identityOf(item) || r.itemHash !== whole.itemHashes[k] || r.commentCount !== item.commentCount)) throw new Error(`item record: item ${k} left unread reads otherwise whole`);
        });
      });
    },
  },
  pingback: { refusals: [XmlRpcParseError], run: () => { const input = mutate(pick(pingbacks)); return withInput(input, () => parseMethodCall(Buffer.from(input, 'latin1'), { maxBytes: 64 * 1024, contentType: pick(['text/xml', null, 'text/xml; charset=iso-8859-1']) })); } },
  page: { refusals: [MarkupLimitError], run: () => { const input = mutate(pick(pages)); return withInput(input, () => readPage(input, 'http://blog.example/a/', {})); } },
  link: { refusals: [], run: () => { const input = mutate(linkHeader); return withInput(input, () => parseLinkHeader(input, 'http://blog.example/')); } },
  rsd: { refusals: [MarkupLimitError], run: () => { const input = mutate(rsd); return withInput(input, () => readRsd(input, 'http://blog.example/xmlrpc.php?rsd')); } },
  comments: { refusals: [CommentPageError], run: () => { const input = mutate(pick(pages)); return withInput(input, () => parseCommentList(input, 'http://blog.example/2008/05/post/comment-page-2/')); } },
  source: {
    refusals: [],
    run: () => {
      const input = mutate(pick(pages));
      const page = { body: Buffer.from(input, 'latin1'), contentType: pick([null, 'text/html', 'text/html; charset=windows-1252', 'application/xhtml+xml', 'text/plain']), url: 'http://source.example/p', target: 'http://target.example/post/1', protocol: pick(['pingback', 'trackback', 'webmention'] as const), maxElements: 30_000 };
      return withInput(input, () => readSourcePage(page));
    },
  },
  listing: { refusals: [], run: () => { const input = mutate(listing); return withInput(input, () => fetchTrackbackListing(answering(input, 'text/xml'), 'http://blog.example/mt-tb.cgi/42')); } },
  'pingback-list': { refusals: [], run: () => { const input = mutate(pingbackList); return withInput(input, () => fetchPingbackSources(answering(input, 'text/xml'), 'http://blog.example/xmlrpc.php', 'http://blog.example/2008/11/idee/')); } },
  'wp-rest': {
    refusals: [],
    run: () => {
      const input = mutate(wpComments);
      return withInput(input, () => readWpRestComments(answering(input, 'application/json; charset=UTF-8', { 'x-wp-total': '1', 'x-wp-totalpages': '1' }), 'http://blog.example/wp-json/', 42, { guid: 'http://blog.example/?p=42', url: 'http://blog.example/2008/11/idee/' }, { maxPages: 1 }));
    },
  },
  opml: { refusals: [OpmlError], run: () => { const input = mutate(opml); return withInput(input, () => parseOpml(input)); } },
  trackback: { refusals: [], run: () => { const input = mutate(pick(trackbacks)); return withInput(input, () => parseTrackbackPing(Buffer.from(input, 'latin1'), pick(['application/x-www-form-urlencoded', 'application/x-www-form-urlencoded; charset=iso-8859-1', undefined, 'text/plain']))); } },
};

// The reader's work, left for the loop to await: the input is known before it runs.
let pending: () => unknown = () => undefined;
function withInput(input: string, work: () => unknown): string {
  pending = work;
  return input;
}

const only = option('only', '');
const names = only ? only.split(',') : Object.keys(readers);
for (const name of names) if (!readers[name]) throw new Error(`no reader named ${name}; there are ${Object.keys(readers).join(', ')}`);

async function runOne(name: string): Promise<{ input: string; ms: number; crash: Error | null }> {
  const reader = readers[name]!;
  const input = reader.run();
  const started = performance.now();
  let crash: Error | null = null;
  try {
    await pending();
  } catch (err) {
    if (!reader.refusals.some((kind) => err instanceof kind)) crash = err instanceof Error ? err : new Error(String(err));
  }
  return { input, ms: performance.now() - started, crash };
}

if (replay) {
  const [name, at] = replay.split(':');
  state = Number(at);
  const { input, ms, crash } = await runOne(name!);
  console.log(`${name} at state ${at}: ${input.length.toLocaleString('en')} characters, ${ms.toFixed(0)} ms${crash ? `, crashed: ${crash.stack}` : ''}`);
  process.exit(crash ? 1 : 0);
}

fs.mkdirSync(out, { recursive: true });
const tally = new Map(names.map((n) => [n, { inputs: 0, crashes: 0, slow: 0, slowestMs: 0 }]));
for (let i = 0; i < runs; i++) {
  const name = names[i % names.length]!;
  const before = state;
  const { input, ms, crash } = await runOne(name);
  const t = tally.get(name)!;
  t.inputs += 1;
  t.slowestMs = Math.max(t.slowestMs, ms);
  if (crash || ms > slowMs) {
    const file = path.join(out, `${crash ? 'crash' : 'slow'}-${name}-${seed}-${before}.txt`);
    fs.writeFileSync(file, input, 'latin1');
    if (crash) t.crashes += 1;
    else t.slow += 1;
    console.log(`${crash ? 'crash' : 'slow'}: ${name}, ${ms.toFixed(0)} ms, ${input.length.toLocaleString('en')} characters (--replay ${name}:${before}) ${crash ? crash.message : ''}`);
  }
}
console.log(`seed ${seed}, ${runs} inputs:`);
for (const [name, t] of tally) console.log(`  ${name.padEnd(14)} ${String(t.inputs).padStart(6)} inputs, ${t.crashes} crashes, ${t.slow} over ${slowMs} ms, slowest ${t.slowestMs.toFixed(0)} ms`);
const crashes = [...tally.values()].reduce((n, t) => n + t.crashes, 0);
console.log(crashes === 0 ? 'no crashes' : `${crashes} crashes; inputs in ${path.relative(root, out)}/`);
process.exit(crashes === 0 ? 0 : 1);
