// Opens the SQLite database for kysely with the pragmas Palaver relies on (WAL, foreign keys,
// busy timeout) and write transactions that begin IMMEDIATE. This is the one marked place that
// knows it talks to SQLite.
import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { CompiledQuery, type DatabaseConnection, Kysely, SqliteAdapter, SqliteDialect, SqliteDriver, type Driver, type SqliteDialectConfig } from 'kysely';
import type { Database } from './schema.ts';

// SQLite runs DDL inside transactions fine; kysely's adapter says otherwise only to be safe
// for every driver. Claiming it lets the migrator wrap migrations in a transaction.
class TransactionalSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

// SQLite ends a transaction by itself when a statement fails with SQLITE_FULL, SQLITE_IOERR or
// SQLITE_NOMEM; kysely's ROLLBACK then fails with "no transaction is active" and that error
// replaces the one that says what happened (the disk is full). Roll back only what is open.
class PalaverSqliteDriver extends SqliteDriver {
  constructor(
    config: SqliteDialectConfig,
    private readonly sqlite: SQLite.Database,
  ) {
    super(config);
  }

  override async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    if (!this.sqlite.inTransaction) return;
    await super.rollbackTransaction(connection);
  }

  // Every transaction here writes. A deferred BEGIN reads first and upgrades to a writer later;
  // when another connection (the CLI beside the service) committed in between, that upgrade
  // fails at once with SQLITE_BUSY, without waiting. IMMEDIATE takes the write lock at BEGIN,
  // where the busy timeout waits for the other side's transaction to end.
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

class PalaverSqliteDialect extends SqliteDialect {
  constructor(private readonly palaverConfig: SqliteDialectConfig & { database: SQLite.Database }) {
    super(palaverConfig);
  }

  override createAdapter(): SqliteAdapter {
    return new TransactionalSqliteAdapter();
  }

  override createDriver(): Driver {
    return new PalaverSqliteDriver(this.palaverConfig, this.palaverConfig.database);
  }
}

export type Db = Kysely<Database>;

export interface OpenedDatabase {
  db: Db;
  /** The raw handle, for online backup and integrity checks. */
  sqlite: SQLite.Database;
  close(): Promise<void>;
}

/**
 * How long a statement waits for another connection's write transaction before it fails. Palaver's
 * transactions are short (one feed item, one ping, one claim), the longest a merge of two large
 * conversations or a migration: 30 s covers them with room to spare.
 */
export const defaultBusyTimeoutMs = 30_000;

/** Opens (creating when needed) the database at `file`, or an in-memory one for ':memory:'. */
export function openDatabase(file: string, options: { busyTimeoutMs?: number } = {}): OpenedDatabase {
  if (file !== ':memory:') {
    try {
      fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    } catch (err) {
      throw new Error(`db: cannot create the folder for ${file}: ${(err as Error).message}`, { cause: err });
    }
  }
  let sqlite: SQLite.Database | undefined;
  try {
    sqlite = new SQLite(file);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? defaultBusyTimeoutMs))}`);
    // WAL with synchronous=NORMAL is durable across process crashes; only power loss can drop
    // the last transactions, and never corrupts the file.
    sqlite.pragma('synchronous = NORMAL');
    // SQLite quietly opens a file it cannot write read-only; every poll would then fail on
    // its first write. Writing the header's user_version (unchanged) finds out at open.
    if (file !== ':memory:') sqlite.pragma(`user_version = ${Number(sqlite.pragma('user_version', { simple: true }))}`);
  } catch (err) {
    sqlite?.close();
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
