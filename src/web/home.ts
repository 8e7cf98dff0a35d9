// The home page route: conversations ranked by activity and breadth.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AppDeps } from '../app.ts';
import { countBlogs } from '../store/blogs.ts';
import { listConversationBlogs, listConversations, listNewestEntryOf } from '../store/conversations.ts';
import { renderHome } from '../views/home.ts';

const pageSize = 30;
const query = z.object({ page: z.coerce.number().int().min(1).max(10_000).catch(1).default(1) });

/** Registers GET /. */
export async function homeRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  app.get('/', async (request, reply) => {
    const { page } = query.parse(request.query ?? {});
    const conversations = await listConversations(deps.db, { limit: pageSize + 1, offset: (page - 1) * pageSize });
    const shown = conversations.slice(0, pageSize);
    const ids = shown.map((c) => c.id);
    const html = renderHome({
      conversations: shown,
      newest: await listNewestEntryOf(deps.db, ids),
      blogs: await listConversationBlogs(deps.db, ids),
      hasMore: conversations.length > pageSize,
      page,
      blogCount: await countBlogs(deps.db),
      now: (deps.now ?? (() => new Date()))(),
    });
    return reply.type('text/html; charset=utf-8').send(html);
  });
}
