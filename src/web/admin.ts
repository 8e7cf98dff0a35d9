// The moderation page (/admin) for a person with the admin token: the token is exchanged for a
// strict same-site cookie, so the buttons' form posts cannot be forged from other sites.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AppDeps } from '../app.ts';
import { findPing, finishPing, listPingsByStatus, setHostVerdict } from '../store/pings.ts';
import { renderAdminLogin, renderAdminPage } from '../views/admin.ts';
import { HttpError } from './errors.ts';
import { approvePing, isAdminToken } from './moderation.ts';

const cookieName = 'palaver_admin';
const idParams = z.object({ id: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER) });
const hostParams = z.object({ host: z.string().min(1).max(255).regex(/^[a-z0-9.-]+(?::\d{1,5})?$/i) });

function cookieToken(request: FastifyRequest): string {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [name, ...rest] = part.trim().split('=');
    if (name === cookieName) return decodeURIComponent(rest.join('='));
  }
  return '';
}

/** Registers /admin and its actions. */
export async function adminRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const token = deps.config.adminToken;
  const now = () => (deps.now ?? (() => new Date()))().toISOString();
  const html = (reply: FastifyReply, body: string, status = 200) => reply.status(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(body);

  app.addHook('onRequest', async () => {
    if (!token) throw new HttpError(404, 'not-found', 'Moderation is off: set PALAVER_ADMIN_TOKEN to turn it on.');
  });

  const authorised = (request: FastifyRequest) => isAdminToken(token, cookieToken(request));

  app.get<{ Querystring: { done?: string } }>('/admin', async (request, reply) => {
    if (!authorised(request)) return html(reply, renderAdminLogin(null));
    const notice = typeof request.query.done === 'string' ? request.query.done.slice(0, 200) : null;
    return html(reply, renderAdminPage(await listPingsByStatus(deps.db, 'held', 200), notice));
  });

  app.post<{ Body: { token?: string } }>('/admin/login', async (request, reply) => {
    const given = typeof request.body?.token === 'string' ? request.body.token : '';
    if (!isAdminToken(token, given)) return html(reply, renderAdminLogin('That is not the admin token.'), 401);
    reply.header('set-cookie', `${cookieName}=${encodeURIComponent(given)}; Path=/admin; HttpOnly; SameSite=Strict; Max-Age=28800`);
    return reply.redirect('/admin', 303);
  });

  app.post<{ Params: { id: string; action: string } }>('/admin/pings/:id/:action', async (request, reply) => {
    if (!authorised(request)) throw new HttpError(401, 'unauthorized', 'Open /admin with the admin token first.');
    const parsed = idParams.safeParse({ id: request.params.id });
    const ping = parsed.success ? await findPing(deps.db, parsed.data.id) : undefined;
    if (!ping) throw new HttpError(404, 'not-found', 'There is no such ping.');
    if (request.params.action === 'approve') await approvePing(deps, ping, now());
    else if (request.params.action === 'reject') await finishPing(deps.db, ping.id, { status: 'rejected', reason: 'rejected by a moderator' }, now());
    else throw new HttpError(404, 'not-found', 'There is no such action.');
    return reply.redirect(`/admin?done=${encodeURIComponent(`${request.params.action === 'approve' ? 'Approved' : 'Rejected'}: ${ping.sourceUrl}`)}`, 303);
  });

  app.post<{ Params: { host: string } }>('/admin/hosts/:host/block', async (request, reply) => {
    if (!authorised(request)) throw new HttpError(401, 'unauthorized', 'Open /admin with the admin token first.');
    const parsed = hostParams.safeParse(request.params);
    if (!parsed.success) throw new HttpError(400, 'invalid-host', 'That is not a host name.');
    await setHostVerdict(deps.db, parsed.data.host, 'blocked', 'blocked by a moderator', now());
    for (const p of await listPingsByStatus(deps.db, 'held', 500)) {
      if (p.sourceHost === parsed.data.host.toLowerCase()) await finishPing(deps.db, p.id, { status: 'rejected', reason: 'the source’s host is blocked' }, now());
    }
    return reply.redirect(`/admin?done=${encodeURIComponent(`Blocked ${parsed.data.host}`)}`, 303);
  });
}
