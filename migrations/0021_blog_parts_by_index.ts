// What the registry and a blog's page count and list of one blog, read from indexes of that blog
// alone. A blog has a comment feed for every post and an entry for every post and comment, so
// with 100 blogs of 2,000 posts on the registry's page (200,000 sources, 200,000 entries) it read
// every source of those blogs to find their few own feeds (40 ms a page) and every entry of each
// to count the ones that are nodes (0.55 ms a blog, 55 ms a page): about 105 ms of the event loop
// for /blogs and /api/blogs.
// - Sources by blog, kind and id: a blog's own feeds are a few ranges of it, its posts' comment
//   feeds one range in id order (a page of them needs no sort). It replaces the index by blog
//   alone, a prefix of it.
// - Entries by blog and the entry they are a record of: a blog's nodes (same_as_id is null) are
//   one range of it, counted from the index alone. A feed's entries are one blog's, so a poll
//   adds to one place of it.
// The same indexes on both databases.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create index sources_blog_kind_idx on sources (blog_id, kind, id)`.execute(db);
  await sql`drop index if exists sources_blog_idx`.execute(db);
  await sql`create index entries_blog_nodes_idx on entries (blog_id, same_as_id)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index if exists entries_blog_nodes_idx`.execute(db);
  await sql`create index sources_blog_idx on sources (blog_id)`.execute(db);
  await sql`drop index if exists sources_blog_kind_idx`.execute(db);
}
