import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoBlogs, type DemoBlogs } from '../../src/demo/blogs.ts';
import { debateSlugs } from '../../src/demo/debate.ts';

let demo: DemoBlogs;
let origin: string;

beforeAll(async () => {
  demo = await startDemoBlogs();
  origin = demo.blogs.find((b) => b.key === 'planetsab')!.origin;
});

afterAll(async () => {
  await demo.close();
});

async function get(path: string) {
  const res = await fetch(`${origin}${path}`);
  return { status: res.status, headers: res.headers, json: (await res.json()) as unknown };
}

describe('the fixture blogs’ REST API', () => {
  it('lists a post’s comments of type "comment" only, oldest first when asked, with WordPress’s totals', async () => {
    // planetsab's debate post (213): four comments and a pingback.
    const res = await get('/wp-json/wp/v2/comments?post=213&per_page=3&page=1&orderby=date_gmt&order=asc');
    expect(res.status).toBe(200);
    expect(res.headers.get('x-wp-total')).toBe('4');
    expect(res.headers.get('x-wp-totalpages')).toBe('2');
    expect(res.headers.get('link')).toBe(`<${origin}/wp-json/wp/v2/comments?post=213&per_page=3&page=2&orderby=date_gmt&order=asc>; rel="next"`);
    const comments = res.json as { id: number; parent: number; date_gmt: string; link: string; content: { rendered: string } }[];
    expect(comments.map((c) => [c.id, c.parent])).toEqual([
      [1187, 0],
      [1188, 1187],
      [1190, 0],
    ]);
    expect(comments[0]!.date_gmt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
    expect(comments[0]!.link).toBe(`${demo.permalink('planetsab', debateSlugs.planetsab)}#comment-1187`);
    expect(comments[0]!.content.rendered).toMatch(/^<p>/);
  });

  it('answers an empty page past the end, and refuses what WordPress refuses', async () => {
    expect((await get('/wp-json/wp/v2/comments?post=213&per_page=100&page=9')).json).toEqual([]);
    expect(await get('/wp-json/wp/v2/comments?post=213&per_page=101')).toMatchObject({ status: 400, json: { code: 'rest_invalid_param' } });
    expect(await get('/wp-json/wp/v2/comments?post=213&type=pingback')).toMatchObject({ status: 401, json: { code: 'rest_forbidden_param' } });
  });

  it('answers at ?rest_route= too, and finds posts by slug', async () => {
    const res = await get(`/?rest_route=/wp/v2/posts&slug=${debateSlugs.planetsab}&_fields=id`);
    expect(res).toMatchObject({ status: 200, json: [{ id: 213 }] });
  });

  it.each([
    [401, 'rest_not_logged_in'],
    [403, 'rest_forbidden'],
    [404, 'rest_no_route'],
  ] as const)('refuses every reader with %i %s when switched so', async (status, code) => {
    demo.setRestApi('planetsab', status);
    try {
      expect(await get('/wp-json/wp/v2/comments?post=213')).toMatchObject({ status, json: { code, data: { status } } });
    } finally {
      demo.setRestApi('planetsab', 'on');
    }
  });

  it('splits the post page into comment pages with the newest on the permalink', async () => {
    demo.setCommentsPerPage('planetsab', 2);
    try {
      const permalink = demo.permalink('planetsab', debateSlugs.planetsab);
      const newest = await (await fetch(permalink)).text();
      // Four top-level comments (1188 answers 1187): pages 1 and 2; the permalink shows page 2.
      expect(newest).toContain('id="comment-1191"');
      expect(newest).not.toContain('id="comment-1187"');
      expect(newest).toContain(`href="${permalink}comment-page-1/#comments"`);
      const first = await (await fetch(`${permalink}comment-page-1/`)).text();
      expect(first).toMatch(/id="comment-1187"[\s\S]*<ol class="children">[\s\S]*id="comment-1188"/);
      expect((await fetch(`${permalink}comment-page-3/`)).status).toBe(404);
    } finally {
      demo.setCommentsPerPage('planetsab', null);
    }
  });
});
