// Registering a blog: discover what it offers, then store the blog and its sources in one
// transaction, so a failure leaves nothing half-registered. The same blog twice (http/https,
// www., trailing slash) finds the one already there.
import type { Blog } from '../domain/models.ts';
import type { Db } from '../db/open.ts';
import { discoverBlog, DiscoveryError, normalizeInputUrl, type Discovery } from '../reader/discover.ts';
import type { Fetch } from '../reader/types.ts';
import { findBlogById, findBlogByUrlKey, insertBlog } from '../store/blogs.ts';
import { enableSourcesOfBlog, insertSource, listSourcesByFeedUrl } from '../store/sources.ts';
import { approveBlog } from './approve-blog.ts';
import { urlKey } from '../domain/url-key.ts';
import type { BlogApproval } from '../domain/vocabulary.ts';

export type RegistrationErrorCode = DiscoveryError['code'];

export class RegistrationError extends Error {
  readonly code: RegistrationErrorCode;
  /** 400 when the input itself is wrong, 422 when the address is fine but leads to no blog. */
  readonly statusCode: 400 | 422;
  constructor(code: RegistrationErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RegistrationError';
    this.code = code;
    this.statusCode = code === 'invalid-url' || code === 'unsupported-scheme' ? 400 : 422;
  }
}

export interface RegistrationResult {
  blog: Blog;
  created: boolean;
  discovery: Discovery | null;
}

export interface RegisterDeps {
  db: Db;
  fetch: Fetch;
  now?: () => Date;
}

export interface RegisterOptions {
  /**
   * 'approved' for the operator (CLI, admin token): a pending or rejected blog registered again
   * is approved. 'pending' for a stranger under registry.moderation=moderate: a new blog is
   * polled but not shown until a moderator approves it. Default 'approved'.
   */
  approval?: Exclude<BlogApproval, 'rejected'>;
}

function toRegistrationError(err: unknown): never {
  if (err instanceof DiscoveryError) throw new RegistrationError(err.code, err.message, { cause: err });
  throw err;
}

async function findExisting(db: Db, ...urls: (string | null | undefined)[]): Promise<Blog | undefined> {
  for (const url of urls) {
    const key = urlKey(url);
    if (!key) continue;
    const blog = await findBlogByUrlKey(db, key);
    if (blog) return blog;
  }
  return undefined;
}

/** Registers the blog at `input` (home page, post or feed URL), or finds it when already registered. */
export async function registerBlog(deps: RegisterDeps, input: string, options: RegisterOptions = {}): Promise<RegistrationResult> {
  const now = (deps.now ?? (() => new Date()))().toISOString();
  const approval = options.approval ?? 'approved';
  // Registering again is how an owner says "try again": sources stopped after errors resume. A
  // blog a moderator rejected stays stopped unless the operator registers it.
  const again = async (blog: Blog): Promise<Blog> => {
    if (approval === 'approved' && blog.approval !== 'approved') {
      await approveBlog(deps.db, blog.id, now);
      return (await findBlogById(deps.db, blog.id)) ?? blog;
    }
    if (blog.approval !== 'rejected') await enableSourcesOfBlog(deps.db, blog.id, now);
    return blog;
  };
  let start: URL;
  try {
    start = normalizeInputUrl(input);
  } catch (err) {
    toRegistrationError(err);
  }

  const known = await findExisting(deps.db, start.href);
  if (known) return { blog: await again(known), created: false, discovery: null };

  let discovery: Discovery;
  try {
    discovery = await discoverBlog(start.href, deps);
  } catch (err) {
    toRegistrationError(err);
  }

  // The pasted URL was a post or a feed of a blog already registered by its home page.
  const sameFeed = (await listSourcesByFeedUrl(deps.db, discovery.feed.url))[0];
  const existing = (await findExisting(deps.db, discovery.homeUrl)) ?? (sameFeed ? await findBlogById(deps.db, sameFeed.blogId) : undefined);
  if (existing) return { blog: await again(existing), created: false, discovery };

  const notes = [...discovery.notes];
  for (const f of discovery.otherFeeds) notes.push(`Also offers ${f.format ?? 'a'} feed ${f.url}${f.title ? ` (“${f.title}”)` : ''}.`);

  try {
    const blog = await deps.db.transaction().execute(async (trx) => {
      const created = await insertBlog(
        trx,
        {
          homeUrl: discovery.homeUrl,
          urlKey: urlKey(discovery.homeUrl)!,
          title: discovery.title,
          description: discovery.description,
          pingbackEndpoint: discovery.pingbackEndpoint,
          webmentionEndpoint: discovery.webmentionEndpoint,
          rsdUrl: discovery.rsdUrl,
          trackbackPingUrl: discovery.trackbackPingUrl,
          apiRootUrl: discovery.apiRootUrl,
          discoveryNotes: notes,
          approval,
        },
        now,
      );
      await insertSource(trx, { blogId: created.id, kind: 'feed', url: discovery.feed.url, format: discovery.feed.format, title: discovery.feed.title, nextCheckAt: now }, now);
      if (discovery.commentFeed && discovery.commentFeed.url !== discovery.feed.url) {
        await insertSource(trx, { blogId: created.id, kind: 'site-comments', url: discovery.commentFeed.url, format: discovery.commentFeed.format, title: discovery.commentFeed.title, nextCheckAt: now }, now);
      }
      return created;
    });
    return { blog, created: true, discovery };
  } catch (err) {
    // Two registrations of one blog racing: the loser finds the winner's row.
    const winner = await findExisting(deps.db, discovery.homeUrl);
    if (winner) return { blog: winner, created: false, discovery };
    throw err;
  }
}

