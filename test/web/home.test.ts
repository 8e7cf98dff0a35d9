// The home page on a SQLite file, as the service runs it: kept while nothing is committed, so a
// crowd asking for it costs a statement a request; rendered again after a commit.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ingestFeedItems } from '../../src/ingest/feed-items.ts';
import { commitWaitingWrites } from '../../src/store/dialect.ts';
import { insertSource } from '../../src/store/sources.ts';
import { insertHomeOnlyBlog } from '../support/db.ts';
import { fileService } from '../support/file-service.ts';
import { postedAt as at, sacharPost as post } from '../support/posts.ts';
import { countSqliteStatements } from '../support/statements.ts';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('the home page on a SQLite file', () => {
  // On SQLite under every suite: the test:pg run's PostgreSQL has no such stamp, and renders every time.
  it('is rendered once while nothing is committed, and again after a commit', async () => {
    const service = await fileService();
    try {
      const { db } = service.database;
      const blog = await insertHomeOnlyBlog(db, 'https://sachar.example/', at);
      const source = await insertSource(db, { blogId: blog.id, kind: 'feed', url: 'https://sachar.example/feed/', nextCheckAt: at }, at);
      await ingestFeedItems(db, source, { items: [post(1)], title: null }, at);
      await commitWaitingWrites(db);
      const statements = countSqliteStatements();
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
      await service.close();
    }
  });
});
