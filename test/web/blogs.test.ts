import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { load } from 'cheerio';
import { startFixtureServer, type FixtureServer } from '../../src/demo/fixture-server.ts';
import { commitWaitingWrites } from '../../src/store/dialect.ts';
import { updateBlogTitle } from '../../src/store/blogs.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { fileService } from '../support/file-service.ts';
import { countSqliteStatements } from '../support/statements.ts';
import { homePage, rsd, rssFeed } from '../support/blog-pages.ts';
import { ensureSources } from '../../src/store/sources.ts';

let t: TestApp;
let blog: FixtureServer;
let origin: string;

const html = { 'content-type': 'text/html; charset=UTF-8' };
const rss = { 'content-type': 'application/rss+xml; charset=UTF-8' };
const posts = [
  { id: 12, slug: 'social-media-camp', title: 'Social Media Camp – ein kleiner Exkurs', body: '<p>Über das „Social Media Camp“ – mit Umlauten: äöüß.</p><script>alert(1)</script><img src="x" onerror="alert(2)"><a href="javascript:alert(3)">klick</a>', date: 'Mon, 17 Nov 2008 09:30:00 +0000' },
  { id: 10, slug: 'vorher', title: 'Ein älterer Beitrag', body: '<p>Vorher.</p>', date: 'Sat, 01 Nov 2008 08:00:00 +0000' },
];

beforeEach(async () => {
  t = await createTestApp();
  blog = await startFixtureServer({}, { host: '127.0.0.1' });
  origin = `http://localhost:${blog.port}`;
  blog.set('/', { headers: html, body: homePage(origin) });
  blog.set('/feed/', { headers: rss, body: rssFeed(origin, posts) });
  blog.set('/comments/feed/', { headers: rss, body: rssFeed(origin, []) });
  blog.set('/xmlrpc.php', { headers: { 'content-type': 'text/xml' }, body: rsd(origin) });
  blog.set('/2008/11/social-media-camp/', { headers: { ...html, 'x-pingback': `${origin}/xmlrpc.php` }, body: '<html><head><title>Post</title></head><body>Post</body></html>' });
});

afterEach(async () => {
  await t.close();
  await blog.close();
});

describe('POST /api/blogs', () => {
  it('registers a blog by its home page and reports what discovery found', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/blogs', payload: { url: `${origin}/` } });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body).toMatchObject({
      url: `${origin}/`,
      title: 'Testblog',
      feedUrl: `${origin}/feed/`,
      commentFeedUrl: `${origin}/comments/feed/`,
      pingbackEndpoint: `${origin}/xmlrpc.php`,
      rsdUrl: `${origin}/xmlrpc.php?rsd`,
      status: 'pending',
    });
    expect(body.sources.map((s: { kind: string }) => s.kind)).toEqual(['feed', 'site-comments']);
  });

  it('records the WordPress REST API root from the Link header, else from <link rel="https://api.w.org/">', async () => {
    blog.set('/', { headers: { ...html, link: `<${origin}/wp-json/>; rel="https://api.w.org/"` }, body: homePage(origin, `<link rel="https://api.w.org/" href="${origin}/elsewhere/" />`) });
    const fromHeader = (await t.app.inject({ method: 'POST', url: '/api/blogs', payload: { url: `${origin}/` } })).json();
    expect(fromHeader.discovery.apiRootUrl).toBe(`${origin}/wp-json/`);
    expect(fromHeader.restApi).toEqual({ url: `${origin}/wp-json/`, status: 'on', reason: null });

    const other = await startFixtureServer({}, { host: '127.0.0.1' });
    try {
      const o = `http://localhost:${other.port}`;
      other.set('/', { headers: html, body: homePage(o, `<link rel="https://api.w.org/" href="${o}/?rest_route=/" />`) });
      other.set('/feed/', { headers: rss, body: rssFeed(o, posts) });
      const fromLink = (await t.app.inject({ method: 'POST', url: '/api/blogs', payload: { url: `${o}/` } })).json();
      expect(fromLink.discovery.apiRootUrl).toBe(`${o}/?rest_route=/`);
    } finally {
      await other.close();
    }
  });

  it('finds the same blog under http/https, www. and without the trailing slash', async () => {
    const first = await t.app.inject({ method: 'POST', url: '/api/blogs', payload: { url: `${origin}/` } });
    for (const variant of [`https://localhost:${blog.port}/`, `http://www.localhost:${blog.port}`, `localhost:${blog.port}`]) {
      const again = await t.app.inject({ method: 'POST', url: '/api/blogs', payload: { url: variant } });
      expect(again.statusCode, variant).toBe(200);
      expect(again.json().id).toBe(first.json().id);
    }
    expect((await t.app.inject('/api/blogs')).json().blogs).toHaveLength(1);
  });

  it('finds an already registered blog when one of its posts is pasted', async () => {
    const first = await t.app.inject({ method: 'POST', url: '/api/blogs', payload: { url: `${origin}/` } });
    blog.set('/2008/11/social-media-camp/', { headers: html, body: homePage(origin) });
    const again = await t.app.inject({ method: 'POST', url: '/api/blogs', payload: { url: `${origin}/2008/11/social-media-camp/` } });
    expect(again.statusCode).toBe(200);
    expect(again.json().id).toBe(first.json().id);
  });

  it('accepts a URL that is itself a feed', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/blogs', payload: { url: `${origin}/feed/` } });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ url: `${origin}/`, feedUrl: `${origin}/feed/`, commentFeedUrl: `${origin}/comments/feed/` });
  });

  it('polls the feed at the address that answered, not the self link without the port', async () => {
    blog.set('/feed/', { headers: rss, body: rssFeed(origin, posts, 'http://localhost') });
    const res = await t.app.inject({ method: 'POST', url: '/api/blogs', payload: { url: `${origin}/` } });
    expect(res.json().feedUrl).toBe(`${origin}/feed/`);
    // Said so that a reader of the blog page sees a harmless habit of WordPress, not a fault.
    expect(res.json().notes).toContain(
      `Harmless: the feed gives its own address without the port (http://localhost/feed/), as WordPress does on a non-standard port; Palaver reads it where it answered, ${origin}/feed/.`,
    );
  });

  it('explains a self link naming another host as harmless too, without blaming the port', async () => {
    blog.set('/feed/', { headers: rss, body: rssFeed(origin, posts, 'http://127.0.0.1') });
    const res = await t.app.inject({ method: 'POST', url: '/api/blogs', payload: { url: `${origin}/` } });
    expect(res.json().notes).toContain(`Harmless: the feed gives its own address as http://127.0.0.1/feed/, but it answered at ${origin}/feed/; Palaver reads it where it answered.`);
  });

  it.each([
    ['ftp://example.org/', 400, 'unsupported-scheme'],
    ['javascript:alert(1)', 400, 'unsupported-scheme'],
    ['http://', 400, 'invalid-url'],
    ['', 400, 'invalid-url'],
  ])('refuses %j with %i', async (url, status, code) => {
    const res = await t.app.inject({ method: 'POST', url: '/api/blogs', payload: { url } });
    expect(res.statusCode).toBe(status);
    expect(res.json().error.code).toBe(code);
    expect(res.json().error.message).toBeTruthy();
  });

  it('refuses a body without url with 400', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/blogs', payload: { address: 'x' } });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('invalid-request');
  });

  it('answers 422 for an address that does not answer, and stores nothing', async () => {
    const closed = await startFixtureServer();
    const url = `${closed.origin}/`;
    await closed.close();
    const res = await t.app.inject({ method: 'POST', url: '/api/blogs', payload: { url } });
    expect(res.statusCode).toBe(422);
    expect(res.json().error.code).toBe('unreachable');
    expect((await t.app.inject('/api/blogs')).json().blogs).toEqual([]);
  });

  it('answers 422 for a page with no feed, and stores nothing', async () => {
    blog.set('/', { headers: html, body: '<!doctype html><title>Nur eine Seite</title><p>Hallo</p>' });
    blog.remove('/feed/');
    const res = await t.app.inject({ method: 'POST', url: '/api/blogs', payload: { url: `${origin}/` } });
    expect(res.statusCode).toBe(422);
    expect(res.json().error).toMatchObject({ code: 'no-feed' });
    expect(res.json().error.message).toMatch(/No feed found/);
    expect((await t.app.inject('/api/blogs')).json().blogs).toEqual([]);
  });

  it('answers 422 for a feed that cannot be read', async () => {
    blog.set('/feed/', { headers: rss, body: '<?xml version="1.0"?><rss><channel><title>kaputt' });
    const res = await t.app.inject({ method: 'POST', url: '/api/blogs', payload: { url: `${origin}/` } });
    expect(res.statusCode).toBe(422);
    expect(res.json().error.code).toBe('no-feed');
  });

  it('answers 422 for a blog whose home page answers 404', async () => {
    blog.remove('/');
    const res = await t.app.inject({ method: 'POST', url: '/api/blogs', payload: { url: `${origin}/` } });
    expect(res.statusCode).toBe(422);
    expect(res.json().error.code).toBe('http-error');
  });

  it('refuses a private address when private networks are not allowed', async () => {
    const guarded = await createTestApp({ fetcher: { allowPrivateNetworks: false } });
    try {
      const res = await guarded.app.inject({ method: 'POST', url: '/api/blogs', payload: { url: `${origin}/` } });
      expect(res.statusCode).toBe(422);
      expect(res.json().error.code).toBe('blocked-address');
    } finally {
      await guarded.close();
    }
  });
});

describe('GET /api/blogs/:id', () => {
  it('shows the blog with its sources and poll status after a poll', async () => {
    const { id } = (await t.app.inject({ method: 'POST', url: '/api/blogs', payload: { url: `${origin}/` } })).json();
    await t.poller.pollOnce();
    const res = await t.app.inject(`/api/blogs/${id}`);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.status).toBe('active');
    expect(body.entryCount).toBe(2);
    expect(body.sources[0]).toMatchObject({ kind: 'feed', lastStatus: 200, lastError: null, consecutiveFailures: 0 });
  });

  it('answers 404 as JSON for an unknown or malformed id', async () => {
    for (const url of ['/api/blogs/999', '/api/blogs/abc']) {
      const res = await t.app.inject(url);
      expect(res.statusCode).toBe(404);
      expect(res.json().error.code).toBe('not-found');
    }
  });
});

describe("a blog's sources, paged", () => {
  // A blog followed for long has a comment feed for each of its posts: thousands of sources.
  async function blogWithPostFeeds(count: number): Promise<number> {
    const { id } = (await t.app.inject({ method: 'POST', url: '/api/blogs', payload: { url: `${origin}/` } })).json();
    const at = '2026-01-01T00:00:00.000Z';
    const feeds = Array.from({ length: count }, (_, i) => ({ blogId: id, kind: 'post-comments' as const, url: `${origin}/${i + 1}/feed/`, nextCheckAt: at }));
    await ensureSources(t.database.db, feeds, at);
    return id;
  }

  it('/blogs/:id shows 100 sources a page, the blog’s own feeds first, and names them on every page', async () => {
    const id = await blogWithPostFeeds(248);
    const first = await t.app.inject(`/blogs/${id}`);
    const $ = load(first.body);
    expect($('table.sources tbody tr')).toHaveLength(100);
    expect($('table.sources tbody tr').first().text()).toContain(`${origin}/feed/`);
    expect($('nav.pager .page-number').text()).toBe('Page 1 of 3');
    expect($('nav.pager a[rel="next"]').attr('href')).toBe(`/blogs/${id}?sources=2#sources`);
    const last = load((await t.app.inject(`/blogs/${id}?sources=3`)).body);
    expect(last('table.sources tbody tr')).toHaveLength(50);
    expect(last('table.sources tbody tr').last().text()).toContain(`${origin}/248/feed/`);
    expect(last('nav.pager a[rel="prev"]').attr('href')).toBe(`/blogs/${id}?sources=2#sources`);
    // The blog's own feeds stay named above the table.
    expect(last.html()).toContain(`href="${origin}/feed/"`);
    // Past the last page: the last page; nonsense: the first.
    expect(load((await t.app.inject(`/blogs/${id}?sources=99`)).body)('nav.pager .page-number').text()).toBe('Page 3 of 3');
    expect(load((await t.app.inject(`/blogs/${id}?sources=x`)).body)('nav.pager .page-number').text()).toBe('Page 1 of 3');
  });

  it('/api/blogs/:id gives the first 100 sources, their number and the next page; /api/blogs/:id/sources pages on', async () => {
    const id = await blogWithPostFeeds(248);
    const body = (await t.app.inject(`/api/blogs/${id}`)).json();
    expect(body.sourceCount).toBe(250);
    expect(body.sources).toHaveLength(100);
    expect(body.sources.slice(0, 2).map((s: { kind: string }) => s.kind)).toEqual(['feed', 'site-comments']);
    expect(body.sourcesNext).toBe(`/api/blogs/${id}/sources?offset=100&limit=100`);
    const second = await t.app.inject(body.sourcesNext);
    expect(second.json().sources).toHaveLength(100);
    expect(second.json().sources[0].url).toBe(`${origin}/99/feed/`);
    expect(second.json().next).toBe(`/api/blogs/${id}/sources?offset=200&limit=100`);
    expect(second.headers.link).toContain(`/api/blogs/${id}/sources?offset=200&limit=100>; rel="next"`);
    const third = (await t.app.inject(second.json().next)).json();
    expect(third.sources).toHaveLength(50);
    expect(third.next).toBeNull();
    expect((await t.app.inject('/api/blogs/999/sources')).statusCode).toBe(404);
  });

  it('/blogs and /api/blogs judge a blog by its own feeds, whatever its posts’ comment feeds say', async () => {
    const id = await blogWithPostFeeds(3);
    // Their comment feeds answer 404 here: failing sources the blog's health leaves aside.
    await t.poller.pollOnce();
    const listed = (await t.app.inject('/api/blogs')).json().blogs.find((b: { id: number }) => b.id === id);
    expect(listed).toMatchObject({ status: 'active', feedUrl: `${origin}/feed/`, commentFeedUrl: `${origin}/comments/feed/` });
    expect(load((await t.app.inject('/blogs')).body)('table.blogs span.status').attr('class')).toBe('status status-active');
  });
});

describe('the registration form', () => {
  it('shows an inline error for a bad address and keeps what was typed', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/blogs', payload: 'url=ftp%3A%2F%2Fexample.org%2F', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.body).toMatch(/<p id="url-error" class="error" role="alert">Only http and https/);
    expect(res.body).toContain('value="ftp://example.org/"');
    expect(res.body).toContain('aria-invalid="true"');
  });

  it('registers a blog and redirects to its page, which shows what was found', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/blogs', payload: `url=${encodeURIComponent(`${origin}/`)}`, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(res.statusCode).toBe(303);
    const location = res.headers.location as string;
    expect(location).toMatch(/^\/blogs\/\d+\?registered=1$/);
    const page = await t.app.inject(location);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('The blog is registered');
    expect(page.body).toContain(`${origin}/feed/`);
    expect(page.body).toContain(`${origin}/xmlrpc.php`);
    expect(page.body).toContain('waiting for the first poll');
  });

  it('registers a feed with no entries yet and says so on the blog page', async () => {
    blog.set('/leer/feed/', { headers: rss, body: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Neues Blog</title><link>http://neu.example.org/</link></channel></rss>')]) });
    const res = await t.app.inject({ method: 'POST', url: '/blogs', payload: `url=${encodeURIComponent(`${origin}/leer/feed/`)}`, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(res.statusCode).toBe(303);
    const page = (await t.app.inject(res.headers.location as string)).body;
    expect(page).toContain('The feed has no entries yet; Palaver shows them as they appear.');
  });

  it('shows each source’s address exactly as it is polled, trailing slash included', async () => {
    const { id } = (await t.app.inject({ method: 'POST', url: '/api/blogs', payload: { url: `${origin}/` } })).json();
    const $ = load((await t.app.inject(`/blogs/${id}`)).body);
    const shown = $('table.sources a').toArray().map((a) => ({ text: $(a).text(), href: $(a).attr('href') }));
    expect(shown).toEqual([
      { text: `${origin}/feed/`, href: `${origin}/feed/` },
      { text: `${origin}/comments/feed/`, href: `${origin}/comments/feed/` },
    ]);
  });
});

describe('GET /blogs', () => {
  it('lists blogs with status, last poll, next check and the last error in plain words', async () => {
    await t.app.inject({ method: 'POST', url: '/api/blogs', payload: { url: `${origin}/` } });
    blog.set('/feed/', { status: 500, body: 'oops' });
    await t.poller.pollOnce();
    const res = await t.app.inject('/blogs');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Testblog');
    expect(res.body).toContain('failing');
    expect(res.body).toContain('the server had an internal error (500)');
    expect(res.body).toMatch(/<form method="post" action="\/blogs"/);
  });
});

describe('GET /', () => {
  it('welcomes a new user with pointers to registration and the demo', async () => {
    const res = await t.app.inject('/');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('href="/blogs#register"');
    expect(res.body).toContain('npx palaver demo');
  });

  it('shows the newest posts with German text intact and hostile markup gone', async () => {
    await t.app.inject({ method: 'POST', url: '/api/blogs', payload: { url: `${origin}/` } });
    await t.poller.pollOnce();
    const res = await t.app.inject('/');
    expect(res.body).toContain('Social Media Camp – ein kleiner Exkurs');
    expect(res.body).toContain('Ein älterer Beitrag');
    expect(res.body.indexOf('Social Media Camp')).toBeLessThan(res.body.indexOf('Ein älterer Beitrag'));
    expect(res.body).not.toMatch(/<script>alert|onerror=|javascript:alert/);
  });

  it('sends a Content Security Policy without inline script', async () => {
    const res = await t.app.inject('/');
    expect(res.headers['content-security-policy']).toMatch(/script-src 'self'/);
  });
});

describe('errors', () => {
  it('renders 404 pages in the site look without internals', async () => {
    const res = await t.app.inject('/nope/<script>');
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.body).toContain('Not found');
    expect(res.body).not.toContain('<script>');
  });
});

describe('GET /health', () => {
  it('reports ok with counts', async () => {
    const res = await t.app.inject('/health');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'ok', database: 'ok', blogs: 0 });
  });
});

describe('the registry pages on a SQLite file', () => {
  // On SQLite under every suite: the test:pg run's PostgreSQL has no such stamp, and renders every time.
  it('shows a registration at once, keeps /blogs and a blog page while nothing is committed, and renders them again after a commit, and always for an operator', async () => {
    const adminToken = 'a-token-for-the-registry-tests';
    const service = await fileService({ adminToken });
    try {
      const form = { 'content-type': 'application/x-www-form-urlencoded' };
      const res = await service.app.inject({ method: 'POST', url: '/blogs', payload: `url=${encodeURIComponent(`${origin}/`)}`, headers: form });
      expect(res.statusCode).toBe(303);
      const location = res.headers.location as string;
      // Read through the pages' connection, right after the registration's answer.
      const registered = await service.app.inject(location);
      expect(registered.body).toContain('The blog is registered');
      expect(registered.body).toContain(`${origin}/feed/`);
      const blogPage = location.replace(/\?.*/, '');
      const id = Number(blogPage.split('/').at(-1));

      for (const url of ['/blogs', blogPage]) {
        const first = await service.app.inject(url);
        expect(first.statusCode, url).toBe(200);
        expect(first.headers['cache-control'], url).toBe('no-cache');
        const statements = countSqliteStatements();
        const again = await service.app.inject(url);
        expect(again.body, url).toBe(first.body);
        expect(statements(), url).toBe(1);
        vi.restoreAllMocks();
        expect((await service.app.inject({ url, headers: { 'if-none-match': String(first.headers.etag) } })).statusCode, url).toBe(304);
      }
      expect((await service.app.inject('/blogs/999999')).statusCode).toBe(404);

      // A commit (here the blog's new title, as a poll stores it): both pages show it.
      await updateBlogTitle(service.database.db, id, 'Ein neuer Titel', new Date().toISOString());
      await commitWaitingWrites(service.database.db);
      expect((await service.app.inject('/blogs')).body).toContain('Ein neuer Titel');
      expect((await service.app.inject(blogPage)).body).toContain('Ein neuer Titel');

      // An operator's page carries the session's CSRF token: rendered for each request, never kept.
      const login = await service.app.inject({ method: 'POST', url: '/admin/login', payload: { token: adminToken } });
      const cookie = String(login.headers['set-cookie']).split(';')[0]!;
      const statements = countSqliteStatements();
      const asOperator = await service.app.inject({ url: '/blogs', headers: { cookie } });
      expect(asOperator.statusCode).toBe(200);
      expect(statements()).toBeGreaterThan(1);
    } finally {
      vi.restoreAllMocks();
      await service.close();
    }
  });
});
