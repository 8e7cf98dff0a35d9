// WebSub routes: Palaver's hub endpoint (POST /websub, subscription requests for its feeds)
// and the callbacks of Palaver's own subscriptions (/websub/callback/:subscriptionId). They
// only translate HTTP; hub and subscriber (src/websub/) do the work and the fetching.
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { AppDeps } from './deps.ts';
import { parseId } from './ids.ts';
import { inMemoryRateLimits } from './window-limiter.ts';

function plain(reply: FastifyReply, status: number, text: string): FastifyReply {
  return reply.code(status).type('text/plain; charset=utf-8').send(text);
}

function field(body: unknown, name: string): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const v = (body as Record<string, unknown>)[name];
  // A repeated form field arrives as an array; the first one counts.
  const first = Array.isArray(v) ? v[0] : v;
  return typeof first === 'string' ? first : undefined;
}

function single(value: unknown): string | undefined {
  return typeof value === 'string' ? value : Array.isArray(value) && typeof value[0] === 'string' ? value[0] : undefined;
}

/** Registers the hub endpoint and the subscription callbacks that the deps provide. */
export async function websubRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const hub = deps.websub?.hub;
  const subscriber = deps.websub?.subscriber;

  if (hub) {
    // Every accepted request costs a verification fetch: a client gets a few a minute.
    const perClient = (deps.rateLimits ?? inMemoryRateLimits)('websub-per-client', { limit: deps.config.pings.perClientPerMinute, windowMs: 60_000, now: Date.now });
    app.post('/websub', async (request, reply) => {
      if (!(await perClient.take(request.ip))) return plain(reply, 429, 'Too many subscription requests; try again in a minute.');
      const body = request.body;
      const result = await hub.request({
        mode: field(body, 'hub.mode'),
        topic: field(body, 'hub.topic'),
        callback: field(body, 'hub.callback'),
        leaseSeconds: field(body, 'hub.lease_seconds'),
        secret: field(body, 'hub.secret'),
      });
      // §5.1: 202 Accepted, then the hub verifies intent asynchronously.
      if (result.ok) return plain(reply, 202, '');
      return plain(reply, 400, result.message);
    });
  }

  if (subscriber) {
    await app.register(async (callbacks) => {
      // Pushed feeds are read as bytes: their charset lives in them, and the signature covers them.
      callbacks.removeAllContentTypeParsers();
      callbacks.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: deps.config.fetcher.maxBodyBytes }, (_request, body, done) => {
        done(null, body);
      });

      callbacks.get<{ Params: { subscriptionId: string }; Querystring: Record<string, unknown> }>('/websub/callback/:subscriptionId', async (request, reply) => {
        const id = parseId(request.params.subscriptionId);
        const q = request.query;
        const answer =
          id === null
            ? null
            : await subscriber.answerVerification(id, {
                mode: single(q['hub.mode']),
                topic: single(q['hub.topic']),
                challenge: single(q['hub.challenge']),
                leaseSeconds: single(q['hub.lease_seconds']),
                reason: single(q['hub.reason']),
              });
        // §5.3.1: a request the subscriber did not make is answered 404.
        if (answer === null) return plain(reply, 404, 'No such pending subscription.');
        return plain(reply, 200, answer);
      });

      callbacks.post<{ Params: { subscriptionId: string } }>('/websub/callback/:subscriptionId', async (request, reply) => {
        const id = parseId(request.params.subscriptionId);
        if (id === null) return plain(reply, 410, 'No such subscription.');
        const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
        const outcome = await subscriber.receive(id, {
          body,
          contentType: single(request.headers['content-type']) ?? null,
          signature: single(request.headers['x-hub-signature']) ?? null,
        });
        // §7: 410 ends a subscription Palaver no longer holds; a bad signature still gets a 2xx.
        if (outcome === 'gone') return plain(reply, 410, 'No such subscription.');
        return plain(reply, 200, '');
      });
    });
  }
}
