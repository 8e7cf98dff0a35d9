// Groups of blogs (an event spread over many blogs, or a topic): a slug, a title, what it is
// about, its language, and for an event its days in its time zone with the instants they span
// (so "inside the event" is a plain comparison of sort_at). A blog may belong to many groups.
import type { Kysely } from 'kysely';
import { addIdColumn } from '../src/db/dialect.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  await addIdColumn(db, db.schema.createTable('groups'))
    .addColumn('slug', 'text', (c) => c.notNull().unique())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('lang', 'text')
    // An event: first and last day (YYYY-MM-DD) in time_zone, and the UTC instants they span
    // (ends_at exclusive: midnight after the last day). All null for a group that is no event.
    .addColumn('starts_on', 'text')
    .addColumn('ends_on', 'text')
    .addColumn('time_zone', 'text')
    .addColumn('starts_at', 'text')
    .addColumn('ends_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('group_members')
    .addColumn('group_id', 'integer', (c) => c.notNull().references('groups.id').onDelete('cascade'))
    .addColumn('blog_id', 'integer', (c) => c.notNull().references('blogs.id').onDelete('cascade'))
    .addColumn('added_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('group_members_pk', ['group_id', 'blog_id'])
    .execute();
  // Which groups a blog is in: the feeds a new entry of the blog changes.
  await db.schema.createIndex('group_members_blog_idx').on('group_members').columns(['blog_id', 'group_id']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('group_members').execute();
  await db.schema.dropTable('groups').execute();
}
