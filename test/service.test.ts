import { describe, expect, it } from 'vitest';
import defaults from '../config/default.json' with { type: 'json' };
import { startDemoBlogs } from '../src/demo/blogs.ts';
import { registerBlog } from '../src/registry/register-blog.ts';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { migrateToLatest } from '../src/db/migrate.ts';
import { openDatabase } from '../src/db/open.ts';
import { createService, searchThreadFor } from '../src/service.ts';
import { testConfig } from './support/app.ts';

describe('createService', () => {
  it('wires the app and the workers on a migrated database without listening or starting a worker', async () => {
    const service = await createService(testConfig(), { log: { info: () => {}, warn: () => {}, error: () => {} } });
    try {
      expect(service.app.server.listening).toBe(false);
      const health = await service.app.inject('/health');
      expect(health.statusCode).toBe(200);
      expect(health.json()).toMatchObject({ status: 'ok', database: 'ok', blogs: 0 });
      // WebSub is on by default: feeds name the hub, and the hub endpoint answers.
      const feed = await service.app.inject('/feed.atom');
      expect(feed.headers.link).toContain(`<${service.config.publicUrl}/websub>; rel="hub"`);
      expect((await service.app.inject({ method: 'POST', url: '/websub', payload: 'hub.mode=nonsense', headers: { 'content-type': 'application/x-www-form-urlencoded' } })).statusCode).toBe(400);
      expect(await service.pingVerifier.runOnce()).toEqual({ accepted: 0, rejected: 0, held: 0, gone: 0, retry: 0 });
    } finally {
      await service.stop();
    }
    // stop() closes the database; a second stop is the same stop.
    await expect(service.database.db.selectFrom('blogs').selectAll().execute()).rejects.toThrow();
    await service.stop();
  });

  it('leaves WebSub out when the settings turn it off', async () => {
    const service = await createService(testConfig({ websub: { ...testConfig().websub, enabled: false } }), { log: { info: () => {}, warn: () => {}, error: () => {} } });
    try {
      expect((await service.app.inject('/feed.atom')).headers.link).not.toContain('rel="hub"');
      expect((await service.app.inject({ method: 'POST', url: '/websub', payload: 'hub.mode=subscribe', headers: { 'content-type': 'application/x-www-form-urlencoded' } })).statusCode).toBe(404);
    } finally {
      await service.stop();
    }
  });

  it("polls through its reading threads to the same debate as without them", async () => {
    const blogs = await startDemoBlogs({ freitagCharset: 'windows-1252' });
    const silent = { log: { info: () => {}, warn: () => {}, error: () => {} } };
    const debateWith = async (readerThreads: number) => {
      const service = await createService(testConfig({ poller: { ...defaults.poller, readerThreads } }), silent);
      try {
        for (const blog of blogs.blogs) await registerBlog({ db: service.database.db, fetch: service.fetcher.fetch }, blog.homeUrl);
        const summary = await service.poller.pollOnce({ force: true });
        expect(summary.failed + summary.crashed).toBe(0);
        const entries = await service.database.db.selectFrom('entries').select(['identity', 'kind', 'title', 'content_html', 'content_text', 'excerpt', 'content_hash']).orderBy('identity').execute();
        const edges = await service.database.db
          .selectFrom('edges')
          .innerJoin('entries as f', 'f.id', 'edges.from_entry_id')
          .leftJoin('entries as t', 't.id', 'edges.to_entry_id')
          .select(['f.identity as from', 'edges.type', 'edges.target', 't.identity as to'])
          .orderBy('f.identity')
          .orderBy('edges.type')
          .orderBy('edges.target')
          .execute();
        return { inserted: summary.inserted, entries, edges };
      } finally {
        await service.stop();
      }
    };
    // Node announces every thread it starts: the reading thread, and none without one.
    let threads = 0;
    const count = () => (threads += 1);
    process.on('worker', count);
    try {
      const threaded = await debateWith(1);
      expect(threads).toBe(1);
      expect(threaded.inserted).toBeGreaterThan(20);
      expect(threaded.edges.filter((e) => e.to !== null).length).toBeGreaterThan(10);
      threads = 0;
      expect(threaded).toEqual(await debateWith(0));
      expect(threads).toBe(0);
    } finally {
      process.off('worker', count);
      await blogs.close();
    }
  }, 60_000);

  it('searches a SQLite file in a search thread, and a database in memory in place', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'palaver-service-'));
    const file = openDatabase(path.join(dir, 'palaver.db'));
    const memory = openDatabase(':memory:');
    const thread = searchThreadFor(file);
    try {
      await migrateToLatest(file.db);
      expect(thread).toBeDefined();
      expect(await thread!.search('Debatte', { limit: 5 })).toEqual([]);
      expect(searchThreadFor(memory)).toBeUndefined();
    } finally {
      await thread?.close();
      await file.close();
      await memory.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
