// Checkpoints in a thread of their own: the write-ahead log reaches the database file while the
// write connection's own threshold is far away, and the writer takes over when the thread ends
// or cannot start.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { autocheckpointPages, autocheckpointPagesBehindThread, startCheckpointThread } from '../../src/db/checkpoint-thread.ts';
import { openDatabase } from '../../src/db/open.ts';

let dir: string;
let file: string;
let writer: SQLite.Database;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'palaver-checkpoints-'));
  file = path.join(dir, 'c.db');
  writer = new SQLite(file);
  writer.pragma('journal_mode = WAL');
  writer.pragma('synchronous = NORMAL');
  writer.exec('create table pages (id integer primary key, body text)');
});

afterEach(() => {
  if (writer.open) writer.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Commits about `pages` pages of rows, ten commits' worth. */
function writePages(pages: number): void {
  const insert = writer.prepare('insert into pages (body) values (?)');
  const commit = writer.transaction((n: number) => {
    for (let i = 0; i < n; i++) insert.run('x'.repeat(3_900));
  });
  for (let c = 0; c < 10; c++) commit(pages / 10);
}

const pagesInFile = () => fs.statSync(file).size / 4096;
const autocheckpoint = () => writer.pragma('wal_autocheckpoint', { simple: true });

async function until(check: () => boolean, ms = 5_000): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 20))) if (check()) return true;
  return check();
}

describe('startCheckpointThread', () => {
  it('copies the log into the database file from its thread, the writer checkpointing only far later', async () => {
    const thread = startCheckpointThread(writer, file, { intervalMs: 20 });
    try {
      expect(await thread.started).toBe(true);
      expect(autocheckpoint()).toBe(autocheckpointPagesBehindThread);
      // Past SQLite's own threshold, below the raised one: only the thread writes the file.
      writePages(1_500);
      expect(await until(() => pagesInFile() >= 1_400)).toBe(true);
    } finally {
      await thread.stop();
    }
    // Stopped, the writer checkpoints itself again at SQLite's threshold.
    expect(autocheckpoint()).toBe(autocheckpointPages);
  });

  it('leaves the checkpoints to the writer when its thread cannot open the file', async () => {
    const thread = startCheckpointThread(writer, path.join(dir, 'missing', 'x.db'), { intervalMs: 20 });
    expect(await thread.started).toBe(false);
    expect(autocheckpoint()).toBe(autocheckpointPages);
    await thread.stop();
    // The writer's own checkpoints at 1,000 pages write the file.
    writePages(1_500);
    expect(pagesInFile()).toBeGreaterThanOrEqual(900);
  });
});

describe('openDatabase with checkpointThread', () => {
  it('checkpoints a file in a thread until closed, and leaves the file whole and readable', async () => {
    const other = path.join(dir, 'o.db');
    const database = openDatabase(other, { checkpointThread: true });
    expect(database.sqlite.pragma('wal_autocheckpoint', { simple: true })).toBe(autocheckpointPagesBehindThread);
    database.sqlite.exec('create table t (id integer primary key, body text); insert into t (body) values (\'eins\')');
    await database.close();
    const check = new SQLite(other, { readonly: true });
    expect(check.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(check.prepare('select body from t').pluck().all()).toEqual(['eins']);
    check.close();
  });

  it('starts no thread for a database in memory or without the setting', async () => {
    for (const database of [openDatabase(':memory:', { checkpointThread: true }), openDatabase(path.join(dir, 'p.db'))]) {
      expect(database.sqlite.pragma('wal_autocheckpoint', { simple: true })).toBe(autocheckpointPages);
      await database.close();
    }
  });
});
