// Builds small conversation graphs through the store's own writes (no feeds, no threading
// rules), so a store test states exactly which entries, edges, ping records and channels exist.
import type { Db } from '../../src/db/open.ts';
import type { EntryDraft } from '../../src/domain/models.ts';
import { RoundupState, type Channel, type EdgeType, type EntryKind } from '../../src/domain/vocabulary.ts';
import { insertBlog } from '../../src/store/blogs.ts';
import { joinConversations } from '../../src/store/conversation-union.ts';
import { upsertEntry } from '../../src/store/entries.ts';
import { addEntryChannel, insertEdges, resolveOutgoingEdges, updateEntryThreading, updateSameAs } from '../../src/store/threads.ts';

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
