// Reads fetched feed bodies (decode → parse) and drafts their new items (sanitize, read links and
// text) in worker threads (read-feed-worker.ts) with a time and a memory limit per job; the
// poller's post pages and comment pages are built into trees there too. The
// poller's reading threads take all of that CPU work off the event loop, which is left with the
// store's; without them, a large body is still read off the event loop (readFeed, readOpml), so a
// feed or an imported list of megabytes never holds the loop that answers pages, feeds and pings.
import { fileURLToPath } from 'node:url';
import type { EntryKind } from '../domain/vocabulary.ts';
import { createWorkerPool, WorkerPoolError } from '../worker-pool.ts';
import type { MarkupLimitError } from './bounded-markup.ts';
import type { CommentListLimits, CommentListPage } from './comment-page.ts';
import { decodeText } from './decode.ts';
import type { draftAndReadBody } from './entry-draft.ts';
import type { ParsedOpml } from '../feeds/opml.ts';
import type { PageFindings } from './types.ts';
import { parseFeed } from './parse-feed.ts';
import { readItemsHere, type ItemDigests, type ReadItemsAnswer, type ReadItemsRequest } from './read-items.ts';
import { FeedParseError, type FeedItem, type FeedParseErrorCode, type ParsedFeed } from './types.ts';

/** Bodies from this size on are read off the event loop (a 128 KiB feed parses in about 20 ms). */
export const offThreadBytes = 128 * 1024;
export interface FeedReadLimits {
  /** Time one job (a body, or a feed's items to draft) may take in its thread. */
  timeoutMs: number;
  /** Heap each thread may use (V8 old generation), in MB. */
  memoryMb: number;
  /** An idle thread ends after this long. */
  idleMs: number;
  /** Threads reading at once (1 when not given). */
  threads?: number;
}

const defaultLimits: FeedReadLimits = { timeoutMs: 20_000, memoryMb: 512, idleMs: 30_000 };

/** An item drafted in a reading thread: its draft and its sanitized body read once (draftAndReadBody). */
export type ReadDraft = ReturnType<typeof draftAndReadBody>;

/** What a thread is asked: a body to read, or a feed's items to draft. */
export type ReadingJob =
  | { id: number; read: { body: Buffer; contentType: string | null; url: string; items?: Omit<ReadItemsRequest, 'at'> & { at: number } } }
  | { id: number; draft: { items: FeedItem[]; kind: EntryKind; at: number } }
  | { id: number; page: { html: string; url: string; headers: Record<string, string>; read: 'findings' } | { html: string; url: string; read: 'comments'; limits?: CommentListLimits } }
  | { id: number; opml: string };

/** What a thread answers for one job. */
export type FeedReadAnswer =
  | { id: number; feed: ParsedFeed; itemHashes?: string[]; drafts?: ReadDraft[]; digests?: ItemDigests | null }
  | { id: number; drafts: ReadDraft[] }
  | { id: number; findings: PageFindings }
  | { id: number; comments: CommentListPage }
  | { id: number; opml: ParsedOpml }
  /** A list that is not OPML, or past its limits (OpmlError), with the reason the error gives. */
  | { id: number; opmlRefused: string }
  /** A page past the limits of building its tree (MarkupLimitError) or of a comment list (CommentPageError). */
  | { id: number; refused: { limit: MarkupLimitError['limit'] | null; message: string } }
  | { id: number; parseError: { code: FeedParseErrorCode; message: string } }
  | { id: number; crash: string };

/** Decodes and parses a feed body in this thread. Throws FeedParseError. */
export function readFeedHere(body: Buffer, contentType: string | null, url: string): Promise<ParsedFeed> {
  return parseFeed(decodeText(body, contentType, 'xml').text, url);
}

/** Threads that read feed bodies and draft feed items, each one job at a time. */
export interface FeedReader {
  /** Decodes and parses a body. Throws FeedParseError, 'too-large' too at the time or memory limit. */
  read(body: Buffer, contentType: string | null, url: string): Promise<ParsedFeed>;
  /**
   * Reads a body as read does, with each item's hash as it arrived (itemHashOf for a source of
   * `kind` and `scope`, at `at`), and drafts its items in the same job, as draft would (in the
   * feed's order), when it has at most `draftUpTo` of them; `drafts` is null when it has more.
   * For a poll: the hashes that tell the unchanged items are not computed on the event loop, and
   * a feed read for the first time, whose items are all new, takes one trip to a thread, not two.
   * With `items.digests`, the items of the source's record are left unread (readItemsHere).
   */
  readItems(body: Buffer, contentType: string | null, url: string, items: ReadItemsRequest): Promise<ReadItemsAnswer>;
  /** Drafts items of a feed (draftAndReadBody at `at`), in their order. Throws FeedParseError at a limit. */
  draft(items: FeedItem[], kind: EntryKind, at: Date): Promise<ReadDraft[]>;
  /**
   * Reads a post page's discovery hints as readPage does. Throws MarkupLimitError past its limits,
   * FeedParseError 'too-large' at the thread's time or memory limit.
   */
  readPage(html: string, url: string, headers: Record<string, string>): Promise<PageFindings>;
  /** Reads a page's comment list as parseCommentList does. Throws CommentPageError, or FeedParseError at the thread's limits. */
  readCommentList(html: string, url: string, limits?: CommentListLimits): Promise<CommentListPage>;
  /** Reads an OPML list as parseOpml does. Throws OpmlError, at the thread's limits too. */
  readOpml(text: string): Promise<ParsedOpml>;
  close(): Promise<void>;
}

/** Creates the reader; a thread starts with the first job it takes and ends when idle. */
export function createFeedReader(limits: FeedReadLimits = defaultLimits): FeedReader {
  const pool = createWorkerPool<ReadingJob, FeedReadAnswer>({
    script: fileURLToPath(import.meta.url).replace(/read-feed\.(ts|js)$/, 'read-feed-worker.$1'),
    threads: Math.max(1, limits.threads ?? 1),
    timeoutMs: () => limits.timeoutMs,
    idleMs: limits.idleMs,
    // A young generation of 12 MB at most (4 MiB semi-spaces): a thread that reads every feed
    // would otherwise hold on to up to 32 MB of it between scavenges. Its objects die within
    // the job that made them; the event loop's outlive scavenges while their feed waits for
    // its transaction, hence its larger semi-spaces (src/node-options.ts).
    resourceLimits: { maxOldGenerationSizeMb: limits.memoryMb, maxYoungGenerationSizeMb: Math.min(12, Math.max(4, Math.floor(limits.memoryMb / 8))) },
  });

  const seconds = (ms: number) => `${Number((ms / 1000).toFixed(2))} s`;

  async function run(message: (id: number) => ReadingJob, what: string): Promise<FeedReadAnswer> {
    let answer: FeedReadAnswer;
    try {
      answer = await pool.run(message);
    } catch (err) {
      if (!(err instanceof WorkerPoolError)) throw err;
      const failure = err.failure;
      if (failure.kind === 'timeout') throw new FeedParseError('too-large', `${what} took longer than ${seconds(failure.limitMs)}`);
      if (failure.kind === 'memory') throw new FeedParseError('too-large', `${what} needed more than ${failure.limitMb} MB`);
      if (failure.kind === 'closed') throw new Error('reader: the feed could not be read: Palaver is shutting down');
      throw new Error(`reader: the feed reader stopped: ${failure.detail}`);
    }
    if ('parseError' in answer) throw new FeedParseError(answer.parseError.code, answer.parseError.message);
    if ('crash' in answer) throw new Error(`reader: the feed could not be read: ${answer.crash}`);
    return answer;
  }

  async function readJob(read: Extract<ReadingJob, { read: unknown }>['read']): Promise<Extract<FeedReadAnswer, { feed: unknown }>> {
    const answer = await run((id) => ({ id, read }), 'reading the feed');
    if (!('feed' in answer)) throw new Error('reader: a read answered without a feed');
    return answer;
  }

  return {
    async read(body, contentType, url) {
      return (await readJob({ body, contentType, url })).feed;
    },
    async readItems(body, contentType, url, items) {
      const answer = await readJob({ body, contentType, url, items: { ...items, at: items.at.getTime() } });
      if (!answer.itemHashes) throw new Error('reader: a read of items answered without their hashes');
      return { feed: answer.feed, itemHashes: answer.itemHashes, drafts: answer.drafts ?? null, digests: answer.digests ?? null };
    },
    async draft(items, kind, at) {
      if (items.length === 0) return [];
      const answer = await run((id) => ({ id, draft: { items, kind, at: at.getTime() } }), 'reading the items');
      if ('feed' in answer || !('drafts' in answer)) throw new Error('reader: a draft answered without drafts');
      return answer.drafts;
    },
    async readPage(html, url, headers) {
      const answer = await run((id) => ({ id, page: { html, url, headers, read: 'findings' } }), 'reading the page');
      // The page parsers' modules are loaded where a page is read, never by a thread that reads feeds.
      if ('refused' in answer) throw new (await import('./bounded-markup.ts')).MarkupLimitError(answer.refused.limit ?? 'elements', answer.refused.message);
      if (!('findings' in answer)) throw new Error('reader: a page answered without its findings');
      return answer.findings;
    },
    async readCommentList(html, url, limits) {
      const answer = await run((id) => ({ id, page: { html, url, read: 'comments', ...(limits ? { limits } : {}) } }), 'reading the comment page');
      if ('refused' in answer) throw new (await import('./comment-page.ts')).CommentPageError(answer.refused.message);
      if (!('comments' in answer)) throw new Error('reader: a comment page answered without its comments');
      return answer.comments;
    },
    async readOpml(text) {
      const { OpmlError } = await import('../feeds/opml.ts');
      let answer: FeedReadAnswer;
      try {
        answer = await run((id) => ({ id, opml: text }), 'reading the list');
      } catch (err) {
        // The thread's own time or memory limit: the list is refused as one past parseOpml's would be.
        if (err instanceof FeedParseError) throw new OpmlError(err.message);
        throw err;
      }
      if ('opmlRefused' in answer) throw new OpmlError(answer.opmlRefused);
      if (!('opml' in answer)) throw new Error('reader: a list answered without its outlines');
      return answer.opml;
    },
    close: () => pool.close(),
  };
}

let shared: FeedReader | null = null;

/**
 * The one reading thread of a process for what its own work did not bring a reader to (a feed
 * polled without the poller's threads, a blog being registered): started with its first job,
 * ended when idle.
 */
export function sharedFeedReader(): FeedReader {
  return (shared ??= createFeedReader());
}

/**
 * Decodes and parses a fetched feed body, a large one in `reader`'s thread (the shared one when
 * none is given). Throws FeedParseError ('too-large' too when the thread's time or memory limit
 * stopped it).
 */
export function readFeed(body: Buffer, contentType: string | null, url: string, reader?: Pick<FeedReader, 'read'>): Promise<ParsedFeed> {
  if (body.length < offThreadBytes) return readFeedHere(body, contentType, url);
  return (reader ?? sharedFeedReader()).read(body, contentType, url);
}

/**
 * Reads a body for a poll as FeedReader.readItems does, in `reader`'s thread when there is one
 * (the poller's reading threads). Without one, a body below offThreadBytes is read here, and
 * none of its items drafted (the caller drafts them in turns of the event loop of their own);
 * a larger one is read and drafted in the shared thread. Throws FeedParseError.
 */
export function readItems(body: Buffer, contentType: string | null, url: string, request: ReadItemsRequest, reader?: Pick<FeedReader, 'readItems'>): Promise<ReadItemsAnswer> {
  if (reader) return reader.readItems(body, contentType, url, request);
  if (body.length < offThreadBytes) return readItemsHere(body, contentType, url, { ...request, draftUpTo: 0 });
  return sharedFeedReader().readItems(body, contentType, url, request);
}

/**
 * Reads an imported OPML list (parseOpml), a large one in `reader`'s thread (the shared one when
 * none is given): 50,000 outlines held the event loop 0.3 s. Throws OpmlError.
 */
export async function readOpml(text: string, reader?: Pick<FeedReader, 'readOpml'>): Promise<ParsedOpml> {
  if (text.length < offThreadBytes) return (await import('../feeds/opml.ts')).parseOpml(text);
  return (reader ?? sharedFeedReader()).readOpml(text);
}
