// Opens the SQLite database for kysely with the pragmas Palaver relies on (WAL, foreign keys,
// busy timeout). This is the one marked place that knows it talks to SQLite.
import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, SqliteAdapter, SqliteDialect } from 'kysely';
import type { Database } from './schema.ts';

// SQLite runs DDL inside transactions fine; kysely's adapter says otherwise only to be safe
// for every driver. Claiming it lets the migrator wrap migrations in a transaction.
class TransactionalSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

class PalaverSqliteDialect extends SqliteDialect {
  override createAdapter(): SqliteAdapter {
    return new TransactionalSqliteAdapter();
  }
}

export type Db = Kysely<Database>;

export interface OpenedDatabase {
  db: Db;
  /** The raw handle, for online backup and integrity checks. */
  sqlite: SQLite.Database;
  close(): Promise<void>;
}

/** Opens (creating when needed) the database at `file`, or an in-memory one for ':memory:'. */
export function openDatabase(file: string): OpenedDatabase {
  if (file !== ':memory:') {
    try {
      fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    } catch (err) {
      throw new Error(`db: cannot create the folder for ${file}: ${(err as Error).message}`, { cause: err });
    }
  }
  let sqlite: SQLite.Database;
  try {
    sqlite = new SQLite(file);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('busy_timeout = 5000');
    // WAL with synchronous=NORMAL is durable across process crashes; only power loss can drop
    // the last transactions, and never corrupts the file.
    sqlite.pragma('synchronous = NORMAL');
  } catch (err) {
    throw new Error(`db: cannot open ${file}: ${(err as Error).message}`, { cause: err });
  }
  const db = new Kysely<Database>({ dialect: new PalaverSqliteDialect({ database: sqlite }) });
  return {
    db,
    sqlite,
    close: async () => {
      await db.destroy();
    },
  };
}
