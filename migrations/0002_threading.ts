// Threading: edges between entries (or to URLs not known yet), the channels each entry arrived
// by, and conversations as connected groups of entries kept up to date as entries arrive.
import { sql, type Kysely } from 'kysely';
import { addIdColumn, floatType } from '../src/db/dialect.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  await addIdColumn(db, db.schema.createTable('conversations'))
    .addColumn('root_entry_id', 'integer')
    .addColumn('title', 'text')
    .addColumn('entry_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('post_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('comment_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('linkback_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('blog_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('author_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('missing_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('first_activity_at', 'text')
    .addColumn('last_activity_at', 'text')
    .addColumn('rank', floatType(db), (c) => c.notNull().defaultTo(0))
    .addColumn('merged_into_id', 'integer', (c) => c.references('conversations.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('conversations_rank_idx').on('conversations').columns(['merged_into_id', 'rank']).execute();

  await db.schema.alterTable('entries').addColumn('conversation_id', 'integer', (c) => c.references('conversations.id')).execute();
  // Another record of the same thing (a pingback shown as a comment, a listed or received ping):
  // hidden behind the entry it points at, which shows its channels.
  await db.schema.alterTable('entries').addColumn('same_as_id', 'integer', (c) => c.references('entries.id')).execute();
  // For linkback records: the normalised URL of the post that pinged (see url-key.ts).
  await db.schema.alterTable('entries').addColumn('source_key', 'text').execute();
  await db.schema.alterTable('entries').addColumn('target_url', 'text').execute();
  // A link roundup: its body links never bridge two conversations (see threading/rules.ts).
  await db.schema.alterTable('entries').addColumn('is_roundup', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.createIndex('entries_conversation_idx').on('entries').columns(['conversation_id', 'sort_at']).execute();
  await db.schema.createIndex('entries_guid_idx').on('entries').column('guid').execute();
  await db.schema.createIndex('entries_source_key_idx').on('entries').column('source_key').execute();
  await db.schema.createIndex('entries_same_as_idx').on('entries').column('same_as_id').execute();

  await db.schema
    .createTable('entry_channels')
    .addColumn('entry_id', 'integer', (c) => c.notNull().references('entries.id').onDelete('cascade'))
    .addColumn('via', 'text', (c) => c.notNull())
    .addColumn('first_seen_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('entry_channels_pk', ['entry_id', 'via'])
    .execute();

  await addIdColumn(db, db.schema.createTable('edges'))
    .addColumn('from_entry_id', 'integer', (c) => c.notNull().references('entries.id').onDelete('cascade'))
    .addColumn('type', 'text', (c) => c.notNull())
    // What the edge points at before it resolves: "url:<url key>" or "ref:<guid>".
    .addColumn('target', 'text', (c) => c.notNull())
    .addColumn('to_url', 'text')
    .addColumn('to_entry_id', 'integer', (c) => c.references('entries.id').onDelete('set null'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('edges_from_type_target_unique', ['from_entry_id', 'type', 'target'])
    .execute();
  await db.schema.createIndex('edges_target_idx').on('edges').columns(['target', 'to_entry_id']).execute();
  await db.schema.createIndex('edges_to_entry_idx').on('edges').columns(['to_entry_id', 'type']).execute();

  // Entries stored before threading existed: every one starts as the only entry of a
  // conversation of its own; the next poll threads them as it touches them.
  await sql`insert into entry_channels (entry_id, via, first_seen_at)
    select id, case when kind = 'post' then 'feed' else 'comment-feed' end, first_seen_at from entries`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('edges').execute();
  await db.schema.dropTable('entry_channels').execute();
  for (const index of ['entries_conversation_idx', 'entries_guid_idx', 'entries_source_key_idx', 'entries_same_as_idx']) {
    await db.schema.dropIndex(index).execute();
  }
  for (const column of ['is_roundup', 'target_url', 'source_key', 'same_as_id', 'conversation_id']) {
    await db.schema.alterTable('entries').dropColumn(column).execute();
  }
  await db.schema.dropTable('conversations').execute();
}
