// The search thread of a SQLite file: the same hits as a search in place, commits seen as they
// land, a search past its time limit stopped with 503 and the next one answered by a new thread,
// and searches past the waiting bound refused at once.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { openDatabase, type OpenedSqlite } from '../../src/db/open.ts';
import { searchEntries } from '../../src/store/search.ts';
import { HttpError } from '../../src/web/errors.ts';
import { createSearchThread, type SearchThread, type SearchThreadLimits } from '../../src/web/search-thread.ts';

let dir: string;
let database: OpenedSqlite;
let thread: SearchThread | null = null;
const now = '2026-01-01T00:00:00.000Z';

/** Entries `from`…`to` of one blog's conversation, `id` minutes into 2008-11-01, with `text`. */
async function seed(from: number, to: number, title: string, text: string) {
  const rows = Array.from({ length: to - from + 1 }, (_, k) => {
    const i = from + k;
    const at = new Date(Date.UTC(2008, 10, 1) + i * 60_000).toISOString();
    return {
      id: i, blog_id: 1, kind: 'post' as const, identity: `guid:${i}`, guid: `g${i}`, url: `http://blog.example/${i}/`, url_key: `blog.example/${i}`,
      title, content_html: '<p>x</p>', content_text: text, published_at: at, sort_at: at, content_hash: `h${i}`, first_seen_at: now, changed_at: now, conversation_id: 1,
    };
  });
  for (let k = 0; k < rows.length; k += 500) await database.db.insertInto('entries').values(rows.slice(k, k + 500)).execute();
}

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'palaver-search-'));
  database = openDatabase(path.join(dir, 'palaver.db'));
  await migrateToLatest(database.db);
  await database.db.insertInto('blogs').values({ id: 1, home_url: 'http://blog.example/', url_key: 'blog.example', title: 'Blog', created_at: now, updated_at: now }).execute();
  await database.db.insertInto('conversations').values({ id: 1, created_at: now, updated_at: now }).execute();
  await seed(1, 3000, 'Ein Beitrag', 'Zur Debatte steht das Camp.');
});
afterEach(async () => {
  await thread?.close();
  thread = null;
  await database.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('the search thread', () => {
  it('answers as a search in place does, and sees what was committed since', async () => {
    thread = createSearchThread(database.label, { timeoutMs: 20_000, maxWaiting: 4 });
    const here = await searchEntries(database.read, 'Debatte', { limit: 5 });
    expect(here).toHaveLength(5);
    expect(await thread.search('Debatte', { limit: 5 })).toEqual(here);
    await seed(3001, 3001, 'Debatte', 'Die neue Debatte.');
    expect((await thread.search('Debatte', { limit: 5 }))[0]!.entryId).toBe(3001);
  });

  it('stops a search past its time limit with 503, and answers the next from a new thread', async () => {
    const limits: SearchThreadLimits = { timeoutMs: 1, maxWaiting: 4 };
    thread = createSearchThread(database.label, limits);
    // A thousand matches ranked, with their snippets, take longer than a millisecond. On a busy
    // machine the answer can still come back in the same turn of the event loop as the limit's
    // timer, and an answer that came back is taken (1 run in 12 beside two other suites): so the
    // search is asked up to five times, until one is stopped.
    let stopped: unknown;
    for (let attempt = 0; attempt < 5 && stopped === undefined; attempt++) {
      stopped = await thread.search('Debatte', { limit: 50 }).then(
        () => undefined,
        (err: unknown) => err,
      );
    }
    expect(stopped).toSatisfy((err: unknown) => err instanceof HttpError && err.statusCode === 503 && /took longer than 0.001 s/.test(err.message));
    limits.timeoutMs = 20_000;
    expect(await thread.search('Debatte', { limit: 5 })).toHaveLength(5);
  });

  it('refuses a search at once while its waiting searches are at their bound', async () => {
    thread = createSearchThread(database.label, { timeoutMs: 20_000, maxWaiting: 2 });
    const first = [thread.search('Debatte', { limit: 5 }), thread.search('Camp', { limit: 5 })];
    await expect(thread.search('steht', { limit: 5 })).rejects.toSatisfy((err: unknown) => err instanceof HttpError && err.statusCode === 503 && err.retryAfterSeconds === 5);
    expect((await Promise.all(first)).map((hits) => hits.length)).toEqual([5, 5]);
  });
});
