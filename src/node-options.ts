// The V8 memory option every long-running Palaver process starts with: bin/palaver.js's first
// line, `npm start`, and the benchmarks' measured processes (test/node-options.test.ts keeps
// the three the same). The young generation is where a poll's short-lived objects die: with
// 4 MiB semi-spaces a cold ingest scavenged the event loop's heap every 14 ms (7 % of its time)
// and promoted what a feed waiting for its transaction still held. With 12 MiB ones the cold
// ingest of 1,000 WordPress feeds ran about 8 % faster at about 7 % less CPU per item (seven
// rounds beside 4 MiB, three pairs beside the build before), for 25 MiB more at peak polling
// 10,000 feeds (237 and 241 MiB against 212 and 216; 16 MiB reached 249 and 250). The old
// generation grows to about twice the live heap before a full collection rather than 2.5–3
// times (a growing factor of 1.25–1.5 saved 20 MiB more for about a tenth more CPU). Both have
// to be given at start: V8 sizes the heap once.
export const nodeMemoryOptions: readonly string[] = ['--max-semi-space-size=12', '--heap-growing-percent=100'];
