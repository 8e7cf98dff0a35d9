// Debate map benchmark: the map of the 500-entry conversation the page benchmark seeds (5 blogs,
// posts and threaded comments), drawn on a cache miss: reading its data, laying it out and
// drawing the SVG, against a baseline of the store read alone in the same run, and its size.
import { performance } from 'node:perf_hooks';
import { migrateToLatest } from '../src/db/migrate.ts';
import { openDatabase } from '../src/db/open.ts';
import { readConversationShape } from '../src/store/conversations.ts';
import { readDebateMap } from '../src/store/debate-map.ts';
import { assignBlogMarks } from '../src/views/blog-marks.ts';
import { renderDebateMapFigure } from '../src/views/debate-map/figure.ts';
import { seedConversation } from './pages.ts';
import type { Figure } from './poll.ts';
import { median } from './median.ts';

/** Times the map of an `entries`-entry conversation over `samples` cache misses. */
export async function benchDebateMap(options: { entries: number; samples: number }): Promise<Figure[]> {
  const database = openDatabase(':memory:');
  await migrateToLatest(database.db);
  const id = await seedConversation(database, options.entries);
  const reads: number[] = [];
  const totals: number[] = [];
  const draws: number[] = [];
  let bytes = 0;
  for (let k = 0; k < options.samples; k++) {
    const t0 = performance.now();
    const data = await readDebateMap(database.db, id, await readConversationShape(database.db, id));
    const t1 = performance.now();
    const figure = renderDebateMapFigure({ data, marks: assignBlogMarks(data.entries), locale: 'de', timeZone: 'Europe/Berlin', hrefOf: (e) => `#e-${e}`, svgHref: `/c/${id}/map.svg` }).value;
    const t2 = performance.now();
    reads.push(t1 - t0);
    draws.push(t2 - t1);
    totals.push(t2 - t0);
    bytes = Buffer.byteLength(figure);
  }
  await database.close();
  const n = options.entries;
  return [
    { name: `debate map, ${n} entries, cache miss (read + lay out + draw)`, value: median(totals), unit: 'ms', baseline: median(reads), higherIsBetter: false, note: `target ≤ 20 ms; baseline: reading the map's data alone; lay out + draw alone ${median(draws).toFixed(2)} ms; median of ${options.samples}` },
    { name: `debate map, ${n} entries, figure size`, value: bytes / 1024, unit: 'KiB', baseline: null, higherIsBetter: false, note: 'budget 150 KB' },
  ];
}
