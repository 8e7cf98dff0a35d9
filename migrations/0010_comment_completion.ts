// Comments beyond the comment feeds' window: the WordPress REST API root a blog advertises (and
// whether it was found switched off), and per post's comment source the REST post id and what
// is still missing after a poll, so /blogs/:id can say why and the next check comes sooner.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // Link: <…/wp-json/>; rel="https://api.w.org/" or <link rel="https://api.w.org/">.
  await db.schema.alterTable('blogs').addColumn('api_root_url', 'text').execute();
  // Set when the API answered 401/403/404; asked again after a while (see poller/complete-comments.ts).
  await db.schema.alterTable('blogs').addColumn('api_off_at', 'text').execute();
  await db.schema.alterTable('blogs').addColumn('api_off_reason', 'text').execute();
  // The post's id in the REST API (from its ?p= guid or a posts?slug= lookup); 0 = not found.
  await db.schema.alterTable('sources').addColumn('api_post_id', 'integer').execute();
  // Why comments are still missing after the last poll, in plain words (null: nothing missing).
  await db.schema.alterTable('sources').addColumn('gap_note', 'text').execute();
  // Polls in a row that ended with comments still missing: retries come sooner, then back off.
  await db.schema.alterTable('sources').addColumn('gap_polls', 'integer', (c) => c.notNull().defaultTo(0)).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('sources').dropColumn('gap_polls').execute();
  await db.schema.alterTable('sources').dropColumn('gap_note').execute();
  await db.schema.alterTable('sources').dropColumn('api_post_id').execute();
  await db.schema.alterTable('blogs').dropColumn('api_off_reason').execute();
  await db.schema.alterTable('blogs').dropColumn('api_off_at').execute();
  await db.schema.alterTable('blogs').dropColumn('api_root_url').execute();
}
