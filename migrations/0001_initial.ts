// Blogs, the sources polled for them, and the entries they publish.
import type { Kysely } from 'kysely';
import { addIdColumn } from '../src/db/dialect.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  await addIdColumn(db, db.schema.createTable('blogs'))
    .addColumn('home_url', 'text', (c) => c.notNull())
    .addColumn('url_key', 'text', (c) => c.notNull().unique())
    .addColumn('title', 'text')
    .addColumn('description', 'text')
    .addColumn('pingback_endpoint', 'text')
    .addColumn('webmention_endpoint', 'text')
    .addColumn('rsd_url', 'text')
    .addColumn('trackback_ping_url', 'text')
    .addColumn('discovery_notes', 'text')
    .addColumn('disabled_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await addIdColumn(db, db.schema.createTable('entries'))
    .addColumn('blog_id', 'integer', (c) => c.references('blogs.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('identity', 'text', (c) => c.notNull())
    .addColumn('guid', 'text')
    .addColumn('url', 'text')
    .addColumn('url_key', 'text')
    .addColumn('title', 'text')
    .addColumn('author_name', 'text')
    .addColumn('author_url', 'text')
    .addColumn('content_html', 'text')
    .addColumn('excerpt', 'text')
    .addColumn('lang', 'text')
    .addColumn('published_at', 'text')
    .addColumn('updated_at', 'text')
    .addColumn('sort_at', 'text', (c) => c.notNull())
    .addColumn('comment_count', 'integer')
    .addColumn('comment_feed_url', 'text')
    .addColumn('comments_page_url', 'text')
    .addColumn('trackback_ping_url', 'text')
    .addColumn('content_hash', 'text', (c) => c.notNull())
    .addColumn('first_seen_at', 'text', (c) => c.notNull())
    .addColumn('changed_at', 'text', (c) => c.notNull())
    .addColumn('tombstoned_at', 'text')
    .addUniqueConstraint('entries_blog_identity_unique', ['blog_id', 'identity'])
    .execute();
  await db.schema.createIndex('entries_sort_at_idx').on('entries').column('sort_at').execute();
  await db.schema.createIndex('entries_url_key_idx').on('entries').column('url_key').execute();
  await db.schema.createIndex('entries_blog_sort_idx').on('entries').columns(['blog_id', 'sort_at']).execute();

  await addIdColumn(db, db.schema.createTable('sources'))
    .addColumn('blog_id', 'integer', (c) => c.notNull().references('blogs.id').onDelete('cascade'))
    .addColumn('entry_id', 'integer', (c) => c.references('entries.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('host', 'text', (c) => c.notNull())
    .addColumn('format', 'text')
    .addColumn('title', 'text')
    .addColumn('etag', 'text')
    .addColumn('last_modified', 'text')
    .addColumn('next_check_at', 'text', (c) => c.notNull())
    .addColumn('last_checked_at', 'text')
    .addColumn('last_success_at', 'text')
    .addColumn('last_status', 'integer')
    .addColumn('last_error', 'text')
    .addColumn('last_error_at', 'text')
    .addColumn('consecutive_failures', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('interval_hint_seconds', 'integer')
    .addColumn('redirect_url', 'text')
    .addColumn('redirect_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('disabled_at', 'text')
    .addColumn('disabled_reason', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('sources_blog_url_unique', ['blog_id', 'url'])
    .execute();
  await db.schema.createIndex('sources_due_idx').on('sources').columns(['disabled_at', 'next_check_at']).execute();
  await db.schema.createIndex('sources_blog_idx').on('sources').column('blog_id').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('sources').execute();
  await db.schema.dropTable('entries').execute();
  await db.schema.dropTable('blogs').execute();
}
