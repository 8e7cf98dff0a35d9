// The conversation routes' debate map and "Also in this debate": the map of the demo debate, on
// its page and as /c/:id/map.svg, has exactly the debate's blogs, entries and answers as lanes,
// marks and arrows (the SVG parsed strictly); a blog nobody registered that pinged the debate is
// listed beside it, and its Follow button registers it so its post joins the conversation.
import { sql } from 'kysely';
import defaults from '../../config/default.json' with { type: 'json' };
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { FixtureServer } from '../../src/demo/fixture-server.ts';
import { entriesOf, pingingBlog, siteOf, startOpenDemoDebate } from '../support/pinging-blog.ts';
import { parseStrictXml, type XmlNode } from '../feeds/strict-xml.ts';
import { startDemoDebate, type DemoDebate } from '../support/demo-debate.ts';
import { recordStatements } from '../support/statements.ts';

const svgNs = 'http://www.w3.org/2000/svg';
let d: DemoDebate;
let entries: { id: number; kind: string; author: { name: string | null }; inReplyTo: number | null }[];

beforeAll(async () => {
  d = await startDemoDebate();
  entries = (await d.t.app.inject(`/api/conversations/${d.conversationId}`)).json().entries;
});

afterAll(async () => {
  await d.close();
});

function all(node: XmlNode, test: (n: XmlNode) => boolean, out: XmlNode[] = []): XmlNode[] {
  if (test(node)) out.push(node);
  for (const c of node.children) all(c, test, out);
  return out;
}
const hasClass = (name: string) => (n: XmlNode) => (n.attributes.class ?? '').split(' ').includes(name);

// Every answer between two shown entries, each pair once, read straight from the edges (a record
// of a ping stands for the post it merged with).
async function expectedPairs(): Promise<Set<string>> {
  const db = d.t.database.db;
  const rows = await sql<{ f: number; t: number }>`
    select coalesce(a.same_as_id, a.id) as f, coalesce(b.same_as_id, b.id) as t
    from edges join entries a on a.id = edges.from_entry_id join entries b on b.id = edges.to_entry_id
    where a.conversation_id = ${d.conversationId} and edges.type != 'same-as'`.execute(db);
  return new Set(rows.rows.filter((r) => r.f !== r.t).map((r) => `${r.f}>${r.t}`));
}

describe('GET /c/:id/map.svg', () => {
  it('draws one lane per blog, one mark per entry linking to it, one arrow per answer', async () => {
    const res = await d.t.app.inject(`/c/${d.conversationId}/map.svg`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('image/svg+xml; charset=utf-8');
    expect(res.headers.etag).toBeTruthy();
    const svg = parseStrictXml(res.body);
    expect(svg.uri).toBe(svgNs);
    expect(svg.local).toBe('svg');

    const lanes = all(svg, hasClass('dm-lane'));
    expect(lanes.map((l) => l.children.find((c) => c.local === 'title')?.text)).toEqual(['Sachar’s Blog', 'planetsab', 'Freitag']);

    const marks = all(svg, hasClass('dm-mark'));
    expect(marks.map((m) => Number(m.attributes['data-entry'])).sort((a, b) => a - b)).toEqual(entries.map((e) => e.id).sort((a, b) => a - b));
    for (const m of marks) {
      const id = m.attributes['data-entry'];
      expect(m.local).toBe('a');
      expect(m.attributes.href).toBe(`/c/${d.conversationId}#e-${id}`);
      const title = m.children.find((c) => c.local === 'title')!.text;
      const entry = entries.find((e) => e.id === Number(id))!;
      expect(title).toContain(entry.author.name ?? 'Someone');
      expect(title).toMatch(/2008/);
      // Posts large, comments small, linkbacks that are not posts a shape of their own.
      expect(hasClass(`dm-${entry.kind === 'post' ? 'post' : entry.kind === 'comment' ? 'comment' : 'linkback'}`)(m)).toBe(true);
    }

    const arrows = all(svg, hasClass('dm-arrow'));
    const drawn = new Set(arrows.map((a) => `${a.attributes['data-from']}>${a.attributes['data-to']}`));
    expect(drawn.size).toBe(arrows.length);
    expect(drawn).toEqual(await expectedPairs());
    for (const e of entries) if (e.inReplyTo !== null) expect(drawn).toContain(`${e.id}>${e.inReplyTo}`);
    // Across lanes: planetsab's post answers Sachar's, Freitag's answers planetsab's.
    expect(arrows.length).toBeGreaterThanOrEqual(entries.length - 1);

    // The summary is the description, and the pauses are marked.
    expect(svg.children.find((c) => c.local === 'desc')?.text).toMatch(/^3 blogs, 9 entries, November 12\s–\s17, 2008; planetsab answered a post on Sachar’s Blog 2 days later/);
    expect(all(svg, hasClass('dm-gap')).length).toBeGreaterThan(0);
    // A line before each day with entries, each with its date.
    expect(all(svg, hasClass('dm-day')).length).toBe(5);
    expect(all(svg, hasClass('dm-day-label')).map((l) => l.text)).toEqual(['Nov 12', 'Nov 14', 'Nov 15', 'Nov 16', 'Nov 17']);
  });

  it('answers 304 to its own ETag, redirects a merged conversation and 404s an unknown one', async () => {
    const first = await d.t.app.inject(`/c/${d.conversationId}/map.svg`);
    const again = await d.t.app.inject({ url: `/c/${d.conversationId}/map.svg`, headers: { 'if-none-match': String(first.headers.etag) } });
    expect(again.statusCode).toBe(304);
    expect((await d.t.app.inject('/c/999999/map.svg')).statusCode).toBe(404);
  });
});

describe('the map on /c/:id', () => {
  it('is a figure above the entries with a text summary, in English and German', async () => {
    const en = await d.t.app.inject(`/c/${d.conversationId}`);
    const figure = /<figure class="debate-map"[\s\S]*?<\/figure>/.exec(en.body)?.[0] ?? '';
    expect(figure).toContain('<svg');
    expect(en.body.indexOf('<figure class="debate-map"')).toBeLessThan(en.body.indexOf('<ol class="timeline">'));
    expect(figure).toMatch(/<figcaption class="map-summary"><span id="map-summary">3 blogs, 9 entries, November 12\s–\s17, 2008; planetsab answered a post on Sachar’s Blog 2 days later; Freitag joined on day 6/);
    // Marks on the page link to the entries on the page.
    for (const e of entries) expect(figure).toContain(`href="#e-${e.id}"`);
    expect(figure).toContain(`href="/c/${d.conversationId}/map.svg"`);

    const de = await d.t.app.inject(`/c/${d.conversationId}?lang=de`);
    expect(de.body).toMatch(/<span id="map-summary">3 Blogs, 9 Einträge, 12\.–17\. November 2008; planetsab antwortete 2 Tage später auf einen Beitrag in Sachar’s Blog; Freitag kam am 6\. Tag dazu/);
    expect(de.body).toContain('aria-label="Karte der Debatte"');
  });

  it('gives each blog the same colour and letter on the map as on its entries', async () => {
    const page = (await d.t.app.inject(`/c/${d.conversationId}`)).body;
    for (const [name, letter] of [['Sachar’s Blog', 'S'], ['planetsab', 'P'], ['Freitag', 'F']] as const) {
      const colour = new RegExp(`<li class="blog-c(\\d)"><span class="mark" aria-hidden="true">${letter}</span><a href="/blogs/\\d+">${name}</a>`).exec(page)?.[1];
      expect(colour, name).toBeDefined();
      expect(page).toMatch(new RegExp(`<g class="dm-lane blog-c${colour}"[^>]*><title>${name}</title>`));
    }
  });
});

describe('the map of a conversation cut into pages', () => {
  it('draws the whole debate on every page; a mark of an entry on another page links there', async () => {
    const paged = await startDemoDebate({ pages: { ...defaults.pages, conversationPageEntries: 4 } });
    try {
      const ids = ((await paged.t.app.inject(`/api/conversations/${paged.conversationId}`)).json().entries as { id: number }[]).map((e) => e.id);
      const all = [...ids];
      for (let next = (await paged.t.app.inject(`/api/conversations/${paged.conversationId}`)).json().next; next; ) {
        const page = (await paged.t.app.inject(next)).json();
        all.push(...(page.entries as { id: number }[]).map((e) => e.id));
        next = page.next;
      }
      expect(all).toHaveLength(9);
      const second = (await paged.t.app.inject(`/c/${paged.conversationId}?page=2`)).body;
      const figure = /<figure class="debate-map"[\s\S]*?<\/figure>/.exec(second)?.[0] ?? '';
      const hrefs = [...figure.matchAll(/<a href="([^"]+)" class="dm-mark[^"]*" data-entry="(\d+)"/g)].map((m) => [Number(m[2]), m[1]] as const);
      expect(hrefs.map(([id]) => id).sort((a, b) => a - b)).toEqual([...all].sort((a, b) => a - b));
      const onPage = (n: number) => all.slice((n - 1) * 4, n * 4);
      for (const [id, href] of hrefs) {
        const page = onPage(1).includes(id) ? 1 : onPage(2).includes(id) ? 2 : 3;
        expect(href, `entry ${id}`).toBe(page === 2 ? `#e-${id}` : page === 1 ? `/c/${paged.conversationId}#e-${id}` : `/c/${paged.conversationId}?page=3#e-${id}`);
      }
    } finally {
      await paged.close();
    }
  });

  it('reads the map and the sites it mentions once for all the pages, languages and time zones of a version; a renamed blog reads them again', async () => {
    const paged = await startDemoDebate({ pages: { ...defaults.pages, conversationPageEntries: 4 } });
    try {
      let siteReads = 0;
      const mapReads = async (...requests: (string | { url: string; headers: Record<string, string> })[]) => {
        const { sql: ran } = await recordStatements(async () => {
          for (const r of requests) expect((await paged.t.app.inject(r)).statusCode).toBe(200);
        });
        // "Also in this debate" ranks the sites its entries link to.
        siteReads = ran.filter((s) => /group by "m"\."site"/.test(s)).length;
        // The map's own read: each entry's kind, author, title and blog.
        return ran.filter((s) => /select "entries"\."id", "entries"\."kind", "entries"\."author_name"/.test(s)).length;
      };
      const c = `/c/${paged.conversationId}`;
      // The first page reads the debate's entries for its map.
      const first = await mapReads(c);
      expect(first).toBeGreaterThan(0);
      expect(siteReads).toBe(1);
      expect(await mapReads(`${c}?page=2`, `${c}?page=3`, `${c}/map.svg`)).toBe(0);
      expect(siteReads).toBe(0);
      // Readers in another language or time zone get the map laid out for them from what was read.
      expect(await mapReads(`${c}?page=2&lang=de`, `${c}?page=3&lang=de`)).toBe(0);
      expect(siteReads).toBe(0);
      expect((await paged.t.app.inject(`${c}?page=2&lang=de`)).body).toContain('aria-label="Karte der Debatte"');
      const tokyo = { cookie: 'tz=Asia/Tokyo' };
      expect(await mapReads({ url: c, headers: tokyo }, { url: `${c}/map.svg`, headers: tokyo }, { url: `${c}?lang=de`, headers: { cookie: 'tz=America/New_York' } })).toBe(0);
      await paged.t.database.db.updateTable('blogs').set({ title: 'Umbenannt', updated_at: '2030-01-01T00:00:00.000Z' }).where('id', '=', 1).execute();
      expect(await mapReads(`${c}?page=3&lang=en`)).toBe(1);
      expect(siteReads).toBe(1);
      expect((await paged.t.app.inject(`${c}?page=2&lang=en`)).body).toContain('Umbenannt');
    } finally {
      await paged.close();
    }
  });
});

let opened: DemoDebate | undefined;
const sites: FixtureServer[] = [];

afterEach(async () => {
  await opened?.close();
  opened = undefined;
  for (const s of sites.splice(0)) await s.close();
});

async function open(registry: Record<string, unknown> = {}): Promise<DemoDebate> {
  opened = await startOpenDemoDebate(registry);
  return opened;
}

async function ping(dd: DemoDebate, slug: string) {
  const blog = await pingingBlog(dd, slug);
  sites.push(blog.site);
  return blog;
}

describe('Also in this debate', () => {
  it('lists an unregistered blog that pinged the debate; its follow button registers it and its post joins', async () => {
    const dd = await open();
    const { site, postUrl } = await ping(dd, 'auch-ein-camp');
    const page = (await dd.t.app.inject(`/c/${dd.conversationId}`)).body;
    const section = /<section class="also-in-debate"[\s\S]*?<\/section>/.exec(page)?.[0] ?? '';
    expect(section).toContain(`data-site="${siteOf(site)}"`);
    expect(section).toContain('pinged 1 time');
    expect(section).toContain(`<a href="${postUrl}" rel="nofollow ugc noopener">Auch ein Camp</a>`);
    expect(section).toContain(`<form class="follow" method="post" action="/blogs"><input type="hidden" name="url" value="${postUrl}">`);
    // Nothing about the site was fetched beyond the ping's verification (the post page, once).
    expect(site.hits.map((h) => h.path)).toEqual(['/2008/11/auch-ein-camp/']);

    const suggested = (await dd.t.app.inject('/blogs')).body;
    expect(/<section id="suggested"[\s\S]*?<\/section>/.exec(suggested)?.[0]).toContain(`data-site="${siteOf(site)}"`);

    // The one-click follow is the ordinary registration form.
    const follow = await dd.t.app.inject({ method: 'POST', url: '/blogs', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: `url=${encodeURIComponent(postUrl)}` });
    expect(follow.statusCode).toBe(303);
    expect(follow.headers.location).toMatch(/^\/blogs\/\d+\?registered=1$/);
    const blogId = Number(/\/blogs\/(\d+)/.exec(String(follow.headers.location))![1]);
    await dd.t.poller.pollOnce({ force: true });
    const post = (await entriesOf(dd)).find((e) => e.url === postUrl);
    expect(post).toMatchObject({ kind: 'post', blog: { id: blogId } });
    const after = (await dd.t.app.inject(`/c/${dd.conversationId}`)).body;
    expect(after).not.toContain(`data-site="${siteOf(site)}"`);
  });

  it('shows the registration error when the site has no feed', async () => {
    const dd = await open();
    const { site, postUrl } = await ping(dd, 'ohne-feed');
    site.set('/feed/', { status: 404, body: '' });
    const noFeed = { headers: { 'content-type': 'text/html; charset=utf-8' }, body: '<html><head><title>Kein Feed</title></head><body>nichts</body></html>' };
    site.set('/2008/11/ohne-feed/', noFeed);
    site.set('/', noFeed);
    const follow = await dd.t.app.inject({ method: 'POST', url: '/blogs', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: `url=${encodeURIComponent(postUrl)}` });
    expect(follow.statusCode).toBe(422);
    expect(follow.body).toContain('role="alert"');
  });
});

