// Full-text search over entries (titles, authors, text) with SQLite FTS5. The index follows the
// entries table through triggers, so every insert, edit and delete keeps it in step.
// On PostgreSQL the same search is a generated tsvector column with a GIN index, through a text
// search configuration that folds diacritics with unaccent (src/store/dialect.ts queries both).
import { load } from 'cheerio/slim';
import { sql, type Kysely } from 'kysely';
import { isPostgres } from '../src/db/dialect.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  // The plain text of content_html, written by the store's upsert; markup, attribute values and
  // URLs would otherwise be found by words like "href" or "nofollow".
  await db.schema.alterTable('entries').addColumn('content_text', 'text').execute();
  const rows = await sql<{ id: number; content_html: string | null; excerpt: string | null }>`select id, content_html, excerpt from entries`.execute(db);
  for (const row of rows.rows) {
    const text = row.content_html ? load(row.content_html).text().replace(/\s+/g, ' ').trim() : row.excerpt;
    await sql`update entries set content_text = ${text} where id = ${row.id}`.execute(db);
  }
  if (isPostgres(db)) return postgresSearch(db);

  // External content: the text lives once, in entries; the index holds only the terms.
  // remove_diacritics 2 lets "uber" find "Über" and "Uber" alike.
  await sql`create virtual table entries_fts using fts5(
    title, author_name, content_text,
    content='entries', content_rowid='id',
    tokenize='unicode61 remove_diacritics 2'
  )`.execute(db);
  await sql`create trigger entries_fts_insert after insert on entries begin
    insert into entries_fts(rowid, title, author_name, content_text) values (new.id, new.title, new.author_name, new.content_text);
  end`.execute(db);
  await sql`create trigger entries_fts_delete after delete on entries begin
    insert into entries_fts(entries_fts, rowid, title, author_name, content_text) values ('delete', old.id, old.title, old.author_name, old.content_text);
  end`.execute(db);
  await sql`create trigger entries_fts_update after update of title, author_name, content_text on entries begin
    insert into entries_fts(entries_fts, rowid, title, author_name, content_text) values ('delete', old.id, old.title, old.author_name, old.content_text);
    insert into entries_fts(rowid, title, author_name, content_text) values (new.id, new.title, new.author_name, new.content_text);
  end`.execute(db);
  await sql`insert into entries_fts(entries_fts) values ('rebuild')`.execute(db);
}

// Words are folded like FTS5's remove_diacritics (unaccent, then lower case) and weighted title A,
// author B, text D, the order of bm25's weights on SQLite.
async function postgresSearch(db: Kysely<unknown>): Promise<void> {
  await sql`create extension if not exists unaccent`.execute(db);
  await sql`create text search configuration palaver_search (copy = simple)`.execute(db);
  await sql`alter text search configuration palaver_search alter mapping for hword, hword_part, word with unaccent, simple`.execute(db);
  await sql`alter table entries add column search_vector tsvector generated always as (
    setweight(to_tsvector('palaver_search', coalesce(title, '')), 'A') ||
    setweight(to_tsvector('palaver_search', coalesce(author_name, '')), 'B') ||
    setweight(to_tsvector('palaver_search', coalesce(content_text, '')), 'D')) stored`.execute(db);
  await sql`create index entries_search_idx on entries using gin (search_vector)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  if (isPostgres(db)) {
    await sql`drop index if exists entries_search_idx`.execute(db);
    await sql`alter table entries drop column if exists search_vector`.execute(db);
    await sql`drop text search configuration if exists palaver_search`.execute(db);
    await db.schema.alterTable('entries').dropColumn('content_text').execute();
    return;
  }
  for (const trigger of ['entries_fts_insert', 'entries_fts_delete', 'entries_fts_update']) await sql`drop trigger if exists ${sql.id(trigger)}`.execute(db);
  await sql`drop table if exists entries_fts`.execute(db);
  await db.schema.alterTable('entries').dropColumn('content_text').execute();
}
