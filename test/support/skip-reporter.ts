// Prints every skipped test with its reason at the end of a run, and writes them to
// test/artifacts/skipped-<suite>.json, where .ci/run finds skips CI does not accept (any skip
// not marked optional, and any skip without a reason).
import fs from 'node:fs';
import path from 'node:path';
import type { Reporter, TestModule, Vitest } from 'vitest/node';
import { optionalSkipMark } from './skips.ts';

export interface SkippedTest {
  file: string;
  name: string;
  reason: string | null;
  optional: boolean;
}

export default class SkipReporter implements Reporter {
  private filtered = false;

  constructor(private readonly suite: string) {}

  onInit(vitest: Vitest): void {
    // `vitest -t pattern` skips every other test: those are left out of the list.
    this.filtered = vitest.config.testNamePattern !== undefined;
  }

  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const skipped: SkippedTest[] = [];
    for (const module of testModules) {
      const file = path.relative(process.cwd(), module.moduleId);
      for (const test of module.children.allTests()) {
        const result = test.result();
        if (result.state !== 'skipped') continue;
        const note = result.note?.trim() || null;
        if (!note && this.filtered) continue;
        skipped.push({ file, name: test.fullName, reason: note?.replace(optionalSkipMark, '') ?? null, optional: note?.startsWith(optionalSkipMark) ?? false });
      }
    }
    const out = path.resolve('test/artifacts', `skipped-${this.suite}.json`);
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, `${JSON.stringify(skipped, null, 2)}\n`);
    if (skipped.length === 0) return;
    const lines = skipped.map((s) => `  ${s.file} > ${s.name}: ${s.reason ?? 'NO REASON GIVEN'}${s.optional ? ' (optional: CI accepts it)' : ''}`);
    process.stdout.write(`\nSkipped ${skipped.length} test${skipped.length === 1 ? '' : 's'}, and why:\n${lines.join('\n')}\n`);
  }
}
