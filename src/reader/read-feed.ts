// Reads a fetched feed body: decode → parse. A large body is read in a worker thread
// (read-feed-worker.ts) with a time and a memory limit, so a feed of megabytes never holds the
// event loop that answers pages, feeds and pings; small ones, nearly all, are read in place,
// where a thread's round trip would cost more than it saves.
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { workerBootstrap } from '../worker-bootstrap.ts';
import { decodeText } from './decode.ts';
import { parseFeed } from './parse-feed.ts';
import { FeedParseError, type FeedParseErrorCode, type ParsedFeed } from './types.ts';

/** Bodies from this size on are read off the event loop (a 128 KiB feed parses in about 20 ms). */
export const offThreadBytes = 128 * 1024;

export interface FeedReadLimits {
  /** Time one feed may take to read in the worker. */
  timeoutMs: number;
  /** Heap the worker may use (V8 old generation), in MB. */
  memoryMb: number;
  /** An idle worker ends after this long. */
  idleMs: number;
}

const defaultLimits: FeedReadLimits = { timeoutMs: 20_000, memoryMb: 512, idleMs: 30_000 };

/** What the worker answers for one body. */
export type FeedReadAnswer = { id: number; feed: ParsedFeed } | { id: number; parseError: { code: FeedParseErrorCode; message: string } } | { id: number; crash: string };

/** Decodes and parses a feed body in this thread. Throws FeedParseError. */
export function readFeedHere(body: Buffer, contentType: string | null, url: string): Promise<ParsedFeed> {
  return parseFeed(decodeText(body, contentType, 'xml').text, url);
}

interface Job {
  id: number;
  body: Buffer;
  contentType: string | null;
  url: string;
  resolve: (feed: ParsedFeed) => void;
  reject: (err: Error) => void;
}

/** One worker thread reading feed bodies in turn (this machine class has two cores: one reads, one serves). */
export interface FeedReader {
  read(body: Buffer, contentType: string | null, url: string): Promise<ParsedFeed>;
  close(): Promise<void>;
}

/** Creates a reader; its worker starts with the first body and ends when idle. */
export function createFeedReader(limits: FeedReadLimits = defaultLimits): FeedReader {
  const code = workerBootstrap(fileURLToPath(import.meta.url).replace(/read-feed\.(ts|js)$/, 'read-feed-worker.$1'));
  const waiting: Job[] = [];
  let worker: Worker | null = null;
  let current: (Job & { timer: NodeJS.Timeout }) | null = null;
  let idleTimer: NodeJS.Timeout | null = null;
  let nextId = 1;

  const seconds = (ms: number) => `${Number((ms / 1000).toFixed(2))} s`;

  function stop(reason: Error): void {
    const w = worker;
    worker = null;
    if (idleTimer) clearTimeout(idleTimer);
    idleTimer = null;
    if (current) {
      clearTimeout(current.timer);
      current.reject(reason);
      current = null;
    }
    if (w) void w.terminate();
    pump();
  }

  function start(): Worker {
    const w = new Worker(code, {
      eval: true,
      execArgv: [],
      resourceLimits: { maxOldGenerationSizeMb: limits.memoryMb, maxYoungGenerationSizeMb: Math.min(32, Math.max(4, Math.floor(limits.memoryMb / 8))) },
    });
    w.on('message', (answer: FeedReadAnswer) => {
      if (w !== worker || !current || answer.id !== current.id) return;
      const job = current;
      current = null;
      clearTimeout(job.timer);
      if ('feed' in answer) job.resolve(answer.feed);
      else if ('parseError' in answer) job.reject(new FeedParseError(answer.parseError.code, answer.parseError.message));
      else job.reject(new Error(`reader: the feed could not be read: ${answer.crash}`));
      pump();
    });
    w.on('error', (err: Error & { code?: string }) => {
      if (w !== worker) return;
      stop(
        err.code === 'ERR_WORKER_OUT_OF_MEMORY'
          ? new FeedParseError('too-large', `reading the feed needed more than ${limits.memoryMb} MB`)
          : new Error(`reader: the feed reader stopped: ${err.message}`),
      );
    });
    w.on('exit', (exitCode) => {
      if (w === worker) stop(new Error(`reader: the feed reader stopped (exit code ${exitCode})`));
    });
    return w;
  }

  function pump(): void {
    if (current) return;
    const job = waiting.shift();
    if (!job) {
      // An idle worker never keeps the process alive, and ends after a while.
      if (worker) {
        worker.unref();
        idleTimer ??= setTimeout(endIdle, limits.idleMs);
        idleTimer.unref();
      }
      return;
    }
    if (idleTimer) clearTimeout(idleTimer);
    idleTimer = null;
    worker ??= start();
    worker.ref();
    const timer = setTimeout(() => stop(new FeedParseError('too-large', `reading the feed took longer than ${seconds(limits.timeoutMs)}`)), limits.timeoutMs);
    current = { ...job, timer };
    worker.postMessage({ id: job.id, body: job.body, contentType: job.contentType, url: job.url });
  }

  function endIdle(): void {
    const w = worker;
    if (!w || current) return;
    worker = null;
    idleTimer = null;
    void w.terminate();
  }

  return {
    read(body, contentType, url) {
      return new Promise((resolve, reject) => {
        waiting.push({ id: nextId++, body, contentType, url, resolve, reject });
        pump();
      });
    },
    async close() {
      const w = worker;
      worker = null;
      if (idleTimer) clearTimeout(idleTimer);
      idleTimer = null;
      const stopped = new Error('reader: the feed could not be read: Palaver is shutting down');
      if (current) {
        clearTimeout(current.timer);
        current.reject(stopped);
        current = null;
      }
      for (const job of waiting.splice(0)) job.reject(stopped);
      if (w) await w.terminate();
    },
  };
}

let shared: FeedReader | null = null;

/**
 * Decodes and parses a fetched feed body, a large one in the shared worker thread. Throws
 * FeedParseError ('too-large' too when the worker's time or memory limit stopped it).
 */
export function readFeed(body: Buffer, contentType: string | null, url: string): Promise<ParsedFeed> {
  if (body.length < offThreadBytes) return readFeedHere(body, contentType, url);
  shared ??= createFeedReader();
  return shared.read(body, contentType, url);
}
