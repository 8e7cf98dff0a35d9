// Routes of the blog registry: the HTML pages (/blogs, /blogs/:id, the registration form) and
// the JSON API (/api/blogs). Registration itself lives in registry/.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { blogHealth } from '../registry/health.ts';
import { registerBlog, RegistrationError } from '../registry/register-blog.ts';
import { countEntries, listEntriesByBlog } from '../store/entries.ts';
import { findBlogById, listBlogs } from '../store/blogs.ts';
import { listAnsweredEntries } from '../store/answered.ts';
import { listConversationsOfBlog } from '../store/conversations.ts';
import { listSourcesByBlog, listSourcesByBlogs } from '../store/sources.ts';
import { listCommentGapsOfBlog } from '../store/comment-gaps.ts';
import { renderBlogList, renderBlogPage, type BlogRow } from '../views/blogs.ts';
import { feedAlternates } from './feeds.ts';
import { messagesFor } from '../views/i18n.ts';
import type { AppDeps } from '../app.ts';
import { blogJson } from './blog-json.ts';
import { HttpError } from './errors.ts';
import { requestLocale } from './page.ts';
import { requestTimeZone } from './time-zone.ts';

const idParams = z.object({ id: z.string().regex(/^\d{1,15}$/).transform(Number) });
const registrationBody = z.object({ url: z.string().max(2048) });

function parseId(params: unknown): number {
  const parsed = idParams.safeParse(params);
  if (!parsed.success) throw new HttpError(404, 'not-found', 'There is no such blog.');
  return parsed.data.id;
}

/** Registers the blog routes. */
export async function blogRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const now = deps.now ?? (() => new Date());

  async function loadRows(): Promise<{ rows: BlogRow[]; sourcesByBlog: Map<number, Awaited<ReturnType<typeof listSourcesByBlog>>> }> {
    const blogs = await listBlogs(deps.db);
    const sources = await listSourcesByBlogs(deps.db, blogs.map((b) => b.id));
    const sourcesByBlog = new Map<number, typeof sources>();
    for (const s of sources) sourcesByBlog.set(s.blogId, [...(sourcesByBlog.get(s.blogId) ?? []), s]);
    const rows = await Promise.all(
      blogs.map(async (blog) => ({ blog, health: blogHealth(blog, sourcesByBlog.get(blog.id) ?? []), entryCount: await countEntries(deps.db, blog.id) })),
    );
    return { rows, sourcesByBlog };
  }

  async function register(url: string) {
    const result = await registerBlog({ db: deps.db, fetch: deps.fetch, now }, url);
    if (result.created) deps.poller?.wake();
    return result;
  }

  app.get('/blogs', async (request, reply) => {
    const { rows } = await loadRows();
    return reply.type('text/html; charset=utf-8').send(renderBlogList(rows, now(), {}, { locale: requestLocale(request, reply), timeZone: requestTimeZone(request, deps.config) }));
  });

  app.post('/blogs', async (request, reply) => {
    const parsed = registrationBody.safeParse(request.body);
    const url = parsed.success ? parsed.data.url : '';
    try {
      const { blog, created } = await register(url);
      return reply.redirect(`/blogs/${blog.id}?${created ? 'registered' : 'known'}=1`, 303);
    } catch (err) {
      if (!(err instanceof RegistrationError)) throw err;
      const { rows } = await loadRows();
      return reply.status(err.statusCode).type('text/html; charset=utf-8').send(renderBlogList(rows, now(), { url, error: err.message }, { locale: requestLocale(request, reply), timeZone: requestTimeZone(request, deps.config) }));
    }
  });

  app.get('/blogs/:id', async (request, reply) => {
    const id = parseId(request.params);
    const blog = await findBlogById(deps.db, id);
    if (!blog) throw new HttpError(404, 'not-found', 'There is no such blog.');
    const sources = await listSourcesByBlog(deps.db, id);
    const entries = await listEntriesByBlog(deps.db, id, 30);
    const row: BlogRow = { blog, health: blogHealth(blog, sources), entryCount: await countEntries(deps.db, id) };
    const query = request.query as Record<string, string | undefined>;
    const locale = requestLocale(request, reply);
    const t = messagesFor(locale);
    const notice = query.registered ? t.registeredNotice : query.known ? t.knownNotice : undefined;
    const conversations = await listConversationsOfBlog(deps.db, id, 30);
    const about = await listAnsweredEntries(deps.db, entries.filter((e) => e.kind !== 'post').map((e) => e.id));
    const gaps = await listCommentGapsOfBlog(deps.db, id);
    return reply.type('text/html; charset=utf-8').send(
      renderBlogPage(row, sources, entries, now(), notice, {
        locale,
        conversations,
        gaps,
        alternates: feedAlternates(deps.config.publicUrl, `/blogs/${id}`, `${blog.title ?? blog.homeUrl} – Palaver`),
        timeZone: requestTimeZone(request, deps.config),
        about,
      }),
    );
  });

  app.get('/api/blogs', async () => {
    const { rows, sourcesByBlog } = await loadRows();
    return { blogs: rows.map((r) => blogJson(r.blog, r.health, sourcesByBlog.get(r.blog.id) ?? [], { entryCount: r.entryCount })) };
  });

  app.get('/api/blogs/:id', async (request) => {
    const id = parseId(request.params);
    const blog = await findBlogById(deps.db, id);
    if (!blog) throw new HttpError(404, 'not-found', 'There is no such blog.');
    const sources = await listSourcesByBlog(deps.db, id);
    return blogJson(blog, blogHealth(blog, sources), sources, { withSources: true, entryCount: await countEntries(deps.db, id), gaps: await listCommentGapsOfBlog(deps.db, id) });
  });

  app.post('/api/blogs', async (request, reply) => {
    const parsed = registrationBody.safeParse(request.body);
    if (!parsed.success) throw new HttpError(400, 'invalid-request', 'Send a JSON object with the blog’s address: {"url": "https://example.org/"}.');
    try {
      const { blog, created, discovery } = await register(parsed.data.url);
      const sources = await listSourcesByBlog(deps.db, blog.id);
      const body = { ...blogJson(blog, blogHealth(blog, sources), sources, { withSources: true }), discovery };
      return reply.status(created ? 201 : 200).send(body);
    } catch (err) {
      if (err instanceof RegistrationError) throw new HttpError(err.statusCode, err.code, err.message);
      throw err;
    }
  });
}
