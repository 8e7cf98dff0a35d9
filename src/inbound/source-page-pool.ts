// Reads ping source pages in worker threads with a time and a memory limit each: parsing a
// hostile page (megabytes of markup, tens of thousands of h-entries) then costs a worker that is
// stopped at its limit, never the event loop. It only runs jobs; verify-source.ts reads pages.
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { workerBootstrap } from '../worker-bootstrap.ts';
import type { SourcePage, VerifySourceResult } from './verify-source.ts';

export interface SourcePageLimits {
  /** Time one page may take to read, from when its worker starts on it. */
  timeoutMs: number;
  /** Heap a worker may use (V8 old generation), in MB. */
  memoryMb: number;
  /** Workers reading at once. */
  workers: number;
  /** An idle worker ends after this long (it starts again on the next page). */
  idleMs?: number;
}

export interface SourcePagePool {
  read(page: SourcePage): Promise<VerifySourceResult>;
  close(): Promise<void>;
}

interface Job {
  page: SourcePage;
  resolve: (result: VerifySourceResult) => void;
}

interface Slot {
  worker: Worker;
  ready: boolean;
  job: (Job & { id: number; timer: NodeJS.Timeout }) | null;
  idleTimer: NodeJS.Timeout | null;
  ended: boolean;
}

// The worker is TypeScript: it registers tsx itself, so it runs the same whether Palaver was
// started with --import tsx, from the test runner, or from compiled JavaScript.
function bootstrapCode(): string {
  return workerBootstrap(fileURLToPath(import.meta.url).replace(/source-page-pool\.(ts|js)$/, 'source-page-worker.$1'));
}

function limitError(message: string): VerifySourceResult {
  return { status: 'error', permanent: true, message };
}

/** Creates the pool; no worker starts before the first page. */
export function createSourcePagePool(limits: SourcePageLimits): SourcePagePool {
  const waiting: Job[] = [];
  const slots = new Set<Slot>();
  let nextId = 1;
  let closed = false;
  const code = bootstrapCode();
  const idleMs = limits.idleMs ?? 60_000;

  const seconds = (ms: number) => `${Number((ms / 1000).toFixed(2))} s`;

  function finish(slot: Slot, result: VerifySourceResult): void {
    const job = slot.job;
    if (!job) return;
    clearTimeout(job.timer);
    slot.job = null;
    job.resolve(result);
  }

  function end(slot: Slot, result: VerifySourceResult): void {
    if (slot.ended) return;
    slot.ended = true;
    slots.delete(slot);
    if (slot.idleTimer) clearTimeout(slot.idleTimer);
    finish(slot, result);
    void slot.worker.terminate();
    // A worker that cannot even start would fail again: the pages waiting for it fail now,
    // instead of a loop of new workers.
    if (!slot.ready) {
      const reason: VerifySourceResult = { status: 'error', message: `the source page could not be read: its reader did not start (${result.status === 'error' ? result.message : 'unknown'})` };
      for (const job of waiting.splice(0)) job.resolve(reason);
      return;
    }
    pump();
  }

  function spawn(): Slot {
    const worker = new Worker(code, {
      eval: true,
      execArgv: [],
      resourceLimits: { maxOldGenerationSizeMb: limits.memoryMb, maxYoungGenerationSizeMb: Math.min(32, Math.max(4, Math.floor(limits.memoryMb / 4))) },
    });
    // An idle worker never keeps the process alive.
    worker.unref();
    const slot: Slot = { worker, ready: false, job: null, idleTimer: null, ended: false };
    worker.on('message', (message: { ready?: true; id?: number; result?: VerifySourceResult }) => {
      if (message.ready) {
        slot.ready = true;
        pump();
        return;
      }
      if (slot.job && message.id === slot.job.id && message.result) {
        finish(slot, message.result);
        pump();
      }
    });
    worker.on('error', (err: Error & { code?: string }) => {
      end(
        slot,
        err.code === 'ERR_WORKER_OUT_OF_MEMORY'
          ? limitError(`reading the source page needed more than ${limits.memoryMb} MB, the memory limit for a ping's source`)
          : { status: 'error', message: `the source page could not be read: ${err.message}` },
      );
    });
    worker.on('exit', () => end(slot, { status: 'error', message: 'the source page could not be read: its reader stopped' }));
    slots.add(slot);
    return slot;
  }

  function pump(): void {
    if (closed) return;
    for (const slot of slots) {
      if (waiting.length === 0) break;
      if (!slot.ready || slot.job || slot.ended) continue;
      const job = waiting.shift()!;
      const id = nextId++;
      if (slot.idleTimer) clearTimeout(slot.idleTimer);
      slot.idleTimer = null;
      const timer = setTimeout(() => end(slot, limitError(`reading the source page took longer than ${seconds(limits.timeoutMs)}, the time limit for a ping's source`)), limits.timeoutMs);
      slot.job = { ...job, id, timer };
      slot.worker.ref();
      slot.worker.postMessage({ id, page: job.page });
    }
    // Start workers up to the limit for pages still waiting.
    let starting = [...slots].filter((s) => !s.ready).length;
    while (waiting.length > starting && slots.size < limits.workers) {
      spawn();
      starting += 1;
    }
    for (const slot of slots) {
      if (slot.ready && !slot.job && !slot.ended) {
        slot.worker.unref();
        slot.idleTimer ??= setTimeout(() => end(slot, { status: 'error', message: 'idle' }), idleMs);
        slot.idleTimer.unref();
      }
    }
  }

  return {
    read(page) {
      if (closed) return Promise.resolve({ status: 'error', message: 'the source page could not be read: Palaver is shutting down' });
      return new Promise((resolve) => {
        waiting.push({ page, resolve });
        pump();
      });
    },
    async close() {
      closed = true;
      for (const job of waiting.splice(0)) job.resolve({ status: 'error', message: 'the source page could not be read: Palaver is shutting down' });
      await Promise.all(
        [...slots].map(async (slot) => {
          slot.ended = true;
          if (slot.idleTimer) clearTimeout(slot.idleTimer);
          finish(slot, { status: 'error', message: 'the source page could not be read: Palaver is shutting down' });
          await slot.worker.terminate();
        }),
      );
      slots.clear();
    },
  };
}
