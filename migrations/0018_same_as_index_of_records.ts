// The index of records by the node they point at (same_as_id) holds the records only. Every
// lookup through it names a node (`same_as_id = ?`, `in (…)`), and nearly every entry is a node
// (same_as_id null). Holding the nodes too, it let SQLite's planner, which takes `is null` for a
// selective condition, read every node through it for statements that ask for nodes alone: the
// merged feed and the timeline sorted all of them for each page instead of reading the newest
// few by date, and each ping's record looked for its page and records across all nodes
// (3 ms a ping with 50,000 entries stored, growing with the database). The same index on both
// databases.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`drop index if exists entries_same_as_idx`.execute(db);
  await sql`create index entries_same_as_idx on entries (same_as_id) where same_as_id is not null`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index if exists entries_same_as_idx`.execute(db);
  await sql`create index entries_same_as_idx on entries (same_as_id)`.execute(db);
}
