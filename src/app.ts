// buildApp: the Fastify application with its plugins and routes in explicit order. It never
// listens; main.ts (the process) and the tests (app.inject) decide what to do with it.
import Fastify, { type FastifyInstance } from 'fastify';
import formbody from '@fastify/formbody';
import helmet from '@fastify/helmet';
import { OneLinePerRequest } from './log-output.ts';
import { assetPaths, assetRoutes } from './web/assets.ts';
import { registerCompression } from './web/compression.ts';
import { limitConnections, limitsWithin, logRefusedConnections, readOpenFileLimit } from './web/connections.ts';
import type { AppDeps } from './web/deps.ts';
import { blogRoutes } from './web/blogs.ts';
import { conversationRoutes } from './web/conversations.ts';
import { docsRoutes } from './web/docs.ts';
import { feedRoutes } from './web/feeds.ts';
import { groupApiRoutes } from './web/group-api.ts';
import { groupFormRoutes } from './web/group-form.ts';
import { groupRoutes } from './web/groups.ts';
import { installErrorHandlers } from './web/errors.ts';
import { healthRoutes } from './web/health.ts';
import { homeRoutes } from './web/home.ts';
import { adminRoutes } from './web/admin.ts';
import { moderationRoutes } from './web/moderation.ts';
import { opmlImportRoutes } from './web/opml-import.ts';
import { opmlExportRoutes } from './web/opml-export.ts';
import { pingRoutes } from './web/pings.ts';
import { websubRoutes } from './web/websub.ts';

/** Builds the Palaver web application. */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const server = deps.config.server;
  const app = Fastify({
    logger: deps.logger ?? false,
    // One line per request instead of two, static files only at debug.
    logController: new OneLinePerRequest(assetPaths),
    bodyLimit: 1024 * 1024,
    // Absolute URLs come from PUBLIC_URL, never from Host or X-Forwarded-Host. X-Forwarded-For
    // is believed only from the proxies the operator names, so rate limits count the reader
    // behind them rather than the proxy, and nobody else can claim an address.
    trustProxy: server.trustedProxies.length > 0 ? server.trustedProxies : false,
    // A client that trickles its request (a byte every few seconds) is cut off with 408 once the
    // whole request has taken requestTimeoutMs; Node checks open requests every second for it.
    requestTimeout: server.requestTimeoutMs,
    http: { headersTimeout: server.headersTimeoutMs, requestTimeout: server.requestTimeoutMs, connectionsCheckingInterval: Math.min(1000, server.headersTimeoutMs) },
  });
  // A total above what the process may open would protect nothing: lowered, and the operator told.
  const fileLimit = readOpenFileLimit();
  const limits = limitsWithin(server, fileLimit);
  if (limits.lowered) {
    app.log.warn(
      { maxConnections: server.maxConnections, maxConnectionsPerClient: server.maxConnectionsPerClient, openFileLimit: fileLimit, lowered: { maxConnections: limits.maxConnections, maxConnectionsPerClient: limits.maxConnectionsPerClient } },
      `server.maxConnections lowered from ${server.maxConnections} to ${limits.maxConnections} (per client from ${server.maxConnectionsPerClient} to ${limits.maxConnectionsPerClient}): this process may open ${fileLimit} files, and a quarter of them stays for the poller and the database (raise ulimit -n, or set the caps)`,
    );
  }
  limitConnections(app.server, limits, logRefusedConnections(app.log));
  installErrorHandlers(app);
  // Every page says where to ping it (Pingback 1.0 §2.1, Webmention §3.1.2), from PUBLIC_URL,
  // never from the request's Host.
  const pingback = `${deps.config.publicUrl}/xmlrpc`;
  const webmentionLink = `<${deps.config.publicUrl}/webmention>; rel="webmention"`;
  app.addHook('onSend', async (_request, reply, payload) => {
    const type = String(reply.getHeader('content-type') ?? '');
    if (type.startsWith('text/html') && reply.statusCode < 300) {
      reply.header('x-pingback', pingback);
      reply.header('link', webmentionLink);
    }
    return payload;
  });
  await app.register(helmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'https:', 'http:'],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
      },
    },
    // Entries link to blogs everywhere; their own pages decide about cross-origin embedding.
    crossOriginEmbedderPolicy: false,
  });
  // Before the routes: it adds its hook to each route as the route is declared.
  await registerCompression(app);
  await app.register(formbody, { bodyLimit: 64 * 1024 });
  await app.register(assetRoutes);
  await app.register(healthRoutes, deps);
  await app.register(homeRoutes, deps);
  await app.register(blogRoutes, deps);
  await app.register(conversationRoutes, deps);
  await app.register(feedRoutes, deps);
  await app.register(groupRoutes, deps);
  await app.register(groupApiRoutes, deps);
  await app.register(groupFormRoutes, deps);
  await app.register(opmlExportRoutes, deps);
  await app.register(opmlImportRoutes, deps);
  await app.register(docsRoutes);
  await app.register(pingRoutes, deps);
  await app.register(websubRoutes, deps);
  await app.register(moderationRoutes, deps);
  await app.register(adminRoutes, deps);
  return app;
}
