import { describe, expect, it } from 'vitest';
import { type VerificationJob, createVerificationQueue } from '../../src/inbound/queue.ts';

interface Job extends VerificationJob {
  id: number;
}

/** A run function whose jobs finish only when the test says so, recording what ran at once. */
function controlledRun() {
  const pending = new Map<number, { resolve: () => void; reject: (err: unknown) => void }>();
  const started: number[] = [];
  let current = 0;
  let peak = 0;
  const hostPeaks = new Map<string, number>();
  const hostCurrent = new Map<string, number>();
  const run = (job: Job) =>
    new Promise<void>((resolve, reject) => {
      const host = new URL(job.source).host;
      started.push(job.id);
      current++;
      peak = Math.max(peak, current);
      hostCurrent.set(host, (hostCurrent.get(host) ?? 0) + 1);
      hostPeaks.set(host, Math.max(hostPeaks.get(host) ?? 0, hostCurrent.get(host)!));
      const done = () => {
        current--;
        hostCurrent.set(host, hostCurrent.get(host)! - 1);
      };
      pending.set(job.id, {
        resolve: () => (done(), resolve()),
        reject: (err) => (done(), reject(err)),
      });
    });
  return {
    run,
    started,
    peak: () => peak,
    hostPeak: (host: string) => hostPeaks.get(host) ?? 0,
    finish: async (id: number) => {
      const p = pending.get(id);
      if (!p) throw new Error(`job ${id} is not running`);
      pending.delete(id);
      p.resolve();
      await settle();
    },
    finishAll: async () => {
      while (pending.size) {
        for (const id of [...pending.keys()]) {
          pending.get(id)!.resolve();
          pending.delete(id);
        }
        await settle();
      }
    },
  };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

const job = (id: number, source: string, target = 'http://localhost:3000/c/1'): Job => ({ id, source, target });

describe('createVerificationQueue', () => {
  it('answers full beyond its capacity and accepts again once jobs finish', async () => {
    const c = controlledRun();
    const queue = createVerificationQueue<Job>({ capacity: 3, concurrency: 1, perTargetHost: 1, run: c.run });
    expect([1, 2, 3, 4].map((i) => queue.enqueue(job(i, `https://s${i}.example/post`)))).toEqual(['queued', 'queued', 'queued', 'full']);
    expect(queue.size).toBe(3);
    await settle();
    expect(queue.running).toBe(1);
    await c.finish(1);
    expect(queue.size).toBe(2);
    expect(queue.enqueue(job(5, 'https://s5.example/post'))).toBe('queued');
    expect(queue.enqueue(job(6, 'https://s6.example/post'))).toBe('full');
    await c.finishAll();
    await queue.drain();
    expect(c.started).toEqual([1, 2, 3, 5]);
    expect(queue.size).toBe(0);
  });

  it('treats the same source and target as a duplicate while it waits or runs, and accepts it again after', async () => {
    const c = controlledRun();
    const queue = createVerificationQueue<Job>({ capacity: 10, concurrency: 1, perTargetHost: 1, run: c.run });
    expect(queue.enqueue(job(1, 'https://a.example/post'))).toBe('queued');
    expect(queue.enqueue(job(2, 'https://b.example/post'))).toBe('queued');
    await settle();
    expect(c.started).toEqual([1]);
    // 1 is running, 2 is waiting; both refuse a second copy, in any spelling of the same URLs.
    expect(queue.enqueue(job(3, 'http://www.a.example/post/'))).toBe('duplicate');
    expect(queue.enqueue(job(4, 'https://b.example/post?utm_source=x', 'http://localhost:3000/c/1/'))).toBe('duplicate');
    expect(queue.size).toBe(2);
    await c.finish(1);
    expect(queue.enqueue(job(5, 'https://a.example/post'))).toBe('queued');
    await c.finishAll();
    await queue.drain();
    expect(c.started).toEqual([1, 2, 5]);
  });

  it('runs at most one job per source URL at a time, even for different targets', async () => {
    const c = controlledRun();
    const queue = createVerificationQueue<Job>({ capacity: 10, concurrency: 5, perTargetHost: 5, run: c.run });
    queue.enqueue(job(1, 'https://a.example/post', 'http://localhost:3000/c/1'));
    queue.enqueue(job(2, 'https://a.example/post', 'http://localhost:3000/c/2'));
    queue.enqueue(job(3, 'https://a.example/other', 'http://localhost:3000/c/1'));
    await settle();
    expect(c.started).toEqual([1, 3]);
    await c.finish(1);
    expect(c.started).toEqual([1, 3, 2]);
    await c.finishAll();
    await queue.drain();
  });

  it('limits running jobs per fetched host without holding up other hosts', async () => {
    const c = controlledRun();
    const queue = createVerificationQueue<Job>({ capacity: 20, concurrency: 10, perTargetHost: 2, run: c.run });
    for (let i = 1; i <= 6; i++) queue.enqueue(job(i, `https://victim.example/page-${i}`));
    queue.enqueue(job(7, 'https://other.example/a'));
    queue.enqueue(job(8, 'https://other.example/b'));
    await settle();
    expect(c.started).toEqual([1, 2, 7, 8]);
    expect(queue.running).toBe(4);
    await c.finish(1);
    expect(c.started).toEqual([1, 2, 7, 8, 3]);
    await c.finishAll();
    await queue.drain();
    expect(c.hostPeak('victim.example')).toBe(2);
    expect(c.started.slice().sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('runs no more than the total concurrency', async () => {
    const c = controlledRun();
    const queue = createVerificationQueue<Job>({ capacity: 50, concurrency: 3, perTargetHost: 2, run: c.run });
    for (let i = 1; i <= 12; i++) expect(queue.enqueue(job(i, `https://s${i}.example/`))).toBe('queued');
    await settle();
    expect(queue.running).toBe(3);
    expect(c.started).toEqual([1, 2, 3]);
    await c.finishAll();
    await queue.drain();
    expect(c.peak()).toBe(3);
    expect(c.started).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  });

  it('reports errors thrown or rejected by run and keeps going', async () => {
    const errors: [string, number][] = [];
    const ran: number[] = [];
    const queue = createVerificationQueue<Job>({
      capacity: 10,
      concurrency: 2,
      perTargetHost: 2,
      run: async (j) => {
        ran.push(j.id);
        if (j.id === 1) throw new Error('sync-ish failure');
        if (j.id === 2) await Promise.reject(new Error('rejected'));
      },
      onError: (error, j) => errors.push([(error as Error).message, j.id]),
    });
    const syncThrower = createVerificationQueue<Job>({
      capacity: 1,
      concurrency: 1,
      perTargetHost: 1,
      run: () => {
        throw new Error('thrown synchronously');
      },
      onError: (error, j) => errors.push([(error as Error).message, j.id]),
    });
    queue.enqueue(job(1, 'https://a.example/'));
    queue.enqueue(job(2, 'https://b.example/'));
    queue.enqueue(job(3, 'https://c.example/'));
    syncThrower.enqueue(job(9, 'https://d.example/'));
    await Promise.all([queue.drain(), syncThrower.drain()]);
    expect(ran).toEqual([1, 2, 3]);
    expect(errors.sort()).toEqual([
      ['rejected', 2],
      ['sync-ish failure', 1],
      ['thrown synchronously', 9],
    ]);
    expect(queue.size).toBe(0);
  });

  it('survives an error reporter that throws, and errors without a reporter', async () => {
    const noisy = createVerificationQueue<Job>({
      capacity: 2,
      concurrency: 1,
      perTargetHost: 1,
      run: () => Promise.reject(new Error('x')),
      onError: () => {
        throw new Error('reporter broke');
      },
    });
    const silent = createVerificationQueue<Job>({ capacity: 2, concurrency: 1, perTargetHost: 1, run: () => Promise.reject(new Error('y')) });
    noisy.enqueue(job(1, 'https://a.example/'));
    noisy.enqueue(job(2, 'https://b.example/'));
    silent.enqueue(job(3, 'https://a.example/'));
    await Promise.all([noisy.drain(), silent.drain()]);
    expect([noisy.size, silent.size]).toEqual([0, 0]);
  });

  it('drains at once when idle', async () => {
    const queue = createVerificationQueue<Job>({ capacity: 1, concurrency: 1, perTargetHost: 1, run: () => undefined });
    await expect(queue.drain()).resolves.toBeUndefined();
  });

  it('refuses limits that are not positive integers', () => {
    expect(() => createVerificationQueue<Job>({ capacity: 0, concurrency: 1, perTargetHost: 1, run: () => undefined })).toThrow(
      /capacity must be a positive integer, got 0/,
    );
    expect(() => createVerificationQueue<Job>({ capacity: 1, concurrency: 1.5, perTargetHost: 1, run: () => undefined })).toThrow(/concurrency/);
  });
});
