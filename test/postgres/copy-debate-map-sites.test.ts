// migrate-to-postgres with the debate map's sites (npm run test:pg only): the sites of blogs and
// link edges and the automatic follows reach PostgreSQL, the suggested blogs read the same on
// both, and a new automatic follow takes an id after the copied ones.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { openDatabase, type Db } from '../../src/db/open.ts';
import { openPostgres } from '../../src/db/postgres.ts';
import { listAutoFollows, recordAutoFollow } from '../../src/store/auto-follows.ts';
import { copySqliteToPostgres } from '../../src/store/copy-to-postgres.ts';
import { listSuggestedSites, listUnfollowedSitesOf } from '../../src/store/site-mentions.ts';
import { insertEdges } from '../../src/store/threads.ts';
import { createPostgresTestDatabase, testPostgresUrl } from '../support/postgres.ts';
import { storeDebate, storeGraph } from '../support/store-graph.ts';

const adminUrl = testPostgresUrl()!;
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** What the debate map's sites are on one database, independent of the database. */
async function sitesOf(db: Db, conversationId: number) {
  return {
    blogs: await db.selectFrom('blogs').select(['id', 'site']).orderBy('id').execute(),
    edges: await db.selectFrom('edges').select(['id', 'to_site']).orderBy('id').execute(),
    follows: await listAutoFollows(db, { limit: 50, offset: 0 }),
    suggested: await listSuggestedSites(db, { limit: 50, offset: 0 }),
    ofDebate: await listUnfollowedSitesOf(db, conversationId, 50),
  };
}

describe('migrate-to-postgres and the debate map', () => {
  it('copies the sites of blogs and edges and the automatic follows; ids of new follows continue', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'palaver-copy-sites-'));
    cleanups.push(async () => fs.rmSync(dir, { recursive: true, force: true }));
    const file = path.join(dir, 'palaver.db');
    const sqlite = openDatabase(file);
    cleanups.push(() => sqlite.close());
    await migrateToLatest(sqlite.db);
    const graph = storeGraph(sqlite.db);
    const { post, answer } = await storeDebate(graph);
    const link = (url: string, key: string) => ({ type: 'links-to' as const, target: { kind: 'url' as const, key }, toUrl: url });
    await insertEdges(sqlite.db, post, [link('http://other.example/2008/11/x/', 'other.example/2008/11/x'), link('http://third.example/q/', 'third.example/q')], graph.now());
    await insertEdges(sqlite.db, answer, [link('http://other.example/2008/11/z/', 'other.example/2008/11/z')], graph.now());
    const now = '2026-03-02T00:00:00.000Z';
    const decision = { url: 'http://x.example/', reason: 'links' as const, linkingBlogCount: 2, pingCount: 0 };
    await recordAutoFollow(sqlite.db, { ...decision, site: 'kuhn.example', outcome: { status: 'followed', blogId: 2 } }, now);
    await recordAutoFollow(sqlite.db, { ...decision, site: 'nofeed.example', outcome: { status: 'failed', error: 'no feed', retryAt: '2026-03-09T00:00:00.000Z' } }, now);
    const conversationId = (await sqlite.db.selectFrom('entries').select('conversation_id').where('id', '=', post).executeTakeFirstOrThrow()).conversation_id!;
    const expected = await sitesOf(sqlite.db, conversationId);
    expect(expected.suggested.map((s) => s.site)).toEqual(['other.example', 'third.example']);
    expect(expected.follows.map((f) => f.site)).toEqual(['kuhn.example']);

    const created = await createPostgresTestDatabase(adminUrl, { unmigrated: true });
    cleanups.push(() => created.drop());
    const report = await copySqliteToPostgres(file, { databaseUrl: created.url });
    expect(report.tables).toBeGreaterThan(0);
    const copied = openPostgres(created.url, { poolSize: 1 });
    cleanups.push(() => copied.close());
    expect(await sitesOf(copied.db, conversationId)).toEqual(expected);
    // Analyzed: the planner counts the copied rows rather than planning for empty tables.
    const counted = await sql<{ n: number }>`select reltuples::float8 as n from pg_class where oid = 'entries'::regclass`.execute(copied.db);
    expect(Number(counted.rows[0]!.n)).toBe(await copied.db.selectFrom('entries').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow().then((r) => Number(r.n)));
    expect(await copied.db.selectFrom('auto_follows').select(['id', 'site', 'status']).orderBy('id').execute()).toEqual([
      { id: 1, site: 'kuhn.example', status: 'followed' },
      { id: 2, site: 'nofeed.example', status: 'failed' },
    ]);
    await recordAutoFollow(copied.db, { ...decision, site: 'new.example', outcome: { status: 'trying', retryAt: now } }, now);
    expect((await copied.db.selectFrom('auto_follows').select('id').where('site', '=', 'new.example').executeTakeFirstOrThrow()).id).toBe(3);
  });
});
