import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { feedFormats, type FeedScope } from '../../src/domain/vocabulary.ts';
import { feedLinks, feedPath, feedRoutePattern, feedUrl, feedUrlsOf, parseFeedUrl } from '../../src/feeds/feed-urls.ts';
import { findFeedSubject, renderFeedAt } from '../../src/feeds/render.ts';
import { mergeConversation } from '../../src/store/conversation-union.ts';
import { startDemoDebate, type DemoDebate } from '../support/demo-debate.ts';

const publicUrl = 'http://palaver.example';

describe('feed URLs', () => {
  const scopes: FeedScope[] = [{ kind: 'all' }, { kind: 'conversation', id: 12 }, { kind: 'blog', id: 3 }];
  it.each(scopes.flatMap((scope) => feedFormats.map((format) => [scope, format] as const)))('reads the URL of %j in %s back as the same feed', (scope, format) => {
    expect(parseFeedUrl(publicUrl, feedUrl(publicUrl, scope, format))).toEqual({ scope, format });
  });

  it('names the paths and route patterns the routes serve', () => {
    expect(feedPath({ kind: 'conversation', id: 12 }, 'atom')).toBe('/c/12/feed.atom');
    expect(feedPath({ kind: 'blog', id: 3 }, 'json')).toBe('/blogs/3/feed.json');
    expect(feedPath({ kind: 'all' }, 'rss')).toBe('/feed.rss');
    expect(feedRoutePattern('conversation', 'rss')).toBe('/c/:id/feed.rss');
    expect(feedRoutePattern('all', 'json')).toBe('/feed.json');
  });

  it('lists every format of everything and of each named scope once', () => {
    expect(feedUrlsOf(publicUrl, { conversationIds: [7, 7], blogIds: [2] })).toEqual([
      `${publicUrl}/feed.atom`, `${publicUrl}/feed.rss`, `${publicUrl}/feed.json`,
      `${publicUrl}/c/7/feed.atom`, `${publicUrl}/c/7/feed.rss`, `${publicUrl}/c/7/feed.json`,
      `${publicUrl}/blogs/2/feed.atom`, `${publicUrl}/blogs/2/feed.rss`, `${publicUrl}/blogs/2/feed.json`,
    ]);
  });

  it('links a scope’s feeds with their media types', () => {
    expect(feedLinks('', { kind: 'conversation', id: 4 }).map((l) => [l.href, l.type, l.label])).toEqual([
      ['/c/4/feed.atom', 'application/atom+xml', 'Atom'],
      ['/c/4/feed.rss', 'application/rss+xml', 'RSS'],
      ['/c/4/feed.json', 'application/feed+json', 'JSON Feed'],
    ]);
  });
});

describe('renderFeedAt', () => {
  let d: DemoDebate;
  beforeAll(async () => {
    d = await startDemoDebate({ publicUrl });
  });
  afterAll(async () => {
    await d.close();
  });

  const deps = () => ({ db: d.t.database.db, publicUrl, maxItems: d.t.config.feeds.maxItems, hubUrl: `${publicUrl}/websub` });

  it.each(feedFormats)('renders the bytes, type and validators the %s route serves, without a request', async (format) => {
    const url = feedUrl(publicUrl, { kind: 'conversation', id: d.conversationId }, format);
    const res = await d.t.app.inject(url.slice(publicUrl.length));
    expect(res.statusCode).toBe(200);
    const rendered = await renderFeedAt(deps(), url);
    expect(rendered).not.toBeNull();
    expect(rendered!.body.equals(res.rawPayload)).toBe(true);
    expect(rendered!.contentType).toBe(res.headers['content-type']);
    expect(rendered!.etag).toBe(res.headers.etag);
    expect(new Date(rendered!.lastModified).toUTCString()).toBe(res.headers['last-modified']);
  });

  it('renders nothing for a URL that is no feed of Palaver, or a feed whose scope does not exist', async () => {
    expect(await renderFeedAt(deps(), `${publicUrl}/blogs.opml`)).toBeNull();
    expect(await renderFeedAt(deps(), 'http://elsewhere.example/feed.atom')).toBeNull();
    expect(await renderFeedAt(deps(), `${publicUrl}/blogs/999/feed.atom`)).toBeNull();
  });

  it('names a merged conversation by its survivor, and renders nothing for the old topic', async () => {
    const created = await d.t.database.db.insertInto('conversations').values({ created_at: '2026-01-01T00:00:00.000Z', updated_at: '2026-01-01T00:00:00.000Z' }).returning('id').executeTakeFirstOrThrow();
    await mergeConversation(d.t.database.db, created.id, d.conversationId, '2026-01-01T00:00:00.000Z');
    expect(await findFeedSubject(d.t.database.db, publicUrl, { kind: 'conversation', id: created.id })).toEqual({ status: 'moved', scope: { kind: 'conversation', id: d.conversationId } });
    expect(await renderFeedAt(deps(), feedUrl(publicUrl, { kind: 'conversation', id: created.id }, 'atom'))).toBeNull();
  });
});
