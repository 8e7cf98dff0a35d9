// Shared assertions of the hostile suite: errors in plain words, memory within a stated bound
// (recorded on the test for the closing table), and the service still answering meanwhile.
import { expect, type TestContext } from 'vitest';
import type { World } from './world.ts';

declare module 'vitest' {
  interface TaskMeta {
    /** Peak RSS growth seen while the case ran, in MB, and the bound it was held to. */
    peakRssMb?: number;
    boundMb?: number;
    /** The slowest /health answer while the case ran, in ms. */
    slowestHealthMs?: number;
    /** A figure for the closing table in words (kill counts, restart timing). */
    note?: string;
  }
}

/** Asserts a message is for people: matches `pattern` and carries no stack, no object dump, no "undefined". */
export function expectPlainWords(message: string | null | undefined, pattern: RegExp): void {
  expect(message, 'an error message').toBeTruthy();
  expect(message).toMatch(pattern);
  expect(message).not.toMatch(/\bat .+\.(ts|js):\d+|\[object |\bundefined\b|\bnull\b|TypeError|ReferenceError|ERR_[A-Z_]+\b(?!\))/);
  expect(message!.length).toBeLessThan(600);
}

/** Records a memory figure on the test and asserts it stays under the bound. */
export function expectMemoryBound(ctx: TestContext, peakDeltaMb: number, boundMb: number): void {
  ctx.task.meta.peakRssMb = Math.round(peakDeltaMb * 10) / 10;
  ctx.task.meta.boundMb = boundMb;
  expect(peakDeltaMb, `peak RSS growth ${peakDeltaMb.toFixed(1)} MB`).toBeLessThan(boundMb);
}

/**
 * Runs `work` while asking /health every 50 ms; asserts every answer was 200 and none took
 * longer than `boundMs` (recorded on the test when a context is given).
 */
export async function whileServing<T>(world: World, work: () => Promise<T>, options: { boundMs?: number; ctx?: TestContext } = {}): Promise<T> {
  let done = false;
  const answers: { status: number; ms: number }[] = [];
  const probe = (async () => {
    while (!done) {
      const t = performance.now();
      const res = await world.app.inject({ method: 'GET', url: '/health' });
      answers.push({ status: res.statusCode, ms: performance.now() - t });
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  try {
    return await work();
  } finally {
    done = true;
    await probe;
    expect(answers.length).toBeGreaterThan(0);
    expect(answers.every((a) => a.status === 200)).toBe(true);
    const slowest = Math.max(...answers.map((a) => a.ms));
    if (options.ctx) options.ctx.task.meta.slowestHealthMs = Math.round(slowest);
    // Generous: the event loop must not be blocked for long by the hostile answer.
    expect(slowest).toBeLessThan(options.boundMs ?? 1500);
  }
}
