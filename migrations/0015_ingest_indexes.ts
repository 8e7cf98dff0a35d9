// Ingest at the speed of SQLite: whether a new entry's blog or author already takes part in its
// conversation is answered from an index alone. The entries' own rows carry their HTML and text
// before the visibility columns (added later), so checking those columns row by row read each
// candidate's long content first. These indexes hold everything those lookups ask (the rowid or
// primary key too); the same on both databases. The first starts with the columns of
// entries_conversation_blog_idx (0007), which it replaces.
// And a claim of one kind of source (a poller given one kind, as the benchmark's phases are)
// walks that kind's due sources in order instead of every source due before them: after a
// first poll, the thousands of comment feeds it found are due at once, ahead of the post feeds.
// Claims of several kinds (the service's) keep walking sources_due_idx.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create index entries_conversation_visible_blog_idx on entries (conversation_id, blog_id, same_as_id, tombstoned_at)`.execute(db);
  await sql`drop index if exists entries_conversation_blog_idx`.execute(db);
  await sql`create index entries_conversation_visible_author_idx on entries (conversation_id, lower(coalesce(author_url, author_name)), same_as_id, tombstoned_at)`.execute(db);
  await sql`create index sources_kind_due_idx on sources (kind, disabled_at, next_check_at)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index if exists sources_kind_due_idx`.execute(db);
  await sql`drop index if exists entries_conversation_visible_author_idx`.execute(db);
  await sql`create index entries_conversation_blog_idx on entries (conversation_id, blog_id)`.execute(db);
  await sql`drop index if exists entries_conversation_visible_blog_idx`.execute(db);
}
