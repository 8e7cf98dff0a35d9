import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OpenedDatabase } from '../../src/db/open.ts';
import { countBlogs, findBlogById, findBlogContaining, findBlogsChangedAt, insertBlog, listBlogs, updateBlogTitle } from '../../src/store/blogs.ts';
import { createTestDatabase } from '../support/db.ts';

let database: OpenedDatabase;
const t0 = '2026-01-01T00:00:00.000Z';
const blog = (homeUrl: string, urlKey: string, title: string | null = null) =>
  insertBlog(database.db, { homeUrl, urlKey, title, description: null, pingbackEndpoint: null, webmentionEndpoint: null, rsdUrl: null, trackbackPingUrl: null, discoveryNotes: ['Kein Kommentar-Feed.'] }, t0);

beforeEach(async () => {
  database = await createTestDatabase();
});
afterEach(async () => {
  await database.close();
});

describe('blogs', () => {
  it('stores a blog with its discovery notes and lists them in registration order', async () => {
    const a = await blog('http://sachar.example/', 'sachar.example', 'Sachar');
    await blog('http://planetsab.example/', 'planetsab.example');
    expect(await findBlogById(database.db, a.id)).toMatchObject({ homeUrl: 'http://sachar.example/', title: 'Sachar', discoveryNotes: ['Kein Kommentar-Feed.'], disabledAt: null });
    expect((await listBlogs(database.db)).map((b) => b.urlKey)).toEqual(['sachar.example', 'planetsab.example']);
    expect(await countBlogs(database.db)).toBe(2);
  });

  it('finds the blog a URL lies under: same host, the longest home path, never a sibling path', async () => {
    const root = await blog('http://blogs.example/', 'blogs.example');
    const sub = await blog('http://blogs.example/sachar/', 'blogs.example/sachar');
    expect((await findBlogContaining(database.db, 'https://www.blogs.example/sachar/2008/11/idee/'))?.id).toBe(sub.id);
    expect((await findBlogContaining(database.db, 'http://blogs.example/sacharine/x'))?.id).toBe(root.id);
    expect(await findBlogContaining(database.db, 'http://other.example/sachar/')).toBeUndefined();
    expect(await findBlogContaining(database.db, 'not a url')).toBeUndefined();
  });

  it('updates a title only when it changed, and says when any blog changed last', async () => {
    const a = await blog('http://sachar.example/', 'sachar.example', 'Sachar');
    await updateBlogTitle(database.db, a.id, 'Sachar', '2026-01-02T00:00:00.000Z');
    expect(await findBlogsChangedAt(database.db)).toBe(t0);
    await updateBlogTitle(database.db, a.id, 'Sachars Blog', '2026-01-03T00:00:00.000Z');
    expect((await findBlogById(database.db, a.id))?.title).toBe('Sachars Blog');
    expect(await findBlogsChangedAt(database.db)).toBe('2026-01-03T00:00:00.000Z');
  });
});
