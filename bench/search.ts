// Search benchmark: a SQLite file of N entries (default 200,000) of 120 German words each, a few
// dozen common words and 50,000 invented ones ("wort1234"), searched for a common word, four
// common words, a rarer word, a prefix standing for thousands of words and a word no entry has:
// how long the event loop is held (the longest gap between 1 ms timer ticks) when the search runs
// through the search thread, against the same search run in place on the read connection.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { migrateToLatest } from '../src/db/migrate.ts';
import { openDatabase } from '../src/db/open.ts';
import { searchEntries } from '../src/store/search.ts';
import { createSearchThread } from '../src/web/search-thread.ts';
import type { Figure } from './poll.ts';
import { median } from './median.ts';

const words =
  'die der das und über Debatte Social Media Camp Blog Kommentar Antwort Zitat Link Original Gespräch Ort niemand kann lesen Genau deshalb braucht es einen an dem zusammenläuft mit Antworten Zitaten Links zu den Originalen verteilt sich viele Trackbacks'.split(
    ' ',
  );

/** Entry i's text: 120 words picked by a fixed sequence, every seventh followed by an invented one. */
function textOf(i: number): string {
  let text = '';
  let x = (i * 2654435761) >>> 0;
  for (let w = 0; w < 120; w++) {
    x = (x * 1103515245 + 12345) >>> 0;
    text += `${words[x % words.length]} ${w % 7 === 0 ? `wort${x % 50000} ` : ''}`;
  }
  return text;
}

/** The longest gap between 1 ms timer ticks while `work` runs, and how long it took. */
async function loopHeldWhile(work: () => Promise<unknown>): Promise<{ heldMs: number; tookMs: number }> {
  let last = performance.now();
  let held = 0;
  const tick = setInterval(() => {
    const t = performance.now();
    held = Math.max(held, t - last);
    last = t;
  }, 1);
  const started = performance.now();
  await work();
  const tookMs = performance.now() - started;
  // One more turn, so that a loop held to the end is counted too.
  await new Promise((r) => setTimeout(r, 5));
  clearInterval(tick);
  return { heldMs: Math.max(held, performance.now() - last), tookMs };
}

export async function benchSearch(options: { entries: number; runs: number }): Promise<Figure[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'palaver-bench-search-'));
  const database = openDatabase(path.join(dir, 'search.db'));
  const thread = createSearchThread(database.label, { timeoutMs: 60_000, maxWaiting: 4 });
  try {
    await migrateToLatest(database.db);
    const now = '2026-01-01T00:00:00.000Z';
    await database.db.insertInto('blogs').values({ id: 1, home_url: 'http://blog.example/', url_key: 'blog.example', title: 'Blog', created_at: now, updated_at: now }).execute();
    await database.db.insertInto('conversations').values({ id: 1, created_at: now, updated_at: now }).execute();
    const seeded = performance.now();
    for (let from = 1; from <= options.entries; from += 5000) {
      await database.db.transaction().execute(async (trx) => {
        for (let i = from; i < from + 5000 && i <= options.entries; i += 250) {
          const rows = Array.from({ length: Math.min(250, options.entries - i + 1) }, (_, k) => {
            const id = i + k;
            return {
              id, blog_id: 1, kind: 'comment' as const, identity: `guid:${id}`, guid: `g${id}`, url: `http://blog.example/p/${id}`, url_key: `blog.example/p/${id}`,
              title: `Titel ${id % 1000}`, content_html: '<p>x</p>', content_text: textOf(id), published_at: now, sort_at: now, content_hash: `h${id}`, first_seen_at: now, changed_at: now, conversation_id: 1,
            };
          });
          await trx.insertInto('entries').values(rows).execute();
        }
      });
    }
    const seedSeconds = (performance.now() - seeded) / 1000;
    // The thread's first search starts it; its start is not what is measured.
    await thread.search('Debatte', { limit: 50 });
    const queries = ['die', 'die der das und', 'Debatte', 'wort1', 'nichtda'];
    const figures: Figure[] = [];
    for (const q of queries) {
      const threaded: { heldMs: number; tookMs: number }[] = [];
      const inPlace: { heldMs: number; tookMs: number }[] = [];
      for (let run = 0; run < options.runs; run++) {
        threaded.push(await loopHeldWhile(() => thread.search(q, { limit: 50 })));
        inPlace.push(await loopHeldWhile(() => searchEntries(database.read, q, { limit: 50 })));
      }
      figures.push({
        name: `search "${q}" over ${options.entries.toLocaleString('en')} entries: event loop held`,
        value: median(threaded.map((r) => r.heldMs)),
        baseline: median(inPlace.map((r) => r.heldMs)),
        unit: 'ms',
        higherIsBetter: false,
        note: `the search through the search thread took ${median(threaded.map((r) => r.tookMs)).toFixed(0)} ms, in place ${median(inPlace.map((r) => r.tookMs)).toFixed(0)} ms (medians of ${options.runs}); entries of 120 words (${seedSeconds.toFixed(0)} s to store them); baseline: the same search in place on the read connection`,
      });
    }
    return figures;
  } finally {
    await thread.close();
    await database.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
