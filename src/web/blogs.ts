// Routes of the blog registry: the HTML pages (/blogs, /blogs/:id, the registration form; read
// through the pages' connection and kept until the next commit) and the JSON API (/api/blogs).
// Registration itself lives in registry/.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { blogHealth } from '../registry/health.ts';
import { registerBlog, RegistrationError } from '../registry/register-blog.ts';
import { listEntriesByBlog } from '../store/entries.ts';
import { countBlogsByApproval, findBlogById, listBlogs, listBlogsByApproval } from '../store/blogs.ts';
import { listAnsweredEntries } from '../store/answered.ts';
import { decodeCursor, encodeCursor } from './list-cursor.ts';
import { approveBlog, rejectBlog } from '../registry/approve-blog.ts';
import { adminAccessFor } from './admin-access.ts';
import { createRegistrationGate } from './registration-limits.ts';
import { listConversationsOfBlog } from '../store/conversations.ts';
import { countSourcesOfBlog, listBlogSources, listSourcesByBlog } from '../store/sources.ts';
import { listGroupsOfBlog } from '../store/groups.ts';
import { renderBlogList, renderBlogPage, type BlogRow } from '../views/blogs.ts';
import { feedAlternates } from '../feeds/feed-urls.ts';
import { messagesFor } from '../views/i18n.ts';
import type { AppDeps } from './deps.ts';
import { blogJson, sourceJson } from './blog-json.ts';
import type { Blog, CommentGap, Source } from '../domain/models.ts';
import { HttpError } from './errors.ts';
import { parseIdParam } from './ids.ts';
import { keptUntilCommit, PageCache, requestLocale, sendPage, toRenderedPage, type RenderedPage } from './page.ts';
import { requestTimeZone } from './time-zone.ts';
import { talliesOn, unlessBusy } from './tally-thread.ts';
import { createSuggestedSites } from './suggested-sites.ts';
import { createCommentGaps } from './comment-gaps.ts';
import { listAutoFollows } from '../store/auto-follows.ts';
import { undoAutoFollow } from '../registry/auto-follow.ts';
import { renderAutoFollows, renderSuggestedSites } from '../views/unfollowed-sites.ts';
import type { Locale } from '../views/i18n.ts';
import type { SafeHtml } from '../views/html.ts';

const registrationBody = z.object({ url: z.string().max(2048) });
const htmlPageSize = 100;
const htmlListQuery = z.object({
  after: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional().catch(undefined),
  suggested: z.coerce.number().int().min(0).max(100_000).catch(0).default(0),
  followed: z.coerce.number().int().min(0).max(100_000).catch(0).default(0),
});
// Suggested blogs and automatic follows shown on one page of /blogs.
const suggestedPageSize = 20;
const autoFollowsPageSize = 50;
// A blog's sources, a page of its table or of the API's list: its own feeds first, then its posts' comment feeds.
const sourcesPageSize = 100;
const sourcesPageQuery = z.object({ sources: z.coerce.number().int().min(1).max(1_000_000).catch(1).default(1) });
const apiSourcesQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).catch(sourcesPageSize).default(sourcesPageSize),
  offset: z.coerce.number().int().min(0).max(100_000_000).catch(0).default(0),
});
const apiListQuery = z.object({ limit: z.coerce.number().int().min(1).max(500).catch(100).default(100), cursor: z.string().optional() });

/** Registers the blog routes. */
export async function blogRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const now = deps.now ?? (() => new Date());
  // The registry's pages read through the pages' connection: a registration, an approval or an
  // operator's change commits before its answer is sent, so the page after it shows it.
  const read = deps.read ?? deps.db;
  // Each page (its query, language and time zone) kept until the next commit, for a minute at
  // most since relative times age (keptUntilCommit): with 100 blogs of 1,100 posts, /blogs
  // answered 117 requests a second and a blog's page 219, rendered every time. An operator's
  // session's page carries its CSRF token: rendered every time.
  const pages = new PageCache(60_000, 200);
  // The registry's ranking of sites and a blog's comment gaps add up rows in proportion to what is stored: beside the event loop where they can be.
  const tallies = deps.tallies ?? talliesOn(deps.read ?? deps.db);
  const suggestedSites = createSuggestedSites(deps.read ?? deps.db, tallies, now);
  const commentGaps = createCommentGaps(deps.read ?? deps.db, tallies, now);

  /**
   * A page of the registry with each blog's health and entries. The entries are counted in the
   * tally thread (as many index rows as the blogs have entries: 9 ms for 110,000); `counted`
   * false when it was too busy, for a page that shows the rows without them (the API answers 503).
   */
  async function loadRows(page: { afterId?: number; limit: number } = { limit: htmlPageSize }, options: { countsOrBusy?: boolean } = {}): Promise<{ rows: BlogRow[]; sourcesByBlog: Map<number, Source[]>; counted: boolean }> {
    const blogs = await listBlogs(read, page);
    const sourcesByBlog = new Map<number, Source[]>();
    for (const s of await listBlogSources(read, blogs.map((b) => b.id))) {
      const list = sourcesByBlog.get(s.blogId);
      if (list) list.push(s);
      else sourcesByBlog.set(s.blogId, [s]);
    }
    const counting = tallies.entryCounts(blogs.map((b) => b.id));
    const counts = options.countsOrBusy ? await counting : await unlessBusy(counting);
    const rows = blogs.map((blog) => ({ blog, health: blogHealth(blog, sourcesByBlog.get(blog.id) ?? []), entryCount: counts ? (counts.get(blog.id) ?? 0) : null }));
    return { rows, sourcesByBlog, counted: counts !== undefined };
  }

  // The blog the request's :id names; 404 when there is none.
  async function blogOfRequest(request: FastifyRequest): Promise<Blog> {
    const blog = await findBlogById(deps.db, parseIdParam(request.params, 'blog'));
    if (!blog) throw new HttpError(404, 'not-found', 'There is no such blog.');
    return blog;
  }

  const gate = createRegistrationGate(deps);
  const admin = adminAccessFor(deps);

  async function register(request: FastifyRequest, reply: FastifyReply, url: string) {
    const admission = await gate.admit(request, url);
    if (!admission.ok) {
      if (admission.retryAfterSeconds) reply.header('retry-after', String(admission.retryAfterSeconds));
      throw new HttpError(admission.status, admission.code, admission.message);
    }
    const result = await registerBlog({ db: deps.db, fetch: deps.fetch, now }, url, { approval: admission.approval });
    if (result.created || result.blog.approval === 'approved') deps.poller?.wake();
    return result;
  }

  // The sites that joined debates unfollowed, one page of them, and the blogs followed automatically;
  // `partial` when the busy tally thread could not rank the sites now.
  async function beyondRegistry(request: FastifyRequest, locale: Locale, offsets: { suggested: number; followed: number }): Promise<{ extra: SafeHtml[]; partial: boolean }> {
    const dates = { locale, timeZone: requestTimeZone(request, deps.config), now: now() };
    const sites = await unlessBusy(suggestedSites({ limit: suggestedPageSize + 1, offset: offsets.suggested }));
    const follows = await listAutoFollows(read, { limit: autoFollowsPageSize + 1, offset: offsets.followed });
    const extra = [
      renderSuggestedSites(sites?.slice(0, suggestedPageSize) ?? null, { offset: offsets.suggested, size: suggestedPageSize, hasMore: (sites?.length ?? 0) > suggestedPageSize }, locale, dates),
      renderAutoFollows(follows.slice(0, autoFollowsPageSize), {
        page: { offset: offsets.followed, size: autoFollowsPageSize, hasMore: follows.length > autoFollowsPageSize },
        enabled: deps.config.registry.autoFollow,
        csrf: admin.session(request)?.csrf ?? null,
        locale,
        dates,
      }),
    ];
    return { extra, partial: sites === undefined };
  }

  // One page of the registry: blogs after `after` (an id), htmlPageSize of them.
  app.get('/blogs', async (request, reply) => {
    const { after, suggested, followed } = htmlListQuery.parse(request.query ?? {});
    const locale = requestLocale(request, reply);
    const timeZone = requestTimeZone(request, deps.config);
    const at = now();
    const render = async () => {
      const { rows, counted } = await loadRows({ ...(after ? { afterId: after } : {}), limit: htmlPageSize + 1 });
      const shown = rows.slice(0, htmlPageSize);
      const pager = { after: after ?? null, next: rows.length > htmlPageSize ? shown.at(-1)!.blog.id : null, total: await countBlogsByApproval(read, 'approved') };
      const { extra, partial } = await beyondRegistry(request, locale, { suggested, followed });
      return { ...toRenderedPage(renderBlogList(shown, at, {}, { locale, timeZone, pager, extra }), null, at.getTime()), partial: partial || !counted };
    };
    // A page without a part it could not count now is neither kept here nor by any cache (sendPage).
    return sendPage(request, reply, await keptForReaders(request, ['blogs', after ?? null, suggested, followed, locale, timeZone], at, render));
  });

  app.post('/blogs', async (request, reply) => {
    const parsed = registrationBody.safeParse(request.body);
    const url = parsed.success ? parsed.data.url : '';
    try {
      const { blog, created } = await register(request, reply, url);
      return reply.redirect(`/blogs/${blog.id}?${created ? 'registered' : 'known'}=1`, 303);
    } catch (err) {
      const status = err instanceof RegistrationError ? err.statusCode : err instanceof HttpError && (err.statusCode === 403 || err.statusCode === 429) ? err.statusCode : null;
      if (status === null) throw err;
      const { rows } = await loadRows();
      return reply.status(status).type('text/html; charset=utf-8').send(renderBlogList(rows, now(), { url, error: (err as Error).message }, { locale: requestLocale(request, reply), timeZone: requestTimeZone(request, deps.config) }));
    }
  });

  app.get('/blogs/:id', async (request, reply) => {
    const id = parseIdParam(request.params, 'blog');
    const query = request.query as Record<string, string | undefined>;
    const sourcesPageAsked = sourcesPageQuery.parse(request.query ?? {}).sources;
    const locale = requestLocale(request, reply);
    const timeZone = requestTimeZone(request, deps.config);
    const at = now();
    const render = async () => {
      const blog = await findBlogById(read, id);
      if (!blog) throw new HttpError(404, 'not-found', 'There is no such blog.');
      const sources = await listBlogSources(read, [id]);
      const sourceTotal = await countSourcesOfBlog(read, id);
      const pageCount = Math.max(1, Math.ceil(sourceTotal / sourcesPageSize));
      const sourcesPage = Math.min(sourcesPageAsked, pageCount);
      const sourceTable = { sources: await listSourcesByBlog(read, id, { limit: sourcesPageSize, offset: (sourcesPage - 1) * sourcesPageSize }), page: sourcesPage, pageCount };
      const entries = await listEntriesByBlog(read, id, 30);
      // The blog's page shows no count of its entries.
      const row: BlogRow = { blog, health: blogHealth(blog, sources), entryCount: null };
      const t = messagesFor(locale);
      // A blog waiting for a moderator (or refused) shows its state, not what it posted.
      const shown = blog.approval === 'approved';
      const notice = blog.approval === 'pending' ? t.pendingNotice : blog.approval === 'rejected' ? t.rejectedNotice : query.registered ? t.registeredNotice : query.known ? t.knownNotice : undefined;
      const conversations = shown ? await listConversationsOfBlog(read, id, 30) : [];
      const about = await listAnsweredEntries(read, entries.filter((e) => e.kind !== 'post').map((e) => e.id));
      // A busy tally thread leaves the "may be missing" list out of this one rendering (null: not counted now).
      const gaps = shown ? ((await unlessBusy(commentGaps(id))) ?? null) : [];
      const groups = shown ? await listGroupsOfBlog(read, id, 20) : [];
      const html = renderBlogPage(row, sources, shown ? entries : [], at, notice, {
        locale,
        conversations,
        gaps,
        groups,
        alternates: shown ? feedAlternates(deps.config.publicUrl, { kind: 'blog', id }, `${blog.title ?? blog.homeUrl} – Palaver`) : [],
        timeZone,
        about,
        noindex: !shown,
        sourceTable,
      });
      return { ...toRenderedPage(html, null, at.getTime()), partial: gaps === null };
    };
    const notice = query.registered ? 'registered' : query.known ? 'known' : null;
    return sendPage(request, reply, await keptForReaders(request, ['blog', id, sourcesPageAsked, notice, locale, timeZone], at, render));
  });

  /** A registry page kept until the next commit, or, for an operator's session, rendered now. */
  function keptForReaders(request: FastifyRequest, key: unknown[], at: Date, render: () => Promise<RenderedPage>): Promise<RenderedPage> {
    return admin.session(request) ? render() : keptUntilCommit(pages, read, key, at.getTime(), render);
  }

  // Paged by cursor (the last id): `next` (and a Link rel="next") names the following page.
  app.get('/api/blogs', async (request, reply) => {
    const { limit, cursor } = apiListQuery.parse(request.query ?? {});
    const afterId = decodeCursor(cursor, z.number().int().positive());
    const { rows, sourcesByBlog } = await loadRows({ ...(afterId ? { afterId } : {}), limit: limit + 1 }, { countsOrBusy: true });
    const shown = rows.slice(0, limit);
    const next = rows.length > limit ? `/api/blogs?limit=${limit}&cursor=${encodeCursor(shown.at(-1)!.blog.id)}` : null;
    if (next) reply.header('link', `<${deps.config.publicUrl}${next}>; rel="next"`);
    return { blogs: shown.map((r) => blogJson(r.blog, r.health, sourcesByBlog.get(r.blog.id) ?? [], { entryCount: r.entryCount ?? 0 })), next };
  });

  // The blog with the first page of its sources, their number and where the next page is.
  async function blogWithSources(blog: Blog, extra: { entryCount?: number; gaps?: CommentGap[] } = {}) {
    const sources = await listSourcesByBlog(deps.db, blog.id, { limit: sourcesPageSize, offset: 0 });
    const sourceCount = await countSourcesOfBlog(deps.db, blog.id);
    return {
      ...blogJson(blog, blogHealth(blog, await listBlogSources(deps.db, [blog.id])), sources, { withSources: true, ...extra }),
      sourceCount,
      sourcesNext: sourceCount > sources.length ? `/api/blogs/${blog.id}/sources?offset=${sources.length}&limit=${sourcesPageSize}` : null,
    };
  }

  // Without its comment gaps the blog would read as missing none: a busy tally thread answers 503 here.
  app.get('/api/blogs/:id', async (request) => {
    const blog = await blogOfRequest(request);
    const counts = await tallies.entryCounts([blog.id]);
    return blogWithSources(blog, { entryCount: counts.get(blog.id) ?? 0, gaps: await commentGaps(blog.id) });
  });

  // A page of a blog's sources, in the order of /api/blogs/:id's first page.
  app.get('/api/blogs/:id/sources', async (request, reply) => {
    const { id } = await blogOfRequest(request);
    const { limit, offset } = apiSourcesQuery.parse(request.query ?? {});
    const sources = await listSourcesByBlog(deps.db, id, { limit: limit + 1, offset });
    const shown = sources.slice(0, limit);
    const next = sources.length > limit ? `/api/blogs/${id}/sources?offset=${offset + limit}&limit=${limit}` : null;
    if (next) reply.header('link', `<${deps.config.publicUrl}${next}>; rel="next"`);
    return { sources: shown.map(sourceJson), next };
  });

  // Moderation of registrations, for the operator (Authorization: Bearer <admin token>).
  const requireAdmin = (request: FastifyRequest) => {
    if (!admin.enabled) throw new HttpError(404, 'not-found', 'Moderation is off: set PALAVER_ADMIN_TOKEN to turn it on.');
    if (!admin.hasBearerToken(request)) throw new HttpError(401, 'unauthorized', 'This needs the admin token (Authorization: Bearer …).');
  };
  app.get('/api/blogs/pending', async (request) => {
    requireAdmin(request);
    const pending = await listBlogsByApproval(deps.db, 'pending', 500);
    return { blogs: pending.map((b) => ({ ...blogJson(b, blogHealth(b, []), []), approval: b.approval })) };
  });
  for (const action of ['approve', 'reject'] as const) {
    app.post(`/api/blogs/:id/${action}`, async (request) => {
      requireAdmin(request);
      const { id } = await blogOfRequest(request);
      if (action === 'approve') {
        await approveBlog(deps.db, id, now().toISOString());
        deps.poller?.wake();
      } else {
        await rejectBlog(deps.db, id, now().toISOString());
      }
      const after = (await findBlogById(deps.db, id))!;
      return { id: after.id, approval: after.approval };
    });
  }

  app.post('/api/auto-follows/:id/undo', async (request) => {
    requireAdmin(request);
    const id = parseIdParam(request.params, 'automatic follow');
    if (!(await undoAutoFollow(deps.db, id, now().toISOString()))) throw new HttpError(404, 'not-found', 'There is no such automatic follow to undo.');
    return { id, status: 'undone' };
  });

  app.post('/api/blogs', async (request, reply) => {
    const parsed = registrationBody.safeParse(request.body);
    if (!parsed.success) throw new HttpError(400, 'invalid-request', 'Send a JSON object with the blog’s address: {"url": "https://example.org/"}.');
    try {
      const { blog, created, discovery } = await register(request, reply, parsed.data.url);
      const body = { ...(await blogWithSources(blog)), discovery };
      return reply.status(created ? 201 : 200).send(body);
    } catch (err) {
      if (err instanceof RegistrationError) throw new HttpError(err.statusCode, err.code, err.message);
      throw err;
    }
  });
}
