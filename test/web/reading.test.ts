// What a reader meets first on the pages of the demo debate: dates with day separators in the
// reader's zone, visible subscribe links, the real TrackBack address to copy, and one way of
// naming comments and cross-blog replies (the feeds' way).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { debateSlugs } from '../../src/demo/debate.ts';
import { startDemoDebate, type DemoDebate } from '../support/demo-debate.ts';

interface ApiEntry {
  id: number;
  kind: string;
  url: string | null;
  author: { name: string | null };
  inReplyTo: number | null;
}

let d: DemoDebate;
let entries: ApiEntry[];
const berlin = { cookie: 'tz=Europe/Berlin' };

beforeAll(async () => {
  d = await startDemoDebate();
  entries = (await d.t.app.inject(`/api/conversations/${d.conversationId}`)).json().entries;
});

afterAll(async () => {
  await d.close();
});

function blogIdOf(name: string): Promise<number> {
  return d.t.app.inject('/api/blogs').then((r) => (r.json().blogs as { id: number; title: string }[]).find((b) => b.title === name)!.id);
}

describe('dates on the conversation page', () => {
  it('puts a day separator before each new day, with the gap when the debate paused', async () => {
    const res = await d.t.app.inject({ url: `/c/${d.conversationId}?lang=de`, headers: berlin });
    const days = [...res.body.matchAll(/<li class="day"><p class="day-heading"><time datetime="([\d-]+)">([^<]+)<\/time>(?: <span class="gap">· ([^<]+)<\/span>)?/g)].map((m) => [m[1], m[2], m[3] ?? '']);
    expect(days).toEqual([
      ['2008-11-12', 'Mittwoch, 12. November 2008', ''],
      ['2008-11-14', 'Freitag, 14. November 2008', '2 Tage später'],
      ['2008-11-15', 'Samstag, 15. November 2008', ''],
      ['2008-11-16', 'Sonntag, 16. November 2008', ''],
      ['2008-11-17', 'Montag, 17. November 2008', ''],
    ]);
    // The thread view orders by replies, not days: no separators there.
    const thread = await d.t.app.inject({ url: `/c/${d.conversationId}?view=thread&lang=de`, headers: berlin });
    expect(thread.body).not.toContain('class="day"');
  });

  it('shows times in the zone the reader’s browser named, and says which zone', async () => {
    const planetsab = entries.find((e) => e.url === d.demo.permalink('planetsab', debateSlugs.planetsab))!;
    const at = (body: string) => new RegExp(`id="e-${planetsab.id}"[\\s\\S]*?class="dt-published"[^>]*>([^<]+)<`).exec(body)?.[1];
    const inBerlin = await d.t.app.inject({ url: `/c/${d.conversationId}?lang=en`, headers: berlin });
    expect(at(inBerlin.body)).toBe('Nov 14, 2008, 10:30 PM');
    expect(inBerlin.body).toContain('Time zone: Central European Time (Europe/Berlin)');
    const inNewYork = await d.t.app.inject({ url: `/c/${d.conversationId}?lang=en`, headers: { cookie: 'tz=America/New_York' } });
    expect(at(inNewYork.body)).toBe('Nov 14, 2008, 4:30 PM');
    expect(inNewYork.body).toContain('Time zone: Eastern Time (America/New_York)');
    // light-my-request's `cookies` option (its cookie package is pinned to one that runs on Node 20).
    const viaOption = await d.t.app.inject({ url: `/c/${d.conversationId}?lang=en`, cookies: { tz: 'America/New_York' } });
    expect(at(viaOption.body)).toBe('Nov 14, 2008, 4:30 PM');
    // A cookie naming no zone falls back to the configured one.
    const bogus = await d.t.app.inject({ url: `/c/${d.conversationId}?lang=en`, headers: { cookie: 'tz=%22%3E%3Cb%3E' } });
    expect(bogus.statusCode).toBe(200);
    expect(bogus.body).not.toContain('<b>');
  });
});

describe('subscribing', () => {
  it('shows Atom · RSS · JSON Feed of everything on the home page', async () => {
    const res = await d.t.app.inject('/?lang=en');
    expect(res.body).toContain(
      '<p class="feeds subscribe">Subscribe to every conversation: <a href="/feed.atom" type="application/atom+xml">Atom</a> · <a href="/feed.rss" type="application/rss+xml">RSS</a> · <a href="/feed.json" type="application/feed+json">JSON Feed</a></p>',
    );
  });

  it('shows the blog’s feeds on its page', async () => {
    const id = await blogIdOf('planetsab');
    const res = await d.t.app.inject(`/blogs/${id}?lang=de`);
    expect(res.body).toContain(`Dieses Blog in Palaver abonnieren: <a href="/blogs/${id}/feed.atom"`);
    for (const ext of ['rss', 'json']) expect(res.body).toContain(`href="/blogs/${id}/feed.${ext}"`);
    expect((await d.t.app.inject(`/blogs/${id}/feed.json`)).statusCode).toBe(200);
  });
});

describe('joining in', () => {
  it('shows the root entry’s real TrackBack address in a selectable field, with a copy button for the script', async () => {
    const root = entries[0]!;
    const res = await d.t.app.inject(`/c/${d.conversationId}?lang=en`);
    const join = /<aside class="join">[\s\S]*?<\/aside>/.exec(res.body)?.[0] ?? '';
    expect(join).not.toContain('…');
    expect(join).toContain(`<input id="join-trackback" class="copy-source" type="text" readonly value="${d.t.config.publicUrl}/trackback/${root.id}"`);
    expect(join).toContain('<button type="button" class="copy" data-copy="join-trackback" data-copied="Copied" hidden>Copy</button>');
    // The address is the one the root's own page and RDF name.
    const page = await d.t.app.inject(`/e/${root.id}`);
    expect(page.body).toContain(`<link rel="trackback" href="${d.t.config.publicUrl}/trackback/${root.id}">`);
    expect(page.body).toContain(`value="${d.t.config.publicUrl}/trackback/${root.id}"`);
  });

  it('serves the script that drives the button from its own address, under the CSP', async () => {
    const page = await d.t.app.inject(`/c/${d.conversationId}`);
    expect(page.body).toContain('<script src="/assets/palaver.js" defer></script>');
    expect(page.headers['content-security-policy']).toMatch(/script-src 'self'/);
    const script = await d.t.app.inject('/assets/palaver.js');
    expect(script.statusCode).toBe(200);
    expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(script.body).toContain('button.copy[data-copy]');
    const again = await d.t.app.inject({ url: '/assets/palaver.js', headers: { 'if-none-match': String(script.headers.etag) } });
    expect(again.statusCode).toBe(304);
  });
});

describe('naming entries', () => {
  it('names the blog of a post that answers another blog’s post, and of a comment on it', async () => {
    const res = await d.t.app.inject(`/c/${d.conversationId}?lang=en`);
    const planetsab = entries.find((e) => e.url === d.demo.permalink('planetsab', debateSlugs.planetsab))!;
    const freitag = entries.find((e) => e.url === d.demo.permalink('freitag', debateSlugs.freitag))!;
    const replyLine = (id: number) => new RegExp(`id="e-${id}"[\\s\\S]*?<p class="in-reply-to">([\\s\\S]*?)<data`).exec(res.body)?.[1];
    expect(replyLine(planetsab.id)).toMatch(/in reply to <a href="#e-\d+">Idee: ein Social Media Camp<\/a> <span class="reply-blog">\(Sachar’s Blog\)<\/span>/);
    expect(replyLine(freitag.id)).toMatch(/<span class="reply-blog">\(planetsab\)<\/span>/);
    // A reply within one blog names no blog.
    const jens = entries.find((e) => e.author.name === 'Jens Best')!;
    const katrin = entries.find((e) => e.author.name === 'Katrin R.' && e.inReplyTo === jens.id)!;
    expect(replyLine(katrin.id)).toBe(`in reply to <a href="#e-${jens.id}">Jens Best on &#39;Social Media Camp – ein kleiner Exkurs&#39;</a>`);
  });

  it('names comments on blog pages as the blog’s feed titles them, never "Von: …"', async () => {
    const id = await blogIdOf('planetsab');
    const page = await d.t.app.inject(`/blogs/${id}?lang=en`);
    expect(page.body).not.toContain('Von:');
    const newest = /<h2 id="entries">[\s\S]*?<\/section>/.exec(page.body)?.[0] ?? '';
    const names = [...newest.matchAll(/<li[^>]*><a href="[^"]*"[^>]*>([^<]+)<\/a> <small/g)].map((m) => m[1]!.replace(/&#39;/g, "'"));
    const feed = (await d.t.app.inject(`/blogs/${id}/feed.json`)).json() as { items: { title: string; _palaver: { kind: string } }[] };
    const commentTitles = feed.items.filter((i) => i._palaver.kind === 'comment').map((i) => i.title);
    expect(commentTitles.length).toBeGreaterThan(3);
    for (const title of commentTitles) expect(names).toContain(title);
    // The author is in the name; the line beside it does not repeat it.
    expect(newest).toMatch(/Markus on &#39;Social Media Camp – ein kleiner Exkurs&#39;<\/a> <small lang="en">Comment · /);
  });

  it('names search results the same way, without repeating the author', async () => {
    const res = await d.t.app.inject('/?q=Martin&lang=de');
    expect(res.body).not.toContain('Von:');
    expect(res.body).toContain('>Martin zu „Idee: ein Social Media Camp“</a></h3>');
    expect(res.body).toMatch(/<p class="meta" lang="de">Kommentar · Sachar’s Blog · <time/);
    const en = await d.t.app.inject('/?q=Martin&lang=en');
    expect(en.body).toContain(">Martin on &#39;Idee: ein Social Media Camp&#39;</a></h3>");
  });
});
