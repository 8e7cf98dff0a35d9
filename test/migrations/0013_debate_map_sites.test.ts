// Migration 0013 on a database that already holds blogs and link edges: each blog and each URL
// edge learns its site (in batches), the tables and indexes of the debate map's sites appear,
// and down() takes them away again; on SQLite, and on PostgreSQL under `npm run test:pg`.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { sql, type Kysely, type Migration } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { migrationsFolder } from '../../src/db/migrate.ts';
import { openDatabase, type OpenedDatabase } from '../../src/db/open.ts';
import { openPostgres } from '../../src/db/postgres.ts';
import { createPostgresTestDatabase, testPostgresUrl } from '../support/postgres.ts';

let database: OpenedDatabase | undefined;
let dropDatabase: (() => Promise<void>) | undefined;
afterEach(async () => {
  await database?.close();
  await dropDatabase?.();
  database = dropDatabase = undefined;
});

/** An empty database without any migration, of the kind this run tests. */
async function emptyDatabase(): Promise<OpenedDatabase> {
  const adminUrl = testPostgresUrl();
  if (!adminUrl) return openDatabase(':memory:');
  const created = await createPostgresTestDatabase(adminUrl, { unmigrated: true });
  dropDatabase = created.drop;
  return openPostgres(created.url, { poolSize: 1 });
}

/** The columns of a table, on either database. */
async function columnsOf(db: Kysely<unknown>, table: string): Promise<string[]> {
  const rows = testPostgresUrl()
    ? await sql<{ name: string }>`select column_name as name from information_schema.columns where table_schema = current_schema() and table_name = ${table}`.execute(db)
    : await sql<{ name: string }>`select name from pragma_table_info(${table})`.execute(db);
  return rows.rows.map((c) => c.name);
}

async function migration(name: string): Promise<Migration> {
  return (await import(pathToFileURL(path.join(migrationsFolder, `${name}.ts`)).href)) as Migration;
}

describe('migration 0013', () => {
  it('fills in the sites of existing blogs and URL edges, and is undone by down()', async () => {
    database = await emptyDatabase();
    const db = database.db as unknown as Kysely<unknown>;
    const before = fs.readdirSync(migrationsFolder).filter((f) => /^\d{4}_.*\.ts$/.test(f) && f < '0013').map((f) => f.slice(0, -3)).sort();
    for (const name of before) await (await migration(name)).up(db);
    const now = '2026-01-01T00:00:00.000Z';
    await sql`insert into blogs (id, home_url, url_key, title, created_at, updated_at) values (1, 'http://www.a.example:8080/blog/', 'a.example:8080/blog', 'A', ${now}, ${now})`.execute(db);
    await sql`insert into conversations (id, created_at, updated_at) values (1, ${now}, ${now})`.execute(db);
    await sql`insert into entries (id, blog_id, kind, identity, sort_at, content_hash, first_seen_at, changed_at, conversation_id) values (1, 1, 'post', 'g1', ${now}, 'h', ${now}, ${now}, 1)`.execute(db);
    // More edges than one batch of the backfill.
    await sql`insert into edges (from_entry_id, type, target, created_at)
      with recursive n(i) as (select 1 union all select i + 1 from n where i < 4500)
      select 1, 'links-to', 'url:site' || (i % 3) || '.example/p/' || i, ${now} from n`.execute(db);
    await sql`insert into edges (from_entry_id, type, target, created_at) values (1, 'reply-to', 'ref:abc', ${now}), (1, 'links-to', 'url:b.example?p=1', ${now})`.execute(db);

    const m13 = await migration('0013_debate_map_sites');
    await m13.up(db);
    expect((await sql<{ site: string }>`select site from blogs`.execute(db)).rows).toEqual([{ site: 'a.example:8080' }]);
    // Nulls last, as PostgreSQL orders them by default (SQLite puts them first).
    const sites = (await sql<{ to_site: string | null; n: number }>`select to_site, count(*) as n from edges group by to_site order by to_site is null, to_site`.execute(db)).rows;
    expect(sites.map((r) => ({ ...r, n: Number(r.n) }))).toEqual([
      { to_site: 'b.example', n: 1 },
      { to_site: 'site0.example', n: 1500 },
      { to_site: 'site1.example', n: 1500 },
      { to_site: 'site2.example', n: 1500 },
      { to_site: null, n: 1 },
    ]);
    // Ids come from the table itself (autoincrement on SQLite, a sequence on PostgreSQL).
    const followed = await sql<{ id: number }>`insert into auto_follows (site, url, reason, status, attempted_at, created_at, updated_at) values ('c.example', 'http://c.example/', 'ping', 'followed', ${now}, ${now}, ${now}), ('d.example', 'http://d.example/', 'links', 'failed', ${now}, ${now}, ${now}) returning id`.execute(db);
    expect(followed.rows.map((r) => Number(r.id))).toEqual([1, 2]);
    expect(await columnsOf(db, 'auto_follows')).toContain('retry_at');

    await m13.down!(db);
    expect(await columnsOf(db, 'blogs')).not.toContain('site');
    expect(await columnsOf(db, 'edges')).not.toContain('to_site');
    expect(await columnsOf(db, 'auto_follows')).toEqual([]);
  });
});
