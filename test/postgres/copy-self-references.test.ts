// migrate-to-postgres with rows that point at later rows of their own table (npm run test:pg
// only): conversations merged into newer ones and records of pings standing for newer entries,
// more of them than one statement fills in, reach PostgreSQL pointing where they did.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { openDatabase, type OpenedSqlite } from '../../src/db/open.ts';
import { openPostgres } from '../../src/db/postgres.ts';
import { copySqliteToPostgres } from '../../src/store/copy-to-postgres.ts';
import { createPostgresTestDatabase, testPostgresUrl } from '../support/postgres.ts';

const adminUrl = testPostgresUrl()!;
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('migrate-to-postgres and references within a table', () => {
  it('copies 12,000 merged conversations and 6,000 records of pings, each pointing at a later row, as they were', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'palaver-copy-refs-'));
    cleanups.push(async () => fs.rmSync(dir, { recursive: true, force: true }));
    const file = path.join(dir, 'palaver.db');
    const sqlite = openDatabase(file) as OpenedSqlite;
    await migrateToLatest(sqlite.db);
    const raw = sqlite.sqlite;
    const now = '2026-03-02T00:00:00.000Z';
    const size = 12_000;
    raw.transaction(() => {
      raw.prepare(`insert into blogs (home_url, url_key, title, created_at, updated_at) values ('http://a.example/', 'a.example', 'A', ?, ?)`).run(now, now);
      const conversation = raw.prepare(`insert into conversations (entry_count, created_at, updated_at) values (1, ?, ?)`);
      const entry = raw.prepare(`insert into entries (blog_id, kind, identity, url, url_key, content_html, sort_at, content_hash, first_seen_at, changed_at, conversation_id) values (1, 'post', ?, ?, ?, '<p>x</p>', ?, ?, ?, ?, ?)`);
      for (let i = 1; i <= size; i++) {
        conversation.run(now, now);
        entry.run(`e${i}`, `http://a.example/${i}/`, `a.example/${i}`, now, `h${i}`, now, now, i);
      }
      // Every conversation but the last merged into the next; every other entry a record of the next.
      raw.prepare(`update conversations set merged_into_id = id + 1 where id < ?`).run(size);
      raw.prepare(`update entries set same_as_id = id + 1 where id % 2 = 1`).run();
    })();
    const pointers = async (db: OpenedSqlite['db']) => ({
      merged: (await db.selectFrom('conversations').select(['id', 'merged_into_id']).where('merged_into_id', 'is not', null).orderBy('id').execute()).map((r) => [r.id, r.merged_into_id]),
      records: (await db.selectFrom('entries').select(['id', 'same_as_id']).where('same_as_id', 'is not', null).orderBy('id').execute()).map((r) => [r.id, r.same_as_id]),
    });
    const expected = await pointers(sqlite.db);
    expect(expected.merged).toHaveLength(size - 1);
    expect(expected.records).toHaveLength(size / 2);
    await sqlite.close();

    const created = await createPostgresTestDatabase(adminUrl, { unmigrated: true });
    cleanups.push(() => created.drop());
    await copySqliteToPostgres(file, { databaseUrl: created.url });
    const copied = openPostgres(created.url, { poolSize: 1 });
    cleanups.push(() => copied.close());
    expect(await pointers(copied.db as OpenedSqlite['db'])).toEqual(expected);
  }, 120_000);
});
