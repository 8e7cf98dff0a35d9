// A blog's conversations read from the index of its nodes: with the conversation of each in it,
// the list on a blog's page (and in its JSON) reads the index alone, not every entry of the blog.
// A blog of 110,000 entries took 98-146 ms for it, and 6.5-13 ms so. The index replaces the one
// of migration 0021 (blog, same_as_id), a prefix of it, and still counts a blog's entries alone.
// A merge moves entries to another conversation: their keys move in this index too, as they do
// in the others by conversation. The same index on both databases.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`drop index if exists entries_blog_nodes_idx`.execute(db);
  await sql`create index entries_blog_nodes_idx on entries (blog_id, same_as_id, conversation_id)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index if exists entries_blog_nodes_idx`.execute(db);
  await sql`create index entries_blog_nodes_idx on entries (blog_id, same_as_id)`.execute(db);
}
