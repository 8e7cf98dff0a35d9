// Opens the SQLite database for kysely with the pragmas Palaver relies on (WAL, foreign keys,
// busy timeout), write transactions that begin IMMEDIATE, the poller's commits that wait to be
// shared, prepared statements kept for reuse, temporary storage in memory for writes only,
// and a second, read-only connection for the pages and feeds. This is the one marked place that
// knows it talks to SQLite.
import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { CompiledQuery, type DatabaseConnection, Kysely, type QueryResult, SqliteAdapter, SqliteDialect, SqliteDriver, type Driver, type SqliteDialectConfig } from 'kysely';
import { dialectOf, type DialectName } from './dialect.ts';
import type { Database } from './schema.ts';

// SQLite runs DDL inside transactions fine; kysely's adapter says otherwise only to be safe
// for every driver. Claiming it lets the migrator wrap migrations in a transaction.
class TransactionalSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

/** Prepared statements kept per connection; more distinct statements than this evict the oldest prepared. */
const statementCacheSize = 500;

/**
 * The statements by which the store lets a transaction's commit wait (letCommitWait) and commits
 * what waits (commitWaitingWrites): the connection reads them and sends SQLite nothing.
 */
export const commitMayWaitMark = 'select 1 /* palaver: this commit may wait */';
export const commitNowMark = 'select 1 /* palaver: commit what waits */';

/** The statements by which sortingOnDisk puts every temporary file of the connection on disk, and back. */
const sortOnDiskMark = 'select 1 /* palaver: sort on disk */';
const sortAsStatementsSayMark = 'select 1 /* palaver: sort as the statements say */';

/** How long a commit that may wait waits for the writes after it, at most. */
export const commitWaitMs = 30;

/** A prepared statement and, for one that returns rows, how its rows become objects. */
interface CachedStatement {
  stmt: SQLite.Statement;
  row?: (values: unknown[]) => Record<string, unknown>;
}

// better-sqlite3 builds each row object in C++, one property at a time: about 6 µs for a row of
// the sources table (30 columns), more than the query itself when a claim returns a few rows,
// and most of reading a 500-entry conversation. The same row as an array and its object built
// here from the column names costs under 1 µs.
// The object is the one better-sqlite3 would build (a later column of the same name wins), so
// kysely and the store see no difference. A name that would set the prototype keeps the C++ path.
function cacheStatement(stmt: SQLite.Statement): CachedStatement {
  if (!stmt.reader) return { stmt };
  const names = stmt.columns().map((c) => c.name);
  if (names.includes('__proto__')) return { stmt };
  stmt.raw(true);
  const width = names.length;
  return {
    stmt,
    row: (values) => {
      const object: Record<string, unknown> = {};
      for (let i = 0; i < width; i++) object[names[i]!] = values[i];
      return object;
    },
  };
}

// kysely's SQLite connection prepares every statement anew: SQLite parses and plans the SQL
// each time, which cost more than running it on the ingest path. This one keeps the prepared
// statements by their SQL text (the values stay parameters), the oldest evicted first: the
// hot ones are few, and one evicted is only prepared again (cheaper than reordering on every use).
class CachingSqliteConnection implements DatabaseConnection {
  private readonly statements = new Map<string, CachedStatement>();
  /** A transaction is open through the driver (kysely opens one at a time per connection). */
  inTransaction = false;
  /** The open transaction said its commit may wait. */
  mayWait = false;
  /** SQLite's transaction holds committed transactions whose commit waits. */
  waiting = false;
  /** The wait is over: the transaction open now commits everything at its end. */
  private due = false;
  private timer: NodeJS.Timeout | null = null;
  /** A commit that waited and failed, told to the next transaction. */
  private failure: Error | null = null;

  /** Where SQLite keeps this connection's temporary storage now (temp_store): in memory, or as files. */
  private temporaryInMemory = false;
  /** Everything sorts on disk (sortingOnDisk), writes too. */
  private sortsOnDisk = false;

  constructor(
    private readonly sqlite: SQLite.Database,
    private readonly readOnly: boolean,
  ) {}

  // A statement that changes many rows inside a transaction copies each page it changes into a
  // statement journal, to take back that statement alone if it fails. Past 64 KiB SQLite moves
  // the journal to a temporary file: a WordPress feed's inserts of entries and edges wrote about
  // 0.7 MB to such files per feed, more than the commit itself. Kept in memory it is a copy.
  // SQLite decides where the journal goes when a transaction begins, and where a sort goes when
  // the sort begins: so writes, and the BEGIN of a transaction, run with temporary storage in
  // memory (the service's writes sort a bounded list at most: a part of a feed, a claim's
  // batch), and queries that only read run with it on disk, SQLite's default, where a query
  // sorting a whole table (the candidates of automatic following, a big group's numbers)
  // spills to files instead of memory.
  private placeTemporaryStorage(inMemory: boolean): void {
    if (this.readOnly) return;
    const wanted = inMemory && !this.sortsOnDisk;
    if (wanted === this.temporaryInMemory) return;
    // SQLite sets temp_store while it prepares the pragma (running it again does nothing).
    this.sqlite.exec(wanted ? 'pragma temp_store = MEMORY' : 'pragma temp_store = DEFAULT');
    this.temporaryInMemory = wanted;
  }

  /** Keeps SQLite's transaction open after a transaction whose commit may wait, for commitWaitMs at most. */
  letWait(): void {
    this.waiting = true;
    this.timer ??= setTimeout(() => {
      this.timer = null;
      if (this.inTransaction) this.due = true;
      else this.commitWaiting();
    }, commitWaitMs);
  }

  /** The wait is over: what waits is committed at the end of the transaction open now. */
  get waitEnded(): boolean {
    return this.due;
  }

  /** Commits what waits, if anything. */
  commitWaiting(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.due = false;
    if (!this.waiting) return;
    this.waiting = false;
    try {
      this.sqlite.exec('commit');
    } catch (err) {
      if (this.sqlite.inTransaction) this.sqlite.exec('rollback');
      this.failure = new Error(`db: the writes that waited for a shared commit were lost: ${(err as Error).message}`, { cause: err });
    }
  }

  /** The failure of a commit that waited, once. */
  takeFailure(): Error | null {
    const failure = this.failure;
    this.failure = null;
    return failure;
  }

  /** Commits what waits now; throws when that commit, or one made since the last was told, lost them. */
  commitWaitingOrThrow(): void {
    this.commitWaiting();
    const failure = this.takeFailure();
    if (failure) throw failure;
  }

  private statement(sql: string): CachedStatement {
    let cached = this.statements.get(sql);
    if (cached) return cached;
    cached = cacheStatement(this.sqlite.prepare(sql));
    if (this.statements.size >= statementCacheSize) this.statements.delete(this.statements.keys().next().value!);
    this.statements.set(sql, cached);
    return cached;
  }

  executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    if (compiledQuery.sql === commitMayWaitMark) {
      if (this.inTransaction) this.mayWait = true;
      return Promise.resolve({ rows: [] });
    }
    if (compiledQuery.sql === sortOnDiskMark || compiledQuery.sql === sortAsStatementsSayMark) {
      this.sortsOnDisk = compiledQuery.sql === sortOnDiskMark;
      this.placeTemporaryStorage(false);
      return Promise.resolve({ rows: [] });
    }
    if (compiledQuery.sql === commitNowMark) {
      try {
        this.commitWaitingOrThrow();
      } catch (err) {
        return Promise.reject(err);
      }
      return Promise.resolve({ rows: [] });
    }
    const { stmt, row } = this.statement(compiledQuery.sql);
    const parameters = compiledQuery.parameters as unknown[];
    this.placeTemporaryStorage(!(stmt.reader && stmt.readonly));
    if (row) return Promise.resolve({ rows: (stmt.all(parameters) as unknown[][]).map(row) as R[] });
    if (stmt.reader) return Promise.resolve({ rows: stmt.all(parameters) as R[] });
    const { changes, lastInsertRowid } = stmt.run(parameters);
    // A write outside a transaction while commits wait joined them: it is committed as it
    // would have been on its own, and they with it.
    if (this.waiting && !this.inTransaction && !stmt.readonly) {
      try {
        this.commitWaitingOrThrow();
      } catch (err) {
        return Promise.reject(err);
      }
    }
    return Promise.resolve({ numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid), rows: [] });
  }

  // A statement being iterated is busy until the iteration ends: streams prepare their own.
  async *streamQuery<R>(compiledQuery: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
    const stmt = this.sqlite.prepare(compiledQuery.sql);
    if (!stmt.reader) throw new Error('db: only a query that returns rows can be streamed');
    this.placeTemporaryStorage(!stmt.readonly);
    for (const row of stmt.iterate(compiledQuery.parameters as unknown[])) yield { rows: [row as R] };
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
// checkpoint or WAL recovery needs the file, hence the busy timeout.
function openReader(file: string, busyTimeoutMs: number): Db {
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
