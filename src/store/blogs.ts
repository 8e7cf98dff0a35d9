// store: registered blogs. All SQL about blogs lives here; callers get plain Blog objects.
import { sql, type Selectable } from 'kysely';
import type { Db } from '../db/open.ts';
import type { BlogsTable } from '../db/schema.ts';
import type { Blog } from '../domain/models.ts';
import type { BlogApproval } from '../domain/vocabulary.ts';
import { isUnderHome, siteOfKey, urlKey } from '../domain/url-key.ts';
import { firstRow, prepare } from './prepared.ts';

export type NewBlog = Omit<Blog, 'id' | 'disabledAt' | 'createdAt' | 'updatedAt' | 'apiRootUrl' | 'apiOffAt' | 'apiOffReason' | 'approval' | 'moderatedAt'> & {
  apiRootUrl?: string | null;
  approval?: BlogApproval;
};

/** Turns a row of blogs into a Blog (for the store modules that join blogs). */
export function toBlog(row: Selectable<BlogsTable>): Blog {
  let notes: string[] = [];
  if (row.discovery_notes) {
    try {
      const parsed: unknown = JSON.parse(row.discovery_notes);
      if (Array.isArray(parsed)) notes = parsed.filter((n): n is string => typeof n === 'string');
    } catch {
      notes = [];
    }
  }
  return {
    id: row.id,
    homeUrl: row.home_url,
    urlKey: row.url_key,
    title: row.title,
    description: row.description,
    pingbackEndpoint: row.pingback_endpoint,
    webmentionEndpoint: row.webmention_endpoint,
    rsdUrl: row.rsd_url,
    trackbackPingUrl: row.trackback_ping_url,
    discoveryNotes: notes,
    disabledAt: row.disabled_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    apiRootUrl: row.api_root_url ?? null,
    apiOffAt: row.api_off_at ?? null,
    apiOffReason: row.api_off_reason ?? null,
    approval: row.approval,
    moderatedAt: row.moderated_at,
  };
}

/** Finds a blog by id. */
export async function findBlogById(db: Db, id: number): Promise<Blog | undefined> {
  const row = await firstRow(blogById, db, [id]);
  return row ? toBlog(row) : undefined;
}

const blogById = prepare(1, (db, [id]: [number]) => db.selectFrom('blogs').selectAll().where('id', '=', id));

/** Finds a blog by the normalised key of its home URL. */
export async function findBlogByUrlKey(db: Db, urlKey: string): Promise<Blog | undefined> {
  const row = await db.selectFrom('blogs').selectAll().where('url_key', '=', urlKey).executeTakeFirst();
  return row ? toBlog(row) : undefined;
}

/**
 * Lists approved blogs (the public registry), oldest registration first; with `afterId` and
 * `limit`, one page of it.
 */
export async function listBlogs(db: Db, options: { afterId?: number; limit?: number } = {}): Promise<Blog[]> {
  let q = db.selectFrom('blogs').selectAll().where('approval', '=', 'approved').orderBy('id');
  if (options.afterId !== undefined) q = q.where('id', '>', options.afterId);
  if (options.limit !== undefined) q = q.limit(options.limit);
  const rows = await q.execute();
  return rows.map(toBlog);
}

/** Counts registered blogs. */
export async function countBlogs(db: Db): Promise<number> {
  const row = await db.selectFrom('blogs').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Inserts a blog and returns it with its id. */
export async function insertBlog(db: Db, blog: NewBlog, now: string): Promise<Blog> {
  const row = await db
    .insertInto('blogs')
    .values({
      home_url: blog.homeUrl,
      url_key: blog.urlKey,
      site: siteOfKey(blog.urlKey),
      title: blog.title,
      description: blog.description,
      pingback_endpoint: blog.pingbackEndpoint,
      webmention_endpoint: blog.webmentionEndpoint,
      rsd_url: blog.rsdUrl,
      trackback_ping_url: blog.trackbackPingUrl,
      discovery_notes: JSON.stringify(blog.discoveryNotes),
      api_root_url: blog.apiRootUrl ?? null,
      created_at: now,
      updated_at: now,
      approval: blog.approval ?? 'approved',
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toBlog(row);
}

/** Updates the title a blog's feed gives itself, when the blog had none or it changed. */
export async function updateBlogTitle(db: Db, id: number, title: string, now: string): Promise<void> {
  await setBlogTitle(db, [title, now, id]);
}

const setBlogTitle = prepare(3, (db, [title, now, id]: [string, string, number]) =>
  db
    .updateTable('blogs')
    .set({ title, updated_at: now })
    .where('id', '=', id)
    .where((eb) => eb.or([eb('title', 'is', null), eb('title', '!=', title)])),
);

/** Lists the blogs with an approval (pending ones for the moderator), oldest first. */
export async function listBlogsByApproval(db: Db, approval: BlogApproval, limit: number): Promise<Blog[]> {
  const rows = await db.selectFrom('blogs').selectAll().where('approval', '=', approval).orderBy('id').limit(limit).execute();
  return rows.map(toBlog);
}

/** Counts the blogs with an approval. */
export async function countBlogsByApproval(db: Db, approval: BlogApproval): Promise<number> {
  const row = await db.selectFrom('blogs').select((eb) => eb.fn.countAll<number>().as('n')).where('approval', '=', approval).executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Records a moderator's decision about a blog. */
export async function updateBlogApproval(db: Db, id: number, approval: BlogApproval, now: string): Promise<void> {
  await db.updateTable('blogs').set({ approval, moderated_at: now, updated_at: now }).where('id', '=', id).execute();
}

/** Finds the registered (approved) blog a URL lies under (same host and port, path prefix), if any. */
export async function findBlogContaining(db: Db, url: string): Promise<Blog | undefined> {
  const key = urlKey(url);
  if (!key) return undefined;
  const host = key.replace(/[/?#].*$/, '');
  // Candidates share the host; the longest home path that contains the URL wins.
  const rows = await db
    .selectFrom('blogs')
    .selectAll()
    .where((eb) => eb.or([eb('url_key', '=', host), eb(sql`substr(url_key, 1, ${host.length + 1})`, 'in', [`${host}/`, `${host}?`])]))
    // A blog waiting for a moderator vouches for nothing yet.
    .where('approval', '=', 'approved')
    .execute();
  const blogs = rows.map(toBlog).filter((b) => isUnderHome(url, b.homeUrl));
  blogs.sort((a, b) => b.urlKey.length - a.urlKey.length);
  return blogs[0];
}

/** Finds when any blog last changed (title, endpoints), for caches of pages that show blog names. */
export async function findBlogsChangedAt(db: Db): Promise<string | null> {
  const row = await db.selectFrom('blogs').select((eb) => eb.fn.max('updated_at').as('changed')).executeTakeFirst();
  return (row?.changed as string | null | undefined) ?? null;
}

/**
 * Records what the blog's REST API answered: `offReason` null when it served comments (on),
 * else why it refused (401/403/404), with the time so it is asked again later.
 */
export async function updateBlogApiState(db: Db, id: number, offReason: string | null, now: string): Promise<void> {
  await db
    .updateTable('blogs')
    .set(offReason === null ? { api_off_at: null, api_off_reason: null } : { api_off_at: now, api_off_reason: offReason })
    .where('id', '=', id)
    .execute();
}

/** Records the REST API root a blog's pages advertise, when discovery did not find one. */
export async function updateBlogApiRoot(db: Db, id: number, apiRootUrl: string): Promise<void> {
  await db.updateTable('blogs').set({ api_root_url: apiRootUrl }).where('id', '=', id).where('api_root_url', 'is', null).execute();
}
