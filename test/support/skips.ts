// Skipping a test always says why. A skip for something a machine may lack and CI need not have
// (the shared corpus outside the repository, IPv6 loopback, permission to mount a tmpfs) is
// marked optional; .ci/run fails on every other skip (test/support/skip-reporter.ts lists them).
import type { TestContext } from 'vitest';

/** Marks the reason of a skip that CI accepts. */
export const optionalSkipMark = '(optional) ';

/** Skips the running test for a reason CI accepts: the machine lacks something it need not have. */
export function skipOptional(ctx: Pick<TestContext, 'skip'>, reason: string): never {
  return ctx.skip(`${optionalSkipMark}${reason}`);
}
