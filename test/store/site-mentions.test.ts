// The sites followed posts link to, counted per site and per linking blog: what "Also in this
// debate", the suggested blogs and registry.autoFollowMinLinks read.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { recordEntry } from '../../src/ingest/record-entry.ts';
import { draftEntry } from '../../src/reader/entry-draft.ts';
import type { FeedItem } from '../../src/reader/types.ts';
import { insertBlog } from '../../src/store/blogs.ts';
import { recordAutoFollow } from '../../src/store/auto-follows.ts';
import { listAutoFollowCandidates, listSuggestedSites, listUnfollowedSitesOf } from '../../src/store/site-mentions.ts';
import { relationsOf } from '../../src/threading/relations.ts';
import { createTestApp, type TestApp } from '../support/app.ts';

const at = '2026-03-01T12:00:00.000Z';
let t: TestApp;

beforeEach(async () => {
  t = await createTestApp();
});
afterEach(async () => {
  await t.close();
});

async function blog(host: string) {
  return insertBlog(t.database.db, { homeUrl: `http://${host}/`, urlKey: host, title: host, description: null, pingbackEndpoint: null, webmentionEndpoint: null, rsdUrl: null, trackbackPingUrl: null, discoveryNotes: [] }, at);
}

async function post(blogId: number, url: string, html: string, date: string) {
  const item: FeedItem = {
    guid: url, url, title: 'Post', authorName: 'A', authorUrl: null, contentHtml: html, summaryHtml: null, publishedAt: date, updatedAt: null,
    commentsPageUrl: null, commentFeeds: [], commentCount: null, inReplyTo: [], trackbackPingUrl: null, baseUrl: url, lang: 'de',
  };
  const draft = draftEntry(item, 'post');
  return recordEntry(t.database.db, { blogId, draft, via: 'feed', relations: relationsOf(draft, { via: 'feed', post: null, inReplyTo: [] }) }, at);
}

describe('sites that followed posts link to', () => {
  it('count per site and linking blog; qualify for autoFollow from autoFollowMinLinks blogs on; a followed site is none', async () => {
    const a = await blog('a.example');
    const b = await blog('b.example');
    const root = await post(a.id, 'http://a.example/2008/11/start/', '<p>Start</p>', '2008-11-12T08:00:00Z');
    // a links to other.example and to b (followed); b answers a and links to other.example and www.third.example.
    await post(a.id, 'http://a.example/2008/11/more/', '<p><a href="http://a.example/2008/11/start/">me</a> <a href="http://www.other.example/2008/11/x/">x</a> <a href="http://b.example/2008/11/y/">b</a></p>', '2008-11-12T09:00:00Z');
    const answer = await post(b.id, 'http://b.example/2008/11/answer/', '<p><a href="http://a.example/2008/11/start/">a</a> <a href="http://other.example/2008/11/z/">z</a> <a href="https://www.third.example/2008/11/q/">q</a></p>', '2008-11-13T09:00:00Z');
    expect(answer.conversationId).toBe(root.conversationId);

    const sites = await listUnfollowedSitesOf(t.database.db, root.conversationId);
    expect(sites.map((s) => [s.site, s.linkCount, s.linkingBlogCount])).toEqual([
      ['other.example', 2, 2],
      ['third.example', 1, 1],
    ]);
    expect(sites[0]!.newestUrl).toBe('http://other.example/2008/11/z/');

    const now = '2026-03-02T00:00:00.000Z';
    expect((await listAutoFollowCandidates(t.database.db, { minLinks: 2, limit: 10, now })).map((c) => c.site)).toEqual(['other.example']);
    expect((await listAutoFollowCandidates(t.database.db, { minLinks: 1, limit: 10, now })).map((c) => c.site)).toEqual(['other.example', 'third.example']);
    expect((await listAutoFollowCandidates(t.database.db, { minLinks: 1, limit: 1, now })).map((c) => c.site)).toEqual(['other.example']);
    // A site decided once is not a candidate again (a failure only after its retry time).
    await recordAutoFollow(t.database.db, { site: 'other.example', url: 'http://other.example/', reason: 'links', linkingBlogCount: 2, pingCount: 0, outcome: { status: 'failed', error: 'no feed', retryAt: '2026-03-09T00:00:00.000Z' } }, now);
    expect((await listAutoFollowCandidates(t.database.db, { minLinks: 1, limit: 10, now })).map((c) => c.site)).toEqual(['third.example']);
    expect((await listAutoFollowCandidates(t.database.db, { minLinks: 1, limit: 10, now: '2026-03-10T00:00:00.000Z' })).map((c) => c.site)).toEqual(['other.example', 'third.example']);

    // Paged across all conversations.
    expect((await listSuggestedSites(t.database.db, { limit: 1, offset: 0 })).map((s) => s.site)).toEqual(['other.example']);
    expect((await listSuggestedSites(t.database.db, { limit: 1, offset: 1 })).map((s) => s.site)).toEqual(['third.example']);

    // Registering the site makes it followed: it leaves every list.
    await blog('other.example');
    expect((await listUnfollowedSitesOf(t.database.db, root.conversationId)).map((s) => s.site)).toEqual(['third.example']);
  });
});
