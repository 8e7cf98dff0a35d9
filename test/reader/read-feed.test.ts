import { afterEach, describe, expect, it, vi } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { MarkupLimitError } from '../../src/reader/bounded-markup.ts';
import { CommentPageError, parseCommentList } from '../../src/reader/comment-page.ts';
import { readPage } from '../../src/reader/discover.ts';
import { draftAndReadBody, itemHashOf } from '../../src/reader/entry-draft.ts';
import { OpmlError, parseOpml } from '../../src/feeds/opml.ts';
import { createFeedReader, offThreadBytes, readFeed, readFeedHere, readItems, readOpml, sharedFeedReader, type FeedReader } from '../../src/reader/read-feed.ts';
import { readItemsHere } from '../../src/reader/read-items.ts';
import { FeedParseError } from '../../src/reader/types.ts';
import { rssFeed } from '../support/blog-pages.ts';

const origin = 'http://blog.example';
const contentType = 'application/rss+xml; charset=UTF-8';

/** An RSS feed of `count` posts with long German bodies: about 2.4 KB an item. */
function bigFeed(count: number): Buffer {
  const body = `<p>${'Über Öffentlichkeit im Netz lässt sich trefflich streiten, und das geschieht hier. '.repeat(25)}</p>`;
  const items = Array.from({ length: count }, (_, i) => ({ id: i + 1, title: `Beitrag ${i + 1}`, slug: `beitrag-${i + 1}`, body, date: 'Mon, 10 Nov 2008 10:00:00 +0100' }));
  return Buffer.from(rssFeed(origin, items));
}

let reader: FeedReader | null = null;
afterEach(async () => {
  await reader?.close();
  reader = null;
});

describe('readFeed', () => {
  it('reads a large feed in the worker thread to the same result as in place, and timers keep firing meanwhile', async () => {
    // About 5 MB: in this thread its parse holds the event loop for half a second or more.
    const body = bigFeed(2000);
    expect(body.length).toBeGreaterThan(40 * offThreadBytes);
    let ticks = 0;
    const interval = setInterval(() => (ticks += 1), 5);
    const feed = await readFeed(body, contentType, `${origin}/feed/`);
    clearInterval(interval);
    expect(feed.items).toHaveLength(2000);
    expect(feed).toEqual(await readFeedHere(body, contentType, `${origin}/feed/`));
    // Read in place, the interval could not have fired while the parse ran.
    expect(ticks).toBeGreaterThanOrEqual(5);
  });

  it('reads a small feed in place', async () => {
    const body = bigFeed(3);
    expect(body.length).toBeLessThan(offThreadBytes);
    let ticks = 0;
    const interval = setInterval(() => (ticks += 1), 0);
    const feed = await readFeed(body, contentType, `${origin}/feed/`);
    clearInterval(interval);
    expect(feed.items.map((i) => i.title)).toEqual(['Beitrag 1', 'Beitrag 2', 'Beitrag 3']);
    expect(ticks).toBe(0);
  });

  it("hands back the parser's refusal as a FeedParseError with its code", async () => {
    reader = createFeedReader({ timeoutMs: 20_000, memoryMb: 256, idleMs: 1000 });
    const html = Buffer.from(`<!DOCTYPE html><html><body>${'<p>kein Feed</p>'.repeat(20_000)}</body></html>`);
    const err = await reader.read(html, 'text/html', `${origin}/`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FeedParseError);
    expect(err).toMatchObject({ code: 'not-a-feed', message: 'this is an HTML page, not a feed' });
    // The worker reads the next one.
    expect((await reader.read(bigFeed(100), contentType, `${origin}/feed/`)).items).toHaveLength(100);
  });

  it('stops a read at its time limit with a plain error', async () => {
    reader = createFeedReader({ timeoutMs: 10, memoryMb: 256, idleMs: 1000 });
    const err = await reader.read(bigFeed(2000), contentType, `${origin}/feed/`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FeedParseError);
    expect(err).toMatchObject({ code: 'too-large', message: 'reading the feed took longer than 0.01 s' });
  });
});

describe('readItems without reading threads', () => {
  const url = `${origin}/feed/`;
  const at = new Date('2026-12-08T00:00:00Z');
  const request = (known: { context: string; digests: string[] } | null) => ({ kind: 'post' as const, scope: 'feed:', at, draftUpTo: 100, digests: { known, skipUpTo: 100 } });

  it('reads a small feed in place, leaving unread the items its record has, and drafts none', async () => {
    const shared = vi.spyOn(sharedFeedReader(), 'readItems');
    try {
      const first = await readItems(bigFeed(5), contentType, url, request(null));
      expect(first.digests?.items).toHaveLength(5);
      expect(first.drafts).toBeNull();
      // The same five posts and a sixth: its text is the only new one.
      const known = { context: first.digests!.context, digests: first.digests!.items.filter((d): d is string => d !== null) };
      const next = bigFeed(6);
      const answer = await readItems(next, contentType, url, request(known));
      expect(answer.digests?.skipped).toHaveLength(5);
      expect(answer.feed.items.map((i) => i.title)).toEqual(['Beitrag 6']);
      expect(answer).toEqual(await readItemsHere(next, contentType, url, { ...request(known), draftUpTo: 0 }));
      expect(shared).not.toHaveBeenCalled();
    } finally {
      shared.mockRestore();
    }
  });

  it('reads and drafts a feed of 128 KiB or more in the shared thread', async () => {
    const body = bigFeed(60);
    expect(body.length).toBeGreaterThanOrEqual(offThreadBytes);
    const shared = vi.spyOn(sharedFeedReader(), 'readItems');
    try {
      const answer = await readItems(body, contentType, url, request(null));
      expect(shared).toHaveBeenCalledTimes(1);
      expect(answer.drafts).toHaveLength(60);
      expect(answer.digests?.items).toHaveLength(60);
    } finally {
      shared.mockRestore();
    }
  });
});

describe('reading threads', () => {
  const fixtures = path.resolve(import.meta.dirname, '../fixtures/feeds');

  it('read and draft every fixture feed exactly as the event loop does, apart or in one job, refusals included', async () => {
    reader = createFeedReader({ timeoutMs: 20_000, memoryMb: 256, idleMs: 1000, threads: 2 });
    const at = new Date('2026-03-01T12:00:00Z');
    const files = fs.readdirSync(fixtures).sort();
    expect(files.length).toBeGreaterThan(30);
    let drafted = 0;
    let cut = 0;
    for (const file of files) {
      const body = fs.readFileSync(path.join(fixtures, file));
      const type = file.endsWith('.json') ? 'application/feed+json' : 'application/xml';
      const url = `${origin}/${file}`;
      const here = await readFeedHere(body, type, url).catch((err: unknown) => err);
      const there = await reader.read(body, type, url).catch((err: unknown) => err);
      if (here instanceof Error) {
        expect(there, file).toBeInstanceOf(FeedParseError);
        expect({ code: (there as FeedParseError).code, message: (there as Error).message }, file).toEqual({ code: (here as FeedParseError).code, message: here.message });
        continue;
      }
      expect(there, file).toEqual(here);
      const items = (here as Awaited<ReturnType<typeof readFeedHere>>).items;
      for (const kind of ['post', 'comment'] as const) {
        expect(await reader.draft(items, kind, at), file).toEqual(items.map((item) => draftAndReadBody(item, kind, at)));
      }
      // Read, hashed and drafted in one job: the same feed, the same hashes and the same drafts;
      // no drafts past the limit, the hashes still.
      const itemHashes = items.map((item) => itemHashOf(item, 'post', 'feed:', at));
      expect(await reader.readItems(body, type, url, { kind: 'post', scope: 'feed:', at, draftUpTo: items.length }), file).toEqual({ feed: here, itemHashes, drafts: items.map((item) => draftAndReadBody(item, 'post', at)), digests: null });
      if (items.length > 0) expect(await reader.readItems(body, type, url, { kind: 'post', scope: 'feed:', at, draftUpTo: items.length - 1 }), file).toEqual({ feed: here, itemHashes, drafts: null, digests: null });
      // With the items' digests: the same reading; and with the digests of all items but the
      // first known, only the first read, exactly as the whole document reads it.
      const digested = await reader.readItems(body, type, url, { kind: 'post', scope: 'feed:', at, draftUpTo: 0, digests: { known: null, skipUpTo: 1000 } });
      expect({ feed: digested.feed, itemHashes: digested.itemHashes }, file).toEqual({ feed: here, itemHashes });
      if (digested.digests && items.length > 1) {
        cut += 1;
        expect(digested.digests.items, file).toHaveLength(items.length);
        const known = { context: digested.digests.context, digests: digested.digests.items.slice(1).flatMap((d) => d ?? []) };
        const partly = await reader.readItems(body, type, url, { kind: 'post', scope: 'feed:', at, draftUpTo: 0, digests: { known, skipUpTo: 1000 } });
        const read = items.flatMap((item, k) => (k === 0 || digested.digests!.items[k] === null ? [k] : []));
        expect(partly.feed.items, file).toEqual(read.map((k) => items[k]));
        expect(partly.itemHashes, file).toEqual(read.map((k) => itemHashes[k]));
        expect(partly.digests?.skipped, file).toEqual(known.digests);
        expect({ ...partly.feed, items: [] }, file).toEqual({ ...(here as Awaited<ReturnType<typeof readFeedHere>>), items: [] });
      }
      const forComments = await reader.readItems(body, type, url, { kind: 'comment', scope: 'post-comments:7', at, draftUpTo: 0 });
      expect(forComments.itemHashes, file).toEqual(items.map((item) => itemHashOf(item, 'comment', 'post-comments:7', at)));
      drafted += items.length;
    }
    expect(drafted).toBeGreaterThan(50);
    // The fixture feeds of more than one item, but for those with a DOCTYPE or a repair.
    expect(cut).toBeGreaterThanOrEqual(10);
  });

  it('take jobs side by side: a small feed is read while a large one still is', async () => {
    reader = createFeedReader({ timeoutMs: 20_000, memoryMb: 256, idleMs: 10_000, threads: 2 });
    // Both threads started first: the race below is between the two reads, not two start-ups.
    await Promise.all([reader.read(bigFeed(1), contentType, `${origin}/feed/`), reader.read(bigFeed(1), contentType, `${origin}/feed/`)]);
    const order: string[] = [];
    const large = reader.read(bigFeed(2000), contentType, `${origin}/feed/`).then(() => order.push('large'));
    const small = reader.read(bigFeed(2), contentType, `${origin}/feed/`).then(() => order.push('small'));
    await Promise.all([large, small]);
    expect(order).toEqual(['small', 'large']);
  });

  it('one thread takes its jobs in turn', async () => {
    reader = createFeedReader({ timeoutMs: 20_000, memoryMb: 256, idleMs: 1000, threads: 1 });
    const order: string[] = [];
    const large = reader.read(bigFeed(2000), contentType, `${origin}/feed/`).then(() => order.push('large'));
    const small = reader.read(bigFeed(2), contentType, `${origin}/feed/`).then(() => order.push('small'));
    await Promise.all([large, small]);
    expect(order).toEqual(['large', 'small']);
  });

  it("stops drafting a feed's items at the time limit with a plain error, and takes the next job", async () => {
    reader = createFeedReader({ timeoutMs: 10, memoryMb: 256, idleMs: 1000 });
    const items = (await readFeedHere(bigFeed(2000), contentType, `${origin}/feed/`)).items;
    const err = await reader.draft(items, 'post', new Date()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FeedParseError);
    expect(err).toMatchObject({ code: 'too-large', message: "reading the items took longer than 0.01 s" });
    expect(await reader.draft([], 'post', new Date())).toEqual([]);
  });
});

describe('pages in the reading threads', () => {
  const postPage = `<link rel="alternate" type="application/rss+xml" title="Kommentare zu Idee" href="/2008/11/idee/feed/">
    <!-- <rdf:Description trackback:ping="http://blog.example/mt-tb.cgi/42" /> -->
    <ol class="commentlist"><li id="comment-7" class="comment"><div class="comment-content"><p>Gute Idee.</p></div></li></ol>`;

  it('reads a post page and a comment page as readPage and parseCommentList do here', async () => {
    reader = createFeedReader({ timeoutMs: 20_000, memoryMb: 256, idleMs: 1000 });
    const url = `${origin}/2008/11/idee/`;
    expect(await reader.readPage(postPage, url, {})).toEqual(readPage(postPage, url, {}));
    expect(await reader.readCommentList(postPage, url)).toEqual(parseCommentList(postPage, url));
    expect((await reader.readCommentList(postPage, url)).comments.map((c) => c.id)).toEqual(['7']);
  });

  it('refuses a page past the limits with the error readPage and parseCommentList throw, and takes the next job', async () => {
    reader = createFeedReader({ timeoutMs: 20_000, memoryMb: 256, idleMs: 1000 });
    const deep = `${postPage}${'<div/>'.repeat(20_000)}`;
    await expect(reader.readPage(deep, `${origin}/p/`, {})).rejects.toThrow(new MarkupLimitError('depth', 'the page nests elements more than 512 levels deep'));
    await expect(reader.readCommentList(deep, `${origin}/p/`)).rejects.toThrow(new CommentPageError('the page nests elements more than 512 levels deep'));
    expect((await reader.readPage(postPage, `${origin}/p/`, {})).trackbackPingUrl).toBe('http://blog.example/mt-tb.cgi/42');
  });
});

describe('OPML lists in the reading threads', () => {
  /** An OPML list of `count` blogs: about 120 characters an outline. */
  const list = (count: number) =>
    `<?xml version="1.0"?><opml version="2.0"><head><title>Teilnehmer</title></head><body>${Array.from(
      { length: count },
      (_, i) => `<outline type="rss" text="Blog ${i}" xmlUrl="https://blog${i}.example/feed/" htmlUrl="https://blog${i}.example/"/>`,
    ).join('\n')}</body></opml>`;
  const recording = () => {
    const asked: string[] = [];
    return { asked, reader: { readOpml: async (text: string) => (asked.push(text), parseOpml(text)) } };
  };

  it('reads a list as parseOpml does here, and refuses what parseOpml refuses with the same OpmlError', async () => {
    reader = createFeedReader({ timeoutMs: 20_000, memoryMb: 256, idleMs: 1000 });
    const text = list(2000);
    expect(await reader.readOpml(text)).toEqual(parseOpml(text));
    const refused = await reader.readOpml('<html><body>keine Liste</body></html>').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(OpmlError);
    expect(refused).toMatchObject({ message: 'opml: not an OPML document (no <opml> root)', reason: 'not an OPML document (no <opml> root)' });
    await expect(reader.readOpml(`<opml version="2.0"><body>${'<outline>'.repeat(300)}</body></opml>`)).rejects.toThrow(new OpmlError('the list nests elements more than 256 levels deep'));
    expect((await reader.readOpml(list(3))).outlines).toHaveLength(3);
  });

  it('refuses a list at the thread’s time limit as an OpmlError', async () => {
    reader = createFeedReader({ timeoutMs: 10, memoryMb: 256, idleMs: 1000 });
    await expect(reader.readOpml(list(5000))).rejects.toThrow(new OpmlError('reading the list took longer than 0.01 s'));
  });

  it('readOpml reads a short list in place and a long one in the reader’s thread', async () => {
    const small = list(10);
    const large = list(2000);
    expect(small.length).toBeLessThan(offThreadBytes);
    expect(large.length).toBeGreaterThanOrEqual(offThreadBytes);
    const { asked, reader: recorder } = recording();
    expect((await readOpml(small, recorder)).outlines).toHaveLength(10);
    expect(asked).toEqual([]);
    expect((await readOpml(large, recorder)).outlines).toHaveLength(2000);
    expect(asked).toEqual([large]);
  });
});

describe('the feed reader worker at its memory limit', () => {
  it('stops a read that needs more memory than the limit with a plain error, and reads the next feed', async () => {
    // Run from the compiled JavaScript in a process of its own: a worker under the test runner
    // loads tsx too, and near a tiny heap limit V8 may end the whole process instead of the
    // worker. Here such a crash fails this test (exit code, no answer) instead of the runner.
    const { execFile } = await import('node:child_process');
    const path = await import('node:path');
    const { pathToFileURL } = await import('node:url');
    const readFeedJs = pathToFileURL(path.resolve(import.meta.dirname, '../../dist/src/reader/read-feed.js')).href;
    const script = `
      const { createFeedReader } = await import(${JSON.stringify(readFeedJs)});
      const body = '<p>' + 'Über Öffentlichkeit im Netz lässt sich trefflich streiten, und das geschieht hier. '.repeat(25) + '</p>';
      const items = Array.from({ length: 3800 }, (_, i) => '<item><title>Beitrag ' + i + '</title><link>${origin}/' + i + '/</link><description><![CDATA[' + body + ']]></description></item>').join('');
      const feed = (n) => Buffer.from('<?xml version="1.0"?><rss version="2.0"><channel><title>B</title><link>${origin}/</link>' + (n === undefined ? items : '<item><title>x</title></item>') + '</channel></rss>');
      const reader = createFeedReader({ timeoutMs: 60000, memoryMb: 16, idleMs: 1000 });
      const out = { bytes: feed().length };
      try { out.items = (await reader.read(feed(), 'application/rss+xml', '${origin}/feed/')).items.length; }
      catch (err) { out.error = { name: err.name, code: err.code, message: err.message }; }
      out.next = (await reader.read(feed(1), 'application/rss+xml', '${origin}/feed/')).items.length;
      await reader.close();
      console.log(JSON.stringify(out));`;
    const stdout = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, ['--input-type=module', '-e', script], { timeout: 60_000 }, (err, out, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(out))),
    );
    const out = JSON.parse(stdout) as { bytes: number; items?: number; error?: { code: string; message: string }; next: number };
    // Just under the 10 MB a feed may have: parsed, it takes several times that in objects.
    expect(out.bytes).toBeGreaterThan(8_000_000);
    expect(out.items).toBeUndefined();
    expect(out.error).toMatchObject({ code: 'too-large', message: 'reading the feed needed more than 16 MB' });
    expect(out.next).toBe(1);
  }, 90_000);
});
