// The moderation page (/admin) for a person with the admin token: the token is exchanged for a
// session cookie (a random id, strict same-site, Secure under an https PUBLIC_URL), login
// attempts are limited, and every form carries the session's CSRF token.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AppDeps } from './deps.ts';
import { approveBlog, rejectBlog } from '../registry/approve-blog.ts';
import { undoAutoFollow } from '../registry/auto-follow.ts';
import { findBlogById, listBlogsByApproval } from '../store/blogs.ts';
import { listHeldEntries } from '../store/held-entries.ts';
import { listBlogSources } from '../store/sources.ts';
import { findPing, finishPing, listPingsByStatus, setHostVerdict } from '../store/pings.ts';
import { renderAdminLogin, renderAdminPage, type PendingBlog } from '../views/admin.ts';
import { adminAccessFor } from './admin-access.ts';
import { HttpError } from './errors.ts';
import { parseId } from './ids.ts';
import { approvePing } from './moderation.ts';

const hostParams = z.object({ host: z.string().min(1).max(255).regex(/^[a-z0-9.-]+(?::\d{1,5})?$/i) });

/** Registers /admin and its actions. */
export async function adminRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const access = adminAccessFor(deps);
  const now = () => (deps.now ?? (() => new Date()))().toISOString();
  const html = (reply: FastifyReply, body: string, status = 200) => reply.status(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(body);

  app.addHook('onRequest', async () => {
    if (!access.enabled) throw new HttpError(404, 'not-found', 'Moderation is off: set PALAVER_ADMIN_TOKEN to turn it on.');
  });

  // Every action is a form post from /admin: it needs the session and that session's CSRF token.
  const authorise = (request: FastifyRequest) => {
    if (!access.session(request)) throw new HttpError(401, 'unauthorized', 'Open /admin with the admin token first.');
    if (!access.checkCsrf(request, (request.body as Record<string, unknown> | undefined)?.csrf)) {
      throw new HttpError(403, 'csrf', 'This form has expired or did not come from the moderation page; open /admin and try again.');
    }
  };

  async function pendingBlogs(): Promise<PendingBlog[]> {
    const blogs = await listBlogsByApproval(deps.db, 'pending', 100);
    return Promise.all(
      blogs.map(async (blog) => ({
        blog,
        feedUrl: (await listBlogSources(deps.db, [blog.id])).find((s) => s.kind === 'feed')?.url ?? null,
        entries: await listHeldEntries(deps.db, blog.id, 3),
      })),
    );
  }

  app.get<{ Querystring: { done?: string } }>('/admin', async (request, reply) => {
    const session = access.session(request);
    if (!session) return html(reply, renderAdminLogin(null));
    const notice = typeof request.query.done === 'string' ? request.query.done.slice(0, 200) : null;
    return html(reply, renderAdminPage({ held: await listPingsByStatus(deps.db, 'held', 200), pendingBlogs: await pendingBlogs(), notice, csrf: session.csrf }));
  });

  app.post<{ Body: { token?: string } }>('/admin/login', async (request, reply) => {
    const given = typeof request.body?.token === 'string' ? request.body.token : '';
    const result = access.login(request, given);
    if (!result.ok) {
      if (result.retryAfterSeconds) reply.header('retry-after', String(result.retryAfterSeconds));
      return html(reply, renderAdminLogin(result.message), result.status);
    }
    reply.header('set-cookie', result.setCookie);
    return reply.redirect('/admin', 303);
  });

  app.post('/admin/logout', async (request, reply) => {
    authorise(request);
    reply.header('set-cookie', access.logout(request));
    return reply.redirect('/admin', 303);
  });

  app.post<{ Params: { id: string; action: string } }>('/admin/pings/:id/:action', async (request, reply) => {
    authorise(request);
    const id = parseId(request.params.id);
    const ping = id !== null ? await findPing(deps.db, id) : undefined;
    if (!ping) throw new HttpError(404, 'not-found', 'There is no such ping.');
    if (request.params.action === 'approve') await approvePing(deps, ping, now());
    else if (request.params.action === 'reject') await finishPing(deps.db, ping.id, { status: 'rejected', reason: 'rejected by a moderator' }, now());
    else throw new HttpError(404, 'not-found', 'There is no such action.');
    return reply.redirect(`/admin?done=${encodeURIComponent(`${request.params.action === 'approve' ? 'Approved' : 'Rejected'}: ${ping.sourceUrl}`)}`, 303);
  });

  app.post<{ Params: { id: string; action: string } }>('/admin/blogs/:id/:action', async (request, reply) => {
    authorise(request);
    const id = parseId(request.params.id);
    const blog = id !== null ? await findBlogById(deps.db, id) : undefined;
    if (!blog) throw new HttpError(404, 'not-found', 'There is no such blog.');
    if (request.params.action === 'approve') {
      await approveBlog(deps.db, blog.id, now());
      deps.poller?.wake();
    } else if (request.params.action === 'reject') {
      await rejectBlog(deps.db, blog.id, now());
    } else {
      throw new HttpError(404, 'not-found', 'There is no such action.');
    }
    return reply.redirect(`/admin?done=${encodeURIComponent(`${request.params.action === 'approve' ? 'Approved' : 'Rejected'}: ${blog.title ?? blog.homeUrl}`)}`, 303);
  });

  // From the list of automatic follows on /blogs, which shows the button to a session.
  app.post<{ Params: { id: string } }>('/admin/auto-follows/:id/undo', async (request, reply) => {
    authorise(request);
    const id = parseId(request.params.id);
    if (id === null || !(await undoAutoFollow(deps.db, id, now()))) throw new HttpError(404, 'not-found', 'There is no such automatic follow to undo.');
    return reply.redirect('/blogs#auto-follows', 303);
  });

  app.post<{ Params: { host: string } }>('/admin/hosts/:host/block', async (request, reply) => {
    authorise(request);
    const parsed = hostParams.safeParse(request.params);
    if (!parsed.success) throw new HttpError(400, 'invalid-host', 'That is not a host name.');
    await setHostVerdict(deps.db, parsed.data.host, 'blocked', 'blocked by a moderator', now());
    for (const p of await listPingsByStatus(deps.db, 'held', 500)) {
      if (p.sourceHost === parsed.data.host.toLowerCase()) await finishPing(deps.db, p.id, { status: 'rejected', reason: 'the source’s host is blocked' }, now());
    }
    return reply.redirect(`/admin?done=${encodeURIComponent(`Blocked ${parsed.data.host}`)}`, 303);
  });
}
