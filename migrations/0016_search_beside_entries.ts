// PostgreSQL's search vector moves out of the entries table into entry_search, kept by a trigger
// that runs only when an entry's title, author or text change. In entries, its GIN index took
// every lexeme of an entry again at each update of any indexed column (PostgreSQL updates every
// index of a row whose indexed columns change): threading an entry into its conversation, a
// merge moving a debate, a comment count. Measured here on rows of 800 distinct words, updating
// 400 rows' conversation took 1.75–1.96 s with the vector in the row and its index, 0.012 s
// without. SQLite's FTS5 index already follows only those three columns (0004): nothing changes there.
import { sql, type Kysely } from 'kysely';
import { isPostgres } from '../src/db/dialect.ts';

// Weighted as 0004's generated column: title A, author B, text D, through palaver_search (unaccent).
const vectorOf = (prefix: string) => `
  setweight(to_tsvector('palaver_search', coalesce(${prefix}title, '')), 'A') ||
  setweight(to_tsvector('palaver_search', coalesce(${prefix}author_name, '')), 'B') ||
  setweight(to_tsvector('palaver_search', coalesce(${prefix}content_text, '')), 'D')`;

export async function up(db: Kysely<unknown>): Promise<void> {
  if (!isPostgres(db)) return;
  // Entries are never deleted; the key keeps one vector per entry all the same.
  await sql`create table entry_search (entry_id integer primary key references entries (id) on delete cascade, search_vector tsvector not null)`.execute(db);
  await sql`insert into entry_search (entry_id, search_vector) select id, search_vector from entries`.execute(db);
  await sql`create index entry_search_idx on entry_search using gin (search_vector)`.execute(db);
  // New entries come many to a statement (a part of a feed): their vectors too, in one insert.
  await sql
    .raw(
      `create function entry_search_insert() returns trigger language plpgsql as $$
       begin
         insert into entry_search (entry_id, search_vector) select n.id, ${vectorOf('n.')} from new_entries n;
         return null;
       end $$`,
    )
    .execute(db);
  await sql`create trigger entry_search_insert after insert on entries referencing new table as new_entries for each statement execute function entry_search_insert()`.execute(db);
  // An edit changes one entry's words at a time (a column list takes no transition table).
  await sql
    .raw(
      `create function entry_search_update() returns trigger language plpgsql as $$
       begin
         update entry_search set search_vector = ${vectorOf('new.')} where entry_id = new.id;
         return null;
       end $$`,
    )
    .execute(db);
  await sql`create trigger entry_search_update after update of title, author_name, content_text on entries for each row execute function entry_search_update()`.execute(db);
  await sql`drop index if exists entries_search_idx`.execute(db);
  await sql`alter table entries drop column search_vector`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  if (!isPostgres(db)) return;
  await sql.raw(`alter table entries add column search_vector tsvector generated always as (${vectorOf('')}) stored`).execute(db);
  await sql`create index entries_search_idx on entries using gin (search_vector)`.execute(db);
  await sql`drop trigger if exists entry_search_update on entries`.execute(db);
  await sql`drop trigger if exists entry_search_insert on entries`.execute(db);
  await sql`drop function if exists entry_search_update()`.execute(db);
  await sql`drop function if exists entry_search_insert()`.execute(db);
  await sql`drop table if exists entry_search`.execute(db);
}
