// store: the one-way copy of a SQLite database into an empty PostgreSQL one (`palaver
// migrate-to-postgres`): both brought to the newest schema, every table copied in the order its
// foreign keys need, the id sequences moved past the copied ids, then the copy verified by the
// row count of every table and a sample of conversations read from both sides.
import { sql } from 'kysely';
import { migrateToLatest } from '../db/migrate.ts';
import { openDatabase } from '../db/open.ts';
import { openPostgres } from '../db/postgres.ts';
import type { Db } from '../db/open.ts';

export class CopyError extends Error {}

export interface CopyReport {
  tables: number;
  rows: number;
  /** Conversations compared entry by entry after the copy. */
  sampled: number;
}

// The SQLite search index (FTS5 and its shadow tables) is rebuilt on PostgreSQL as a generated
// column; migration bookkeeping is PostgreSQL's own.
const notCopied = (table: string) => table.startsWith('entries_fts') || table.startsWith('kysely_') || table.startsWith('sqlite_');

const batchRows = 500;
// Rows whose reference to their own table is filled in by one statement.
const selfRefRows = 5_000;
const sampleSize = 25;

/** Orders tables so that every table comes after the tables its foreign keys point to. */
function inDependencyOrder(tables: string[], dependsOn: Map<string, Set<string>>): string[] {
  const done = new Set<string>();
  const order: string[] = [];
  const visit = (t: string, path: Set<string>) => {
    if (done.has(t) || path.has(t)) return;
    path.add(t);
    for (const d of dependsOn.get(t) ?? []) if (d !== t && tables.includes(d)) visit(d, path);
    done.add(t);
    order.push(t);
  };
  for (const t of tables) visit(t, new Set());
  return order;
}

async function postgresColumns(db: Db, table: string): Promise<Set<string>> {
  const { rows } = await sql<{ column_name: string }>`
    select column_name from information_schema.columns
    where table_schema = current_schema() and table_name = ${table} and is_generated = 'NEVER'`.execute(db);
  return new Set(rows.map((r) => r.column_name));
}

/** What a conversation is, read the same way from either database, for comparing the two. */
async function describeConversation(db: Db, id: number): Promise<string> {
  const conversation = await db.selectFrom('conversations').select(['id', 'title', 'entry_count', 'blog_count', 'root_entry_id', 'merged_into_id', 'last_activity_at']).where('id', '=', id).executeTakeFirst();
  const entries = await db.selectFrom('entries').select(['id', 'blog_id', 'url', 'title', 'published_at']).where('conversation_id', '=', id).orderBy('id').execute();
  return JSON.stringify({ conversation, entries });
}

/**
 * Copies the SQLite database at `file` into the PostgreSQL database at `url`, which must hold no
 * blogs yet. Throws CopyError when the target is not empty or the copy does not verify.
 */
export async function copySqliteToPostgres(
  file: string,
  settings: { databaseUrl?: string | null; database?: { poolSize: number } },
  options: { onTable?: (table: string, rows: number) => void } = {},
): Promise<CopyReport> {
  if (!settings.databaseUrl) throw new CopyError('no PostgreSQL database named (DATABASE_URL)');
  const source = openDatabase(file);
  const target = openPostgres(settings.databaseUrl, { poolSize: 2, applicationName: 'palaver migrate-to-postgres' });
  try {
    // The file may be of an older release: its schema comes up to date first, as any command does.
    await migrateToLatest(source.db);
    await migrateToLatest(target.db);
    const existing = await target.db.selectFrom('blogs').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    if (Number(existing.n) > 0) throw new CopyError(`the PostgreSQL database already holds ${existing.n} blog(s); migrate-to-postgres copies only into an empty one`);

    const raw = source.sqlite;
    const sqliteTables = (raw.prepare(`select name from sqlite_master where type = 'table' order by name`).all() as { name: string }[]).map((r) => r.name).filter((t) => !notCopied(t));
    const dependsOn = new Map<string, Set<string>>();
    const selfRefs = new Map<string, string[]>();
    for (const t of sqliteTables) {
      const fks = raw.prepare(`select "table" as target, "from" as col from pragma_foreign_key_list(?)`).all(t) as { target: string; col: string }[];
      dependsOn.set(t, new Set(fks.map((f) => f.target)));
      selfRefs.set(t, fks.filter((f) => f.target === t).map((f) => f.col));
    }
    const order = inDependencyOrder(sqliteTables, dependsOn);

    let rows = 0;
    await target.db.transaction().execute(async (trx) => {
      for (const table of order) {
        const targetColumns = await postgresColumns(trx, table);
        if (targetColumns.size === 0) throw new CopyError(`table ${table} of the SQLite database has no counterpart in PostgreSQL`);
        const columns = (raw.prepare(`select name from pragma_table_info(?)`).all(table) as { name: string }[]).map((c) => c.name).filter((c) => targetColumns.has(c));
        // A row may point at a later row of its own table (a conversation merged into a newer
        // one): those columns are filled in once every row is there.
        const later = selfRefs.get(table) ?? [];
        let batch: Record<string, unknown>[] = [];
        let count = 0;
        const flush = async () => {
          if (batch.length === 0) return;
          await trx.insertInto(table as 'blogs').values(batch as never).execute();
          batch = [];
        };
        for (const row of raw.prepare(`select ${columns.map((c) => `"${c}"`).join(', ')} from "${table}"`).iterate() as Iterable<Record<string, unknown>>) {
          const copy = { ...row };
          for (const c of later) copy[c] = null;
          batch.push(copy);
          count += 1;
          if (batch.length >= batchRows) await flush();
        }
        await flush();
        for (const c of later) {
          // A statement per part of rows, not per row: a database with tens of thousands of merged
          // conversations or records of pings made as many round trips.
          let ids: number[] = [];
          let refs: number[] = [];
          const point = async () => {
            if (ids.length === 0) return;
            await sql`update ${sql.table(table)} set ${sql.ref(c)} = v.ref from unnest(${ids}::bigint[], ${refs}::bigint[]) as v(id, ref) where ${sql.ref(`${table}.id`)} = v.id`.execute(trx);
            [ids, refs] = [[], []];
          };
          for (const row of raw.prepare(`select id, "${c}" as ref from "${table}" where "${c}" is not null`).iterate() as Iterable<{ id: number; ref: number }>) {
            ids.push(row.id);
            refs.push(row.ref);
            if (ids.length >= selfRefRows) await point();
          }
          await point();
        }
        if (columns.includes('id')) {
          await sql`select setval(pg_get_serial_sequence(${table}, 'id'), coalesce((select max(id) from ${sql.table(table)}), 1), (select count(*) > 0 from ${sql.table(table)}))`.execute(trx);
        }
        rows += count;
        options.onTable?.(table, count);
      }
    });

    // The service then plans its statements with statistics of the copied tables, not of the
    // empty ones it would otherwise keep until autovacuum comes by (planner-statistics.ts).
    await sql`analyze`.execute(target.db);

    // Verification: every table's row count, then a sample of conversations spread over the ids.
    for (const table of order) {
      const expected = (raw.prepare(`select count(*) as n from "${table}"`).get() as { n: number }).n;
      const { rows: got } = await sql<{ n: number }>`select count(*) as n from ${sql.table(table)}`.execute(target.db);
      if (Number(got[0]?.n) !== expected) throw new CopyError(`table ${table}: ${expected} rows in SQLite, ${got[0]?.n} in PostgreSQL`);
    }
    const ids = (raw.prepare(`select id from conversations order by id`).all() as { id: number }[]).map((r) => r.id);
    const step = Math.max(1, Math.floor(ids.length / sampleSize));
    const sample = ids.filter((_, i) => i % step === 0).slice(0, sampleSize);
    for (const id of sample) {
      const [a, b] = [await describeConversation(source.db, id), await describeConversation(target.db, id)];
      if (a !== b) throw new CopyError(`conversation ${id} reads differently after the copy:\n  SQLite:     ${a}\n  PostgreSQL: ${b}`);
    }
    return { tables: order.length, rows, sampled: sample.length };
  } finally {
    await target.close();
    await source.close();
  }
}
