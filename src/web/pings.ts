// The ping endpoints: TrackBack (POST /trackback/:entryId), Pingback (POST /xmlrpc) and
// Webmention (POST /webmention, with a status URL). Each checks what it can at once, queues the
// ping for verification, and answers in its protocol's own format; rate limits and a bounded
// queue keep abuse out.
import type { PingProtocol } from '../domain/vocabulary.ts';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppDeps } from './deps.ts';
import { parseTrackbackPing, renderTrackbackResponse, renderTrackbackRss } from '../inbound/trackback.ts';
import { checkWebmentionRequest } from '../inbound/webmention.ts';
import { findEntryById } from '../store/entries.ts';
import { countQueuedPings, findHostVerdict, findPing, findPingBySourceTarget, listAcceptedPings, upsertPing } from '../store/pings.ts';
import { urlKey } from '../domain/url-key.ts';
import { parseMethodCall, serializeFault, serializeMethodResponse, XmlRpcParseError, type XmlRpcValue } from '../xmlrpc/codec.ts';
import { clientKey } from './client-key.ts';
import { HttpError } from './errors.ts';
import { parseId } from './ids.ts';
import { createMinuteLimiter } from './rate-limit.ts';
import { resolvePingTarget } from './ping-target.ts';

const maxBodyBytes = 64 * 1024;

// Pingback 1.0 fault codes (the spec's "Error codes" section).
const fault = {
  sourceMissing: 0x10,
  noLink: 0x11,
  targetMissing: 0x20,
  targetNotPingable: 0x21,
  alreadyRegistered: 0x30,
  accessDenied: 0x31,
  upstream: 0x32,
} as const;

type Admission = { ok: true } | { ok: false; status: 429 | 503; message: string };

/** Registers the ping endpoints. */
export async function pingRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const settings = deps.config.pings;
  const publicUrl = deps.config.publicUrl;
  const now = () => (deps.now ?? (() => new Date()))().toISOString();
  const perClient = createMinuteLimiter(settings.perClientPerMinute);
  const perSourceHost = createMinuteLimiter(settings.perSourceHostPerMinute);

  // The endpoints read their bodies themselves: TrackBack's charset lives in the bytes.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: maxBodyBytes }, (_req, body, done) => done(null, body));

  async function admit(request: FastifyRequest, sourceUrl: string | null): Promise<Admission> {
    // One subscriber holds a whole IPv6 /64: count it as one client.
    if (!perClient.take(clientKey(request.ip))) return { ok: false, status: 429, message: 'Too many pings from your address; try again in a minute.' };
    if (sourceUrl) {
      let host: string;
      try {
        host = new URL(sourceUrl).host.toLowerCase();
      } catch {
        return { ok: true };
      }
      if (!perSourceHost.take(host)) return { ok: false, status: 429, message: `Too many pings from ${host}; try again in a minute.` };
    }
    if ((await countQueuedPings(deps.db)) >= settings.queueCapacity) {
      return { ok: false, status: 503, message: 'Palaver has too many pings waiting to be checked; try again later.' };
    }
    return { ok: true };
  }

  async function queue(protocol: PingProtocol, sourceUrl: string, target: { url: string; entryId: number }, request: FastifyRequest, extra: { title?: string; excerpt?: string; blogName?: string } = {}) {
    const result = await upsertPing(
      deps.db,
      { protocol, receivedVia: 'endpoint', sourceUrl, targetUrl: target.url, targetEntryId: target.entryId, clientAddress: request.ip, ...extra },
      now(),
    );
    deps.pingVerifier?.wake();
    return result;
  }

  // --- TrackBack ---------------------------------------------------------------------------

  const trackbackReply = (reply: FastifyReply, status: number, error?: string) =>
    reply.status(status).type('text/xml; charset=utf-8').send(renderTrackbackResponse(error));

  async function trackbackTarget(rawId: string) {
    const id = parseId(rawId);
    const entry = id !== null ? await findEntryById(deps.db, id) : undefined;
    if (!entry) return null;
    // The entry's own page at its blog is what a pinging post links to; Palaver's page otherwise.
    return { entry, url: entry.url ?? `${publicUrl}/e/${entry.id}` };
  }

  app.post<{ Params: { entryId: string } }>('/trackback/:entryId', async (request, reply) => {
    const target = await trackbackTarget(request.params.entryId);
    if (!target) return trackbackReply(reply, 404, 'There is no such entry to ping.');
    const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    const parsed = parseTrackbackPing(body, request.headers['content-type']);
    if (!parsed.ok) return trackbackReply(reply, 400, parsed.message);
    const admission = await admit(request, parsed.ping.url);
    if (!admission.ok) return trackbackReply(reply.header('retry-after', '60'), admission.status, admission.message);
    if (urlKey(parsed.ping.url) === urlKey(target.url)) return trackbackReply(reply, 400, 'A post cannot ping itself.');
    if ((await findHostVerdict(deps.db, new URL(parsed.ping.url).host)) === 'blocked') return trackbackReply(reply, 403, 'Pings from this site are not accepted.');
    await queue('trackback', parsed.ping.url, { url: target.url, entryId: target.entry.sameAsId ?? target.entry.id }, request, {
      title: parsed.ping.title,
      excerpt: parsed.ping.excerpt,
      blogName: parsed.ping.blogName,
    });
    // TrackBack has no "pending": error 0 says it was received; it shows once verified.
    return trackbackReply(reply, 200);
  });

  app.get<{ Params: { entryId: string }; Querystring: Record<string, string | undefined> }>('/trackback/:entryId', async (request, reply) => {
    const target = await trackbackTarget(request.params.entryId);
    if (!target) return trackbackReply(reply, 404, 'There is no such entry.');
    if (request.query.__mode !== 'rss') return trackbackReply(reply, 200, 'TrackBack pings must be sent with POST (url, title, excerpt, blog_name).');
    const pings = await listAcceptedPings(deps.db, target.url, 'trackback');
    return reply.type('text/xml; charset=utf-8').send(
      renderTrackbackRss(
        { title: target.entry.title ?? 'Palaver', link: target.url, description: `TrackBacks for ${target.entry.title ?? target.url}` },
        pings.map((p) => ({ url: p.sourceUrl, title: p.title ?? p.sourceUrl, excerpt: p.excerpt ?? '' })),
      ),
    );
  });

  // --- Pingback (XML-RPC) --------------------------------------------------------------------

  const xmlrpcReply = (reply: FastifyReply, xml: string) => reply.status(200).type('text/xml; charset=utf-8').send(xml);

  app.post('/xmlrpc', async (request, reply) => {
    const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    let call;
    try {
      call = parseMethodCall(body, { maxBytes: maxBodyBytes });
    } catch (err) {
      if (err instanceof XmlRpcParseError) return xmlrpcReply(reply, serializeFault(-32700, `parse error: ${err.message}`));
      throw err;
    }
    switch (call.methodName) {
      case 'pingback.ping':
        return xmlrpcReply(reply, await pingbackPing(request, call.params));
      case 'pingback.extensions.getPingbacks':
        return xmlrpcReply(reply, await getPingbacks(call.params));
      default:
        return xmlrpcReply(reply, serializeFault(-32601, `server error: requested method ${call.methodName} not found`));
    }
  });

  app.get('/xmlrpc', async (_request, reply) =>
    reply.status(405).header('allow', 'POST').type('text/plain; charset=utf-8').send('XML-RPC server accepts POST requests only.'),
  );

  async function pingbackPing(request: FastifyRequest, params: XmlRpcValue[]): Promise<string> {
    const [source, target] = params;
    if (params.length !== 2 || typeof source !== 'string' || typeof target !== 'string') {
      return serializeFault(-32602, 'server error: invalid method parameters: pingback.ping takes (string source, string target)');
    }
    if (!urlKey(source)) return serializeFault(fault.sourceMissing, 'The source URI is not an http(s) URL.');
    if (!urlKey(target)) return serializeFault(fault.targetMissing, 'The target URI is not an http(s) URL.');
    if (urlKey(source) === urlKey(target)) return serializeFault(fault.sourceMissing, 'The source URI and the target URI are the same.');
    const resolved = await resolvePingTarget(deps.db, publicUrl, target);
    if (!resolved) {
      const ours = urlKey(target)!.startsWith(`${urlKey(publicUrl)}/`);
      return ours
        ? serializeFault(fault.targetMissing, 'The target URI does not exist on Palaver.')
        : serializeFault(fault.targetNotPingable, 'The target URI is neither a Palaver page nor a post of a blog Palaver follows.');
    }
    if ((await findHostVerdict(deps.db, new URL(source).host)) === 'blocked') return serializeFault(fault.accessDenied, 'Pings from this site are not accepted.');
    const earlier = await findPingBySourceTarget(deps.db, source, target);
    if (earlier?.status === 'accepted' && earlier.protocol === 'pingback') return serializeFault(fault.alreadyRegistered, 'The pingback has already been registered.');
    const admission = await admit(request, source);
    if (!admission.ok) return serializeFault(fault.upstream, admission.message);

    const { ping } = await queue('pingback', source, resolved, request);
    const verifier = deps.pingVerifier;
    if (!verifier) return serializeMethodResponse(`Pingback from ${source} to ${target} queued for verification.`);
    // Verify within the deadline; a slow source is finished later and the answer says so.
    // At the deadline verifyNow stops waiting for a verification that a background pass runs.
    const late = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => {
        late.abort();
        resolve('late');
      }, settings.pingbackDeadlineMs);
    });
    const outcome = await Promise.race([verifier.verifyNow(ping.id, late.signal), deadline]);
    clearTimeout(timer);
    switch (outcome) {
      case 'accepted':
        return serializeMethodResponse(`Pingback from ${source} to ${target} registered.`);
      case 'held':
        return serializeMethodResponse(`Pingback from ${source} to ${target} received; it shows once a moderator approves it.`);
      case 'late':
      case 'retry':
        return serializeMethodResponse(`Pingback from ${source} to ${target} queued for verification.`);
      case 'gone':
        return serializeFault(fault.sourceMissing, 'The source URI does not exist.');
      case 'rejected': {
        const after = await findPing(deps.db, ping.id);
        if (after?.statusReason?.includes('blocked')) return serializeFault(fault.accessDenied, 'Pings from this site are not accepted.');
        if (after?.statusReason?.includes('accepted only')) return serializeFault(fault.accessDenied, 'Palaver accepts pingbacks only from the blogs it follows.');
        if (after?.statusReason?.includes('does not link')) return serializeFault(fault.noLink, 'The source URI does not contain a link to the target URI.');
        return serializeFault(fault.sourceMissing, `The source URI could not be read: ${after?.statusReason ?? 'unknown error'}.`);
      }
    }
  }

  async function getPingbacks(params: XmlRpcValue[]): Promise<string> {
    const [target] = params;
    if (params.length !== 1 || typeof target !== 'string') {
      return serializeFault(-32602, 'server error: invalid method parameters: pingback.extensions.getPingbacks takes (string url)');
    }
    const resolved = await resolvePingTarget(deps.db, publicUrl, target);
    if (!resolved) return serializeFault(fault.targetMissing, 'The specified target URL does not exist.');
    const pings = await listAcceptedPings(deps.db, target);
    return serializeMethodResponse(pings.map((p) => p.sourceUrl));
  }

  // --- Webmention ----------------------------------------------------------------------------

  app.post('/webmention', async (request, reply) => {
    const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== 'application/x-www-form-urlencoded') {
      throw new HttpError(415, 'unsupported-media-type', 'Send source and target as application/x-www-form-urlencoded (W3C Webmention §3.1.2).');
    }
    const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    const form = new URLSearchParams(body.toString('utf8'));
    const pick = (name: string) => {
      const all = form.getAll(name);
      return all.length > 1 ? all : all[0];
    };
    const targetRaw = pick('target');
    const resolved = typeof targetRaw === 'string' && urlKey(targetRaw) ? await resolvePingTarget(deps.db, publicUrl, targetRaw.trim()) : null;
    const check = checkWebmentionRequest({ source: pick('source'), target: targetRaw }, () => resolved !== null);
    if (!check.ok) throw new HttpError(400, check.code, check.message);
    if ((await findHostVerdict(deps.db, new URL(check.source).host)) === 'blocked') throw new HttpError(400, 'source-blocked', 'Webmentions from this site are not accepted.');
    const admission = await admit(request, check.source);
    if (!admission.ok) {
      reply.header('retry-after', '60');
      throw new HttpError(admission.status, admission.status === 429 ? 'rate-limited' : 'queue-full', admission.message);
    }
    const { ping } = await queue('webmention', check.source, resolved!, request);
    // 201 with a status URL (§3.2.1); a 202 would have to come without Location.
    return reply
      .status(201)
      .header('location', `${publicUrl}/webmention/${ping.id}`)
      .type('text/plain; charset=utf-8')
      .send(`Webmention queued for verification. Its status: ${publicUrl}/webmention/${ping.id}\n`);
  });

  app.get<{ Params: { id: string } }>('/webmention/:id', async (request, reply) => {
    const id = parseId(request.params.id);
    const ping = id !== null ? await findPing(deps.db, id) : undefined;
    if (!ping || ping.protocol !== 'webmention') throw new HttpError(404, 'not-found', 'There is no such webmention.');
    const words: Record<string, string> = {
      queued: 'waiting to be checked',
      accepted: 'verified and shown',
      rejected: 'refused',
      held: 'verified; waiting for a moderator',
      gone: 'removed: the source is gone',
    };
    return reply.type('application/json; charset=utf-8').send({
      id: ping.id,
      source: ping.sourceUrl,
      target: ping.targetUrl,
      status: ping.status,
      summary: words[ping.status] ?? ping.status,
      reason: ping.statusReason,
      updatedAt: ping.updatedAt,
    });
  });

  app.get('/webmention', async (_request, reply) =>
    reply.status(405).header('allow', 'POST').type('text/plain; charset=utf-8').send('Send a webmention with POST source=…&target=… (W3C Webmention).'),
  );
}
