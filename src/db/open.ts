// Opens the SQLite database for kysely with the pragmas Palaver relies on (WAL, foreign keys,
// busy timeout), write transactions that begin IMMEDIATE, the poller's commits that wait to be
// shared (through the connection of sqlite-connection.ts), and a second, read-only connection
// for the pages and feeds. With sqlite-connection.ts, the one marked place that knows it talks
// to SQLite.
import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { CompiledQuery, type DatabaseConnection, Kysely, SqliteAdapter, SqliteDialect, SqliteDriver, type Driver, type SqliteDialectConfig } from 'kysely';
import { dialectOf, type DialectName } from './dialect.ts';
import type { Database } from './schema.ts';
import { CachingSqliteConnection, sortAsStatementsSayMark, sortOnDiskMark } from './sqlite-connection.ts';

export { commitMayWaitMark, commitNowMark, commitWaitMs } from './sqlite-connection.ts';

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
  private readonly connection: CachingSqliteConnection;

  constructor(
    config: SqliteDialectConfig,
    private readonly sqlite: SQLite.Database,
    private readonly readOnly: boolean,
  ) {
    super(config);
    this.connection = new CachingSqliteConnection(sqlite, readOnly);
  }

  // The base class keeps the one connection behind its mutex; the caching one is handed out.
  override async acquireConnection(): Promise<DatabaseConnection> {
    await super.acquireConnection();
    return this.connection;
  }

  override async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    const c = this.connection;
    c.inTransaction = false;
    if (!this.sqlite.inTransaction) {
      // SQLite ended it by itself (a full disk): what waited went with it.
      c.waiting = false;
      return;
    }
    // Only this transaction's writes go; those that wait for their commit stay (and are
    // committed now when their wait ended meanwhile).
    if (!c.waiting) return super.rollbackTransaction(connection);
    this.sqlite.exec('rollback to palaver_transaction; release palaver_transaction');
    if (c.waitEnded) c.commitWaiting();
  }

  // A transaction whose commit may wait (the poller's, through the store's letCommitWait) leaves
  // SQLite's transaction open for commitWaitMs at most; those after it run inside it, each in a
  // savepoint, and share its commit. Any other transaction, or a write outside one, commits at
  // its end, and everything before it with it.
  override async commitTransaction(connection: DatabaseConnection): Promise<void> {
    if (this.readOnly) return super.commitTransaction(connection);
    const c = this.connection;
    c.inTransaction = false;
    if (c.waiting) this.sqlite.exec('release palaver_transaction');
    if (c.mayWait && !c.waitEnded) c.letWait();
    else if (c.waiting) c.commitWaitingOrThrow();
    else this.sqlite.exec('commit');
  }

  override async destroy(): Promise<void> {
    if (!this.readOnly) this.connection.commitWaiting();
    await super.destroy();
  }

  // Every transaction here writes. A deferred BEGIN reads first and upgrades to a writer later;
  // when another connection (the CLI beside the service) committed in between, that upgrade
  // fails at once with SQLITE_BUSY, without waiting. IMMEDIATE takes the write lock at BEGIN,
  // where the busy timeout waits for the other side's transaction to end.
  // The read-only connection's transactions only read: a deferred BEGIN, one snapshot of the
  // last commit for every statement in it.
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    if (this.readOnly) return void (await connection.executeQuery(CompiledQuery.raw('begin')));
    const c = this.connection;
    const failure = c.takeFailure();
    if (failure) throw failure;
    if (c.waiting) this.sqlite.exec('savepoint palaver_transaction');
    else await connection.executeQuery(CompiledQuery.raw('begin immediate'));
    c.inTransaction = true;
    c.mayWait = false;
  }
}

class PalaverSqliteDialect extends SqliteDialect {
  constructor(private readonly palaverConfig: SqliteDialectConfig & { database: SQLite.Database; readOnly?: boolean }) {
    super(palaverConfig);
  }

  override createAdapter(): SqliteAdapter {
    return new TransactionalSqliteAdapter();
  }

  override createDriver(): Driver {
    return new PalaverSqliteDriver(this.palaverConfig, this.palaverConfig.database, this.palaverConfig.readOnly ?? false);
  }
}

export type Db = Kysely<Database>;

/** An open database of either kind (see connect.ts for choosing one from the settings). */
export interface OpenedDatabase {
  /** Every write, and every read that a write depends on. */
  db: Db;
  /**
   * Reads that write nothing and may see the data as of the last commit (the pages and feeds).
   * On a SQLite file a second, read-only connection: WAL lets it read while the write
   * connection holds a transaction open (kysely runs one statement at a time per connection, so
   * on the one connection a page's every query waited for a whole feed's transaction). In
   * memory, and on PostgreSQL (whose pool already reads beside a writer), the same handle as `db`.
   */
  read: Db;
  dialect: DialectName;
  /** What the CLI names on its first line and logs show: the file, or the URL without its password. */
  label: string;
  /**
   * PostgreSQL only: calls `onMessage` for every NOTIFY on `channel` (from any process) until
   * the returned function is called. Absent on SQLite, where one process does the work.
   */
  listen?(channel: string, onMessage: (payload: string) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

/** An open SQLite database. */
export interface OpenedSqlite extends OpenedDatabase {
  /** The raw handle, for online backup and integrity checks. */
  sqlite: SQLite.Database;
}

/**
 * How long a statement waits for another connection's write transaction before it fails. Palaver's
 * transactions are short (one feed item, one ping, one claim), the longest a merge of two large
 * conversations or a migration: 30 s covers them with room to spare.
 */
export const defaultBusyTimeoutMs = 30_000;

/**
 * Runs `work` with every sort and statement journal of the SQLite connection on disk, as SQLite
 * keeps them by default, writes included: for the migrations, which may build an index over every
 * entry (a million URLs sorted in memory took 100 MB more). On PostgreSQL it only runs `work`.
 */
export async function sortingOnDisk<T>(db: Db, work: () => Promise<T>): Promise<T> {
  if (dialectOf(db) !== 'sqlite') return work();
  await db.executeQuery(CompiledQuery.raw(sortOnDiskMark));
  try {
    return await work();
  } finally {
    await db.executeQuery(CompiledQuery.raw(sortAsStatementsSayMark));
  }
}

/** Opens (creating when needed) the database at `file`, or an in-memory one for ':memory:'. */
export function openDatabase(file: string, options: { busyTimeoutMs?: number } = {}): OpenedSqlite {
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
  let read = db;
  if (file !== ':memory:') {
    try {
      read = openReader(file, options.busyTimeoutMs ?? defaultBusyTimeoutMs);
    } catch (err) {
      sqlite.close();
      throw err;
    }
  }
  return {
    db,
    read,
    dialect: 'sqlite',
    label: file,
    sqlite,
    close: async () => {
      // The reader first: the write connection, closing last, checkpoints the WAL into the file.
      if (read !== db) await read.destroy();
      await db.destroy();
    },
  };
}

// Opened after the write connection has put the file in WAL mode (a setting of the file), where
// a reader sees the last commit and never waits for the writer. It waits only while a
// checkpoint or WAL recovery needs the file, hence the busy timeout. A thread of its own (the
// search's) opens one the same way.
export function openReader(file: string, busyTimeoutMs = defaultBusyTimeoutMs): Db {
  let sqlite: SQLite.Database | undefined;
  try {
    sqlite = new SQLite(file, { readonly: true });
    sqlite.pragma(`busy_timeout = ${Math.max(0, Math.floor(busyTimeoutMs))}`);
  } catch (err) {
    sqlite?.close();
    throw new Error(`db: cannot open ${file} for reading: ${(err as Error).message}`, { cause: err });
  }
  return new Kysely<Database>({ dialect: new PalaverSqliteDialect({ database: sqlite, readOnly: true }) });
}
