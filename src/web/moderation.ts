// Moderation of pings (the held queue, approve, reject, block or trust a host), for the
// operator holding PALAVER_ADMIN_TOKEN. Without a token configured the API is off (404).
import type { Ping } from '../domain/models.ts';
import { pingStatuses } from '../domain/vocabulary.ts';
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AppDeps } from './deps.ts';
import { findPing, finishPing, listPingsByStatus, setHostVerdict, upsertPing } from '../store/pings.ts';
import { HttpError } from './errors.ts';
import { parseId } from './ids.ts';

const listQuery = z.object({ status: z.enum(pingStatuses).catch('held').default('held'), limit: z.coerce.number().int().min(1).max(500).catch(100).default(100) });
const hostParams = z.object({ host: z.string().min(1).max(255).regex(/^[a-z0-9.-]+(?::\d{1,5})?$/i) });

/** Tells whether a presented token is the configured admin token (in constant time). */
export function isAdminToken(configured: string | null, given: string): boolean {
  if (!configured) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(configured);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Approves a held ping: its host becomes trusted and the ping is checked again. */
export async function approvePing(deps: AppDeps, ping: Ping, now: string): Promise<Ping> {
  await setHostVerdict(deps.db, ping.sourceHost, 'trusted', `approved ping ${ping.id}`, now);
  const { ping: queued } = await upsertPing(deps.db, { protocol: ping.protocol, receivedVia: ping.receivedVia, sourceUrl: ping.sourceUrl, targetUrl: ping.targetUrl, targetEntryId: ping.targetEntryId, title: ping.title, excerpt: ping.excerpt, blogName: ping.blogName }, now);
  deps.pingVerifier?.wake();
  return queued;
}

/** Registers /api/pings and /api/hosts, behind the admin token. */
export async function moderationRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const token = deps.config.adminToken;
  const now = () => (deps.now ?? (() => new Date()))().toISOString();

  app.addHook('onRequest', async (request: FastifyRequest) => {
    if (!token) throw new HttpError(404, 'not-found', 'Moderation is off: set PALAVER_ADMIN_TOKEN to turn it on.');
    const given = /^Bearer\s+(.+)$/i.exec(request.headers.authorization ?? '')?.[1] ?? '';
    if (!isAdminToken(token, given)) throw new HttpError(401, 'unauthorized', 'This needs the admin token (Authorization: Bearer …).');
  });

  app.get('/api/pings', async (request) => {
    const { status, limit } = listQuery.parse(request.query ?? {});
    return { pings: await listPingsByStatus(deps.db, status, limit) };
  });

  async function load(raw: unknown) {
    const id = parseId(raw);
    const ping = id !== null ? await findPing(deps.db, id) : undefined;
    if (!ping) throw new HttpError(404, 'not-found', 'There is no such ping.');
    return ping;
  }

  app.post<{ Params: { id: string } }>('/api/pings/:id/approve', async (request) => {
    return { ping: await approvePing(deps, await load(request.params.id), now()) };
  });

  app.post<{ Params: { id: string } }>('/api/pings/:id/reject', async (request) => {
    const ping = await load(request.params.id);
    await finishPing(deps.db, ping.id, { status: 'rejected', reason: 'rejected by a moderator' }, now());
    return { ping: await findPing(deps.db, ping.id) };
  });

  for (const verdict of ['block', 'trust'] as const) {
    app.post<{ Params: { host: string } }>(`/api/hosts/:host/${verdict}`, async (request) => {
      const parsed = hostParams.safeParse(request.params);
      if (!parsed.success) throw new HttpError(400, 'invalid-host', 'That is not a host name.');
      await setHostVerdict(deps.db, parsed.data.host, verdict === 'block' ? 'blocked' : 'trusted', null, now());
      return { host: parsed.data.host.toLowerCase(), verdict: verdict === 'block' ? 'blocked' : 'trusted' };
    });
  }
}
