// The SQLite connection kysely runs every statement through (open.ts opens it): prepared
// statements kept for reuse with rows built in JavaScript, the poller's commits that wait to be
// shared, and where SQLite keeps temporary storage, statement by statement.
import type SQLite from 'better-sqlite3';
import type { CompiledQuery, DatabaseConnection, QueryResult } from 'kysely';

/** Prepared statements kept per connection; more distinct statements than this evict the oldest prepared. */
const statementCacheSize = 500;

/**
 * The statements by which the store lets a transaction's commit wait (letCommitWait) and commits
 * what waits (commitWaitingWrites): the connection reads them and sends SQLite nothing.
 */
export const commitMayWaitMark = 'select 1 /* palaver: this commit may wait */';
export const commitNowMark = 'select 1 /* palaver: commit what waits */';

/** The statements by which sortingOnDisk puts every temporary file of the connection on disk, and back. */
export const sortOnDiskMark = 'select 1 /* palaver: sort on disk */';
export const sortAsStatementsSayMark = 'select 1 /* palaver: sort as the statements say */';

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
export class CachingSqliteConnection implements DatabaseConnection {
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
