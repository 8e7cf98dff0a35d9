import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFixtureServer, type FixtureServer } from '../../src/demo/fixture-server.ts';
import { createFetcher, type Fetcher } from '../../src/reader/fetcher.ts';
import { findWpPostId, mapWpComments, readWpRestComments, slugOfPermalink, WpRestFormatError, wpRestUrl } from '../../src/reader/wp-rest-comments.ts';

const post = { guid: 'http://sachar.example/?p=41', url: 'http://sachar.example/2008/11/idee/' };

// One comment as WordPress 6 answers wp/v2/comments to an anonymous reader (view context).
function restComment(id: number, patch: Record<string, unknown> = {}) {
  return {
    id,
    post: 41,
    parent: 0,
    author: 0,
    author_name: 'Martin',
    author_url: 'http://martin.example.net/',
    date: '2008-11-12T11:05:00',
    date_gmt: '2008-11-12T10:05:00',
    content: { rendered: '<p>Bin sofort dabei!</p>\n' },
    link: `http://sachar.example/2008/11/idee/#comment-${id}`,
    status: 'approved',
    type: 'comment',
    author_avatar_urls: { '24': 'https://secure.gravatar.com/avatar/x?s=24' },
    meta: [],
    _links: { self: [{ href: `http://sachar.example/wp-json/wp/v2/comments/${id}` }] },
    ...patch,
  };
}

describe('wpRestUrl', () => {
  it('puts the route under /wp-json/ with pretty permalinks', () => {
    expect(wpRestUrl('http://sachar.example/wp-json/', 'wp/v2/comments', { post: 41, per_page: 100, page: 2 })).toBe('http://sachar.example/wp-json/wp/v2/comments?post=41&per_page=100&page=2');
    expect(wpRestUrl('http://x.example/blog/wp-json', 'wp/v2/posts', { slug: 'ä b' })).toBe('http://x.example/blog/wp-json/wp/v2/posts?slug=%C3%A4+b');
  });

  it('puts the route into rest_route with plain permalinks', () => {
    expect(wpRestUrl('http://x.example/?rest_route=/', 'wp/v2/comments', { post: 41 })).toBe('http://x.example/?rest_route=%2Fwp%2Fv2%2Fcomments&post=41');
  });
});

describe('slugOfPermalink', () => {
  it('takes the last path segment of a pretty permalink', () => {
    expect(slugOfPermalink('http://x.example/2008/11/idee-ein-camp/')).toBe('idee-ein-camp');
    expect(slugOfPermalink('http://x.example/2008/11/%C3%BCber/')).toBe('über');
    expect(slugOfPermalink('http://x.example/index.php')).toBeNull();
    expect(slugOfPermalink(null)).toBeNull();
  });
});

describe('mapWpComments', () => {
  it('maps a comment to the feed item WordPress’s comment feeds would give (guid, link, UTC date)', () => {
    const { items, skipped } = mapWpComments([restComment(402)], 41, post);
    expect(skipped).toBe(0);
    expect(items).toEqual([
      {
        guid: 'http://sachar.example/?p=41#comment-402',
        url: 'http://sachar.example/2008/11/idee/#comment-402',
        title: null,
        authorName: 'Martin',
        authorUrl: 'http://martin.example.net/',
        contentHtml: '<p>Bin sofort dabei!</p>\n',
        summaryHtml: null,
        // date_gmt carries no zone: it is UTC, not the server's local time.
        publishedAt: '2008-11-12T10:05:00.000Z',
        updatedAt: null,
        commentsPageUrl: null,
        commentFeeds: [],
        commentCount: null,
        inReplyTo: [{ ref: 'http://sachar.example/?p=41', href: 'http://sachar.example/2008/11/idee/' }],
        trackbackPingUrl: null,
        baseUrl: 'http://sachar.example/2008/11/idee/#comment-402',
        lang: null,
      },
    ]);
  });

  it('points a reply at its parent comment by the parent’s feed guid', () => {
    const { items } = mapWpComments([restComment(405, { parent: 402, author_url: '', link: 'http://sachar.example/2008/11/idee/comment-page-2/#comment-405' })], 41, post);
    expect(items[0]).toMatchObject({
      authorUrl: null,
      url: 'http://sachar.example/2008/11/idee/comment-page-2/#comment-405',
      inReplyTo: [{ ref: 'http://sachar.example/?p=41#comment-402', href: 'http://sachar.example/2008/11/idee/#comment-402' }],
    });
  });

  it('leaves out other posts’ comments, held ones and malformed ones, and counts them', () => {
    const { items, skipped } = mapWpComments(
      [restComment(1, { post: 99 }), restComment(2, { status: 'hold' }), { id: 'drei' }, null, restComment(4, { content: { rendered: 'x'.repeat(300_000) } }), restComment(5)],
      41,
      post,
    );
    expect(items.map((i) => i.guid)).toEqual(['http://sachar.example/?p=41#comment-5']);
    expect(skipped).toBe(5);
  });

  it('refuses a body that is not a list, or longer than per_page', () => {
    expect(() => mapWpComments({ code: 'x' }, 41, post)).toThrow(WpRestFormatError);
    expect(() => mapWpComments(Array.from({ length: 101 }, (_, i) => restComment(i + 1)), 41, post)).toThrow(/more than the 100/);
  });

  it('keeps a javascript: author URL and link out', () => {
    const { items } = mapWpComments([restComment(7, { author_url: 'javascript:alert(1)', link: 'javascript:alert(2)' })], 41, post);
    expect(items[0]).toMatchObject({ authorUrl: null, url: 'http://sachar.example/2008/11/idee/#comment-7' });
  });
});

describe('readWpRestComments and findWpPostId', () => {
  let server: FixtureServer;
  let fetcher: Fetcher;
  let root: string;
  const json = (status: number, body: unknown, headers: Record<string, string> = {}) => ({ status, headers: { 'content-type': 'application/json; charset=UTF-8', ...headers }, body: JSON.stringify(body) });

  beforeAll(async () => {
    server = await startFixtureServer();
    fetcher = createFetcher({ userAgent: 'Palaver-test', timeoutMs: 3000, connectTimeoutMs: 1000, headersTimeoutMs: 2000, maxBodyBytes: 1 << 22, maxRedirects: 5, perHostConcurrency: 2, allowPrivateNetworks: true });
    root = `${server.origin}/wp-json/`;
  });
  afterAll(async () => {
    await fetcher.close();
    await server.close();
  });
  beforeEach(() => {
    server.hits.length = 0;
  });

  const page = (n: number) => `/wp-json/wp/v2/comments?post=41&per_page=100&page=${n}&orderby=date_gmt&order=asc`;

  it('pages with page= until X-WP-TotalPages and reports X-WP-Total', async () => {
    server.set(page(1), json(200, Array.from({ length: 100 }, (_, i) => restComment(i + 1)), { 'x-wp-total': '150', 'x-wp-totalpages': '2' }));
    server.set(page(2), json(200, Array.from({ length: 50 }, (_, i) => restComment(i + 101)), { 'x-wp-total': '150', 'x-wp-totalpages': '2' }));
    const r = await readWpRestComments(fetcher.fetch, root, 41, post, { maxPages: 20 });
    expect(r).toMatchObject({ kind: 'comments', total: 150, pagesRead: 2, complete: true, skipped: 0 });
    expect(r.kind === 'comments' && r.items).toHaveLength(150);
    expect(server.hits.map((h) => h.path)).toEqual([page(1), page(2)]);
  });

  it('stops at maxPages and says the list is not complete', async () => {
    server.set(page(1), json(200, [restComment(1)], { 'x-wp-total': '300', 'x-wp-totalpages': '3' }));
    const r = await readWpRestComments(fetcher.fetch, root, 41, post, { maxPages: 1 });
    expect(r).toMatchObject({ kind: 'comments', pagesRead: 1, complete: false });
  });

  it.each([
    [401, { code: 'rest_not_logged_in', message: 'You are not currently logged in.', data: { status: 401 } }, 'off', 'the REST API answered 401 (rest_not_logged_in: You are not currently logged in.)'],
    [403, { code: 'rest_forbidden', message: 'Sorry, you are not allowed to do that.', data: { status: 403 } }, 'off', 'the REST API answered 403 (rest_forbidden: Sorry, you are not allowed to do that.)'],
    [404, { code: 'rest_no_route', message: 'No route was found matching the URL and request method.', data: { status: 404 } }, 'off', 'the REST API answered 404 (rest_no_route: No route was found matching the URL and request method.)'],
    [401, { code: 'rest_cannot_read_post', message: 'Sorry, you are not allowed to read the post for this comment.', data: { status: 401 } }, 'post-closed', 'the REST API answered 401 (rest_cannot_read_post: Sorry, you are not allowed to read the post for this comment.)'],
    [503, { code: 'x' }, 'failed', 'the REST API answered 503 (x)'],
  ])('tells a %i %j apart: %s', async (status, body, kind, reason) => {
    server.set(page(1), json(status, body));
    expect(await readWpRestComments(fetcher.fetch, root, 41, post, { maxPages: 5 })).toMatchObject({ kind, reason });
  });

  it('takes a web page in place of JSON (a login page, a firewall) for an API switched off', async () => {
    server.set(page(1), { status: 200, headers: { 'content-type': 'text/html' }, body: '<!doctype html><title>Anmelden</title>' });
    expect(await readWpRestComments(fetcher.fetch, root, 41, post, { maxPages: 5 })).toMatchObject({ kind: 'off', status: 200 });
  });

  it('says malformed JSON and non-list answers failed, not off', async () => {
    server.set(page(1), json(200, { comments: [] }));
    expect(await readWpRestComments(fetcher.fetch, root, 41, post, { maxPages: 5 })).toMatchObject({ kind: 'failed' });
    server.set(page(1), { status: 200, headers: { 'content-type': 'application/json' }, body: '[{"id": 1,' });
    expect(await readWpRestComments(fetcher.fetch, root, 41, post, { maxPages: 5 })).toMatchObject({ kind: 'failed', reason: 'the REST API answered with malformed JSON' });
  });

  it('refuses an answer nested deeper than any comment list, naming the limit', async () => {
    // 2 MB of brackets took JSON.parse about 0.9 s of the event loop.
    server.set(page(1), { status: 200, headers: { 'content-type': 'application/json' }, body: `${'['.repeat(100_000)}${']'.repeat(100_000)}` });
    expect(await readWpRestComments(fetcher.fetch, root, 41, post, { maxPages: 5 })).toMatchObject({ kind: 'failed', reason: 'the REST API answered with JSON that nests more than 64 levels deep' });
  });

  it('finds the post id in its ?p= guid without asking', async () => {
    expect(await findWpPostId(fetcher.fetch, root, post)).toBe(41);
    expect(server.hits).toHaveLength(0);
  });

  it('asks wp/v2/posts?slug= when the guid is not WordPress’s own', async () => {
    server.set('/wp-json/wp/v2/posts', json(200, [{ id: 77, link: 'http://other.example/2008/11/idee/' }, { id: 41, link: post.url }]));
    expect(await findWpPostId(fetcher.fetch, root, { guid: 'tag:sachar.example,2008:idee', url: post.url })).toBe(41);
    expect(server.hits.map((h) => h.path)).toEqual(['/wp-json/wp/v2/posts?slug=idee&_fields=id%2Clink']);
    server.set('/wp-json/wp/v2/posts', json(200, []));
    expect(await findWpPostId(fetcher.fetch, root, { guid: null, url: post.url })).toBeNull();
    server.set('/wp-json/wp/v2/posts', json(404, { code: 'rest_no_route' }));
    expect(await findWpPostId(fetcher.fetch, root, { guid: null, url: post.url })).toMatchObject({ kind: 'off', status: 404 });
  });
});
