// The V8 memory option every long-running Palaver process starts with: bin/palaver.js's first
// line, `npm start`, and the benchmarks' measured processes (test/node-options.test.ts keeps
// the three the same). Node 20's young generation grows to 16 MiB semi-spaces, and the old
// generation then grows to about twice the live heap before a full collection: a cold ingest
// peaked at about 230 MiB resident with 45 MiB of it live. With 4 MiB semi-spaces it peaks at
// about 150–170 MiB for the same CPU time. The old generation still grew to 2.5–3 times the live
// heap (120 MiB for 40–50 live) before a full collection; a growing factor of 2 keeps it near
// twice (a cold ingest of 2,000 feeds from dist/: peak 158 MiB instead of 216, CPU within the
// runs beside it; a factor of 1.25–1.5 saved 20 MiB more for about a tenth more CPU). Both have
// to be given at start: V8 sizes the heap once.
export const nodeMemoryOptions: readonly string[] = ['--max-semi-space-size=4', '--heap-growing-percent=100'];
