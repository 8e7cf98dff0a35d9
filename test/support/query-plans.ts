// SQLite's plan of the first statement a piece of store code sends that reads a given table, for
// tests that pin which index a statement walks; on PostgreSQL, which plans by its statistics
// instead, an index's definition.
import { sql } from 'kysely';
import type { OpenedDatabase } from '../../src/db/open.ts';
import { recordStatements } from './statements.ts';

type WithSqlite = OpenedDatabase & { sqlite: { prepare(s: string): { all(...a: unknown[]): { detail: string }[] } } };

/** The plan of a statement, its values all 1, as lines of `explain query plan`. */
export function sqlitePlan(database: OpenedDatabase, query: string): string {
  const values = Array((query.match(/\?/g) ?? []).length).fill(1);
  return (database as WithSqlite).sqlite.prepare(`explain query plan ${query}`).all(...values).map((r) => r.detail).join('\n');
}

/** The plan of the first statement `work` sends that reads from `table`. */
export async function sqlitePlanOf(database: OpenedDatabase, table: string, work: () => Promise<unknown>): Promise<string> {
  const { sql: sent } = await recordStatements(work);
  const query = sent.find((s) => s.includes(`from "${table}"`));
  if (!query) throw new Error(`no statement read from ${table}`);
  return sqlitePlan(database, query);
}

/** PostgreSQL's definition of the index `name` (pg_indexes.indexdef), or undefined. */
export async function postgresIndexDefinition(database: OpenedDatabase, name: string): Promise<string | undefined> {
  const { rows } = await sql<{ indexdef: string }>`select indexdef from pg_indexes where indexname = ${name}`.execute(database.db);
  return rows[0]?.indexdef;
}
