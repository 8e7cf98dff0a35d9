import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Kysely, sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { commitWaitMs, openDatabase, sortingOnDisk, type Db, type OpenedSqlite } from '../../src/db/open.ts';
import { commitWaitingWrites, letCommitWait } from '../../src/store/dialect.ts';

describe('temporary storage', () => {
  // SQLite names its temporary files etilqs_… and unlinks them at once; open, they show among
  // the process's descriptors until the transaction ends.
  const openTemporaryFiles = () => fs.readdirSync('/proc/self/fd').filter((fd) => /etilqs_/.test(safeReadlink(`/proc/self/fd/${fd}`))).length;
  const safeReadlink = (link: string) => {
    try {
      return fs.readlinkSync(link);
    } catch {
      return '';
    }
  };

  const linux = process.platform === 'linux';
  const temporaryStorage = (opened: OpenedSqlite) => opened.sqlite.pragma('temp_store', { simple: true });

  it.runIf(linux)('keeps the journal of a many-row write inside a transaction in memory, not in a temporary file', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'palaver-db-'));
    const { db, sqlite, close } = openDatabase(path.join(dir, 'p.db'));
    sqlite.exec('create table t (id integer primary key, k text not null unique, v text not null)');
    const insert = sqlite.prepare('insert into t (k, v) values (?, ?)');
    sqlite.transaction(() => {
      for (let i = 0; i < 2000; i++) insert.run(`https://blog.example/${i}/`, 'x'.repeat(200));
    })();
    const before = openTemporaryFiles();
    let during = -1;
    await db.transaction().execute(async (trx) => {
      await sql`select count(*) from t`.execute(trx);
      // One statement changing 2,000 rows (over 400 KiB of pages), which may still fail on the
      // unique key: SQLite journals the pages it changes to take back this statement alone.
      await sql`update t set k = k || '#', v = v || 'y'`.execute(trx);
      during = openTemporaryFiles();
    });
    expect(during - before).toBe(0);
    await close();
  });

  it.runIf(linux)('sorts a query that only reads on disk once the sort outgrows the page cache', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'palaver-db-'));
    const opened = openDatabase(path.join(dir, 'p.db'));
    opened.sqlite.exec('create table t (id integer primary key, v text not null)');
    // SQLite sorts in memory up to about the size of the page cache: with 100 KiB of it, 1.2 MB
    // of rows in random order outgrow it.
    opened.sqlite.pragma('cache_size = -100');
    await sql`insert into t (v) with recursive n(i) as (select 1 union all select i + 1 from n where i < 5000) select hex(randomblob(120)) from n`.execute(opened.db);
    expect(temporaryStorage(opened)).toBe(2);
    const before = openTemporaryFiles();
    let during = -1;
    for await (const row of (opened.db as unknown as Kysely<{ t: { v: string } }>).selectFrom('t').select('v').orderBy('v').stream()) {
      expect(row.v).toMatch(/^[0-9A-F]+$/);
      during = openTemporaryFiles();
      break;
    }
    expect(during).toBeGreaterThan(before);
    await sql`select count(*) from t`.execute(opened.db);
    expect(temporaryStorage(opened)).toBe(0);
    await opened.close();
  });

  it('sorts on disk for the migrations, writes included, and as the statements say after', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'palaver-db-'));
    const opened = openDatabase(path.join(dir, 'p.db'));
    opened.sqlite.exec('create table t (id integer primary key, v text)');
    const seen: unknown[] = [];
    await sortingOnDisk(opened.db, async () => {
      await sql`insert into t (v) values ('a')`.execute(opened.db);
      seen.push(temporaryStorage(opened));
    });
    await migrateToLatest(opened.db);
    await sql`insert into t (v) values ('b')`.execute(opened.db);
    seen.push(temporaryStorage(opened));
    expect(seen).toEqual([0, 2]);
    await opened.close();
  });
});

describe('commits that wait', () => {
  // A SQLite file: the read connection, as pages read, sees only what is committed.
  async function withFile(test: (database: OpenedSqlite, hosts: () => Promise<string[]>) => Promise<void>): Promise<void> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'palaver-wait-'));
    const database = openDatabase(path.join(dir, 'p.db'));
    await migrateToLatest(database.db);
    const hosts = async () => (await database.read.selectFrom('ping_hosts').select('host').orderBy('host').execute()).map((r) => r.host);
    try {
      await test(database, hosts);
    } finally {
      await database.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  const add = (db: Db, host: string) => db.insertInto('ping_hosts').values({ host, verdict: 'trusted', created_at: 'now' }).execute();
  const waiting = (db: Db, host: string) =>
    db.transaction().execute(async (trx) => {
      await letCommitWait(trx);
      await add(trx, host);
    });
  const later = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it('share one commit, made at most commitWaitMs after the first', async () => {
    await withFile(async (database, hosts) => {
      await waiting(database.db, 'a.example');
      await waiting(database.db, 'b.example');
      // Ended, and on the write connection already there; committed later, together.
      expect(await database.db.selectFrom('ping_hosts').select('host').execute()).toHaveLength(2);
      expect(await hosts()).toEqual([]);
      await later(commitWaitMs + 50);
      expect(await hosts()).toEqual(['a.example', 'b.example']);
    });
  });

  it('are committed by the next transaction that does not wait, and by a write outside a transaction', async () => {
    await withFile(async (database, hosts) => {
      await waiting(database.db, 'a.example');
      await database.db.transaction().execute((trx) => add(trx, 'b.example'));
      // A ping's transaction is on disk when it ends, and so is everything before it.
      expect(await hosts()).toEqual(['a.example', 'b.example']);
      await waiting(database.db, 'c.example');
      await add(database.db, 'd.example');
      expect(await hosts()).toEqual(['a.example', 'b.example', 'c.example', 'd.example']);
    });
  });

  it('are committed at the end of the transaction open when their wait ends, whether it commits or is rolled back', async () => {
    await withFile(async (database, hosts) => {
      await waiting(database.db, 'a.example');
      // This one may wait too, but it is still open when the wait ends.
      await database.db.transaction().execute(async (trx) => {
        await letCommitWait(trx);
        await add(trx, 'b.example');
        await later(commitWaitMs + 50);
      });
      expect(await hosts()).toEqual(['a.example', 'b.example']);
      await waiting(database.db, 'c.example');
      await expect(
        database.db.transaction().execute(async (trx) => {
          await add(trx, 'd.example');
          await later(commitWaitMs + 50);
          throw new Error('refused');
        }),
      ).rejects.toThrow('refused');
      expect(await hosts()).toEqual(['a.example', 'b.example', 'c.example']);
    });
  });

  it('are committed at once by commitWaitingWrites, and when the database closes', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'palaver-wait-'));
    const file = path.join(dir, 'p.db');
    try {
      const database = openDatabase(file);
      await migrateToLatest(database.db);
      await waiting(database.db, 'a.example');
      await commitWaitingWrites(database.db);
      expect((await database.read.selectFrom('ping_hosts').select('host').execute()).map((r) => r.host)).toEqual(['a.example']);
      await waiting(database.db, 'b.example');
      await database.close();
      const again = openDatabase(file);
      expect((await again.read.selectFrom('ping_hosts').select('host').orderBy('host').execute()).map((r) => r.host)).toEqual(['a.example', 'b.example']);
      await again.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('stay when a transaction after them is rolled back, which takes back only its own writes', async () => {
    await withFile(async (database, hosts) => {
      await waiting(database.db, 'a.example');
      await expect(
        database.db.transaction().execute(async (trx) => {
          await letCommitWait(trx);
          await add(trx, 'b.example');
          throw new Error('refused');
        }),
      ).rejects.toThrow('refused');
      await waiting(database.db, 'c.example');
      await commitWaitingWrites(database.db);
      expect(await hosts()).toEqual(['a.example', 'c.example']);
    });
  });

  it('are lost with a transaction that SQLite ended by itself, and the next one begins anew', async () => {
    await withFile(async (database, hosts) => {
      await waiting(database.db, 'a.example');
      // As SQLITE_FULL or SQLITE_IOERR would: SQLite rolls the whole transaction back.
      await expect(
        database.db.transaction().execute(async (trx) => {
          await sql`rollback`.execute(trx);
          throw new Error('disk full');
        }),
      ).rejects.toThrow('disk full');
      await database.db.transaction().execute((trx) => add(trx, 'b.example'));
      expect(await hosts()).toEqual(['b.example']);
    });
  });
});

describe('rows', () => {
  it('come out as the objects better-sqlite3 builds: names, types, a repeated name, a prototype-setting name, RETURNING', async () => {
    const { db, sqlite, close } = openDatabase(':memory:');
    sqlite.exec("create table t (id integer primary key, name text, score real, data blob, gone text); insert into t values (1, 'Ä', 2.5, x'0102', null)");
    const query = (text: string) => sql.raw(text).execute(db).then((r) => r.rows);
    const direct = (text: string) => sqlite.prepare(text).all();
    for (const text of [
      'select * from t',
      'select id, name as id from t',
      'select name as "__proto__", id from t',
      'select count(*) as n from t where id > 5',
    ]) {
      expect(await query(text), text).toEqual(direct(text));
    }
    const proto = (await query('select name as "__proto__" from t'))[0] as object;
    expect(Object.getPrototypeOf(proto)).toBe(Object.prototype);
    expect(await query("update t set name = 'B' where id = 1 returning *")).toEqual([{ id: 1, name: 'B', score: 2.5, data: Buffer.from([1, 2]), gone: null }]);
    // A cached statement serves the next call with its own rows.
    expect(await query('select * from t')).toEqual([{ id: 1, name: 'B', score: 2.5, data: Buffer.from([1, 2]), gone: null }]);
    await close();
  });
});
