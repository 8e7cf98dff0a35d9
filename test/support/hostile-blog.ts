// A fixture blog whose post carries every trick for running script in a reader's page: script
// elements, event handlers, javascript: URLs, SVG, iframes, styles, and markup in the title.
// Anything that runs sets window.__pwned, which the browser test checks.
import { startFixtureServer } from '../../src/demo/fixture-server.ts';
import { homePage, rsd, rssFeed } from './blog-pages.ts';

export const hostileBody = [
  '<p>Harmloser Text vor dem Angriff.</p>',
  '<script>window.__pwned = "script"</script>',
  '<img src="x" onerror="window.__pwned = \'onerror\'">',
  '<a href="javascript:window.__pwned=\'href\'">klick</a>',
  '<svg onload="window.__pwned = \'svg\'"><circle r="4"/></svg>',
  '<iframe src="javascript:parent.__pwned=\'iframe\'"></iframe>',
  '<p style="background:url(javascript:window.__pwned=1)" onclick="window.__pwned=\'click\'">Absatz</p>',
  '<form action="javascript:alert(1)"><button formaction="javascript:alert(2)">Senden</button></form>',
  '<object data="javascript:alert(3)"></object><embed src="javascript:alert(4)">',
  '<math><mtext><table><mglyph><style><img src=x onerror="window.__pwned=\'mxss\'">',
].join('');

export interface HostileBlog {
  homeUrl: string;
  close(): Promise<void>;
}

/** Starts the hostile blog on loopback. */
export async function startHostileBlog(): Promise<HostileBlog> {
  const server = await startFixtureServer({}, { host: '127.0.0.1' });
  const origin = `http://localhost:${server.port}`;
  const htmlType = { 'content-type': 'text/html; charset=UTF-8' };
  const posts = [{ id: 66, slug: 'angriff', title: 'Feindlich &lt;img src=x onerror=window.__pwned=&quot;title&quot;&gt;', body: hostileBody, date: 'Mon, 17 Nov 2008 09:30:00 +0000' }];
  server.set('/', { headers: htmlType, body: homePage(origin) });
  server.set('/feed/', { headers: { 'content-type': 'application/rss+xml; charset=UTF-8' }, body: rssFeed(origin, posts) });
  server.set('/comments/feed/', { headers: { 'content-type': 'application/rss+xml; charset=UTF-8' }, body: rssFeed(origin, []) });
  server.set('/xmlrpc.php', { headers: { 'content-type': 'text/xml' }, body: rsd(origin) });
  return { homeUrl: `${origin}/`, close: () => server.close() };
}
