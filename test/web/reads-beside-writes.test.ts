// Pages and feeds on a SQLite file read through the read connection: they answer while a write
// transaction (a feed's part being stored) is open and held, with the data of the last commit,
// and show what the transaction wrote once it committed. Writes stay on the write connection.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Source } from '../../src/domain/models.ts';
import { ingestFeedItems } from '../../src/ingest/feed-items.ts';
import type { FeedItem } from '../../src/reader/types.ts';
import { createService, type Service } from '../../src/service.ts';
import { insertBlog, updateBlogTitle } from '../../src/store/blogs.ts';
import { commitWaitingWrites } from '../../src/store/dialect.ts';
import { insertSource } from '../../src/store/sources.ts';
import { testConfig } from '../support/app.ts';

const silent = { info: () => {}, warn: () => {}, error: () => {} };
const checkedAt = '2026-03-01T12:00:00.000Z';
// Long enough that a page waiting for the transaction is told from one that did not.
const patienceMs = 5_000;

let dir: string;
let service: Service;
let conversationId: number;
let blogId: number;

function post(n: number, links: string[] = []): FeedItem {
  const url = `https://blog.example/2026/03/p${n}/`;
  return {
    guid: url, url, title: `Beitrag ${n}`, authorName: 'Sab', authorUrl: null,
    contentHtml: `<p>Text ${n} ${links.map((l) => `<a href="${l}">hier</a>`).join(' ')}</p>`, summaryHtml: null,
    publishedAt: `2026-03-0${n}T10:00:00.000Z`, updatedAt: null, commentsPageUrl: null, commentFeeds: [],
    commentCount: null, inReplyTo: [], trackbackPingUrl: null, baseUrl: url, lang: 'de',
  };
}

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'palaver-reads-'));
  service = await createService(testConfig({ databasePath: path.join(dir, 'p.db') }), { log: silent });
  const db = service.database.db;
  const blog = await insertBlog(db, { homeUrl: 'https://blog.example/', urlKey: 'blog.example', title: 'Erster Name', description: null, pingbackEndpoint: null, webmentionEndpoint: null, rsdUrl: null, trackbackPingUrl: null, discoveryNotes: [] }, checkedAt);
  blogId = blog.id;
  const source: Source = await insertSource(db, { blogId, kind: 'feed', url: 'https://blog.example/feed/', nextCheckAt: checkedAt }, checkedAt);
  const first = post(1);
  await ingestFeedItems(db, source, { items: [first, post(2, [first.url!])], title: null }, checkedAt);
  // Its commit waited to be shared with the poller's next writes (src/db/open.ts); a poll would
  // commit it at its end.
  await commitWaitingWrites(db);
  conversationId = (await db.selectFrom('entries').select('conversation_id').where('url', '=', first.url).executeTakeFirstOrThrow()).conversation_id!;
});

afterEach(async () => {
  await service.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Runs `during` while a write transaction that renamed the blog is open; commits after it. */
async function whileWriting<T>(during: () => Promise<T>): Promise<T> {
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  let opened!: () => void;
  const open = new Promise<void>((resolve) => (opened = resolve));
  const writing = service.database.db.transaction().execute(async (trx) => {
    await updateBlogTitle(trx, blogId, 'Zweiter Name', '2026-03-01T13:00:00.000Z');
    opened();
    await held;
  });
  await open;
  try {
    return await during();
  } finally {
    release();
    await writing;
  }
}

/** What a request got, or 'waited' when it had no answer while the transaction stayed open. */
async function answerOf(url: string): Promise<{ statusCode: number; body: string } | 'waited'> {
  let timer: NodeJS.Timeout | undefined;
  const waited = new Promise<'waited'>((resolve) => (timer = setTimeout(() => resolve('waited'), patienceMs)));
  try {
    return await Promise.race([service.app.inject(url).then((r) => ({ statusCode: r.statusCode, body: r.body })), waited]);
  } finally {
    clearTimeout(timer);
  }
}

describe('pages and feeds beside an open write transaction (SQLite file)', () => {
  it('answer while it is held, with the last commit, and show its writes once it committed', async () => {
    const during = await whileWriting(async () => ({
      page: await answerOf(`/c/${conversationId}`),
      feed: await answerOf(`/c/${conversationId}/feed.atom`),
      home: await answerOf('/'),
      blogFeed: await answerOf(`/blogs/${blogId}/feed.atom`),
    }));
    for (const answer of Object.values(during)) {
      expect(answer).not.toBe('waited');
      if (answer === 'waited') continue;
      expect(answer.statusCode).toBe(200);
      expect(answer.body).toContain('Erster Name');
      expect(answer.body).not.toContain('Zweiter Name');
    }
    const after = await service.app.inject(`/c/${conversationId}`);
    expect(after.body).toContain('Zweiter Name');
    expect((await service.app.inject(`/blogs/${blogId}/feed.atom`)).body).toContain('Zweiter Name');
  });

  it('keeps the read connection read-only and every write on the write connection', async () => {
    expect(service.database.read).not.toBe(service.database.db);
    await expect(service.database.read.updateTable('blogs').set({ title: 'x' }).execute()).rejects.toThrow(/readonly/i);
    // A route that writes (a registration's form, a webmention) still writes: to the write connection.
    const res = await service.app.inject({
      method: 'POST',
      url: '/webmention',
      payload: `source=${encodeURIComponent('https://elsewhere.example/a')}&target=${encodeURIComponent('https://blog.example/2026/03/p1/')}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(res.statusCode).toBeLessThan(300);
    expect(await service.database.read.selectFrom('pings').select('id').execute()).toHaveLength(1);
  });
});
