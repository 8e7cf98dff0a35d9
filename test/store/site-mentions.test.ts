// The sites followed posts link to, counted per site and per linking blog: what "Also in this
// debate", the suggested blogs and registry.autoFollowMinLinks read.
import { describe, expect, it } from 'vitest';
import { insertBlog } from '../../src/store/blogs.ts';
import { recordAutoFollow } from '../../src/store/auto-follows.ts';
import { listAutoFollowCandidates, listSuggestedSites, listUnfollowedSitesOf } from '../../src/store/site-mentions.ts';
import { insertEdges } from '../../src/store/threads.ts';
import { day, storeDebate, useStoreGraph } from '../support/store-graph.ts';
import { onPostgres } from '../support/db.ts';
import { sqlitePlan } from '../support/query-plans.ts';
import { recordStatements } from '../support/statements.ts';

const store = useStoreGraph();

/** Links from an entry to pages, as a post's body names them (url keys as urlKey writes them). */
async function links(entryId: number, urls: string[]) {
  const keyOf = (url: string) => url.replace(/^https?:\/\/(www\.)?/, '').replace(/\/$/, '');
  await insertEdges(store.db, entryId, urls.map((url) => ({ type: 'links-to' as const, target: { kind: 'url' as const, key: keyOf(url) }, toUrl: url })), store.graph.now());
}

describe('sites that followed posts link to', () => {
  it('count per site and linking blog; qualify for autoFollow from autoFollowMinLinks blogs on; a followed site is none', async () => {
    const { post, answer, comment } = await storeDebate(store.graph);
    await links(post, ['http://www.other.example/2008/11/x/', 'http://kuhn.example/2008/11/y/']);
    await links(answer, ['http://other.example/2008/11/z/', 'https://www.third.example/2008/11/q/']);
    // A comment's links are its commenter's, not the blog's.
    await links(comment, ['http://fourth.example/2008/11/c/']);
    const conversationId = (await store.db.selectFrom('entries').select('conversation_id').where('id', '=', post).executeTakeFirstOrThrow()).conversation_id!;

    const { sites, total } = await listUnfollowedSitesOf(store.db, conversationId, 10);
    expect(sites.map((s) => [s.site, s.linkCount, s.linkingBlogCount])).toEqual([
      ['other.example', 2, 2],
      ['third.example', 1, 1],
    ]);
    expect(total).toBe(2);
    // The first of them only, and how many there are.
    const first = await listUnfollowedSitesOf(store.db, conversationId, 1);
    expect(first.sites.map((s) => [s.site, s.linkCount, s.newestUrl])).toEqual([['other.example', 2, 'http://other.example/2008/11/z/']]);
    expect(first.total).toBe(2);
    // The newest page is the one linked by the newer post.
    expect(sites[0]!.newestUrl).toBe('http://other.example/2008/11/z/');

    const now = '2026-03-02T00:00:00.000Z';
    const candidates = async (minLinks: number, limit = 10, at = now) => (await listAutoFollowCandidates(store.db, { minLinks, limit, now: at })).map((c) => c.site);
    expect(await candidates(2)).toEqual(['other.example']);
    expect(await candidates(1)).toEqual(['other.example', 'third.example']);
    expect(await candidates(1, 1)).toEqual(['other.example']);
    expect(await candidates(1, 0)).toEqual([]);
    // A site decided once is not a candidate again (a failure only after its retry time).
    await recordAutoFollow(store.db, { site: 'other.example', url: 'http://other.example/', reason: 'links', linkingBlogCount: 2, pingCount: 0, outcome: { status: 'failed', error: 'no feed', retryAt: '2026-03-09T00:00:00.000Z' } }, now);
    expect(await candidates(1)).toEqual(['third.example']);
    expect(await candidates(1, 10, '2026-03-10T00:00:00.000Z')).toEqual(['other.example', 'third.example']);

    // Ranked and paged across all conversations.
    expect((await listSuggestedSites(store.db, { limit: 1, offset: 0 })).map((s) => s.site)).toEqual(['other.example']);
    expect((await listSuggestedSites(store.db, { limit: 1, offset: 1 })).map((s) => s.site)).toEqual(['third.example']);
    expect(await listSuggestedSites(store.db, { limit: 1, offset: 2 })).toEqual([]);

    // Registering the site makes it followed: it leaves every list.
    await insertBlog(store.db, { homeUrl: 'http://other.example/', urlKey: 'other.example', title: null, description: null, pingbackEndpoint: null, webmentionEndpoint: null, rsdUrl: null, trackbackPingUrl: null, discoveryNotes: [] }, day(20));
    expect((await listUnfollowedSitesOf(store.db, conversationId, 10)).sites.map((s) => s.site)).toEqual(['third.example']);
    expect(await candidates(1, 10, '2026-03-10T00:00:00.000Z')).toEqual(['third.example']);
  });
});

describe('the sites of one debate', () => {
  it('are read from its own links and pings, not from every link to those sites or every accepted ping', async () => {
    const { post } = await storeDebate(store.graph);
    await links(post, ['https://de.wikipedia.org/wiki/Barcamp']);
    const conversationId = (await store.db.selectFrom('entries').select('conversation_id').where('id', '=', post).executeTakeFirstOrThrow()).conversation_id!;
    const { result, sql: sent } = await recordStatements(() => listUnfollowedSitesOf(store.db, conversationId, 10));
    expect(result.sites.map((s) => [s.site, s.linkCount])).toEqual([['de.wikipedia.org', 1]]);
    // PostgreSQL plans by its statistics; SQLite, without any, by the statement's shape.
    if (onPostgres) return;
    const details = sent.find((s) => s.includes('"edges"."to_url" as "url"'))!;
    const plan = sqlitePlan(store.database, details);
    expect(plan).toMatch(/SEARCH entries USING INDEX entries_conversation\w*_idx \(conversation_id=\?\)/);
    expect(plan).not.toMatch(/edges_to_site_idx/);
    // The ranking and the details read the debate's pings through its entries.
    const readingPings = sent.filter((s) => s.includes('"pings"'));
    expect(readingPings.length).toBe(2);
    for (const statement of readingPings) {
      const pingsPlan = sqlitePlan(store.database, statement);
      expect(pingsPlan).toMatch(/SEARCH pings USING INDEX pings_entry_idx \(entry_id=\?\)/);
      expect(pingsPlan).not.toMatch(/pings_status_idx/);
    }
  });
});
