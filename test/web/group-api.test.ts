// A group's JSON answer on a SQLite file, as the service runs it: read through the pages'
// connection and kept while nothing is committed, so a crowd asking for a big group costs a
// statement a request; read again after any commit (a poll, an operator's change).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ingestFeedItems } from '../../src/ingest/feed-items.ts';
import { commitWaitingWrites } from '../../src/store/dialect.ts';
import { insertGroup, insertGroupMembers } from '../../src/store/groups.ts';
import { insertSource } from '../../src/store/sources.ts';
import { insertHomeOnlyBlog } from '../support/db.ts';
import { fileService } from '../support/file-service.ts';
import { postedAt as at, sacharPost as post } from '../support/posts.ts';
import { countSqliteStatements } from '../support/statements.ts';

afterEach(() => {
  vi.restoreAllMocks();
});

interface Answer {
  memberCount: number;
  conversationCount: number;
  conversations: { title: string | null }[];
  next: string | null;
}

describe('GET /api/groups/:slug on a SQLite file', () => {
  // On SQLite under every suite: the test:pg run's PostgreSQL has no such stamp, and reads every time.
  it('is read once while nothing is committed, and again after a poll or a change of members', async () => {
    const service = await fileService();
    try {
      const { db } = service.database;
      const sachar = await insertHomeOnlyBlog(db, 'https://sachar.example/', at);
      const other = await insertHomeOnlyBlog(db, 'https://other.example/', at);
      const source = await insertSource(db, { blogId: sachar.id, kind: 'feed', url: 'https://sachar.example/feed/', nextCheckAt: at }, at);
      await ingestFeedItems(db, source, { items: [post(1), post(2)], title: null }, at);
      const group = await insertGroup(db, { slug: 'camp', title: 'Camp', description: null, lang: null, event: null }, at);
      await insertGroupMembers(db, group.id, [sachar.id], at);
      await commitWaitingWrites(db);

      const statements = countSqliteStatements();
      const first = await service.app.inject({ method: 'GET', url: '/api/groups/camp?limit=1' });
      expect(first.statusCode).toBe(200);
      expect(first.headers['content-type']).toBe('application/json; charset=utf-8');
      const answer = first.json() as Answer;
      expect(answer).toMatchObject({ memberCount: 1, conversationCount: 2, next: expect.stringContaining('/api/groups/camp?limit=1&cursor=') });
      expect(first.headers.link).toContain('rel="next"');
      const reading = statements();
      const again = await service.app.inject({ method: 'GET', url: '/api/groups/camp?limit=1' });
      expect(again.body).toBe(first.body);
      expect(again.headers.link).toBe(first.headers.link);
      expect(statements() - reading).toBe(1);
      // Validators: a client that has the answer gets a 304.
      expect((await service.app.inject({ method: 'GET', url: '/api/groups/camp?limit=1', headers: { 'if-none-match': String(first.headers.etag) } })).statusCode).toBe(304);
      // Another page is read on its own; no such group is a 404, not kept.
      expect(((await service.app.inject({ method: 'GET', url: '/api/groups/camp' })).json() as Answer).conversations).toHaveLength(2);
      expect((await service.app.inject({ method: 'GET', url: '/api/groups/none' })).statusCode).toBe(404);

      // A new member, committed by the operator's change: the next answer shows it.
      await insertGroupMembers(db, group.id, [other.id], at);
      await commitWaitingWrites(db);
      expect(((await service.app.inject({ method: 'GET', url: '/api/groups/camp?limit=1' })).json() as Answer).memberCount).toBe(2);
      // A new post, committed by a poll.
      await ingestFeedItems(db, source, { items: [post(3), post(2), post(1)], title: null }, at);
      await commitWaitingWrites(db);
      expect(((await service.app.inject({ method: 'GET', url: '/api/groups/camp' })).json() as Answer).conversationCount).toBe(3);
    } finally {
      await service.close();
    }
  });
});
