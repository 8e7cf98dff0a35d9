// Conversation routes: the ranked list and one conversation, as JSON and as the /c/:id page.
// A conversation that merged into another redirects there.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AppDeps } from './deps.ts';
import { findBlogsChangedAt } from '../store/blogs.ts';
import { findConversation, listConversations } from '../store/conversations.ts';
import { createConversationPages } from './conversation-pages.ts';
import { renderConversation, type ConversationViewMode } from '../views/conversation.ts';
import { readDebateMap } from '../store/debate-map.ts';
import { renderAlsoInDebate } from '../views/unfollowed-sites.ts';
import { html } from '../views/html.ts';
import { assignBlogMarks } from '../views/blog-marks.ts';
import { layOutDebateMapInParts, renderLaidOutMapFigure, renderLaidOutMapSvg } from '../views/debate-map/figure.ts';
import type { Conversation, UnfollowedSite } from '../domain/models.ts';
import { createRecentReads } from './recent-reads.ts';
import { talliesBySize, unlessBusy } from './tally-thread.ts';
import type { Locale } from '../views/i18n.ts';
import { renderEntryPage } from '../views/entry-page.ts';
import { findAbout } from '../views/entry-names.ts';
import { findConversationIdOfEntry } from '../store/conversations.ts';
import { findEntryById } from '../store/entries.ts';
import { conversationEntryJson, conversationJson } from './conversation-json.ts';
import { HttpError } from './errors.ts';
import { parseId } from './ids.ts';
import { decodeCursor, encodeCursor } from './list-cursor.ts';
import { PageCache, requestLocale, sendPage, toRenderedPage } from './page.ts';
import { requestTimeZone } from './time-zone.ts';
import { pacedTurns } from '../event-loop-turns.ts';

const listQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).catch(50).default(50),
  offset: z.coerce.number().int().min(0).max(100_000).catch(0).default(0),
  cursor: z.string().optional(),
});
const conversationCursor = z.tuple([z.number(), z.number().int().positive()]);
// Sites listed under "Also in this debate"; the rest are counted and found on /blogs.
const alsoInDebateShown = 10;
const pageQuery = z.object({ page: z.coerce.number().int().min(1).max(1_000_000).catch(1).default(1) });

/** Registers /api/conversations, /api/conversations/:id, /c/:id and /e/:id. */
export async function conversationRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  // Only reads: through the read handle, which an ingest's open transaction does not hold up.
  const db = deps.read ?? deps.db;
  const publicUrl = deps.config.publicUrl;
  const now = deps.now ?? (() => new Date());
  // Rendered conversation pages, keyed by what changes them: the conversation's own
  // updated_at and size (threading bumps both on every arrival, edit and tombstone), the
  // newest blog change (names on the page), the view and the language.
  const pages = new PageCache();

  async function load(rawId: unknown) {
    const id = parseId(rawId);
    if (id === null) throw new HttpError(404, 'not-found', 'There is no such conversation.');
    const found = await findConversation(db, id);
    if (!found) throw new HttpError(404, 'not-found', `There is no conversation ${id}.`);
    return found;
  }

  // A large conversation is cut into pages within a budget.
  const conversationPages = createConversationPages({
    db,
    budget: { maxEntries: deps.config.pages.conversationPageEntries, maxChars: deps.config.pages.conversationPageChars },
  });

  // The whole debate as its map draws it, with each blog's colour and letter, laid out once per
  // version of the conversation, its blogs, the language and the time zone; and the page of the
  // view each entry is on (a mark links to its entry wherever it is).
  async function mapOf(c: Conversation, view: ConversationViewMode, blogsChangedAt: string | null, locale: Locale, timeZone: string) {
    const { pageOf } = await conversationPages.shape(c, view);
    const { laid, marks } = await conversationPages.keptWithShape(c, `map|${blogsChangedAt ?? ''}|${locale}|${timeZone}`, async (read) => {
      // What the map reads depends on the blogs' names, not on the reader: another language or
      // time zone lays it out again without reading a big debate's entries again.
      // A big debate's map is read and laid out in parts with turns of the event loop between them.
      const pause = pacedTurns();
      const data = await conversationPages.keptWithShape(c, `map entries|${blogsChangedAt ?? ''}`, () => readDebateMap(db, c.id, read, { pause }));
      await pause();
      const marks = assignBlogMarks(data.entries);
      return { laid: await layOutDebateMapInParts({ data, marks, locale, timeZone }, pause), marks };
    });
    return { laid, marks, pageOf };
  }
  const entryHref = (c: Conversation, view: ConversationViewMode, page: number | undefined, id: number) => {
    const query = [view === 'thread' ? 'view=thread' : '', page && page > 1 ? `page=${page}` : ''].filter(Boolean).join('&');
    return `/c/${c.id}${query ? `?${query}` : ''}#e-${id}`;
  };
  // "Also in this debate" adds up every link and ping of the debate to sites Palaver does not
  // follow (0.2-0.3 s for 100,000 entries): in the tally thread for a big debate, once a minute
  // for a version of the debate and of the blogs (a site that gets a blog is no longer listed),
  // for all its pages.
  const talliesFor = talliesBySize(db, deps.tallies);
  const recentSites = createRecentReads<{ sites: UnfollowedSite[]; total: number }>({ maxAgeMs: 60_000, max: 200, now });
  const unfollowedSitesOf = (c: Conversation, blogsChangedAt: string | null) =>
    recentSites(`${c.id}|${c.updatedAt}|${c.entryCount}|${blogsChangedAt ?? ''}`, () => talliesFor(c.entryCount).unfollowedSitesOf(c.id, alsoInDebateShown));
  // Maps as documents of their own, keyed like the pages.
  const maps = new PageCache();

  // Paged by cursor (rank, id): `next` (and a Link rel="next") names the following page.
  app.get('/api/conversations', async (request, reply) => {
    const { limit, offset, cursor } = listQuery.parse(request.query ?? {});
    const after = decodeCursor(cursor, conversationCursor);
    const found = await listConversations(db, { limit: limit + 1, ...(after ? { after: { rank: after[0], id: after[1] } } : { offset }) });
    const conversations = found.slice(0, limit);
    const last = conversations.at(-1);
    const next = found.length > limit && last ? `/api/conversations?limit=${limit}&cursor=${encodeCursor([last.rank, last.id])}` : null;
    if (next) reply.header('link', `<${publicUrl}${next}>; rel="next"`);
    return { conversations: conversations.map((c) => conversationJson(c, publicUrl)), next };
  });

  // A large conversation's entries come in pages of the page budget, in time order; `next`
  // (and a Link rel="next") names the following page.
  app.get<{ Params: { id: string }; Querystring: { cursor?: string } }>('/api/conversations/:id', async (request, reply) => {
    const found = await load(request.params.id);
    if ('mergedInto' in found) return reply.redirect(`/api/conversations/${found.mergedInto}`, 308);
    const c = found.conversation;
    const page = decodeCursor(request.query.cursor, z.number().int().min(1).max(1_000_000)) ?? 1;
    const { entries, layout } = await conversationPages.load(c, 'timeline', page);
    const shown = new Set(layout.steps.map((s) => s.id));
    const next = layout.page < layout.pageCount ? `/api/conversations/${c.id}?cursor=${encodeCursor(layout.page + 1)}` : null;
    if (next) reply.header('link', `<${publicUrl}${next}>; rel="next"`);
    return { ...conversationJson(c, publicUrl), entries: entries.filter((e) => shown.has(e.id)).map(conversationEntryJson), next };
  });

  app.get<{ Params: { id: string } }>('/c/:id', async (request, reply) => {
    const found = await load(request.params.id);
    // A merged conversation lives on under the survivor's address for good.
    if ('mergedInto' in found) return reply.redirect(`/c/${found.mergedInto}`, 301);
    const c = found.conversation;
    const locale = requestLocale(request, reply);
    const view = (request.query as Record<string, unknown>).view === 'thread' ? 'thread' : 'timeline';
    const blogsChangedAt = await findBlogsChangedAt(db);
    const at = now();
    const timeZone = requestTimeZone(request, deps.config);
    const pageNumber = pageQuery.parse(request.query ?? {}).page;
    const key = `${c.id}|${view}|${pageNumber}|${locale}|${timeZone}|${c.updatedAt}|${c.entryCount}|${blogsChangedAt ?? ''}`;
    const page = await pages.get(key, at.getTime(), async () => {
      const { entries, layout } = await conversationPages.load(c, view, pageNumber);
      const { laid, marks, pageOf } = await mapOf(c, view, blogsChangedAt, locale, timeZone);
      const map = renderLaidOutMapFigure(laid, {
        svgHref: `/c/${c.id}/map.svg${locale === 'de' ? '?lang=de' : ''}`,
        hrefOf: (id) => (pageOf(id) === layout.page ? `#e-${id}` : entryHref(c, view, pageOf(id), id)),
      });
      // A busy tally thread leaves "Also in this debate" out of this one rendering.
      const also = await unlessBusy(unfollowedSitesOf(c, blogsChangedAt));
      const alsoInDebate = also ? renderAlsoInDebate(also.sites, also.total, locale, { locale, timeZone, now: at }) : html``;
      const body = renderConversation({ conversation: c, entries, now: at, publicUrl, locale, view, timeZone, layout, marks, map, alsoInDebate });
      const changed = blogsChangedAt && blogsChangedAt > c.updatedAt ? blogsChangedAt : c.updatedAt;
      return { ...toRenderedPage(body, changed, at.getTime()), partial: also === undefined };
    });
    return sendPage(request, reply, page);
  });

  // The map alone, as an SVG document whose marks link to the conversation's page.
  app.get<{ Params: { id: string } }>('/c/:id/map.svg', async (request, reply) => {
    const found = await load(request.params.id);
    if ('mergedInto' in found) return reply.redirect(`/c/${found.mergedInto}/map.svg`, 301);
    const c = found.conversation;
    const locale: Locale = requestLocale(request, reply);
    const timeZone = requestTimeZone(request, deps.config);
    const blogsChangedAt = await findBlogsChangedAt(db);
    const at = now();
    const key = `${c.id}|${locale}|${timeZone}|${c.updatedAt}|${c.entryCount}|${blogsChangedAt ?? ''}`;
    const page = await maps.get(key, at.getTime(), async () => {
      const { laid, pageOf } = await mapOf(c, 'timeline', blogsChangedAt, locale, timeZone);
      const svg = renderLaidOutMapSvg(laid, (id) => entryHref(c, 'timeline', pageOf(id), id), '/assets/palaver.css');
      const changed = blogsChangedAt && blogsChangedAt > c.updatedAt ? blogsChangedAt : c.updatedAt;
      return toRenderedPage(svg, changed, at.getTime());
    });
    return sendPage(request, reply, page, { type: 'image/svg+xml; charset=utf-8' });
  });

  app.get<{ Params: { id: string } }>('/e/:id', async (request, reply) => {
    const id = parseId(request.params.id);
    const entry = id !== null ? await findEntryById(db, id) : undefined;
    if (!entry) throw new HttpError(404, 'not-found', 'There is no such entry.');
    // A record of a ping lives on as the post it merged with.
    if (entry.sameAsId !== null) return reply.redirect(`/e/${entry.sameAsId}`, 301);
    const conversationId = await findConversationIdOfEntry(db, entry.id);
    const found = conversationId === null ? undefined : await findConversation(db, conversationId);
    if (!found || !('conversation' in found)) throw new HttpError(404, 'not-found', 'This entry is not part of a conversation yet.');
    // The entry and what it answers, up to the post it is about: its chain, not the whole debate.
    const chain = await conversationPages.chainOf(found.conversation, entry.id);
    const shown = chain.find((e) => e.id === entry.id);
    if (!shown) throw new HttpError(404, 'not-found', 'There is no such entry.');
    const byId = new Map(chain.map((e) => [e.id, e]));
    const parent = shown.inReplyToId === null ? null : (byId.get(shown.inReplyToId) ?? null);
    const at = now();
    const body = renderEntryPage({
      entry: shown,
      parent,
      about: findAbout(shown, byId),
      parentAbout: parent ? findAbout(parent, byId) : null,
      conversation: found.conversation,
      publicUrl,
      locale: requestLocale(request, reply),
      now: at,
      timeZone: requestTimeZone(request, deps.config),
    });
    return sendPage(request, reply, toRenderedPage(body, shown.changedAt, at.getTime()));
  });
}
