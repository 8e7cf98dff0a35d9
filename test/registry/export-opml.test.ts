// The registry's OPML written a page of blogs at a time: the same document as in one go, with
// turns of the event loop between the pages.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OpmlBlog } from '../../src/feeds/opml.ts';
import { parseOpml, renderOpml } from '../../src/feeds/opml.ts';
import type { OpenedDatabase } from '../../src/db/open.ts';
import { renderRegistryOpml } from '../../src/registry/export-opml.ts';
import { insertBlog } from '../../src/store/blogs.ts';
import { insertSource } from '../../src/store/sources.ts';
import { createTestDatabase } from '../support/db.ts';

let database: OpenedDatabase;
const t0 = '2026-01-01T00:00:00.000Z';
const now = new Date('2026-02-03T04:05:06Z');

beforeEach(async () => {
  database = await createTestDatabase();
});
afterEach(async () => {
  await database.close();
});

async function blog(n: number, options: { feed?: boolean; approval?: 'approved' | 'pending' } = {}) {
  const home = `http://b${n}.example/`;
  const b = await insertBlog(database.db, { homeUrl: home, urlKey: `b${n}.example`, title: `Blog ${n}`, description: n === 1 ? 'Über <Dinge> & mehr' : null, pingbackEndpoint: null, webmentionEndpoint: null, rsdUrl: null, trackbackPingUrl: null, discoveryNotes: [], approval: options.approval ?? 'approved' }, t0);
  // A comment feed first: the outline names the post feed all the same.
  await insertSource(database.db, { blogId: b.id, kind: 'site-comments', url: `${home}comments/feed/`, nextCheckAt: t0 }, t0);
  if (options.feed !== false) await insertSource(database.db, { blogId: b.id, kind: 'feed', url: `${home}feed/`, nextCheckAt: t0 }, t0);
  return b;
}

describe('renderRegistryOpml', () => {
  it('writes every approved blog with its post feed, page by page, as one document', async () => {
    for (let n = 1; n <= 5; n++) await blog(n, { feed: n !== 4 });
    await blog(6, { approval: 'pending' });
    const expected: OpmlBlog[] = [1, 2, 3, 4, 5].map((n) => ({
      title: `Blog ${n}`,
      htmlUrl: `http://b${n}.example/`,
      xmlUrl: n === 4 ? 'http://b4.example/' : `http://b${n}.example/feed/`,
      description: n === 1 ? 'Über <Dinge> & mehr' : null,
    }));
    const whole = renderOpml({ title: 'Blogs followed by Palaver', dateCreated: now, blogs: expected });
    for (const pageSize of [1, 2, 5, 1000]) expect(await renderRegistryOpml(database.db, { now, pageSize })).toBe(whole);
    expect(parseOpml(whole).outlines.map((o) => o.xmlUrl)).toEqual(expected.map((b) => b.xmlUrl));
  });

  it('gives the event loop a turn between pages', async () => {
    for (let n = 1; n <= 5; n++) await blog(n);
    let done = false;
    let turnBeforeDone = false;
    setImmediate(() => (turnBeforeDone = !done));
    await renderRegistryOpml(database.db, { now, pageSize: 2 });
    done = true;
    expect(turnBeforeDone).toBe(true);
  });

  it('writes an empty registry as an empty list', async () => {
    expect(await renderRegistryOpml(database.db, { now })).toBe(renderOpml({ title: 'Blogs followed by Palaver', dateCreated: now, blogs: [] }));
  });
});
