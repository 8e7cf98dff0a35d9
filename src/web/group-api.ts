// The JSON API of groups: GET /api/groups (paged by cursor), GET /api/groups/:slug (its members
// and conversations, each paged, read through the pages' connection and kept until the next
// commit), and for the operator (Authorization: Bearer <admin token>) creating a group, adding
// and removing members, deleting it. Groups live in registry/.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Group } from '../domain/groups.ts';
import { feedUrl } from '../feeds/feed-urls.ts';
import { parseGroupFields } from '../registry/group-input.ts';
import { addGroupMembers, createGroup, deleteGroupBySlug, GroupError, removeGroupMember, type GroupDeps } from '../registry/groups.ts';
import { blogHealth } from '../registry/health.ts';
import { readGroupConversations } from '../store/group-conversations.ts';
import { countGroupMembers, findGroupBySlug, listGroupMembers, listGroups } from '../store/groups.ts';
import { listBlogSources } from '../store/sources.ts';
import { adminAccessFor } from './admin-access.ts';
import { conversationJson } from './conversation-json.ts';
import type { AppDeps } from './deps.ts';
import { HttpError } from './errors.ts';
import { createGroupGate } from './group-gate.ts';
import { parseGroupSlug } from './ids.ts';
import { decodeCursor, encodeCursor } from './list-cursor.ts';
import { keptUntilCommit, PageCache, sendPage, toRenderedPage, type RenderedPage } from './page.ts';
import { defaultTimeZone } from './time-zone.ts';

const listQuery = z.object({ limit: z.coerce.number().int().min(1).max(200).catch(50).default(50), cursor: z.string().optional() });
const groupQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).catch(50).default(50),
  cursor: z.string().optional(),
  memberLimit: z.coerce.number().int().min(1).max(1000).catch(200).default(200),
  memberOffset: z.coerce.number().int().min(0).max(1_000_000).catch(0).default(0),
});
const conversationCursor = z.tuple([z.number(), z.number().int().positive()]);
const blogRefs = z.array(z.union([z.string().max(2048), z.number().int().positive()]).transform(String)).max(1000);
const createBody = z.object({ opml: z.string().max(3 * 1024 * 1024).optional(), blogs: blogRefs.optional() }).passthrough();
const membersBody = z.object({ blogs: blogRefs.min(1) });

/** Shapes a group for the API; its URLs are absolute under PUBLIC_URL. */
export function groupJson(group: Group, publicUrl: string, memberCount: number) {
  return {
    slug: group.slug,
    title: group.title,
    description: group.description,
    lang: group.lang,
    event: group.event,
    memberCount,
    url: `${publicUrl}/g/${group.slug}`,
    feeds: {
      atom: feedUrl(publicUrl, { kind: 'group', slug: group.slug }, 'atom'),
      rss: feedUrl(publicUrl, { kind: 'group', slug: group.slug }, 'rss'),
      json: feedUrl(publicUrl, { kind: 'group', slug: group.slug }, 'json'),
      opml: `${publicUrl}/g/${group.slug}.opml`,
    },
    createdAt: group.createdAt,
    updatedAt: group.updatedAt,
  };
}

/** Turns a registry refusal into the API's error. */
export function groupHttpError(err: unknown): unknown {
  return err instanceof GroupError ? new HttpError(err.statusCode, err.code, err.message) : err;
}

/** Registers /api/groups and its operator actions. */
export async function groupApiRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const publicUrl = deps.config.publicUrl;
  const now = deps.now ?? (() => new Date());
  const access = adminAccessFor(deps);
  const gate = createGroupGate(deps);
  const groupDeps: GroupDeps = { db: deps.db, fetch: deps.fetch, now, ...(deps.onEntriesChanged ? { onChanged: deps.onEntriesChanged } : {}) };
  const importOptions = { maxEntries: deps.config.registry.maxImportEntries, hostIntervalMs: deps.config.registry.importHostIntervalMs };

  // Every change is the operator's: the bearer token, counted per client so guessing it is slow.
  const requireOperator = (request: FastifyRequest, reply: { header(name: string, value: string): unknown }) => {
    const admitted = gate.admit(request);
    if (!admitted.ok) {
      reply.header('retry-after', String(admitted.retryAfterSeconds));
      throw new HttpError(429, 'rate-limited', admitted.message);
    }
    if (!access.enabled) throw new HttpError(404, 'not-found', 'Groups are changed over HTTP only with PALAVER_ADMIN_TOKEN set; use npx palaver group instead.');
    if (!access.hasBearerToken(request)) throw new HttpError(401, 'unauthorized', 'This needs the admin token (Authorization: Bearer …).');
  };

  // Reads go through the pages' connection: they never wait behind a feed being stored, and see
  // the operator's changes, which commit before their answers are sent.
  const read = deps.read ?? deps.db;
  // A group's answer ranks and counts all its conversations and reads its members' sources: 20 ms
  // of the event loop for a group of 100 blogs and 110,000 entries, 49 answers a second. Kept
  // until the next commit (keptUntilCommit), it is read once per commit.
  const answers = new PageCache<RenderedPage & { next: string | null }>(60_000, 200);

  app.get('/api/groups', async (request, reply) => {
    const { limit, cursor } = listQuery.parse(request.query ?? {});
    const before = decodeCursor(cursor, z.number().int().positive());
    const found = await listGroups(read, { limit: limit + 1, ...(before ? { beforeId: before } : {}) });
    const groups = found.slice(0, limit);
    const next = found.length > limit ? `/api/groups?limit=${limit}&cursor=${encodeCursor(groups.at(-1)!.id)}` : null;
    if (next) reply.header('link', `<${publicUrl}${next}>; rel="next"`);
    return { groups: groups.map((g) => groupJson(g, publicUrl, g.memberCount)), next };
  });

  app.get('/api/groups/:slug', async (request, reply) => {
    const slug = parseGroupSlug(request.params);
    const q = groupQuery.parse(request.query ?? {});
    const after = decodeCursor(q.cursor, conversationCursor);
    const at = now().getTime();
    const answer = async () => {
      const group = await findGroupBySlug(read, slug);
      if (!group) throw new HttpError(404, 'not-found', 'There is no such group.');
      const { conversations: found, count: conversationCount } = await readGroupConversations(read, group.id, { limit: q.limit + 1, ...(after ? { after: { rank: after[0], id: after[1] } } : {}) });
      const conversations = found.slice(0, q.limit);
      const last = conversations.at(-1);
      const next = found.length > q.limit && last ? `/api/groups/${slug}?limit=${q.limit}&cursor=${encodeCursor([last.rank, last.id])}` : null;
      const memberCount = await countGroupMembers(read, group.id);
      const members = await listGroupMembers(read, group.id, { limit: q.memberLimit, offset: q.memberOffset });
      const sources = await listBlogSources(read, members.map((b) => b.id));
      const membersEnd = q.memberOffset + members.length;
      const body = {
        ...groupJson(group, publicUrl, memberCount),
        members: members.map((b) => {
          const health = blogHealth(b, sources.filter((s) => s.blogId === b.id));
          return { id: b.id, title: b.title, url: b.homeUrl, status: health.status, lastCheckedAt: health.lastCheckedAt, lastError: health.lastError };
        }),
        membersNext: membersEnd < memberCount ? `/api/groups/${slug}?memberLimit=${q.memberLimit}&memberOffset=${membersEnd}` : null,
        conversationCount,
        conversations: conversations.map((c) => conversationJson(c, publicUrl)),
        next,
      };
      return { ...toRenderedPage(JSON.stringify(body), null, at), next };
    };
    const kept = await keptUntilCommit(answers, read, [slug, q], at, answer);
    if (kept.next) reply.header('link', `<${publicUrl}${kept.next}>; rel="next"`);
    return sendPage(request, reply, kept, { type: 'application/json; charset=utf-8' });
  });

  app.post('/api/groups', { bodyLimit: 4 * 1024 * 1024 }, async (request, reply) => {
    requireOperator(request, reply);
    const body = createBody.safeParse(request.body);
    if (!body.success) throw new HttpError(400, 'invalid-request', 'Send a JSON object: {"slug": "blog-week-2008", "title": …, "from": "2008-11-12", "to": "2008-11-17", "opml": "<opml …>", "blogs": [3, "https://example.org/"]}.');
    const fields = parseGroupFields(body.data, defaultTimeZone(deps.config));
    if (!fields.ok) throw new HttpError(400, 'invalid-request', fields.message);
    try {
      const result = await createGroup(groupDeps, { fields: fields.fields, opml: body.data.opml ?? null, blogs: body.data.blogs ?? [] }, importOptions);
      if (result.report?.registered) deps.poller?.wake();
      return reply.status(201).send({
        ...groupJson(result.group, publicUrl, result.memberCount),
        report: result.report,
        unpicked: result.picked.filter((p) => !p.blog).map((p) => ({ ref: p.ref, reason: p.reason })),
      });
    } catch (err) {
      throw groupHttpError(err);
    }
  });

  app.post('/api/groups/:slug/members', async (request, reply) => {
    requireOperator(request, reply);
    const slug = parseGroupSlug(request.params);
    const body = membersBody.safeParse(request.body);
    if (!body.success) throw new HttpError(400, 'invalid-request', 'Send a JSON object naming registered blogs by id or address: {"blogs": [3, "https://example.org/"]}.');
    try {
      const { group, picked, added } = await addGroupMembers(groupDeps, slug, body.data.blogs);
      return { ...groupJson(group, publicUrl, await countGroupMembers(deps.db, group.id)), added, unpicked: picked.filter((p) => !p.blog).map((p) => ({ ref: p.ref, reason: p.reason })) };
    } catch (err) {
      throw groupHttpError(err);
    }
  });

  app.delete('/api/groups/:slug/members/:blog', async (request, reply) => {
    requireOperator(request, reply);
    const slug = parseGroupSlug(request.params);
    // Fastify has decoded the segment already: an address arrives whole (its slashes sent as %2F).
    const ref = String((request.params as { blog?: string }).blog ?? '').slice(0, 2048);
    try {
      const { group, blog, removed } = await removeGroupMember(groupDeps, slug, ref);
      if (!blog) throw new HttpError(404, 'not-found', `${ref} is not a registered blog.`);
      if (!removed) throw new HttpError(404, 'not-found', `${blog.title ?? blog.homeUrl} is not in the group “${group.title}”.`);
      return { ...groupJson(group, publicUrl, await countGroupMembers(deps.db, group.id)), removed: blog.id };
    } catch (err) {
      throw groupHttpError(err);
    }
  });

  app.delete('/api/groups/:slug', async (request, reply) => {
    requireOperator(request, reply);
    try {
      const group = await deleteGroupBySlug(groupDeps, parseGroupSlug(request.params));
      return { deleted: group.slug };
    } catch (err) {
      throw groupHttpError(err);
    }
  });
}
