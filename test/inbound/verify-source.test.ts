import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FixtureServer, startFixtureServer } from '../../src/demo/fixture-server.ts';
import type { VerifiedSource } from '../../src/domain/verification.ts';
import type { PingProtocol } from '../../src/domain/vocabulary.ts';
import { type VerifySourceResult, verifySource } from '../../src/inbound/verify-source.ts';
import { type Fetcher, createFetcher } from '../../src/reader/fetcher.ts';

const target = 'https://planetsab.example/2008/05/social-media-camp/';
const html = { 'content-type': 'text/html; charset=utf-8' };

let site: FixtureServer;
let fetcher: Fetcher;

beforeAll(async () => {
  site = await startFixtureServer();
  fetcher = createFetcher({
    userAgent: 'Palaver/0.1 (+http://localhost:3000)',
    timeoutMs: 2_000,
    connectTimeoutMs: 1_000,
    headersTimeoutMs: 1_000,
    maxBodyBytes: 256 * 1024,
    maxRedirects: 3,
    perHostConcurrency: 4,
    allowPrivateNetworks: true,
  });
});

afterAll(async () => {
  await fetcher.close();
  await site.close();
});

function page(path: string, body: string, headers: Record<string, string> = html): string {
  site.set(path, { status: 200, headers, body });
  return `${site.origin}${path}`;
}

function verify(source: string, options: { protocol?: PingProtocol; target?: string } = {}): Promise<VerifySourceResult> {
  return verifySource(fetcher.fetch, { source, target: options.target ?? target, protocol: options.protocol ?? 'pingback' });
}

function expectVerified(result: VerifySourceResult): VerifiedSource {
  if (result.status !== 'verified') throw new Error(`expected verified, got ${JSON.stringify(result)}`);
  return result;
}

const freitagParagraph =
  'Seit dem Aufruf von Sachar ist einiges passiert, aber beim ' +
  `<a href="${target}">Social Media Camp</a>` +
  ' hat sich noch nicht so viel getan. Wer organisiert, wer lädt ein, wer zahlt? Die Diskussion läuft auf mehreren Blogs gleichzeitig und niemand liest sie ganz.';

describe('verifySource', () => {
  it('accepts a page whose paragraph links to the target, with its title and a WordPress-style excerpt', async () => {
    const source = page(
      '/freitag/smc',
      `<!doctype html><html><head><title>Freitag » Social Media Camp, die zweite</title></head>
       <body><nav><a href="/">Start</a></nav><div class="post"><p>Erster Absatz ohne Link.</p><p>${freitagParagraph}</p></div></body></html>`,
    );
    const result = expectVerified(await verify(source));
    expect(result).toEqual({
      status: 'verified',
      url: source,
      title: 'Freitag » Social Media Camp, die zweite',
      authorName: null,
      authorUrl: null,
      publishedAt: null,
      excerptHtml:
        '[…] Seit dem Aufruf von Sachar ist einiges passiert, aber beim Social Media Camp hat sich noch nicht so viel getan. ' +
        'Wer organisiert, wer lädt ein, wer zahlt? Die Diskussion läuft […]',
      contentHtml: null,
    });
  });

  it('cuts a long paragraph to about 100 characters on each side of the link, at word boundaries', async () => {
    const words = (n: number, w: string) => Array.from({ length: n }, (_, i) => `${w}${i}`).join(' ');
    const source = page('/long', `<title>Lang</title><p>${words(60, 'vor')} <a href="${target}">der Link</a> ${words(60, 'nach')}</p>`);
    const { excerptHtml } = expectVerified(await verify(source));
    expect(excerptHtml.startsWith('[…] ')).toBe(true);
    expect(excerptHtml.endsWith(' […]')).toBe(true);
    const inner = excerptHtml.slice(4, -4);
    expect(inner).toContain(' der Link ');
    expect(inner).toMatch(/^vor\d+ /);
    expect(inner).toMatch(/ nach\d+$/);
    expect(inner.length).toBeLessThanOrEqual(100 + 'der Link'.length + 100);
    expect(inner.length).toBeGreaterThan(180);
  });

  it('refuses a page that does not link to the target', async () => {
    const source = page('/nolink', `<title>Nichts</title><p>Über das <a href="https://elsewhere.example/">Camp</a>.</p>`);
    expect(await verify(source)).toEqual({ status: 'no-link' });
  });

  it('refuses a page that links only to other pages of the target site', async () => {
    const source = page(
      '/sameSite',
      `<title>Fast</title><p><a href="https://planetsab.example/">planetsab</a>,
       <a href="https://planetsab.example/2008/05/social-media-camp/feed/">Kommentare</a>,
       <a href="https://planetsab.example/2008/05/social-media-camp-2/">Teil 2</a>,
       <a href="https://planetsab.example/2008/05/social-media-camp/#comment-4">Kommentar 4</a></p>`,
    );
    expect(await verify(source)).toEqual({ status: 'no-link' });
    // A plain fragment is a place on the target page, so it is a link to the target (rule 5).
    const respond = page('/respond', `<title>R</title><p><a href="${target}#respond">Antworten</a></p>`);
    expect((await verify(respond)).status).toBe('verified');
  });

  it('matches the target after normalisation (scheme, www, trailing slash, utm parameters, plain fragment)', async () => {
    const source = page(
      '/normalised',
      `<title>N</title><p>Siehe <a href="http://www.planetsab.example/2008/05/social-media-camp?utm_source=twitter#more-12">hier</a>.</p>`,
    );
    expect(expectVerified(await verify(source)).excerptHtml).toBe('[…] Siehe hier. […]');
  });

  it('resolves relative hrefs against the page URL and against <base href>', async () => {
    const local = `${site.origin}/2008/05/social-media-camp/`;
    const relative = page('/2008/06/antwort/', `<title>R</title><p>Zu <a href="../../05/social-media-camp/">Sachar</a>.</p>`);
    expect(expectVerified(await verify(relative, { target: local })).excerptHtml).toBe('[…] Zu Sachar. […]');

    const based = page(
      '/deep/x/y',
      `<head><base href="/2008/"><title>B</title></head><p>Zu <a href="05/social-media-camp/">Sachar</a>.</p>`,
    );
    expect((await verify(based, { target: local })).status).toBe('verified');
    // Without <base>, the same href resolves under /deep/x/ and does not match.
    const unbased = page('/deep/x/z', `<title>B</title><p>Zu <a href="05/social-media-camp/">Sachar</a>.</p>`);
    expect(await verify(unbased, { target: local })).toEqual({ status: 'no-link' });
  });

  it('counts an embedded image of the target for webmention but not for pingback or trackback', async () => {
    const photo = 'https://planetsab.example/photos/camp.jpg';
    const source = page('/photo', `<title>Foto</title><p>Schönes Bild: <img src="${photo}" alt="Camp"></p>`);
    const mention = expectVerified(await verify(source, { protocol: 'webmention', target: photo }));
    expect(mention.excerptHtml).toBe('[…] Schönes Bild: […]');
    expect(await verify(source, { protocol: 'pingback', target: photo })).toEqual({ status: 'no-link' });
    expect(await verify(source, { protocol: 'trackback', target: photo })).toEqual({ status: 'no-link' });

    const video = page('/video', `<title>V</title><video><source src="${target}"></video>`);
    expect((await verify(video, { protocol: 'webmention' })).status).toBe('verified');
    expect((await verify(video, { protocol: 'pingback' })).status).toBe('no-link');
  });

  it('takes name, author, published, url and content from an h-entry', async () => {
    const source = page(
      '/2008/05/antwort/',
      `<!doctype html><html><head><title>Jens Best | Blog</title></head><body>
       <article class="h-entry">
         <h1 class="p-name">Antwort an planetsab</h1>
         <a class="p-author h-card" href="/about/">Jens Best</a>
         <time class="dt-published" datetime="2008-05-10T12:30:00+02:00">10. Mai</time>
         <a class="u-url" href="/2008/05/antwort/">Permalink</a>
         <div class="e-content"><p>Ich stimme <a href="${target}">planetsab</a> zu.</p>
           <script>alert(1)</script><p onclick="steal()">Zweiter Absatz</p></div>
       </article>
       <footer><a href="${target}">footer link</a></footer></body></html>`,
    );
    const result = expectVerified(await verify(source, { protocol: 'webmention' }));
    expect(result.title).toBe('Antwort an planetsab');
    expect(result.authorName).toBe('Jens Best');
    expect(result.authorUrl).toBe(`${site.origin}/about/`);
    expect(result.publishedAt).toBe('2008-05-10T10:30:00.000Z');
    expect(result.url).toBe(`${site.origin}/2008/05/antwort/`);
    expect(result.excerptHtml).toBe('[…] Ich stimme planetsab zu. […]');
    expect(result.contentHtml).toBe(
      `<p>Ich stimme <a href="${target}" rel="nofollow ugc noopener">planetsab</a> zu.</p>\n           <p>Zweiter Absatz</p>`,
    );
  });

  it('uses the h-entry summary as excerpt, the h-feed author, and ignores a u-url on another host', async () => {
    const source = page(
      '/feedpage',
      `<title>Seite</title><div class="h-feed"><a class="p-author h-card" href="https://sachar.example/">Sachar</a>
       <div class="h-entry"><span class="p-name">Aufruf</span><p class="p-summary">Kurz: ein Camp.</p>
       <a class="u-url" href="https://spam.example/">x</a>
       <div class="e-content"><a href="${target}">Link</a></div></div></div>`,
    );
    const result = expectVerified(await verify(source));
    expect(result.excerptHtml).toBe('Kurz: ein Camp.');
    expect(result.authorName).toBe('Sachar');
    expect(result.authorUrl).toBe('https://sachar.example/');
    expect(result.url).toBe(source);
    expect(result.title).toBe('Aufruf');
  });

  it('treats a note without p-name as untitled and falls back to <title>', async () => {
    const source = page('/note', `<title>Notiz von Jens</title><div class="h-entry"><div class="e-content">Lest <a href="${target}">das</a>!</div></div>`);
    expect(expectVerified(await verify(source)).title).toBe('Notiz von Jens');
  });

  it('uses og:title when the page has no <title>, and reads meta author and published time', async () => {
    const source = page(
      '/og',
      `<head><meta property="og:title" content="OG Titel"><meta name="author" content="Sachar">
       <meta property="article:published_time" content="2008-05-09T08:00:00Z"></head><p><a href="${target}">x</a></p>`,
    );
    const result = expectVerified(await verify(source));
    expect([result.title, result.authorName, result.publishedAt]).toEqual(['OG Titel', 'Sachar', '2008-05-09T08:00:00.000Z']);
  });

  it('decodes a windows-1252 page by its charset', async () => {
    const body = iconv.encode(`<title>Grüße „aus“ Köln</title><p>Schön: <a href="${target}">hier</a></p>`, 'windows-1252');
    site.set('/latin', { status: 200, headers: { 'content-type': 'text/html; charset=iso-8859-1' }, body });
    const result = expectVerified(await verify(`${site.origin}/latin`));
    expect(result.title).toBe('Grüße „aus“ Köln');
    expect(result.excerptHtml).toBe('[…] Schön: hier […]');
  });

  it('strips hostile markup from the excerpt and content', async () => {
    const source = page(
      '/hostile',
      `<title>&lt;script&gt;alert(1)&lt;/script&gt;Titel</title>
       <div class="h-entry"><div class="e-content"><p onmouseover="evil()">Text &lt;img src=x onerror=alert(1)&gt;
       <a href="${target}" onclick="evil()" style="position:fixed">Ziel</a><script>document.cookie</script>
       <iframe src="https://evil.example/"></iframe><a href="javascript:alert(2)">klick</a></p></div></div>`,
    );
    const result = expectVerified(await verify(source));
    expect(result.excerptHtml).toBe('[…] Text &lt;img src=x onerror=alert(1)&gt; Ziel klick […]');
    expect(result.title).toBe('<script>alert(1)</script>Titel');
    const content = result.contentHtml ?? '';
    expect(content).not.toMatch(/<script|<iframe|onclick|onmouseover|style=|javascript:|<img/i);
    expect(content).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });

  it('follows redirects and reports the page that answered', async () => {
    // The relative href only reaches the target when resolved against the page that answered.
    const local = `${site.origin}/2008/05/social-media-camp/`;
    const final = page('/2008/06/neu/', `<title>Neu</title><p>Zu <a href="../../05/social-media-camp/">Sachar</a>.</p>`);
    site.set('/?p=12', { status: 301, headers: { location: '/2008/06/neu/' } });
    const result = expectVerified(await verify(`${site.origin}/?p=12`, { target: local }));
    expect(result.url).toBe(final);
    expect(result.title).toBe('Neu');
    expect(result.excerptHtml).toBe('[…] Zu Sachar. […]');
  });

  it('reports 410 and 404 as gone', async () => {
    site.set('/deleted', { status: 410, headers: html, body: 'Gone' });
    expect(await verify(`${site.origin}/deleted`)).toEqual({ status: 'gone', httpStatus: 410 });
    expect(await verify(`${site.origin}/never-was`)).toEqual({ status: 'gone', httpStatus: 404 });
  });

  it('reports 5xx and other failures as errors', async () => {
    site.set('/broken', { status: 500, headers: html, body: `<a href="${target}">x</a>` });
    expect(await verify(`${site.origin}/broken`)).toEqual({ status: 'error', message: 'the source answered HTTP 500' });
    site.set('/forbidden', { status: 403, headers: html, body: '' });
    expect(await verify(`${site.origin}/forbidden`)).toEqual({ status: 'error', message: 'the source answered HTTP 403' });
  });

  it('reports an unreachable source as an error', async () => {
    const gone = await startFixtureServer();
    const origin = gone.origin;
    await gone.close();
    const result = await verify(`${origin}/post`);
    expect(result.status).toBe('error');
    expect(result.status === 'error' && result.message).toMatch(/^the source could not be fetched: /);
  });

  it('reports a source that is neither HTML nor text as an error', async () => {
    const source = page('/doc.pdf', `%PDF-1.4 ${target}`, { 'content-type': 'application/pdf' });
    expect(await verify(source, { protocol: 'webmention' })).toEqual({ status: 'error', message: 'the source is application/pdf, not a web page' });
  });

  it('finds a bare URL in plain text for webmention only', async () => {
    const source = page('/note.txt', `Lesenswert: ${target}. Mehr morgen.`, { 'content-type': 'text/plain; charset=utf-8' });
    const result = expectVerified(await verify(source, { protocol: 'webmention' }));
    expect(result.excerptHtml).toBe(`[…] Lesenswert: ${target}. Mehr morgen. […]`);
    expect(await verify(source, { protocol: 'pingback' })).toEqual({ status: 'no-link' });
    const other = page('/other.txt', 'Lesenswert: https://planetsab.example/', { 'content-type': 'text/plain' });
    expect(await verify(other, { protocol: 'webmention' })).toEqual({ status: 'no-link' });
  });

  it("reads a bare URL with a long run of dots in it in one pass, and the sentence's full stop off its end", async () => {
    // Trimmed with a regular expression, this text took minutes: its time grew with the square of the run.
    const dots = page('/dots.txt', `Siehe http://elsewhere.example/a${'.'.repeat(200_000)}x, dann ${target}... Mehr morgen.`, { 'content-type': 'text/plain' });
    const result = expectVerified(await verify(dots, { protocol: 'webmention' }));
    expect(result.excerptHtml).toContain(`${target}... Mehr morgen.`);
  });

  it('passes the abort signal to the fetch', async () => {
    site.set('/slow', async (_req, res) => {
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      res.end('<a>late</a>');
    });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const started = Date.now();
    const result = await verifySource(fetcher.fetch, { source: `${site.origin}/slow`, target, protocol: 'pingback', signal: controller.signal });
    expect(result.status).toBe('error');
    expect(Date.now() - started).toBeLessThan(900);
  });
});
