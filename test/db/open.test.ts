import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { openDatabase } from '../../src/db/open.ts';

describe('openDatabase', () => {
  it('opens a file database in WAL mode with foreign keys and a busy timeout', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'palaver-db-'));
    const { sqlite, close } = openDatabase(path.join(dir, 'nested', 'p.db'));
    expect(sqlite.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(sqlite.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(sqlite.pragma('busy_timeout', { simple: true })).toBe(30_000);
    await close();
  });

  it('names the file when it cannot be opened', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'palaver-db-'));
    const file = path.join(dir, 'not-a-db');
    fs.writeFileSync(file, 'this is not a database file, just text that is long enough to be checked');
    expect(() => openDatabase(file)).toThrow(/db: cannot open .*not-a-db/);
  });
});

describe('the read connection', () => {
  it('of a file reads the last commit while a write transaction is held open, and cannot write', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'palaver-read-'));
    const database = openDatabase(path.join(dir, 'p.db'));
    await migrateToLatest(database.db);
    const hosts = async () => (await database.read.selectFrom('ping_hosts').select('host').orderBy('host').execute()).map((r) => r.host);
    try {
      expect(database.read).not.toBe(database.db);
      await database.db.insertInto('ping_hosts').values({ host: 'a.example', verdict: 'trusted', created_at: 'now' }).execute();
      let seen: string[] = [];
      await database.db.transaction().execute(async (trx) => {
        await trx.insertInto('ping_hosts').values({ host: 'b.example', verdict: 'trusted', created_at: 'now' }).execute();
        // On the write connection this read would wait for the transaction it runs inside of.
        seen = await hosts();
      });
      expect(seen).toEqual(['a.example']);
      expect(await hosts()).toEqual(['a.example', 'b.example']);
      await expect(database.read.deleteFrom('ping_hosts').execute()).rejects.toThrow(/readonly/i);
    } finally {
      await database.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('of an in-memory database is its one connection', async () => {
    const database = openDatabase(':memory:');
    expect(database.read).toBe(database.db);
    await database.close();
  });
});

describe('migrateToLatest', () => {
  it('applies every migration once and is idempotent', async () => {
    const { db, sqlite, close } = openDatabase(':memory:');
    const first = await migrateToLatest(db);
    expect(first[0]).toBe('0001_initial');
    expect(await migrateToLatest(db)).toEqual([]);
    const tables = sqlite.prepare("select name from sqlite_master where type = 'table'").all() as { name: string }[];
    expect(tables.map((t) => t.name)).toEqual(expect.arrayContaining(['blogs', 'sources', 'entries']));
    await close();
  });
});

describe('write transactions', () => {
  it('begin IMMEDIATE: from its first statement on, another connection cannot write in the middle of one', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'palaver-immediate-'));
    const file = path.join(dir, 'x.db');
    const a = openDatabase(file);
    await migrateToLatest(a.db);
    const b = openDatabase(file, { busyTimeoutMs: 0 });
    const write = (host: string) => () => b.sqlite.prepare("insert into ping_hosts (host, verdict, created_at) values (?, 'trusted', 'now')").run(host);
    try {
      await a.db.transaction().execute(async (trx) => {
        // Only a read so far: a deferred transaction would not hold the write lock yet.
        await trx.selectFrom('blogs').selectAll().execute();
        expect(write('x.example')).toThrow(/locked|busy/i);
      });
      expect(write('y.example')).not.toThrow();
    } finally {
      await a.close();
      await b.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
