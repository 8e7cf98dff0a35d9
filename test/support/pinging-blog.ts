// A small blog nobody registered that answers planetsab's post of the demo debate and sends a
// pingback for it: what "Also in this debate" and automatic following are about.
import { expect } from 'vitest';
import defaults from '../../config/default.json' with { type: 'json' };
import { startFixtureServer, type FixtureServer } from '../../src/demo/fixture-server.ts';
import { serializeMethodCall } from '../../src/xmlrpc/codec.ts';
import { homePage, rssFeed } from './blog-pages.ts';
import { startDemoDebate, type DemoDebate } from './demo-debate.ts';

const html = { 'content-type': 'text/html; charset=utf-8' };
const rss = { 'content-type': 'application/rss+xml; charset=utf-8' };

export const adminToken = 'admin-token-for-the-tests-0123456789';

/** The demo debate with pings and registrations open to strangers, the admin token set, and `registry` over the defaults. */
export function startOpenDemoDebate(registry: Record<string, unknown> = {}): Promise<DemoDebate> {
  return startDemoDebate({ adminToken, pings: { ...defaults.pings, moderation: 'open' }, registry: { ...defaults.registry, moderation: 'open', ...registry } });
}

export interface ApiEntry {
  id: number;
  kind: string;
  url: string | null;
  author: { name: string | null };
  blog: { id: number } | null;
}

/** Lists the demo debate's entries as the API shows them. */
export async function entriesOf(d: DemoDebate): Promise<ApiEntry[]> {
  return (await d.t.app.inject(`/api/conversations/${d.conversationId}`)).json().entries;
}

/** The site of a fixture server, as Palaver names sites (host and port). */
export const siteOf = (s: FixtureServer) => new URL(s.origin).host;

/** Starts a blog whose post (with a feed link, as WordPress writes on every page) answers planetsab's, and pings it. */
export async function pingingBlog(d: DemoDebate, slug: string): Promise<{ site: FixtureServer; postUrl: string }> {
  const site = await startFixtureServer();
  const target = (await entriesOf(d)).find((e) => e.kind === 'post' && e.author.name === 'planetsab')!.url!;
  const postUrl = `${site.origin}/2008/11/${slug}/`;
  const body = `<p>Wir waren auch dabei: <a href="${target}">planetsab über das Camp</a>.</p>`;
  site.set('/', { headers: html, body: homePage(site.origin) });
  site.set(`/2008/11/${slug}/`, { headers: html, body: `<!DOCTYPE html><html><head><title>Auch ein Camp</title><link rel="alternate" type="application/rss+xml" href="${site.origin}/feed/"></head><body><article>${body}</article></body></html>` });
  site.set('/feed/', { headers: rss, body: rssFeed(site.origin, [{ id: 7, title: 'Auch ein Camp', slug, body, date: 'Tue, 18 Nov 2008 09:00:00 +0000' }]) });
  site.set('/comments/feed/', { status: 404, body: '' });
  const res = await d.t.app.inject({ method: 'POST', url: '/xmlrpc', headers: { 'content-type': 'text/xml' }, payload: serializeMethodCall('pingback.ping', [postUrl, target]) });
  expect(res.body).toContain('registered');
  return { site, postUrl };
}
