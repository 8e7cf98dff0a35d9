// Serves Palaver's own static files (the stylesheet, the script and the icon), read once at
// start-up, with validators so browsers revalidate cheaply, compressed once when first asked.
import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { projectRoot } from '../config.ts';
import { etagAsSent, negotiateCoding, sendKept, type KeptBody } from './compression.ts';
import { matchesIfNoneMatch } from './page.ts';

function readAsset(file: string): KeptBody & { etag: string } {
  const body = fs.readFileSync(path.join(projectRoot, 'src', 'views', file));
  return { body, etag: `"${createHash('sha256').update(body).digest('hex').slice(0, 16)}"` };
}

const css = readAsset('palaver.css');
const script = readAsset('palaver.js');
const icon = fs.readFileSync(path.join(projectRoot, 'src', 'views', 'palaver.svg'));

/** The paths of Palaver's static files (request logs leave them out at info). */
export const assetPaths: readonly string[] = ['/assets/palaver.css', '/assets/palaver.js', '/assets/palaver.svg', '/favicon.ico'];

/** Registers GET /assets/palaver.css, /assets/palaver.js, /assets/palaver.svg and /favicon.ico. */
export async function assetRoutes(app: FastifyInstance): Promise<void> {
  for (const [url, asset, type] of [
    ['/assets/palaver.css', css, 'text/css; charset=utf-8'],
    ['/assets/palaver.js', script, 'text/javascript; charset=utf-8'],
  ] as const) {
    app.get(url, async (request, reply) => {
      const coding = negotiateCoding(request, reply, asset);
      reply.header('etag', etagAsSent(asset.etag, coding)).header('cache-control', 'public, max-age=3600');
      const inm = request.headers['if-none-match'];
      if (inm !== undefined && matchesIfNoneMatch(inm, asset.etag)) return reply.status(304).send();
      return sendKept(reply, asset, type, coding);
    });
  }
  // Browsers ask for /favicon.ico whatever the page says; both get the same icon.
  for (const url of ['/assets/palaver.svg', '/favicon.ico']) {
    app.get(url, async (_request, reply) => reply.header('cache-control', 'public, max-age=86400').type('image/svg+xml').send(icon));
  }
}
