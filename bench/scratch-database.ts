// A migrated SQLite database in a temporary folder, for one measurement, removed after it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { migrateToLatest } from '../src/db/migrate.ts';
import { openDatabase, type OpenedDatabase } from '../src/db/open.ts';

/** Runs `work` on a fresh migrated database and removes it after. */
export async function withDatabase<T>(work: (database: OpenedDatabase) => Promise<T>): Promise<T> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'palaver-bench-'));
  const database = openDatabase(path.join(dir, 'bench.db'));
  try {
    await migrateToLatest(database.db);
    return await work(database);
  } finally {
    await database.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
