// Full-text search over entries (titles, authors, text) with SQLite FTS5. The index follows the
// entries table through triggers, so every insert, edit and delete keeps it in step.
// SQLite-specific: FTS5 virtual table and triggers; PostgreSQL would use a tsvector column.
import { load } from 'cheerio/slim';
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // The plain text of content_html, written by the store's upsert; markup, attribute values and
  // URLs would otherwise be found by words like "href" or "nofollow".
  await db.schema.alterTable('entries').addColumn('content_text', 'text').execute();
  const rows = await sql<{ id: number; content_html: string | null; excerpt: string | null }>`select id, content_html, excerpt from entries`.execute(db);
  for (const row of rows.rows) {
    const text = row.content_html ? load(row.content_html).text().replace(/\s+/g, ' ').trim() : row.excerpt;
    await sql`update entries set content_text = ${text} where id = ${row.id}`.execute(db);
  }

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

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const trigger of ['entries_fts_insert', 'entries_fts_delete', 'entries_fts_update']) await sql`drop trigger if exists ${sql.id(trigger)}`.execute(db);
  await sql`drop table if exists entries_fts`.execute(db);
  await db.schema.alterTable('entries').dropColumn('content_text').execute();
}
