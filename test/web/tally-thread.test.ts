// The tally thread: the registry's ranking of mentioned sites and its blogs' entries, a blog's
// comment gaps and the sites one debate mentions read in a thread of their own from the SQLite
// file, the same as read on the event loop; a service on a file reads them there and not on its
// own connections.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { openDatabase, type OpenedDatabase } from '../../src/db/open.ts';
import { createTallyThread, talliesOn, tallyThreadAboveEntries, unlessBusy, type Tallies } from '../../src/web/tally-thread.ts';
import { createService, type Service } from '../../src/service.ts';
import { buildApp } from '../../src/app.ts';
import { HttpError } from '../../src/web/errors.ts';
import { testConfig } from '../support/app.ts';
import { recordStatements } from '../support/statements.ts';

const now = '2026-01-01T00:00:00.000Z';
let dir: string;
let file: string;
let database: OpenedDatabase | undefined;
let tallies: Tallies | undefined;
let app: Service | undefined;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'palaver-tallies-'));
  file = path.join(dir, 'palaver.db');
});
afterEach(async () => {
  await tallies?.close();
  await app?.stop();
  await database?.close();
  [tallies, app, database] = [undefined, undefined, undefined];
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A blog whose post reports 7 comments Palaver has none of, and links to two sites no blog is on. */
async function fill(db: OpenedDatabase['db'], entryCount = 1): Promise<{ blogId: number; conversationId: number }> {
  const blog = await db.insertInto('blogs').values({ home_url: 'http://a.example/', url_key: 'a.example', site: 'a.example', title: 'A', created_at: now, updated_at: now }).returning('id').executeTakeFirstOrThrow();
  // A debate's size as its row says it decides where its reads run: its entries need not be there.
  const { id: conversationId } = await db.insertInto('conversations').values({ entry_count: entryCount, created_at: now, updated_at: now }).returning('id').executeTakeFirstOrThrow();
  const post = await db
    .insertInto('entries')
    .values({ blog_id: blog.id, kind: 'post', identity: 'p1', url: 'http://a.example/p1/', url_key: 'a.example/p1', title: 'Ein Beitrag', content_html: '<p>x</p>', published_at: now, sort_at: now, content_hash: 'h', first_seen_at: now, changed_at: now, conversation_id: conversationId, comment_count: 7 })
    .returning('id')
    .executeTakeFirstOrThrow();
  const link = (site: string, n: number) => ({ from_entry_id: post.id, type: 'links-to' as const, target: `url:${site}/${n}`, to_url: `http://${site}/${n}/`, to_site: site, created_at: now });
  await db.insertInto('edges').values([link('b.example', 1), link('b.example', 2), link('c.example', 1)]).execute();
  return { blogId: blog.id, conversationId };
}

describe('createTallyThread', () => {
  it('reads in its thread what the same reads give on the event loop', async () => {
    database = openDatabase(file);
    await migrateToLatest(database.db);
    const { blogId, conversationId } = await fill(database.db);
    tallies = createTallyThread(file, { timeoutMs: 10_000, maxWaiting: 4 });
    const here = talliesOn(database.read);
    const page = { limit: 20, offset: 0 };
    const sites = await tallies.suggestedSites(page);
    expect(sites.map((s) => [s.site, s.linkCount])).toEqual([['b.example', 2], ['c.example', 1]]);
    expect(sites).toEqual(await here.suggestedSites(page));
    expect(await tallies.suggestedSites({ limit: 1, offset: 1 })).toEqual(await here.suggestedSites({ limit: 1, offset: 1 }));
    const gaps = await tallies.commentGaps(blogId);
    expect(gaps.map((g) => [g.title, g.reported, g.known, g.missing])).toEqual([['Ein Beitrag', 7, 0, 7]]);
    expect(gaps).toEqual(await here.commentGaps(blogId));
    expect(await tallies.commentGaps(blogId + 1)).toEqual([]);
    const mentioned = await tallies.unfollowedSitesOf(conversationId, 10);
    expect([mentioned.total, mentioned.sites.map((s) => s.site)]).toEqual([2, ['b.example', 'c.example']]);
    expect(mentioned).toEqual(await here.unfollowedSitesOf(conversationId, 10));
    expect(await tallies.unfollowedSitesOf(conversationId, 1)).toEqual(await here.unfollowedSitesOf(conversationId, 1));
    const activity = await tallies.conversationActivity([conversationId, conversationId + 1]);
    expect(activity.get(conversationId)).toEqual({ days: [{ day: '2026-01-01', count: 1 }], blogs: [{ id: blogId, title: 'A', homeUrl: 'http://a.example/' }] });
    expect(activity).toEqual(await here.conversationActivity([conversationId, conversationId + 1]));
    const counts = await tallies.entryCounts([blogId, blogId + 1]);
    expect([...counts]).toEqual([[blogId, 1]]);
    expect(counts).toEqual(await here.entryCounts([blogId, blogId + 1]));
  });

  it('refuses a read at once past its waiting bound, asking to come back in 5 s', async () => {
    database = openDatabase(file);
    await migrateToLatest(database.db);
    const { blogId } = await fill(database.db);
    tallies = createTallyThread(file, { timeoutMs: 10_000, maxWaiting: 1 });
    const first = tallies.commentGaps(blogId);
    await expect(tallies.commentGaps(blogId)).rejects.toSatisfy((err: unknown) => err instanceof HttpError && err.statusCode === 503 && err.code === 'busy' && err.retryAfterSeconds === 5);
    expect((await first).length).toBe(1);
  });

  it('is what a service on a SQLite file reads /blogs, a blog’s gaps, a debate’s sites and the small maps of / with, not its own connections', async () => {
    const seed = openDatabase(file);
    await migrateToLatest(seed.db);
    const { blogId, conversationId } = await fill(seed.db, tallyThreadAboveEntries + 1);
    await seed.close();
    // The service as the process wires it, on this file whichever database the suite runs on.
    app = await createService(testConfig({ databasePath: file }), { log: { info: () => {}, warn: () => {}, error: () => {} } });
    const { result: pages, sql: ran } = await recordStatements(async () => [
      await app!.app.inject('/blogs'),
      await app!.app.inject(`/blogs/${blogId}`),
      (await app!.app.inject(`/api/blogs/${blogId}`)).json(),
      (await app!.app.inject('/api/blogs')).json(),
      await app!.app.inject(`/c/${conversationId}`),
      await app!.app.inject('/'),
    ]);
    expect(pages[0].body).toContain('b.example');
    expect(pages[1].body).toContain('Ein Beitrag');
    expect(pages[2].missingCount).toBe(7);
    expect(pages[2].entryCount).toBe(1);
    expect(pages[3].blogs[0].entryCount).toBe(1);
    expect(pages[4].body).toContain('b.example');
    expect(pages[5].body).toContain(`href="/c/${conversationId}"`);
    expect(pages[5].body).toContain('class="sparkline"');
    // The rankings group mentions by site, the gaps count known comments, the small maps count
    // entries by day, the registry counts each blog's entries: none ran here.
    const tallied = (statements: string[]) => statements.filter((s) => /group by "m"\."site"|count\(\*\) from \(|group by "conversation_id", substr|group by "blog_id"/.test(s));
    expect(tallied(ran)).toEqual([]);
    // A small debate is counted in place: a few milliseconds, less than the thread's round trip.
    await app.database.db.updateTable('conversations').set({ entry_count: 1, updated_at: '2026-01-02T00:00:00.000Z' }).where('id', '=', conversationId).execute();
    const { sql: small } = await recordStatements(async () => [await app!.app.inject(`/c/${conversationId}`), await app!.app.inject('/')]);
    expect(tallied(small).length).toBe(2);
  });

  it('leaves a debate’s sites and the small maps out while it is busy, shows the pages anyway, and keeps none of them', async () => {
    database = openDatabase(file);
    await migrateToLatest(database.db);
    const { conversationId } = await fill(database.db, tallyThreadAboveEntries + 1);
    const here = talliesOn(database.db);
    let busy = true;
    const whenFree = <T>(read: () => Promise<T>) => (busy ? Promise.reject(new HttpError(503, 'busy', 'Too many pages are being counted')) : read());
    const busyTallies: Tallies = {
      ...here,
      unfollowedSitesOf: (id, limit) => whenFree(() => here.unfollowedSitesOf(id, limit)),
      conversationActivity: (ids) => whenFree(() => here.conversationActivity(ids)),
    };
    const web = await buildApp({ config: testConfig({ databasePath: file }), db: database.db, fetch: (() => Promise.reject(new Error('no fetching here'))) as never, tallies: busyTallies });
    try {
      const page = await web.inject(`/c/${conversationId}`);
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('Ein Beitrag');
      expect(page.body).not.toContain('b.example');
      const home = await web.inject('/');
      expect(home.statusCode).toBe(200);
      expect(home.body).toContain(`href="/c/${conversationId}"`);
      expect(home.body).not.toContain('class="sparkline"');
      // Free again: the same version of the page is rendered again, with what was left out.
      busy = false;
      expect((await web.inject(`/c/${conversationId}`)).body).toContain('b.example');
      expect((await web.inject('/')).body).toContain('class="sparkline"');
    } finally {
      await web.close();
    }
    // Only a busy or closing thread is done without: other failures fail the page.
    await expect(unlessBusy(Promise.reject(new HttpError(503, 'shutting-down', 'closing')))).resolves.toBeUndefined();
    await expect(unlessBusy(Promise.reject(new Error('the thread stopped')))).rejects.toThrow('the thread stopped');
  });

  it('shows /blogs without its suggested blogs and a blog’s page without its comment gaps while it is busy, saying so, and keeps the API’s 503', async () => {
    database = openDatabase(file);
    await migrateToLatest(database.db);
    const { blogId } = await fill(database.db);
    const here = talliesOn(database.db);
    let failure: Error | undefined = new HttpError(503, 'busy', 'Too many pages are being counted');
    const whenFree = <T>(read: () => Promise<T>) => (failure ? Promise.reject(failure) : read());
    const busyTallies: Tallies = {
      ...here,
      suggestedSites: (page) => whenFree(() => here.suggestedSites(page)),
      commentGaps: (id) => whenFree(() => here.commentGaps(id)),
      entryCounts: (ids) => whenFree(() => here.entryCounts(ids)),
    };
    const web = await buildApp({ config: testConfig({ databasePath: file }), db: database.db, fetch: (() => Promise.reject(new Error('no fetching here'))) as never, tallies: busyTallies });
    try {
      const registry = await web.inject('/blogs');
      expect(registry.statusCode).toBe(200);
      expect(registry.body).toContain(`href="/blogs/${blogId}"`);
      expect(registry.body).not.toContain('b.example');
      expect(registry.body).toContain('The suggested blogs are being counted; reload the page in a moment to see them.');
      // Its entries are not counted now: a dash, not a zero.
      expect(registry.body).toMatch(/data-label="Entries" class="number">–</);
      expect((await web.inject('/api/blogs')).statusCode).toBe(503);
      // The page lacks a part: no cache keeps it.
      expect(registry.headers['cache-control']).toBe('no-store');
      expect((await web.inject('/blogs?lang=de')).body).toContain('Die vorgeschlagenen Blogs werden gerade gezählt; laden Sie die Seite gleich neu, um sie zu sehen.');
      const page = await web.inject(`/blogs/${blogId}`);
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('http://a.example/');
      expect(page.body).toContain('Ein Beitrag');
      expect(page.body).not.toContain('7 of 7 missing');
      expect(page.body).toContain('The comments that may be missing are being counted; reload the page in a moment to see them.');
      expect(page.headers['cache-control']).toBe('no-store');
      expect((await web.inject(`/blogs/${blogId}?lang=de`)).body).toContain('Die Kommentare, die vielleicht fehlen, werden gerade gezählt; laden Sie die Seite gleich neu, um sie zu sehen.');
      // Left out of the JSON, the gaps would read as none missing: the API says it is busy instead.
      const api = await web.inject(`/api/blogs/${blogId}`);
      expect(api.statusCode).toBe(503);
      expect(api.json().error.code).toBe('busy');

      // Free again: the next requests show the whole pages.
      failure = undefined;
      const whole = await web.inject('/blogs');
      expect(whole.body).toContain('b.example');
      expect(whole.body).toMatch(/data-label="Entries" class="number">1</);
      expect(whole.body).not.toContain('being counted');
      // Whole: revalidated with its ETag like every page.
      expect(whole.headers['cache-control']).toBe('no-cache');
      const wholePage = await web.inject(`/blogs/${blogId}`);
      expect(wholePage.body).toContain('7 of 7 missing');
      expect(wholePage.body).not.toContain('being counted');
      expect((await web.inject(`/api/blogs/${blogId}`)).json().missingCount).toBe(7);

      // Any other failure of the count fails the page, as before.
      failure = new Error('the thread stopped');
      // Another blog: neither the registry's ranking nor its gaps were read before.
      const other = await database.db.insertInto('blogs').values({ home_url: 'http://d.example/', url_key: 'd.example', site: 'd.example', title: 'D', created_at: now, updated_at: '2026-01-02T00:00:00.000Z' }).returning('id').executeTakeFirstOrThrow();
      expect((await web.inject('/blogs')).statusCode).toBe(500);
      expect((await web.inject(`/blogs/${other.id}`)).statusCode).toBe(500);
    } finally {
      await web.close();
    }
  });
});
