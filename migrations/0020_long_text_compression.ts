// On PostgreSQL a row past about 2 KB has its long values compressed where they are stored
// (TOAST): a post's markup and its search text, which real blogs write in kilobytes. lz4 in
// place of PostgreSQL's default pglz stored posts of 6 KB of markup and 3 KB of text in about half
// the time and read them back in three quarters of it, for 7 % more space (bench/README.md,
// 2026-12-06). It applies to values written from now on; a server built without lz4 (or older
// than PostgreSQL 14) keeps pglz. SQLite stores text as it is: nothing to change there.
import { sql, type Kysely } from 'kysely';
import { isPostgres } from '../src/db/dialect.ts';

async function hasLz4(db: Kysely<unknown>): Promise<boolean> {
  const { rows } = await sql<{ lz4: boolean }>`select 'lz4' = any(enumvals) as lz4 from pg_settings where name = 'default_toast_compression'`.execute(db);
  return rows[0]?.lz4 === true;
}

export async function up(db: Kysely<unknown>): Promise<void> {
  if (!isPostgres(db) || !(await hasLz4(db))) return;
  await sql`alter table entries alter column content_html set compression lz4, alter column content_text set compression lz4`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  if (!isPostgres(db) || !(await hasLz4(db))) return;
  await sql`alter table entries alter column content_html set compression default, alter column content_text set compression default`.execute(db);
}
