// GET /health: whether the database answers, and how much is registered and due.
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import type { AppDeps } from './deps.ts';
import { countBlogs } from '../store/blogs.ts';
import { countDueSources } from '../store/sources.ts';

/** Registers GET /health. */
export async function healthRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  app.get('/health', async (_request, reply) => {
    try {
      await sql`select 1`.execute(deps.db);
      const [blogs, due] = await Promise.all([countBlogs(deps.db), countDueSources(deps.db, new Date().toISOString())]);
      return { status: 'ok', database: 'ok', blogs, dueSources: due, poller: deps.poller ? 'running' : 'off' };
    } catch (err) {
      _request.log.error({ err }, 'health check failed');
      return reply.status(503).send({ status: 'error', database: 'unavailable' });
    }
  });
}
