// The home page route: conversations ranked by activity and breadth, paged, and the search
// over entries (?q=).
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AppDeps } from './deps.ts';
import { countBlogs } from '../store/blogs.ts';
import { listConversationBlogs, listConversations, listNewestEntryOf } from '../store/conversations.ts';
import { listAnsweredEntries } from '../store/answered.ts';
import { renderHome } from '../views/home.ts';
import { createConversationActivity } from './conversation-activity.ts';
import { talliesBySize } from './tally-thread.ts';
import { feedAlternates } from '../feeds/feed-urls.ts';
import { keptUntilCommit, PageCache, requestLocale, sendPage, toRenderedPage } from './page.ts';
import { searchGateFor, searchOf } from './search-limits.ts';
import { requestTimeZone } from './time-zone.ts';

const pageSize = 30;
const searchLimit = 50;
const query = z.object({
  page: z.coerce.number().int().min(1).max(10_000).catch(1).default(1),
  q: z.string().max(200).optional().catch(undefined),
});

/** Registers GET /. */
export async function homeRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  // Only reads: through the read handle, which an ingest's open transaction does not hold up.
  const db = deps.read ?? deps.db;
  const searches = searchGateFor(deps);
  const search = searchOf(deps);
  const activityOf = createConversationActivity(db, talliesBySize(db, deps.tallies));
  const pages = new PageCache(60_000, 200);
  app.get('/', async (request, reply) => {
    const { page, q } = query.parse(request.query ?? {});
    const locale = requestLocale(request, reply);
    const at = (deps.now ?? (() => new Date()))();
    const timeZone = requestTimeZone(request, deps.config);
    if (q !== undefined) {
      await searches.admit(request, reply);
      const blogCount = await countBlogs(db);
      const hits = await search(q, { limit: searchLimit });
      const about = await listAnsweredEntries(db, hits.filter((h) => h.kind !== 'post').map((h) => h.entryId));
      const body = renderHome({ conversations: [], newest: new Map(), blogs: new Map(), hasMore: false, page: 1, blogCount, now: at, locale, timeZone, search: { query: q, hits, about } });
      return sendPage(request, reply, toRenderedPage(body, null, at.getTime()));
    }
    // Kept until something is committed or a minute has passed (relative times age).
    const render = async () => {
      const conversations = await listConversations(db, { limit: pageSize + 1, offset: (page - 1) * pageSize });
      const shown = conversations.slice(0, pageSize);
      const ids = shown.map((c) => c.id);
      const activity = await activityOf(shown);
      const body = renderHome({
        conversations: shown,
        newest: await listNewestEntryOf(db, ids),
        blogs: await listConversationBlogs(db, ids),
        activity,
        hasMore: conversations.length > pageSize,
        page,
        blogCount: await countBlogs(db),
        now: at,
        locale,
        timeZone,
        alternates: feedAlternates(deps.config.publicUrl, { kind: 'all' }, 'Palaver: all conversations'),
      });
      const lastChange = shown.map((c) => c.updatedAt).sort().at(-1) ?? null;
      // Small maps the busy tally thread left out: shown, not kept.
      return { ...toRenderedPage(body, lastChange, at.getTime()), partial: shown.some((c) => !activity.has(c.id)) };
    };
    return sendPage(request, reply, await keptUntilCommit(pages, db, [page, locale, timeZone], at.getTime(), render));
  });
}
