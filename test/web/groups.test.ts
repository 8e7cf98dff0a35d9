// Groups of blogs over HTTP, built from the Social Media Camp debate: a group created from an
// OPML list of fixture blogs (one registered, one not, one offline) shows exactly the
// conversations its blogs took part in during its dates; its feeds validate and thread; a blog
// in two groups shows in both; leaving a group takes its conversations off the group's page
// unless another member takes part. The operator's form needs the session, its CSRF token, and
// is counted per client.
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import Parser from 'rss-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoBlogs, type DemoBlogs } from '../../src/demo/blogs.ts';
import { startFixtureServer } from '../../src/demo/fixture-server.ts';
import { parseOpml } from '../../src/feeds/opml.ts';
import { registerBlog } from '../../src/registry/register-blog.ts';
import { groupChangesPerClientPerHour } from '../../src/web/group-gate.ts';
import { childrenOf, parseStrictXml } from '../feeds/strict-xml.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { recordStatements } from '../support/statements.ts';

const token = 'an-admin-token-for-groups';
const auth = { authorization: `Bearer ${token}` };
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true, allowMatchingProperties: true });
addFormats(ajv);
const validateJsonFeed = ajv.compile(JSON.parse(readFileSync(new URL('../feeds/json-feed-1.1.schema.json', import.meta.url), 'utf8')) as object);
const atomNs = 'http://www.w3.org/2005/Atom';
const thrNs = 'http://purl.org/syndication/thread/1.0';

interface ApiGroup {
  slug: string;
  title: string;
  memberCount: number;
  event: { startsOn: string; endsOn: string; timeZone: string; startsAt: string; endsAt: string } | null;
  members: { id: number; title: string; url: string; status: string }[];
  conversations: { id: number; title: string }[];
  report?: { registered: number; known: number; failed: number; lines: { title: string; outcome: string; reason: string | null }[] };
}

let t: TestApp;
let demo: DemoBlogs;
let offline: string;
let debateId: number;
const home = (key: 'sachar' | 'planetsab' | 'freitag') => demo.blogs.find((b) => b.key === key)!.homeUrl;
const titlesOf = async (slug: string) => ((await t.app.inject(`/api/groups/${slug}`)).json() as ApiGroup).conversations.map((c) => c.title).sort();

function weekOpml(): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0"><head><title>Blogwoche Social Media</title></head><body>
  <outline type="rss" text="Sachar" xmlUrl="${home('sachar')}feed/" htmlUrl="${home('sachar')}"/>
  <outline type="rss" text="Freitag" xmlUrl="${home('freitag')}feed/"/>
  <outline type="rss" text="Offline" xmlUrl="${offline}/feed/"/>
</body></opml>`;
}

beforeAll(async () => {
  t = await createTestApp({ adminToken: token });
  demo = await startDemoBlogs({ freitagCharset: 'windows-1252' });
  const closed = await startFixtureServer();
  offline = closed.origin;
  await closed.close();
  // Freitag is left out: the group's list registers it.
  for (const key of ['sachar', 'planetsab'] as const) await registerBlog({ db: t.database.db, fetch: t.fetcher.fetch }, home(key));
  await t.poller.pollOnce({ force: true });
});

afterAll(async () => {
  await demo?.close();
  await t?.close();
});

describe('POST /api/groups', () => {
  it('refuses without the admin token, and names the field of a bad date', async () => {
    const body = { slug: 'week', opml: weekOpml() };
    expect((await t.app.inject({ method: 'POST', url: '/api/groups', payload: body })).statusCode).toBe(401);
    const bad = await t.app.inject({ method: 'POST', url: '/api/groups', headers: auth, payload: { ...body, from: '2008-11-31', to: '2008-11-17' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toMatch(/^from: must be a date written YYYY-MM-DD/);
    expect((await t.app.inject('/api/groups')).json().groups).toEqual([]);
  });

  it('creates a group from an OPML list: registers the missing blog, reports the offline one, keeps the registered one', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/groups',
      headers: auth,
      payload: { slug: 'week', title: 'Blogwoche <Social Media>', from: '2008-11-12', to: '2008-11-17', timeZone: 'Europe/Berlin', lang: 'de', opml: weekOpml() },
    });
    expect(res.statusCode, res.body).toBe(201);
    const created = res.json() as ApiGroup;
    expect(created.memberCount).toBe(2);
    expect(created.event).toEqual({ startsOn: '2008-11-12', endsOn: '2008-11-17', timeZone: 'Europe/Berlin', startsAt: '2008-11-11T23:00:00.000Z', endsAt: '2008-11-17T23:00:00.000Z' });
    expect(created.report!.lines.map((l) => [l.title, l.outcome])).toEqual([
      ['Sachar', 'known'],
      ['Freitag', 'registered'],
      ['Offline', 'failed'],
    ]);
    expect(created.report!.lines[2]!.reason).toBeTruthy();
    // The same slug again is a conflict.
    expect((await t.app.inject({ method: 'POST', url: '/api/groups', headers: auth, payload: { slug: 'week', blogs: [1] } })).statusCode).toBe(409);
    await t.poller.pollOnce({ force: true });
    const list = (await t.app.inject('/api/conversations')).json().conversations as { id: number; title: string }[];
    debateId = list.find((c) => c.title === 'Idee: ein Social Media Camp')!.id;
  });

  it('shows exactly the conversations its blogs took part in within its dates', async () => {
    const group = (await t.app.inject('/api/groups/week')).json() as ApiGroup;
    expect(group.members.map((m) => m.url).sort()).toEqual([home('freitag'), home('sachar')].sort());
    // Sachar's and Freitag's older posts (September, October) lie outside the dates.
    expect(group.conversations.map((c) => c.id)).toEqual([debateId]);
  });
});

describe('/g/:slug', () => {
  it('shows the group escaped, its conversation with planetsab as joining from outside, its programme and its members', async () => {
    const res = await t.app.inject({ url: '/g/week', headers: { 'accept-language': 'en' } });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<h1 lang="de">Blogwoche &lt;Social Media&gt;</h1>');
    expect(res.body).not.toContain('<Social Media>');
    expect(res.body).toContain(`<a href="/c/${debateId}">Idee: ein Social Media Camp</a>`);
    expect(res.body).toMatch(/Joined from outside the group: <a href="\/blogs\/\d+">planetsab<\/a>/);
    expect(res.body).not.toContain('Warum ich wieder mehr Feeds lese');
    // Day 1 in Berlin: Sachar's post and Martin's comment; day 3 planetsab wrote, who is no member.
    const days = [...res.body.matchAll(/<span class="day-number">(Day \d+)<\/span>[\s\S]*?<p class="meta day-counts">([^<]*)<\/p>/g)].map((m) => `${m[1]}: ${m[2]}`);
    expect(days).toEqual(['Day 1: 1 post on 1 blog, 1 comment', 'Day 2: nothing posted', 'Day 3: nothing posted', 'Day 4: nothing posted', 'Day 5: nothing posted', 'Day 6: 1 post on 1 blog, 1 comment']);
    expect(res.body).toContain('href="/g/week/feed.atom"');
    expect(res.body).toContain('href="/g/week.opml"');
    expect(res.body).toMatch(/<caption>2 blogs<\/caption>/);
  });

  it('draws each conversation small as / does: its activity per day and its blogs\' letters, on the page and the summary', async () => {
    const sparkOf = (body: string) => new RegExp(`<a href="/c/${debateId}">[^<]*</a></h2>\\s*(<span class="sparkline">[\\s\\S]*?</span></span>)`).exec(body)?.[1];
    const onHome = sparkOf((await t.app.inject({ url: '/', headers: { 'accept-language': 'en' } })).body);
    expect(onHome).toMatch(/^<span class="sparkline"><svg class="spark"[^>]* aria-label="Activity: 9 entries on 5 days"/);
    // The debate's three blogs, members or not, in the order they joined.
    expect([...onHome!.matchAll(/<span class="mark blog-c\d+" title="[^"]*">(\w)<\/span>/g)].map((m) => m[1])).toEqual(['S', 'P', 'F']);
    expect(sparkOf((await t.app.inject({ url: '/g/week', headers: { 'accept-language': 'en' } })).body)).toBe(onHome);
    expect(sparkOf((await t.app.inject({ url: '/g/week/summary', headers: { 'accept-language': 'en' } })).body)).toBe(onHome);
    // Kept per version of each conversation, as / keeps them: the page in another language reads none again.
    const { sql: ran } = await recordStatements(async () => {
      expect((await t.app.inject({ url: '/g/week?lang=de' })).statusCode).toBe(200);
      expect((await t.app.inject({ url: '/g/week/summary?lang=de' })).statusCode).toBe(200);
    });
    expect(ran.filter((q) => /group by "conversation_id", substr/.test(q))).toEqual([]);
  });

  it('speaks German, with the event over and its summary linked', async () => {
    const res = await t.app.inject({ url: '/g/week?lang=de' });
    expect(res.body).toContain('Veranstaltung: 12.–17. November 2008 · vorbei · <a href="/g/week/summary">Zusammenfassung</a>');
    expect(res.body).toContain('<span class="day-number">Tag 6</span> · <span class="day-date">Montag, 17. November 2008</span></h3>\n<p class="meta day-counts">1 Beitrag in 1 Blog, 1 Kommentar</p>');
    const summary = await t.app.inject({ url: '/g/week/summary?lang=en' });
    expect(summary.statusCode).toBe(200);
    expect(summary.body).toContain('2 posts on 2 blogs, 2 comments');
    expect(summary.body).toContain('2 of 2 blogs posted');
  });

  it('searches within the group only', async () => {
    const inGroup = await t.app.inject('/g/week?q=Feedreader&lang=en');
    const everywhere = await t.app.inject('/?q=Feedreader&lang=en');
    // planetsab's autumn post and Sachar's September one mention it, neither inside the group.
    expect(everywhere.body).toContain('Herbst, Tee und ein aufgeräumter Feedreader');
    expect(inGroup.body).not.toContain('Herbst, Tee');
    expect(inGroup.body).not.toContain('Warum ich wieder mehr Feeds lese');
    expect((await t.app.inject('/g/week?q=Camp&lang=en')).body).toContain(`/c/${debateId}`);
  });

  it('answers 404 for a group that is not there and for a slug that cannot be one', async () => {
    expect((await t.app.inject('/g/nothing')).statusCode).toBe(404);
    expect((await t.app.inject('/g/..%2Fetc')).statusCode).toBe(404);
    expect((await t.app.inject('/g/nothing/feed.atom')).statusCode).toBe(404);
    expect((await t.app.inject('/g/nothing.opml')).statusCode).toBe(404);
  });

  it('lists the group’s blogs as OPML for a reader', async () => {
    const res = await t.app.inject('/g/week.opml');
    expect(res.statusCode).toBe(200);
    const parsed = parseOpml(res.body);
    expect(parsed.title).toBe('Blogwoche <Social Media>');
    expect(parsed.outlines.map((o) => o.htmlUrl).sort()).toEqual([home('freitag'), home('sachar')].sort());
  });
});

describe('an event that is under way, and one that has not begun', () => {
  it('says which day it is, lists the days so far, calls its summary the state so far; an upcoming one has no summary yet', async () => {
    const clocked = await createTestApp({ adminToken: token }, { now: () => new Date('2008-11-13T12:00:00Z') });
    try {
      const create = (slug: string, from: string, to: string) =>
        clocked.app.inject({ method: 'POST', url: '/api/groups', headers: auth, payload: { slug, from, to, timeZone: 'Europe/Berlin', blogs: [] } });
      expect((await create('running', '2008-11-12', '2008-11-17')).statusCode).toBe(201);
      expect((await create('later', '2008-12-01', '2008-12-03')).statusCode).toBe(201);
      const running = await clocked.app.inject('/g/running?lang=en');
      expect(running.body).toMatch(/Event: November 12\s–\s17, 2008 · under way: day 2 of 6/);
      expect([...running.body.matchAll(/<span class="day-number">([^<]+)<\/span>/g)].map((m) => m[1])).toEqual(['Day 1', 'Day 2']);
      expect((await clocked.app.inject('/g/running/summary?lang=en')).body).toContain('The event is still under way: this is how it stands so far.');
      const later = await clocked.app.inject('/g/later?lang=de');
      expect(later.body).toContain('Veranstaltung: 1.–3. Dezember 2008 · beginnt am Montag, 1. Dezember 2008');
      expect(later.body).not.toContain('class="programme"');
      expect((await clocked.app.inject('/g/later/summary')).statusCode).toBe(404);
    } finally {
      await clocked.close();
    }
  });
});

describe('the group feeds', () => {
  it('validate as Atom, RSS and JSON Feed and carry the conversation threaded', async () => {
    const debate = (await t.app.inject(`/api/conversations/${debateId}`)).json() as { entries: { id: number; inReplyTo: number | null }[] };
    const atom = await t.app.inject('/g/week/feed.atom');
    expect(atom.statusCode).toBe(200);
    const doc = parseStrictXml(atom.body);
    const entries = childrenOf(doc, atomNs, 'entry');
    expect(entries.length).toBe(debate.entries.length);
    expect(entries.some((e) => childrenOf(e, thrNs, 'in-reply-to').length > 0)).toBe(true);
    const rss = await t.app.inject('/g/week/feed.rss');
    parseStrictXml(rss.body);
    expect((await new Parser().parseString(rss.body)).items.length).toBe(debate.entries.length);
    const json = (await t.app.inject('/g/week/feed.json')).json() as { items: { id: string; _palaver: { conversation: { id: string }; in_reply_to: unknown } }[] };
    expect(validateJsonFeed(json) ? '' : ajv.errorsText(validateJsonFeed.errors)).toBe('');
    expect(new Set(json.items.map((i) => i._palaver.conversation.id))).toEqual(new Set([String(debateId)]));
    expect(json.items.filter((i) => i._palaver.in_reply_to !== null).length).toBe(debate.entries.filter((e) => e.inReplyTo !== null).length);
  });
});

describe('membership', () => {
  it('shows a blog in two groups in both, and takes a leaver’s conversations off unless another member takes part', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/groups', headers: auth, payload: { slug: 'feeds', title: 'Feeds', blogs: [home('sachar'), home('planetsab')] } });
    expect(res.statusCode, res.body).toBe(201);
    for (const slug of ['week', 'feeds']) {
      const group = (await t.app.inject(`/api/groups/${slug}`)).json() as ApiGroup;
      expect(group.members.map((m) => m.url), slug).toContain(home('sachar'));
    }
    const sacharId = ((await t.app.inject('/api/groups/feeds')).json() as ApiGroup).members.find((m) => m.url === home('sachar'))!.id;
    const groupLinks = async () => [...(await t.app.inject(`/blogs/${sacharId}`)).body.matchAll(/<p class="groups-of-blog">[^]*?<\/p>/g)].flatMap((m) => [...m[0].matchAll(/href="\/g\/([^"]+)"/g)].map((l) => l[1]));
    // The blog's own page names its groups.
    expect((await groupLinks()).sort()).toEqual(['feeds', 'week']);
    const before = await titlesOf('feeds');
    expect(before).toContain('Warum ich wieder mehr Feeds lese');
    expect(before).toContain('Idee: ein Social Media Camp');
    const left = await t.app.inject({ method: 'DELETE', url: `/api/groups/feeds/members/${encodeURIComponent(home('sachar'))}`, headers: auth });
    expect(left.statusCode, left.body).toBe(200);
    const after = await titlesOf('feeds');
    // Sachar's own conversations go; the debate stays, planetsab takes part in it.
    expect(after).not.toContain('Warum ich wieder mehr Feeds lese');
    expect(after).not.toContain('Notizen von der Buchmesse');
    expect(after).toContain('Idee: ein Social Media Camp');
    expect(after).toEqual(before.filter((title) => title !== 'Warum ich wieder mehr Feeds lese' && title !== 'Notizen von der Buchmesse'));
    // Sachar is still in the other group, which still shows the debate.
    expect(await titlesOf('week')).toEqual(['Idee: ein Social Media Camp']);
    expect(await groupLinks()).toEqual(['week']);
    expect((await t.app.inject({ method: 'DELETE', url: `/api/groups/feeds/members/${encodeURIComponent(home('sachar'))}`, headers: auth })).statusCode).toBe(404);
    // A stray percent sign names no blog; it is no server error.
    expect((await t.app.inject({ method: 'DELETE', url: '/api/groups/feeds/members/%25', headers: auth })).statusCode).toBe(404);
  });

  it('pages GET /api/groups by cursor', async () => {
    const first = (await t.app.inject('/api/groups?limit=1')).json() as { groups: ApiGroup[]; next: string };
    expect(first.groups.map((g) => g.slug)).toEqual(['feeds']);
    const second = (await t.app.inject(first.next)).json() as { groups: ApiGroup[]; next: string | null };
    expect(second.groups.map((g) => g.slug)).toEqual(['week']);
    expect(second.next).toBeNull();
  });

  it('lists every group on /groups, newest first, titles escaped', async () => {
    const res = await t.app.inject('/groups?lang=en');
    expect(res.statusCode).toBe(200);
    expect([...res.body.matchAll(/<h2><a href="\/g\/([a-z0-9-]+)"/g)].map((m) => m[1])).toEqual(['feeds', 'week']);
    expect(res.body).toContain('Blogwoche &lt;Social Media&gt;</a>');
  });
});

describe('/groups/new', () => {
  it('needs the session and its CSRF token, takes an uploaded list, and shows the report', async () => {
    const stranger = await t.app.inject({ method: 'POST', url: '/groups/new', payload: 'slug=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(stranger.statusCode).toBe(401);
    expect((await t.app.inject('/groups/new')).body).not.toContain('name="csrf"');
    const login = await t.app.inject({ method: 'POST', url: '/admin/login', payload: { token } });
    const cookie = String(login.headers['set-cookie']).split(';')[0]!;
    const form = await t.app.inject({ url: '/groups/new', headers: { cookie } });
    const csrf = /name="csrf" value="([^"]+)"/.exec(form.body)![1]!;
    const boundary = '----palaver-test';
    const part = (name: string, value: string, file?: string) =>
      `--${boundary}\r\nContent-Disposition: form-data; name="${name}"${file ? `; filename="${file}"\r\nContent-Type: text/x-opml` : ''}\r\n\r\n${value}\r\n`;
    const body = (csrfValue: string) => `${part('csrf', csrfValue)}${part('slug', 'upload')}${part('from', '2008-11-12')}${part('to', '2008-11-17')}${part('opmlFile', weekOpml(), 'week.opml')}--${boundary}--\r\n`;
    const headers = { cookie, 'content-type': `multipart/form-data; boundary=${boundary}` };
    const forged = await t.app.inject({ method: 'POST', url: '/groups/new', headers, payload: body('not-the-token') });
    expect(forged.statusCode).toBe(403);
    expect((await t.app.inject('/api/groups/upload')).statusCode).toBe(404);
    const res = await t.app.inject({ method: 'POST', url: '/groups/new', headers, payload: body(csrf) });
    expect(res.statusCode, res.body.slice(0, 500)).toBe(200);
    // The list's own title names the group; the offline blog is reported.
    expect(res.body).toContain('Created <a href="/g/upload">Blogwoche Social Media</a>');
    expect(res.body).toMatch(/2 already there, 1 failed/);
    expect(((await t.app.inject('/api/groups/upload')).json() as ApiGroup).memberCount).toBe(2);
  });

  it('counts attempts per client and answers 429 beyond the limit', async () => {
    const fresh = await createTestApp({ adminToken: token });
    try {
      const post = () => fresh.app.inject({ method: 'POST', url: '/api/groups', payload: { slug: 'x' }, remoteAddress: '203.0.113.9' });
      for (let i = 0; i < groupChangesPerClientPerHour; i++) expect((await post()).statusCode).toBe(401);
      const refused = await post();
      expect(refused.statusCode).toBe(429);
      expect(refused.headers['retry-after']).toBeTruthy();
      // Another client is not affected.
      expect((await fresh.app.inject({ method: 'POST', url: '/api/groups', payload: { slug: 'x' }, remoteAddress: '198.51.100.7' })).statusCode).toBe(401);
    } finally {
      await fresh.close();
    }
  });
});
