// Which database a kysely instance talks to, the schema pieces that are written differently
// for SQLite and PostgreSQL (the migrations use these), and the mark of a statement PostgreSQL
// must plan for its values. The store's own differences (locks,
// search, queues) live in src/store/dialect.ts; nothing else branches on the database.
import { PostgresAdapter, type ColumnDataType, type CreateTableBuilder, type Kysely } from 'kysely';

export type DialectName = 'sqlite' | 'postgres';

/**
 * Marks a statement whose best plan depends on its values, so it is never named and PostgreSQL
 * plans it for the values of each run. A search's generic plan walks every entry newest first
 * looking for a word, fine for a common one and a scan of the whole table for a word no entry
 * has: 0.64-0.75 s over 200,000 entries, against 1 ms planned for the word.
 */
export const planForValuesMark = '/* palaver: planned for its values */';

/** Any kysely instance, whatever its tables: only its executor's adapter is looked at. */
type DialectProbe = Pick<Kysely<unknown>, 'getExecutor'>;

/** The database behind a kysely instance (a transaction or a migration's handle included). */
export function dialectOf(db: DialectProbe): DialectName {
  return db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite';
}

export function isPostgres(db: DialectProbe): boolean {
  return dialectOf(db) === 'postgres';
}

/**
 * Adds the integer id every table keys on: SQLite's `integer primary key autoincrement` (ids
 * never reused), PostgreSQL's `serial primary key` (a sequence, never reused either).
 */
export function addIdColumn<T extends string, C extends string>(db: DialectProbe, table: CreateTableBuilder<T, C>): CreateTableBuilder<T, C | 'id'> {
  return isPostgres(db) ? table.addColumn('id', 'serial', (c) => c.primaryKey()) : table.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());
}

/** A floating-point column: SQLite's `real` is 8 bytes, PostgreSQL's would be 4, so it says `double precision`. */
export function floatType(db: DialectProbe): ColumnDataType {
  return isPostgres(db) ? 'double precision' : 'real';
}
