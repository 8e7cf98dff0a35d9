// Builds small conversation graphs through the store's own writes (no feeds, no threading
// rules), so a store test states exactly which entries, edges, ping records and channels exist.
import { afterEach, beforeEach } from 'vitest';
import type { Db, OpenedDatabase } from '../../src/db/open.ts';
import type { EntryDraft } from '../../src/domain/models.ts';
import { RoundupState, type Channel, type EdgeType, type EntryKind } from '../../src/domain/vocabulary.ts';
import { insertBlog } from '../../src/store/blogs.ts';
import { joinConversations } from '../../src/store/conversation-union.ts';
import { upsertEntry } from '../../src/store/entries.ts';
import { addEntryChannel, insertEdges, resolveOutgoingEdges, updateEntryThreading, updateSameAs } from '../../src/store/threads.ts';
import { createTestDatabase } from './db.ts';

/** One entry to store: its name makes its identity, guid and URL (http://graph.example/<name>/). */
export interface GraphEntry {
  name: string;
  blogId?: number | null;
  kind?: EntryKind;
  /** Published at (and sorted by); ISO 8601. */
  at: string;
  title?: string | null;
  authorName?: string | null;
  contentHtml?: string | null;
  commentCount?: number | null;
  via?: Channel;
  /** Edges to entries stored before, resolved at once. */
  answers?: [EdgeType, number][];
  /** The ping this entry is a record of (a ping record's source_key). */
  sourceKey?: string;
  /** The node this entry is a record of (same_as_id). */
  recordOf?: number;
  /** Stored without a conversation, as the entries of a blog waiting for a moderator are. */
  held?: boolean;
}

/** Returns the URL key of a graph entry's URL, as edges and same-as candidates name it. */
export function graphUrlKey(name: string): string {
  return `graph.example/${name}`;
}

/** Returns writers for blogs and entries on `db`; each write happens one second after the last. */
export function storeGraph(db: Db) {
  let tick = 0;
  const now = () => new Date(Date.UTC(2026, 0, 1, 0, 0, ++tick)).toISOString();
  return {
    now,
    async blog(home: string): Promise<number> {
      const blog = { homeUrl: home, urlKey: new URL(home).host, title: `Blog ${home}`, description: null, pingbackEndpoint: null, webmentionEndpoint: null, rsdUrl: null, trackbackPingUrl: null, discoveryNotes: [] };
      return (await insertBlog(db, blog, now())).id;
    },
    async entry(e: GraphEntry): Promise<number> {
      const at = now();
      const draft: EntryDraft = {
        kind: e.kind ?? 'post', identity: `id:${e.name}`, guid: `urn:graph:${e.name}`, url: `http://${graphUrlKey(e.name)}/`, urlKey: graphUrlKey(e.name),
        title: e.title === undefined ? `Title ${e.name}` : e.title, authorName: e.authorName ?? null, authorUrl: null, contentHtml: e.contentHtml ?? null, excerpt: null, lang: null,
        publishedAt: e.at, updatedAt: null, commentCount: e.commentCount ?? null, commentFeedUrl: null, commentsPageUrl: null, trackbackPingUrl: null, contentHash: `hash-${e.name}`,
      };
      const { id } = await upsertEntry(db, e.blogId ?? null, draft, at, { contentText: null });
      if (e.sourceKey !== undefined) await updateEntryThreading(db, id, { kind: draft.kind, sourceKey: e.sourceKey, roundup: RoundupState.None });
      await addEntryChannel(db, id, e.via ?? 'feed', null, at);
      const answers = e.answers ?? [];
      await insertEdges(db, id, answers.map(([type, to]) => ({ type, target: { kind: 'entry', id: to }, toUrl: null })), at);
      await resolveOutgoingEdges(db, id, e.blogId ?? null);
      if (e.recordOf !== undefined) await updateSameAs(db, id, e.recordOf);
      if (!e.held) await joinConversations(db, id, [...answers.map(([, to]) => to), ...(e.recordOf !== undefined ? [e.recordOf] : [])], at, true);
      return id;
    },
  };
}

/** The writers storeGraph returns. */
export type StoreGraph = ReturnType<typeof storeGraph>;

/** Midnight UTC of a day of November 2008, the month of the debate the graphs retell. */
export function day(n: number): string {
  return `2008-11-${String(n).padStart(2, '0')}T00:00:00.000Z`;
}

/**
 * Gives each test of a file a fresh database and graph writers on it (closed after the test):
 * read them as `store.db` and `store.graph` inside a test or hook.
 */
export function useStoreGraph(): { readonly database: OpenedDatabase; readonly db: Db; readonly graph: StoreGraph } {
  let database: OpenedDatabase | undefined;
  let graph: StoreGraph | undefined;
  beforeEach(async () => {
    database = await createTestDatabase();
    graph = storeGraph(database.db);
  });
  afterEach(async () => {
    await database?.close();
    database = undefined;
    graph = undefined;
  });
  const opened = () => {
    if (!database || !graph) throw new Error('the store graph is open only inside a test');
    return { database, graph };
  };
  return {
    get database() {
      return opened().database;
    },
    get db() {
      return opened().database.db;
    },
    get graph() {
      return opened().graph;
    },
  };
}

/**
 * A debate across two blogs: a post, a comment on it, a reply to the comment (naming the post
 * too), and a post on another blog that answers by pingback, its ping record merged into it.
 */
export async function storeDebate(graph: StoreGraph) {
  const home = await graph.blog('http://sachar.example/');
  const away = await graph.blog('http://kuhn.example/');
  const post = await graph.entry({ name: 'post', blogId: home, at: day(1), contentHtml: '<p>twelve chars</p>' });
  const comment = await graph.entry({ name: 'comment', blogId: home, kind: 'comment', via: 'comment-feed', at: day(2), answers: [['comment-of', post]] });
  const reply = await graph.entry({ name: 'reply', blogId: home, kind: 'comment', via: 'comment-feed', at: day(3), answers: [['comment-of', post], ['reply-to', comment]] });
  const answer = await graph.entry({ name: 'answer', blogId: away, at: day(4) });
  const record = await graph.entry({ name: 'record', blogId: away, kind: 'pingback', via: 'pingback', at: day(4), sourceKey: 'graph.example/answer', recordOf: answer, answers: [['linkback', post]] });
  return { home, away, post, comment, reply, answer, record };
}
