// WebSub in both directions: who subscribed to Palaver's feeds at its own hub
// (websub_subscribers), and Palaver's own subscriptions at blogs' hubs (websub_subscriptions).
import type { Kysely } from 'kysely';
import { addIdColumn } from '../src/db/dialect.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  await addIdColumn(db, db.schema.createTable('websub_subscribers'))
    .addColumn('topic', 'text', (c) => c.notNull())
    .addColumn('callback', 'text', (c) => c.notNull())
    // The verified subscription; expires_at is null until intent is verified.
    .addColumn('secret', 'text')
    .addColumn('lease_seconds', 'integer')
    .addColumn('expires_at', 'text')
    .addColumn('verified_at', 'text')
    // A request waiting for intent verification (WebSub §5.3); the old lease holds meanwhile.
    .addColumn('pending_mode', 'text')
    .addColumn('pending_secret', 'text')
    .addColumn('pending_lease_seconds', 'integer')
    .addColumn('verify_due_at', 'text')
    // Content distribution (§7): due when the topic changed, retried with backoff.
    .addColumn('delivery_due_at', 'text')
    .addColumn('delivery_attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('delivered_at', 'text')
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('websub_subscribers_topic_callback_unique', ['topic', 'callback'])
    .execute();
  await db.schema.createIndex('websub_subscribers_verify_idx').on('websub_subscribers').column('verify_due_at').execute();
  await db.schema.createIndex('websub_subscribers_delivery_idx').on('websub_subscribers').column('delivery_due_at').execute();

  await addIdColumn(db, db.schema.createTable('websub_subscriptions'))
    // Null once the source is gone: the row stays until the hub has been told to stop.
    .addColumn('source_id', 'integer', (c) => c.references('sources.id').onDelete('set null'))
    .addColumn('hub_url', 'text', (c) => c.notNull())
    .addColumn('topic_url', 'text', (c) => c.notNull())
    .addColumn('secret', 'text', (c) => c.notNull())
    // 1 while Palaver wants the subscription, 0 once it should be undone.
    .addColumn('wanted', 'integer', (c) => c.notNull().defaultTo(1))
    // 'subscribe' or 'unsubscribe' while a request waits for the hub's verification.
    .addColumn('pending_mode', 'text')
    .addColumn('lease_seconds', 'integer')
    .addColumn('expires_at', 'text')
    .addColumn('verified_at', 'text')
    // When the worker looks at the row next: send a request, retry, or renew the lease.
    .addColumn('due_at', 'text')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_error', 'text')
    .addColumn('last_push_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('websub_subscriptions_source_idx').on('websub_subscriptions').column('source_id').execute();
  await db.schema.createIndex('websub_subscriptions_due_idx').on('websub_subscriptions').column('due_at').execute();

  // While a hub pushes a feed, polling it is only a fallback (see poller/refresh.ts).
  await db.schema.alterTable('sources').addColumn('pushed_until', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('sources').dropColumn('pushed_until').execute();
  await db.schema.dropTable('websub_subscriptions').execute();
  await db.schema.dropTable('websub_subscribers').execute();
}
