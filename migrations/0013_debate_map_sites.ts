// Who joined a debate without being followed: each link edge and each blog names the site it
// lies on (so the sites followed posts link to are counted per site, and a followed site is
// found by equality), pings are found by the entry they became, and the sites Palaver followed
// by itself (registry.autoFollow) are kept with why.
import type { Kysely } from 'kysely';
import { addIdColumn } from '../src/db/dialect.ts';

// Edges are backfilled in batches, so a large database does not hold them all in memory.
const batch = 2000;

function siteOf(target: string): string | null {
  if (!target.startsWith('url:')) return null;
  const site = target.slice(4).replace(/[/?#].*$/, '');
  return site || null;
}

export async function up(db: Kysely<unknown>): Promise<void> {
  // The host of a URL target as url keys name it (domain/url-key.ts siteOfKey); null for the rest.
  await db.schema.alterTable('edges').addColumn('to_site', 'text').execute();
  const edges = db as unknown as Kysely<{ edges: { id: number; target: string; to_site: string | null } }>;
  for (let after = 0; ; ) {
    const rows = await edges.selectFrom('edges').select(['id', 'target']).where('id', '>', after).where('target', 'like', 'url:%').orderBy('id').limit(batch).execute();
    if (rows.length === 0) break;
    const bySite = new Map<string, number[]>();
    for (const r of rows) {
      const site = siteOf(r.target);
      if (site) bySite.set(site, [...(bySite.get(site) ?? []), r.id]);
    }
    for (const [site, ids] of bySite) await edges.updateTable('edges').set({ to_site: site }).where('id', 'in', ids).execute();
    after = rows.at(-1)!.id;
  }
  // The site of a blog's home, likewise; a site with a blog on it counts as followed.
  await db.schema.alterTable('blogs').addColumn('site', 'text').execute();
  const blogs = db as unknown as Kysely<{ blogs: { id: number; url_key: string; site: string | null } }>;
  for (const b of await blogs.selectFrom('blogs').select(['id', 'url_key']).execute()) {
    await blogs.updateTable('blogs').set({ site: b.url_key.replace(/[/?#].*$/, '') }).where('id', '=', b.id).execute();
  }
  await db.schema.createIndex('blogs_site_idx').on('blogs').column('site').execute();
  await db.schema.createIndex('edges_to_site_idx').on('edges').columns(['to_site', 'type']).execute();
  // A conversation's pings are found through the entries they became.
  await db.schema.createIndex('pings_entry_idx').on('pings').column('entry_id').execute();

  await addIdColumn(db, db.schema.createTable('auto_follows'))
    // One decision per site: followed, failed (tried again after a while) or undone (never again).
    .addColumn('site', 'text', (c) => c.notNull().unique())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('blog_id', 'integer', (c) => c.references('blogs.id').onDelete('set null'))
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('linking_blog_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('ping_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('error', 'text')
    .addColumn('retry_at', 'text')
    // The last attempt: registry.autoFollowPerDay counts attempts in the last 24 hours.
    .addColumn('attempted_at', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('undone_at', 'text')
    .execute();
  await db.schema.createIndex('auto_follows_attempted_idx').on('auto_follows').column('attempted_at').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('auto_follows').execute();
  await db.schema.dropIndex('pings_entry_idx').execute();
  await db.schema.dropIndex('edges_to_site_idx').execute();
  await db.schema.dropIndex('blogs_site_idx').execute();
  await db.schema.alterTable('blogs').dropColumn('site').execute();
  await db.schema.alterTable('edges').dropColumn('to_site').execute();
}
