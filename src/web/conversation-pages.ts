// Pages of a conversation page: which entries page N of the timeline or the thread shows, read
// from the conversation's shape (cached per version, so paging through a debate of ten thousand
// entries reads its shape once), and only those entries read in full.
import type { Conversation, ConversationEntry } from '../domain/models.ts';
import type { Db } from '../db/open.ts';
import { listConversationEntries, readConversationShape, type ConversationShapeRead } from '../store/conversations.ts';
import { buildReplyForest, walkReplyForest, type ReplyForest } from '../threading/reply-forest.ts';
import { nextTurn, pacedTurns } from '../event-loop-turns.ts';
import type { ConversationLayout, ConversationViewMode } from '../views/conversation.ts';
import { splitIntoPages, type PageBudget, type PageStep } from '../views/conversation-pages.ts';

interface Laid {
  read: ConversationShapeRead;
  pages: Partial<Record<ConversationViewMode, { split: PageStep[][]; pageOf: Map<number, number> }>>;
  forest: ReplyForest;
  cycleCount: number;
  parentOf: Map<number, number | null>;
  /** What keptWithShape made of the shape, by the version it was made for (the last few). */
  kept: Map<string, unknown>;
  /** What keptWithShape is making: a request that comes meanwhile waits for it. */
  making: Map<string, Promise<unknown>>;
}

// What is kept with one shape: the map's entries, and its layouts for readers in a few languages and time zones.
const keptVersions = 6;

/** Keeps the shapes of recently shown conversations, by version, within a bound of entries. */
export function createConversationPages(options: { db: Db; budget: PageBudget; maxCachedEntries?: number }) {
  const cache = new Map<string, Laid>();
  const maxEntries = options.maxCachedEntries ?? 200_000;
  let cachedEntries = 0;

  // Threading bumps updated_at and the size on every arrival, edit and tombstone.
  const keyOf = (c: Conversation) => `${c.id}|${c.updatedAt}|${c.entryCount}`;
  // Shapes being read: a request that comes meanwhile waits for that read (in parts, it takes a
  // second or two for a big debate) instead of starting its own.
  const reading = new Map<string, Promise<Laid>>();

  function shapeOf(c: Conversation): Promise<Laid> {
    const key = keyOf(c);
    const hit = cache.get(key);
    if (hit) {
      cache.delete(key);
      cache.set(key, hit);
      return Promise.resolve(hit);
    }
    let read = reading.get(key);
    if (!read) {
      read = readShape(c).then((laid) => {
        cache.set(key, laid);
        cachedEntries += laid.read.outline.length;
        evict();
        return laid;
      });
      reading.set(key, read);
      const done = () => void reading.delete(key);
      read.then(done, done);
    }
    return read;
  }

  // A big debate's shape is read in parts, and threaded after a turn of its own, so pages, feeds
  // and pings are answered meanwhile; a small one takes no turn at all.
  async function readShape(c: Conversation): Promise<Laid> {
    const pause = pacedTurns();
    const read = await readConversationShape(options.db, c.id, { pause });
    await pause();
    const forest = buildReplyForest(read.outline);
    await pause();
    return { read, forest, pages: {}, cycleCount: forest.cycleBreaks.length, parentOf: new Map(read.outline.map((o) => [o.id, o.inReplyToId])), kept: new Map(), making: new Map() };
  }

  // A shape weighs its entries once, and once more for each thing kept with it (a map laid out).
  const weightOf = (laid: Laid) => laid.read.outline.length * (1 + laid.kept.size);
  function evict() {
    while (cachedEntries > maxEntries && cache.size > 1) {
      const [oldest, value] = cache.entries().next().value!;
      cache.delete(oldest);
      cachedEntries -= weightOf(value);
    }
  }

  async function pagesOf(laid: Laid, view: ConversationViewMode) {
    const known = laid.pages[view];
    if (known) return known;
    // Cutting a big debate into pages takes a turn of its own (5,000 entries take a few ms), and
    // more between its steps once they took 10 ms (each 20-60 ms at 100,000 entries).
    const big = laid.read.outline.length > 5_000;
    if (big) await nextTurn();
    const ready = laid.pages[view];
    if (ready) return ready;
    const pause = big ? pacedTurns() : async () => {};
    const outline = laid.read.outline;
    const steps = view === 'thread' ? walkReplyForest(laid.forest) : outline.map((o) => ({ id: o.id, depth: 0 }));
    await pause();
    const size = new Map(outline.map((o) => [o.id, o.size]));
    await pause();
    const split = splitIntoPages(steps, (id) => size.get(id) ?? 0, options.budget);
    await pause();
    const again = laid.pages[view];
    if (again) return again;
    const pageOf = new Map<number, number>();
    split.forEach((p, i) => {
      for (const s of p) pageOf.set(s.id, i + 1);
    });
    laid.pages[view] = { split, pageOf };
    return laid.pages[view];
  }

  return {
    /** The conversation's shape as read once per version, and the page of each entry in a view (for links to entries). */
    async shape(c: Conversation, view: ConversationViewMode): Promise<{ read: ConversationShapeRead; pageOf: (id: number) => number | undefined }> {
      const laid = await shapeOf(c);
      const { pageOf } = await pagesOf(laid, view);
      return { read: laid.read, pageOf: (id) => pageOf.get(id) };
    },
    /**
     * An entry and what it answers, up to the post it is about (its chain, each once however the
     * replies loop), read in full with the shape of this version: an entry's own page, which every
     * feed item links to, reads the shape of a big debate once per version, not once a request.
     */
    async chainOf(c: Conversation, entryId: number): Promise<ConversationEntry[]> {
      const laid = await shapeOf(c);
      const ids = new Set<number>();
      for (let cur: number | null = entryId; cur !== null && !ids.has(cur); cur = laid.parentOf.get(cur) ?? null) ids.add(cur);
      return listConversationEntries(options.db, c.id, { ids, shape: laid.read });
    },
    /**
     * What `make` reads and makes of the conversation from its shape (the debate map every page
     * draws), kept with the shape for `version` (of what else it depends on: blog names, the
     * reader's language and time zone): paging through a debate of ten thousand entries reads and
     * lays out its map once, not once a page.
     */
    async keptWithShape<T>(c: Conversation, version: string, make: (read: ConversationShapeRead) => Promise<T>): Promise<T> {
      const laid = await shapeOf(c);
      if (laid.kept.has(version)) {
        // Used last, goes last: what every version is made from stays while versions come and go.
        const kept = laid.kept.get(version) as T;
        laid.kept.delete(version);
        laid.kept.set(version, kept);
        return kept;
      }
      let making = laid.making.get(version) as Promise<T> | undefined;
      if (!making) {
        making = make(laid.read);
        laid.making.set(version, making);
        const done = () => void laid.making.delete(version);
        making.then(done, done);
      }
      const value = await making;
      // Kept once, by the first of the requests that waited for it, and only while the shape is.
      if (laid.kept.has(version) || cache.get(keyOf(c)) !== laid) return value;
      laid.kept.set(version, value);
      cachedEntries += laid.read.outline.length;
      // A few versions at once: readers in both languages, or in other time zones; the one used least recently goes.
      if (laid.kept.size > keptVersions) {
        laid.kept.delete(laid.kept.keys().next().value!);
        cachedEntries -= laid.read.outline.length;
      }
      evict();
      return value;
    },
    /** Reads page `page` (from 1; past the end means the last) of a conversation in a view. */
    async load(c: Conversation, view: ConversationViewMode, page: number): Promise<{ entries: ConversationEntry[]; layout: ConversationLayout }> {
      const laid = await shapeOf(c);
      const { split, pageOf } = await pagesOf(laid, view);
      const index = Math.min(Math.max(1, page), split.length) - 1;
      const shown = split[index]!;
      // The entries they answer are read too: the page names them, wherever they are.
      const ids = new Set(shown.map((s) => s.id));
      for (const s of shown) {
        const parent = laid.parentOf.get(s.id);
        if (parent != null) ids.add(parent);
      }
      const entries = await listConversationEntries(options.db, c.id, { ids, shape: laid.read });
      return { entries, layout: { steps: shown, page: index + 1, pageCount: split.length, pageOf: (id) => pageOf.get(id), cycleCount: laid.cycleCount } };
    },
  };
}
