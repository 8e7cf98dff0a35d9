// The ping endpoints: TrackBack (/trackback/:entryId), Pingback (POST /xmlrpc) and Webmention
// (POST /webmention, with a status URL). They only translate HTTP: bodies in, each protocol's
// answer format out, refusals as statuses. What a ping is and whether it is taken lives in
// src/inbound/.
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { IntakeDeps, Refusal } from '../inbound/intake.ts';
import { answerPingbackCall } from '../inbound/pingback-receiver.ts';
import { renderTrackbackResponse } from '../inbound/trackback.ts';
import { findTrackbackTarget, receiveTrackback, renderTrackbackListing, type TrackbackReceipt } from '../inbound/trackback-receiver.ts';
import { describeWebmention, receiveWebmention } from '../inbound/webmention-receiver.ts';
import { parseMethodCall, serializeFault, serializeMethodResponse, XmlRpcParseError } from '../xmlrpc/codec.ts';
import type { AppDeps } from './deps.ts';
import { clientKey } from './client-key.ts';
import { HttpError } from './errors.ts';
import { parseId } from './ids.ts';
import { inMemoryRateLimits } from './window-limiter.ts';

const maxBodyBytes = 64 * 1024;

const refusalStatus: Record<Refusal['code'], number> = { 'rate-limited': 429, 'queue-full': 503 };
const trackbackStatus: Record<Exclude<TrackbackReceipt, { ok: true }>['code'], number> = {
  'no-target': 404,
  'invalid-ping': 400,
  'self-ping': 400,
  blocked: 403,
  ...refusalStatus,
};

/** Registers the ping endpoints. */
export async function pingRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const settings = deps.config.pings;
  const publicUrl = deps.config.publicUrl;
  const limits = deps.rateLimits ?? inMemoryRateLimits;
  const minute = { windowMs: 60_000, now: Date.now };
  const perClient = limits('pings-per-client', { limit: settings.perClientPerMinute, ...minute });
  const intake: IntakeDeps = {
    db: deps.db,
    publicUrl,
    now: deps.now ?? (() => new Date()),
    // One subscriber holds a whole IPv6 /64: count it as one client.
    perClient: { take: (address) => perClient.take(clientKey(address)) },
    perSourceHost: limits('pings-per-source-host', { limit: settings.perSourceHostPerMinute, ...minute }),
    queueCapacity: settings.queueCapacity,
    ...(deps.pingVerifier ? { verifier: deps.pingVerifier } : {}),
  };
  const bodyOf = (body: unknown): Buffer => (Buffer.isBuffer(body) ? body : Buffer.alloc(0));

  // The endpoints read their bodies themselves: TrackBack's charset lives in the bytes.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: maxBodyBytes }, (_req, body, done) => done(null, body));

  const trackbackReply = (reply: FastifyReply, status: number, error?: string) =>
    reply.status(status).type('text/xml; charset=utf-8').send(renderTrackbackResponse(error));

  app.post<{ Params: { entryId: string } }>('/trackback/:entryId', async (request, reply) => {
    const receipt = await receiveTrackback(intake, {
      entryId: parseId(request.params.entryId),
      body: bodyOf(request.body),
      contentType: request.headers['content-type'],
      clientAddress: request.ip,
    });
    // TrackBack has no "pending": error 0 says it was received; it shows once verified.
    if (receipt.ok) return trackbackReply(reply, 200);
    if (receipt.code === 'rate-limited' || receipt.code === 'queue-full') reply.header('retry-after', '60');
    return trackbackReply(reply, trackbackStatus[receipt.code], receipt.message);
  });

  app.get<{ Params: { entryId: string }; Querystring: Record<string, string | undefined> }>('/trackback/:entryId', async (request, reply) => {
    const entryId = parseId(request.params.entryId);
    // Without ?__mode=rss the address is only checked, not listed.
    if (request.query.__mode !== 'rss') {
      if (!(await findTrackbackTarget(deps.db, publicUrl, entryId))) return trackbackReply(reply, 404, 'There is no such entry.');
      return trackbackReply(reply, 200, 'TrackBack pings must be sent with POST (url, title, excerpt, blog_name).');
    }
    const listing = await renderTrackbackListing(deps.db, publicUrl, entryId);
    if (listing === null) return trackbackReply(reply, 404, 'There is no such entry.');
    return reply.type('text/xml; charset=utf-8').send(listing);
  });

  const xmlrpcReply = (reply: FastifyReply, xml: string) => reply.status(200).type('text/xml; charset=utf-8').send(xml);

  app.post('/xmlrpc', async (request, reply) => {
    let call;
    try {
      call = parseMethodCall(bodyOf(request.body), { maxBytes: maxBodyBytes });
    } catch (err) {
      if (err instanceof XmlRpcParseError) return xmlrpcReply(reply, serializeFault(-32700, `parse error: ${err.message}`));
      throw err;
    }
    const answer = await answerPingbackCall({ ...intake, deadlineMs: settings.pingbackDeadlineMs }, { ...call, clientAddress: request.ip });
    // XML-RPC answers faults with HTTP 200, as its spec says.
    return xmlrpcReply(reply, answer.ok ? serializeMethodResponse(answer.value) : serializeFault(answer.faultCode, answer.faultString));
  });

  app.get('/xmlrpc', async (_request, reply) =>
    reply.status(405).header('allow', 'POST').type('text/plain; charset=utf-8').send('XML-RPC server accepts POST requests only.'),
  );

  app.post('/webmention', async (request, reply) => {
    const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== 'application/x-www-form-urlencoded') {
      throw new HttpError(415, 'unsupported-media-type', 'Send source and target as application/x-www-form-urlencoded (W3C Webmention §3.1.2).');
    }
    const form = new URLSearchParams(bodyOf(request.body).toString('utf8'));
    const field = (name: string) => {
      const all = form.getAll(name);
      return all.length > 1 ? all : all[0];
    };
    const receipt = await receiveWebmention(intake, { source: field('source'), target: field('target') }, request.ip);
    if (!receipt.ok) {
      if (receipt.code === 'rate-limited' || receipt.code === 'queue-full') {
        reply.header('retry-after', '60');
        throw new HttpError(refusalStatus[receipt.code], receipt.code, receipt.message);
      }
      throw new HttpError(400, receipt.code, receipt.message);
    }
    const statusUrl = `${publicUrl}/webmention/${receipt.pingId}`;
    // 201 with a status URL (§3.2.1); a 202 would have to come without Location.
    return reply.status(201).header('location', statusUrl).type('text/plain; charset=utf-8').send(`Webmention queued for verification. Its status: ${statusUrl}\n`);
  });

  app.get<{ Params: { id: string } }>('/webmention/:id', async (request, reply) => {
    const status = await describeWebmention(deps.db, parseId(request.params.id));
    if (!status) throw new HttpError(404, 'not-found', 'There is no such webmention.');
    return reply.type('application/json; charset=utf-8').send(status);
  });

  app.get('/webmention', async (_request, reply) =>
    reply.status(405).header('allow', 'POST').type('text/plain; charset=utf-8').send('Send a webmention with POST source=…&target=… (W3C Webmention).'),
  );
}
