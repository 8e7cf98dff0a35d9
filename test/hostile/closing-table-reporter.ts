// Prints the hostile suite's closing table: cases tried per group (the top-level describe of
// each file), passed, failed, skipped, and the memory figures the bounded cases recorded.
import type { Reporter, TestModule } from 'vitest/node';

export default class ClosingTableReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const groups = new Map<string, { tried: number; passed: number; failed: number; skipped: number }>();
    const memory: string[] = [];
    const latency: string[] = [];
    const notes: string[] = [];
    for (const module of testModules) {
      for (const test of module.children.allTests()) {
        const group = test.fullName.split(' > ')[0] ?? module.moduleId;
        const row = groups.get(group) ?? { tried: 0, passed: 0, failed: 0, skipped: 0 };
        const state = test.result().state;
        if (state === 'skipped' || state === 'pending') row.skipped += 1;
        else {
          row.tried += 1;
          if (state === 'passed') row.passed += 1;
          else row.failed += 1;
        }
        groups.set(group, row);
        const meta = test.meta();
        if (meta.peakRssMb !== undefined) memory.push(`  ${test.fullName}: peak RSS +${meta.peakRssMb} MB (bound ${meta.boundMb} MB)`);
        if (meta.note !== undefined) notes.push(`  ${test.fullName}: ${meta.note}`);
        if (meta.slowestHealthMs !== undefined) latency.push(`  ${test.fullName}: slowest /health ${meta.slowestHealthMs} ms`);
      }
    }
    const rows = [...groups.entries()].sort(([a], [b]) => a.localeCompare(b));
    const total = rows.reduce((t, [, r]) => ({ tried: t.tried + r.tried, passed: t.passed + r.passed, failed: t.failed + r.failed, skipped: t.skipped + r.skipped }), { tried: 0, passed: 0, failed: 0, skipped: 0 });
    const width = Math.max(8, ...rows.map(([g]) => g.length));
    const line = (g: string, r: { tried: number; passed: number; failed: number; skipped: number }) =>
      `${g.padEnd(width)}  ${String(r.tried).padStart(5)}  ${String(r.passed).padStart(6)}  ${String(r.failed).padStart(6)}  ${String(r.skipped).padStart(7)}`;
    const out = [
      '',
      'Hostile suite: closing table',
      `${'group'.padEnd(width)}  ${'tried'.padStart(5)}  ${'passed'.padStart(6)}  ${'failed'.padStart(6)}  ${'skipped'.padStart(7)}`,
      ...rows.map(([g, r]) => line(g, r)),
      line('total', total),
      ...(memory.length ? ['', 'Memory (peak RSS growth while the case ran):', ...memory] : []),
      ...(latency.length ? ['', 'Service answers meanwhile:', ...latency] : []),
      ...(notes.length ? ['', 'Figures:', ...notes] : []),
      '',
    ];
    process.stdout.write(`${out.join('\n')}\n`);
  }
}
