// The home page on a SQLite file, as the service runs it: kept while nothing is committed, so a
// crowd asking for it costs a statement a request; rendered again after a commit.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ingestFeedItems } from '../../src/ingest/feed-items.ts';
import type { FeedItem } from '../../src/reader/types.ts';
import { commitWaitingWrites } from '../../src/store/dialect.ts';
import { insertSource } from '../../src/store/sources.ts';
import { createService } from '../../src/service.ts';
import { testConfig } from '../support/app.ts';
import { insertHomeOnlyBlog } from '../support/db.ts';

const dirs: string[] = [];
afterEach(() => {
  vi.restoreAllMocks();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const at = '2008-11-12T10:00:00.000Z';
const post = (n: number): FeedItem => ({
  guid: `p${n}`, url: `https://sachar.example/p${n}/`, title: `Beitrag ${n}`, authorName: null, authorUrl: null, contentHtml: `<p>Beitrag ${n}</p>`, summaryHtml: null,
  publishedAt: at, updatedAt: null, commentsPageUrl: null, commentFeeds: [], commentCount: null, inReplyTo: [], trackbackPingUrl: null, baseUrl: `https://sachar.example/p${n}/`, lang: null,
});

/** Counts the statements SQLite runs, on every connection of this process. */
function countStatements(): () => number {
  const probe = new SQLite(':memory:');
  const statement = Object.getPrototypeOf(probe.prepare('select 1')) as Record<'all' | 'get' | 'run' | 'iterate', (...args: unknown[]) => unknown>;
  probe.close();
  const spies = (['all', 'get', 'run', 'iterate'] as const).map((m) => vi.spyOn(statement, m));
  return () => spies.reduce((n, s) => n + s.mock.calls.length, 0);
}

describe('the home page on a SQLite file', () => {
  // On SQLite under every suite: the test:pg run's PostgreSQL has no such stamp, and renders every time.
  it('is rendered once while nothing is committed, and again after a commit', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'palaver-home-'));
    dirs.push(dir);
    const silent = { info: () => {}, warn: () => {}, error: () => {} };
    const service = await createService(testConfig({ databasePath: path.join(dir, 'palaver.db') }), { log: silent });
    try {
      const { db } = service.database;
      const blog = await insertHomeOnlyBlog(db, 'https://sachar.example/', at);
      const source = await insertSource(db, { blogId: blog.id, kind: 'feed', url: 'https://sachar.example/feed/', nextCheckAt: at }, at);
      await ingestFeedItems(db, source, { items: [post(1)], title: null }, at);
      await commitWaitingWrites(db);
      const statements = countStatements();
      const first = await service.app.inject({ method: 'GET', url: '/' });
      expect(first.statusCode).toBe(200);
      expect(first.body).toContain('Beitrag 1');
      const rendering = statements();
      const again = await service.app.inject({ method: 'GET', url: '/' });
      expect(again.body).toBe(first.body);
      expect(statements() - rendering).toBe(1);
      // Another page, or the page in another language, is rendered on its own.
      expect((await service.app.inject({ method: 'GET', url: '/', headers: { 'accept-language': 'de' } })).body).not.toBe(first.body);
      await ingestFeedItems(db, source, { items: [post(2), post(1)], title: null }, at);
      await commitWaitingWrites(db);
      expect((await service.app.inject({ method: 'GET', url: '/' })).body).toContain('Beitrag 2');
    } finally {
      await service.stop();
    }
  });
});
