// The registry as OPML for feed readers and other aggregators (/blogs.opml). The import page is
// opml-import.ts; reading and writing OPML live in registry/ and feeds/.
import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { feedContentTypes } from '../feeds/types.ts';
import { registryOpmlParts } from '../registry/export-opml.ts';
import type { AppDeps } from './deps.ts';

/** Registers /blogs.opml. */
export async function opmlExportRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const now = deps.now ?? (() => new Date());

  app.get('/blogs.opml', async (_request, reply) => {
    // Sent as it is written, a page of blogs at a time: the whole registry may be tens of thousands.
    return reply
      .type(feedContentTypes.opml)
      .header('content-disposition', 'inline; filename="palaver-blogs.opml"')
      .send(Readable.from(registryOpmlParts(deps.db, { now: now() })));
  });
}
