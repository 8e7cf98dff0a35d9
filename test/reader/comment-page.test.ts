import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoBlogs, type DemoBlogs } from '../../src/demo/blogs.ts';
import { debateSlugs } from '../../src/demo/debate.ts';
import { commentPageItems, commentPageNumber, parseCommentList, postUrlOfCommentPage, readCommentPages, CommentPageError } from '../../src/reader/comment-page.ts';
import { createFeedReader } from '../../src/reader/read-feed.ts';
import type { Fetcher } from '../../src/reader/fetcher.ts';
import { createTestFetcher } from '../support/polled-feed.ts';

const fixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/comment-pages');
const read = (name: string) => fs.readFileSync(path.join(fixtures, name), 'utf8');

describe('parseCommentList', () => {
  it('reads WordPress 6 html5 comments with their nesting, authors, dates and page links', () => {
    const page = parseCommentList(read('wordpress-html5-threaded.html'), 'http://sachar.example/2008/11/idee/');
    expect(page.comments.map((c) => [c.id, c.parentId, c.type, c.authorName, c.authorUrl, c.publishedAt])).toEqual([
      ['402', null, 'comment', 'Martin', 'http://martin.example.net/', '2008-11-12T10:05:00.000Z'],
      ['405', '402', 'comment', 'Katrin R.', null, '2008-11-12T11:00:00.000Z'],
      ['406', '405', 'comment', 'Jens Best', 'http://jensbest.example/', '2008-11-12T11:30:00.000Z'],
      ['403', null, 'pingback', 'planetsab » Exkurs', 'http://planetsab.example/2008/11/exkurs/', null],
    ]);
    const [martin, katrin, , ping] = page.comments;
    expect(martin!.url).toBe('http://sachar.example/2008/11/idee/comment-page-3/#comment-402');
    expect(martin!.contentHtml).toBe('<p>Bin sofort dabei! Köln fände ich schön.</p>');
    // A reply's text is its own, never the text of the replies nested in it.
    expect(katrin!.contentHtml).toBe('<p>Ja, Köln!</p>');
    expect(ping!.contentHtml).toBeNull();
    expect(page.pageUrls.sort()).toEqual(['http://sachar.example/2008/11/idee/comment-page-1/', 'http://sachar.example/2008/11/idee/comment-page-2/']);
    expect(page.currentPage).toBe(3);
    expect(page.truncated).toBe(false);
  });

  it('reads the older xhtml walker: <cite class="fn">, text dates, the text inside .comment-body, ?cpage= pages', () => {
    const page = parseCommentList(read('wordpress-xhtml-walker.html'), 'http://blog.example/?p=7');
    expect(page.comments).toEqual([
      { id: '11', parentId: null, type: 'comment', authorName: 'Sab', authorUrl: 'http://planetsab.example/', url: 'http://blog.example/?p=7&cpage=1#comment-11', publishedAt: null, contentHtml: '<p>Erster!</p>' },
      { id: '12', parentId: '11', type: 'comment', authorName: 'Anonym', authorUrl: null, url: 'http://blog.example/?p=7&cpage=1#comment-12', publishedAt: null, contentHtml: '<p>Zweiter.</p>' },
    ]);
    expect(page.pageUrls.sort()).toEqual(['http://blog.example/?p=7&cpage=1', 'http://blog.example/?p=7&cpage=2']);
  });

  it('reads microformats h-entry comments and keeps the author’s u-url apart from the permalink', () => {
    const page = parseCommentList(read('microformats-h-entry.html'), 'http://indie.example/post/');
    expect(page.comments.map((c) => [c.id, c.parentId, c.authorName, c.authorUrl, c.url, c.publishedAt, c.contentHtml])).toEqual([
      ['21', null, 'Aaron', 'https://aaron.example/', 'http://indie.example/post/#comment-21', '2019-03-04T05:06:07.000Z', '<p>Nice post.</p>'],
      ['22', '21', 'Tantek', null, null, '2019-03-04T06:00:00.000Z', '<p>Agreed.</p>'],
    ]);
  });

  it('reads at most maxComments comment elements and says the page was cut', () => {
    const many = Array.from({ length: 30 }, (_, i) => `<li id="comment-${i + 1}" class="comment"><div class="comment-content">c${i}</div></li>`).join('');
    const page = parseCommentList(`<ol class="comment-list">${many}</ol>`, 'http://x.example/p/', { maxComments: 10, maxDepth: 64 });
    expect(page.comments).toHaveLength(10);
    expect(page.truncated).toBe(true);
  });

  it('finds parents within maxDepth ancestors on a 200-level thread', () => {
    let html = '<p>x</p>';
    for (let i = 200; i >= 1; i--) html = `<li id="comment-${i}" class="comment"><div class="comment-content">c${i}</div><ol class="children">${html}</ol></li>`;
    const page = parseCommentList(`<ol>${html}</ol>`, 'http://x.example/p/', { maxComments: 10_000, maxDepth: 8 });
    expect(page.comments).toHaveLength(200);
    expect(page.comments.every((c) => (c.id === '1' ? c.parentId === null : Number(c.parentId) === Number(c.id) - 1))).toBe(true);
    expect(page.comments[199]!.contentHtml).toBe('c200');
  });

  it('refuses markup nested deeper than it parses (HTML tree building slows with depth)', () => {
    expect(() => parseCommentList(`<ol><li id="comment-1">${'<div class="x">'.repeat(30_000)}</ol>`, 'http://x.example/p/')).toThrow(new CommentPageError('the page nests elements more than 512 levels deep'));
    // HTML ignores the slash of <div/>: each one opens a div.
    expect(() => parseCommentList(`<ol><li id="comment-1">${'<div/>'.repeat(30_000)}</ol>`, 'http://x.example/p/')).toThrow(/nests elements more than 512 levels deep/);
    expect(() => parseCommentList(`<ol>${'<i>x</i>'.repeat(120_000)}</ol>`, 'http://x.example/p/')).toThrow(new CommentPageError('the page builds more than 100,000 elements'));
  });

  it('counts the elements the parser builds again, not only the tags written', () => {
    // Formatting elements still open when their block ends are rebuilt for every block after
    // it: 100 of them and 5,000 paragraphs (40 KB) would build half a million elements.
    const open = Array.from({ length: 100 }, (_, i) => `<b id="b${i}">`).join('');
    const html = `<ol><li id="comment-1" class="comment">c</li></ol><div>${open}</div>${'<p>x</p>'.repeat(5000)}`;
    expect(html.length).toBeLessThan(45_000);
    expect(() => parseCommentList(html, 'http://x.example/p/')).toThrow(new CommentPageError('the page builds more than 100,000 elements'));
  });

  it('refuses a page larger than it parses', () => {
    expect(() => parseCommentList('x'.repeat(4 * 1024 * 1024), 'http://x.example/p/')).toThrow(CommentPageError);
  });

  it('ignores links to other posts’ comment pages and the post itself', () => {
    const html = `<a href="http://x.example/other/comment-page-2/">o</a><a href="http://x.example/p/#comments">self</a><a href="http://evil.example/p/comment-page-2/">e</a><a href="/p/comment-page-2/#comments">2</a>`;
    expect(parseCommentList(html, 'http://x.example/p/').pageUrls).toEqual(['http://x.example/p/comment-page-2/']);
  });
});

describe('comment page URLs', () => {
  it('finds the post and the page number of a comment page', () => {
    expect(postUrlOfCommentPage('http://x.example/2008/11/p/comment-page-12/#comments')).toBe('http://x.example/2008/11/p/');
    expect(postUrlOfCommentPage('http://x.example/?p=7&cpage=3')).toBe('http://x.example/?p=7');
    expect(commentPageNumber('http://x.example/2008/11/p/comment-page-12/')).toBe(12);
    expect(commentPageNumber('http://x.example/?p=7&cpage=3')).toBe(3);
    expect(commentPageNumber('http://x.example/2008/11/p/')).toBeNull();
  });
});

describe('commentPageItems', () => {
  it('names comments as WordPress’s comment feeds do and points replies at their parent', () => {
    const page = parseCommentList(read('wordpress-html5-threaded.html'), 'http://sachar.example/2008/11/idee/');
    const items = commentPageItems(page.comments, { guid: 'http://sachar.example/?p=41', url: 'http://sachar.example/2008/11/idee/' }, 'http://sachar.example/2008/11/idee/');
    // The short pingback has nothing to show: it is left to the ping listings.
    expect(items.map((i) => i.guid)).toEqual(['http://sachar.example/?p=41#comment-402', 'http://sachar.example/?p=41#comment-405', 'http://sachar.example/?p=41#comment-406']);
    expect(items[0]!.inReplyTo).toEqual([{ ref: 'http://sachar.example/?p=41', href: 'http://sachar.example/2008/11/idee/' }]);
    expect(items[2]!.inReplyTo).toEqual([{ ref: 'http://sachar.example/?p=41#comment-405', href: 'http://sachar.example/2008/11/idee/#comment-405' }]);
  });
});

describe('readCommentPages', () => {
  let demo: DemoBlogs;
  let fetcher: Fetcher;

  beforeAll(async () => {
    demo = await startDemoBlogs({ commentsPerPage: 2 });
    for (let n = 0; n < 8; n++) demo.addComment('sachar', debateSlugs.sachar, { author: `Leser ${n}`, content: `Nummer ${n}`, date: `2008-11-20T10:${String(10 + n).padStart(2, '0')}:00Z` });
    fetcher = createTestFetcher();
  });

  afterAll(async () => {
    await fetcher.close();
    await demo.close();
  });

  it('reads every comment page, filling in the pages the navigation skips (1 … 4 [5])', async () => {
    const url = demo.permalink('sachar', debateSlugs.sachar);
    const r = await readCommentPages(fetcher.fetch, { guid: `${demo.blogs[0]!.origin}/?p=41`, url }, { maxPages: 10, maxBytes: 1 << 20 });
    expect(r.kind).toBe('comments');
    if (r.kind !== 'comments') return;
    // 10 comments, 2 a page: the post's URL is page 5; it links 1 and 4, the pattern gives 2 and 3.
    expect(r.items).toHaveLength(9);
    expect(r.pagesRead).toBe(5);
    expect(r.pagesLeft).toBe(0);
    expect(r.apiRootUrl).toBe(`${demo.blogs[0]!.origin}/wp-json/`);
    const hits = demo.blogs[0]!.server.hits.map((h) => h.path).filter((p) => p.includes('comment-page-'));
    expect(hits.map((p) => p.replace(/.*comment-page-/, ''))).toEqual(['4/', '3/', '2/', '1/']);
  });

  it('stops at maxPages, newest pages first, and says how many it left', async () => {
    const url = demo.permalink('sachar', debateSlugs.sachar);
    const r = await readCommentPages(fetcher.fetch, { guid: null, url }, { maxPages: 2, maxBytes: 1 << 20 });
    expect(r).toMatchObject({ kind: 'comments', pagesRead: 2, pagesLeft: 3 });
  });

  it('says why when the post page cannot be read', async () => {
    const r = await readCommentPages(fetcher.fetch, { guid: null, url: `${demo.blogs[0]!.origin}/2008/11/gibt-es-nicht/` }, { maxPages: 2, maxBytes: 1 << 20 });
    expect(r).toEqual({ kind: 'failed', status: 404, reason: 'the post page answered 404' });
  });

  it('reads the same pages in a reading thread, and says why a page past its limits could not be read', async () => {
    const reader = createFeedReader({ timeoutMs: 20_000, memoryMb: 256, idleMs: 1000 });
    try {
      const url = demo.permalink('sachar', debateSlugs.sachar);
      const post = { guid: `${demo.blogs[0]!.origin}/?p=41`, url };
      const here = await readCommentPages(fetcher.fetch, post, { maxPages: 10, maxBytes: 1 << 20 });
      expect(await readCommentPages(fetcher.fetch, post, { maxPages: 10, maxBytes: 1 << 20, reader })).toEqual(here);
      const deep = async () => ({ requestedUrl: url, url, status: 200, headers: { 'content-type': 'text/html' }, body: Buffer.from(`<ol><li id="comment-1">${'<div/>'.repeat(20_000)}</ol>`), redirects: [], notModified: false });
      expect(await readCommentPages(deep, post, { maxPages: 2, maxBytes: 1 << 20, reader })).toEqual({
        kind: 'failed',
        status: 200,
        reason: "the post page's comments could not be read: the page nests elements more than 512 levels deep",
      });
    } finally {
      await reader.close();
    }
  });
});
