// The bounded in-process queue of ping verifications: who runs when, so that Palaver cannot be
// made to flood a site (the 2014 WordPress pingback DDoS). It only moves jobs; `run` does the work.
import { urlKey } from '../domain/url-key.ts';

export interface VerificationJob {
  source: string;
  target: string;
}

export interface VerificationQueueOptions<J extends VerificationJob> {
  /** Jobs held at once, waiting and running together; beyond it enqueue answers 'full' (503/429). */
  capacity: number;
  /** Jobs running at once over all hosts. */
  concurrency: number;
  /**
   * Jobs running at once whose verification fetch goes to the same host, that is the host of
   * `job.source`: the site a flood of pings would make Palaver hit. (The ping's own target is one
   * of ours or a registered blog, so limiting by it would protect nothing.)
   */
  perTargetHost: number;
  run: (job: J) => Promise<void> | void;
  /** Gets whatever `run` threw or rejected with; the queue carries on either way. */
  onError?: (error: unknown, job: J) => void;
}

export type EnqueueResult = 'queued' | 'duplicate' | 'full';

export interface VerificationQueue<J extends VerificationJob> {
  /** Adds a job unless the same source and target is already waiting or running, or the queue is full. */
  enqueue(job: J): EnqueueResult;
  /** Resolves once nothing is waiting or running (tests, shutdown). */
  drain(): Promise<void>;
  /** Jobs waiting plus running. */
  readonly size: number;
  readonly running: number;
}

interface Slot<J> {
  job: J;
  pairKey: string;
  sourceKey: string;
  hostKey: string;
}

function checkLimit(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`verification queue: ${name} must be a positive integer, got ${value}`);
}

function hostOf(key: string): string {
  return key.split(/[/?#]/)[0] ?? key;
}

/** Creates a verification queue with the given limits; jobs start as soon as their limits allow. */
export function createVerificationQueue<J extends VerificationJob>(options: VerificationQueueOptions<J>): VerificationQueue<J> {
  checkLimit('capacity', options.capacity);
  checkLimit('concurrency', options.concurrency);
  checkLimit('perTargetHost', options.perTargetHost);

  const waiting: Slot<J>[] = [];
  const pairs = new Set<string>();
  const runningSources = new Set<string>();
  const runningPerHost = new Map<string, number>();
  let running = 0;
  let idleWaiters: (() => void)[] = [];

  const report = (error: unknown, job: J) => {
    try {
      options.onError?.(error, job);
    } catch {
      // A failing error reporter must not take the queue (or the process) down with it.
    }
  };

  const canStart = (slot: Slot<J>) =>
    !runningSources.has(slot.sourceKey) && (runningPerHost.get(slot.hostKey) ?? 0) < options.perTargetHost;

  // A linear scan per start: waiting is bounded by capacity, and skipping blocked jobs keeps one
  // slow host from holding up everyone else's verifications (no head-of-line blocking).
  const pump = () => {
    while (running < options.concurrency) {
      const index = waiting.findIndex(canStart);
      if (index === -1) break;
      const [slot] = waiting.splice(index, 1);
      start(slot!);
    }
    if (running === 0 && waiting.length === 0) {
      const waiters = idleWaiters;
      idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  };

  const start = (slot: Slot<J>) => {
    running++;
    runningSources.add(slot.sourceKey);
    runningPerHost.set(slot.hostKey, (runningPerHost.get(slot.hostKey) ?? 0) + 1);
    // Through a promise so that a synchronous throw in run is caught like a rejection.
    Promise.resolve()
      .then(() => options.run(slot.job))
      .catch((error: unknown) => report(error, slot.job))
      .finally(() => {
        running--;
        runningSources.delete(slot.sourceKey);
        const left = (runningPerHost.get(slot.hostKey) ?? 1) - 1;
        if (left > 0) runningPerHost.set(slot.hostKey, left);
        else runningPerHost.delete(slot.hostKey);
        pairs.delete(slot.pairKey);
        pump();
      })
      .catch((error: unknown) => report(error, slot.job));
  };

  return {
    enqueue(job) {
      const sourceKey = urlKey(job.source) ?? job.source;
      const pairKey = `${sourceKey} ${urlKey(job.target) ?? job.target}`;
      if (pairs.has(pairKey)) return 'duplicate';
      if (waiting.length + running >= options.capacity) return 'full';
      pairs.add(pairKey);
      waiting.push({ job, pairKey, sourceKey, hostKey: hostOf(sourceKey) });
      pump();
      return 'queued';
    },
    drain() {
      if (running === 0 && waiting.length === 0) return Promise.resolve();
      return new Promise<void>((resolve) => idleWaiters.push(resolve));
    },
    get size() {
      return waiting.length + running;
    },
    get running() {
      return running;
    },
  };
}
