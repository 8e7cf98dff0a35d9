// Serves Palaver's own static files (the stylesheet and the icon), read once at start-up.
import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { projectRoot } from '../config.ts';

const css = fs.readFileSync(path.join(projectRoot, 'src', 'views', 'palaver.css'));
const cssEtag = `"${createHash('sha256').update(css).digest('hex').slice(0, 16)}"`;
const icon = fs.readFileSync(path.join(projectRoot, 'src', 'views', 'palaver.svg'));

/** Registers GET /assets/palaver.css, /assets/palaver.svg and /favicon.ico. */
export async function assetRoutes(app: FastifyInstance): Promise<void> {
  app.get('/assets/palaver.css', async (request, reply) => {
    reply.header('etag', cssEtag).header('cache-control', 'public, max-age=3600');
    if (request.headers['if-none-match'] === cssEtag) return reply.status(304).send();
    return reply.type('text/css; charset=utf-8').send(css);
  });
  // Browsers ask for /favicon.ico whatever the page says; both get the same icon.
  for (const url of ['/assets/palaver.svg', '/favicon.ico']) {
    app.get(url, async (_request, reply) => reply.header('cache-control', 'public, max-age=86400').type('image/svg+xml').send(icon));
  }
}
