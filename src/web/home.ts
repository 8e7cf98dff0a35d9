// The home page route.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AppDeps } from '../app.ts';
import { countBlogs } from '../store/blogs.ts';
import { listRecentEntries } from '../store/entries.ts';
import { renderHome } from '../views/home.ts';

const pageSize = 30;
const query = z.object({ page: z.coerce.number().int().min(1).max(10_000).catch(1).default(1) });

/** Registers GET /. */
export async function homeRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  app.get('/', async (request, reply) => {
    const { page } = query.parse(request.query ?? {});
    const entries = await listRecentEntries(deps.db, { limit: pageSize + 1, offset: (page - 1) * pageSize, kinds: ['post'] });
    const html = renderHome({
      entries: entries.slice(0, pageSize),
      hasMore: entries.length > pageSize,
      page,
      blogCount: await countBlogs(deps.db),
      now: (deps.now ?? (() => new Date()))(),
    });
    return reply.type('text/html; charset=utf-8').send(html);
  });
}
