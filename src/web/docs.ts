// The documentation Palaver serves about itself: the `_palaver` JSON Feed extension, at the
// URL its feeds name as the extension's home.
import fs from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { projectRoot } from '../config.ts';

const extensionDoc = path.join(projectRoot, 'docs', 'json-feed-extension.md');

/** Registers GET /docs/json-feed-extension. */
export async function docsRoutes(app: FastifyInstance): Promise<void> {
  app.get('/docs/json-feed-extension', async (_request, reply) => {
    // Served as the Markdown it is written in: readable as text, and the URL is an identifier first.
    const text = await fs.readFile(extensionDoc, 'utf8');
    return reply.type('text/markdown; charset=utf-8').send(text);
  });
}
