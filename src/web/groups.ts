// The pages of groups: /groups (every group, paged), /g/:slug (what the group is about, its
// conversations ranked as on /, the search limited to it, its programme and its members, each
// list paged), /g/:slug/summary (an event in numbers) and /g/:slug.opml (its blogs for a reader).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { eventPhase, type Group, type GroupEvent } from '../domain/groups.ts';
import type { Conversation } from '../domain/models.ts';
import { feedAlternates } from '../feeds/feed-urls.ts';
import { feedContentTypes } from '../feeds/types.ts';
import { renderGroupOpml } from '../registry/export-opml.ts';
import { blogHealth } from '../registry/health.ts';
import { listAnsweredEntries } from '../store/answered.ts';
import { listConversationBlogs, listNewestEntryOf } from '../store/conversations.ts';
import { createConversationActivity } from './conversation-activity.ts';
import { talliesBySize } from './tally-thread.ts';
import { findGroupVersion } from '../store/group-conversation-ids.ts';
import {
  countGroupEntriesBetween,
  listGroupBlogsPostingBetween,
  listOutsideParticipants,
  readGroupConversations,
} from '../store/group-conversations.ts';
import { countGroupMembers, countGroups, findGroupBySlug, listGroupMembers, listGroups } from '../store/groups.ts';
import { listBlogSources } from '../store/sources.ts';
import { renderGroupSummary } from '../views/group-programme.ts';
import { renderGroupList, renderGroupPage, type GroupMemberRow } from '../views/groups.ts';
import type { AppDeps } from './deps.ts';
import { HttpError } from './errors.ts';
import { daysBegun, loadProgramme } from './group-programme.ts';
import { parseGroupSlug } from './ids.ts';
import { PageCache, requestLocale, sendPage, toRenderedPage } from './page.ts';
import { searchGateFor, searchOf } from './search-limits.ts';
import { requestTimeZone } from './time-zone.ts';

const conversationsPerPage = 30;
const membersPerPage = 100;
const groupsPerPage = 50;
const searchLimit = 50;
const topConversations = 10;

const pageQuery = z.object({
  page: z.coerce.number().int().min(1).max(10_000).catch(1).default(1),
  members: z.coerce.number().int().min(1).max(1_000).catch(1).default(1),
  day: z.coerce.number().int().min(1).max(366).catch(1).default(1),
  q: z.string().max(200).optional().catch(undefined),
});
const listQuery = z.object({ before: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional().catch(undefined) });

/** Builds a link to the group page keeping the other parameters of `query` and changing some. */
function hrefWith(base: string, query: Record<string, number | string | undefined>, change: Record<string, number | null>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries({ ...query, ...change })) {
    if (value === undefined || value === null || value === 1) continue;
    params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `${base}?${text}` : base;
}

/** Registers /groups, /g/:slug, /g/:slug/summary and /g/:slug.opml. */
export async function groupRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  // Only reads: through the read handle, which an ingest's open transaction does not hold up.
  const db = deps.read ?? deps.db;
  const now = deps.now ?? (() => new Date());
  // Rendered group pages keyed by the group's version (members and conversations), view and language.
  const pages = new PageCache();
  // Each listed conversation's small map, as the home page keeps it: per version of the conversation.
  const activityOf = createConversationActivity(db, talliesBySize(db, deps.tallies));
  const searches = searchGateFor(deps);
  const search = searchOf(deps);

  async function requireGroup(slug: string): Promise<Group> {
    const group = await findGroupBySlug(db, slug);
    if (!group) throw new HttpError(404, 'not-found', 'There is no such group.');
    return group;
  }

  async function memberRows(group: Group, page: number, at: Date): Promise<GroupMemberRow[]> {
    const blogs = await listGroupMembers(db, group.id, { limit: membersPerPage, offset: (page - 1) * membersPerPage });
    const sources = await listBlogSources(db, blogs.map((b) => b.id));
    const begun = group.event && group.event.startsAt <= at.toISOString();
    const posted = group.event && begun ? await listGroupBlogsPostingBetween(db, group.id, group.event.startsAt, group.event.endsAt) : null;
    return blogs.map((blog) => ({ blog, health: blogHealth(blog, sources.filter((s) => s.blogId === blog.id)), posted: posted ? posted.has(blog.id) : null }));
  }

  // What the page lists of its conversations; `partial` when the busy tally thread left some small maps out.
  async function conversationsOf(group: Group, conversations: Conversation[]) {
    const ids = conversations.map((c) => c.id);
    // The debate map drawn small, as / draws it.
    const activity = await activityOf(conversations);
    return {
      lists: { newest: await listNewestEntryOf(db, ids), blogs: await listConversationBlogs(db, ids), outside: await listOutsideParticipants(db, group.id, ids), activity },
      partial: conversations.some((c) => !activity.has(c.id)),
    };
  }

  async function renderPage(request: FastifyRequest, group: Group, locale: 'de' | 'en', at: Date, query: z.infer<typeof pageQuery>): Promise<{ body: string; partial: boolean }> {
    const base = `/g/${group.slug}`;
    const timeZone = requestTimeZone(request, deps.config);
    const alternates = feedAlternates(deps.config.publicUrl, { kind: 'group', slug: group.slug }, `${group.title} – Palaver`);
    const memberCount = await countGroupMembers(db, group.id);
    const phase = group.event ? eventPhase(group.event, at) : null;
    const searching = query.q !== undefined;
    // A search shows the group's head and the hits only: no members, no programme to read.
    const members = searching ? [] : await memberRows(group, query.members, at);
    const kept = { page: query.page, members: query.members, day: query.day };
    const membersPager = {
      previousHref: query.members > 1 ? `${hrefWith(base, kept, { members: query.members - 1 })}#members` : null,
      nextHref: query.members * membersPerPage < memberCount ? `${hrefWith(base, kept, { members: query.members + 1 })}#members` : null,
    };
    const programme = group.event && phase !== 'upcoming' && !searching ? await loadProgramme(db, group as Group & { event: GroupEvent }, at, query.day) : null;
    const common = {
      group,
      phase,
      members,
      memberCount,
      membersPager,
      programme: programme?.days ?? null,
      programmePager: programme
        ? {
            earlierHref: programme.previousDay ? `${hrefWith(base, kept, { day: programme.previousDay })}#programme` : null,
            laterHref: programme.nextDay ? `${hrefWith(base, kept, { day: programme.nextDay })}#programme` : null,
          }
        : undefined,
      daysSoFar: group.event ? daysBegun(group.event, at).length : 0,
      now: at,
      locale,
      timeZone,
      alternates,
    };
    // A search's page lists no conversations; its head counts them.
    const { conversations: found, count: conversationCount } = await readGroupConversations(db, group.id, {
      limit: searching ? 0 : conversationsPerPage + 1,
      offset: (query.page - 1) * conversationsPerPage,
    });
    if (query.q !== undefined) {
      const hits = await search(query.q, { limit: searchLimit, groupId: group.id });
      const about = await listAnsweredEntries(db, hits.filter((h) => h.kind !== 'post').map((h) => h.entryId));
      return { body: renderGroupPage({ ...common, conversationCount, conversations: [], newest: new Map(), blogs: new Map(), outside: new Map(), page: 1, hasMore: false, search: { query: query.q, hits, about } }), partial: false };
    }
    const shown = found.slice(0, conversationsPerPage);
    const { lists, partial } = await conversationsOf(group, shown);
    return { body: renderGroupPage({ ...common, conversationCount, conversations: shown, ...lists, page: query.page, hasMore: found.length > conversationsPerPage }), partial };
  }

  app.get('/groups', async (request, reply) => {
    const { before } = listQuery.parse(request.query ?? {});
    const locale = requestLocale(request, reply);
    const groups = await listGroups(db, { limit: groupsPerPage + 1, ...(before ? { beforeId: before } : {}) });
    const shown = groups.slice(0, groupsPerPage);
    const body = renderGroupList(shown, { locale, next: groups.length > groupsPerPage ? shown.at(-1)!.id : null, first: before === undefined, total: await countGroups(db) });
    return reply.type('text/html; charset=utf-8').send(body);
  });

  // One route for the page and the list of blogs: a slug never holds a dot, so /g/<slug>.opml is unambiguous.
  app.get('/g/:slug', async (request, reply) => {
    const raw = (request.params as { slug?: string }).slug ?? '';
    if (raw.endsWith('.opml')) {
      const group = await requireGroup(parseGroupSlug({ slug: raw.slice(0, -'.opml'.length) }));
      return reply
        .type(feedContentTypes.opml)
        .header('content-disposition', `inline; filename="${group.slug}.opml"`)
        .send(await renderGroupOpml(db, group, { now: now() }));
    }
    const group = await requireGroup(parseGroupSlug(request.params));
    const query = pageQuery.parse(request.query ?? {});
    if (query.q !== undefined) await searches.admit(request, reply);
    const locale = requestLocale(request, reply);
    const at = now();
    const timeZone = requestTimeZone(request, deps.config);
    const version = await findGroupVersion(db, { id: group.id });
    const key = JSON.stringify([group.slug, version, locale, timeZone, query]);
    const page = await pages.get(key, at.getTime(), async () => {
      const { body, partial } = await renderPage(request, group, locale, at, query);
      return { ...toRenderedPage(body, null, at.getTime()), partial };
    });
    return sendPage(request, reply, page);
  });

  app.get('/g/:slug/summary', async (request, reply) => {
    const group = await requireGroup(parseGroupSlug(request.params));
    const at = now();
    if (!group.event) throw new HttpError(404, 'not-found', 'This group is no event, so it has no summary: its page is /g/' + group.slug + '.');
    const event = group.event;
    if (eventPhase(event, at) === 'upcoming') throw new HttpError(404, 'not-found', 'The event has not begun yet; its summary appears once it has.');
    const { day } = pageQuery.parse(request.query ?? {});
    const locale = requestLocale(request, reply);
    const timeZone = requestTimeZone(request, deps.config);
    const version = await findGroupVersion(db, { id: group.id });
    const key = JSON.stringify(['summary', group.slug, version, locale, timeZone, day]);
    const page = await pages.get(key, at.getTime(), async () => {
      const withEvent = group as Group & { event: GroupEvent };
      const programme = await loadProgramme(db, withEvent, at, day);
      const { conversations: top, count: conversationCount } = await readGroupConversations(db, group.id, { limit: topConversations });
      const memberCount = await countGroupMembers(db, group.id);
      const members = await listGroupMembers(db, group.id, { limit: membersPerPage });
      const posted = await listGroupBlogsPostingBetween(db, group.id, event.startsAt, event.endsAt);
      const base = `/g/${group.slug}/summary`;
      const { lists, partial } = await conversationsOf(group, top);
      const body = renderGroupSummary({
        group: withEvent,
        memberCount,
        totals: await countGroupEntriesBetween(db, group.id, event.startsAt, event.endsAt),
        silent: members.filter((b) => !posted.has(b.id)).map((b) => ({ id: b.id, title: b.title, homeUrl: b.homeUrl })),
        top,
        conversationCount,
        ...lists,
        programme: programme.days,
        programmePager: {
          earlierHref: programme.previousDay ? `${hrefWith(base, {}, { day: programme.previousDay })}#days` : null,
          laterHref: programme.nextDay ? `${hrefWith(base, {}, { day: programme.nextDay })}#days` : null,
        },
        running: eventPhase(event, at) === 'running',
        now: at,
        locale,
        timeZone,
        alternates: feedAlternates(deps.config.publicUrl, { kind: 'group', slug: group.slug }, `${group.title} – Palaver`),
      });
      return { ...toRenderedPage(body, null, at.getTime()), partial };
    });
    return sendPage(request, reply, page);
  });
}

