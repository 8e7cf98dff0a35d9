import { describe, expect, it } from 'vitest';
import { pingRecord, type PingFacts } from '../../src/threading/ping-record.ts';

const verified = { url: 'http://kuhn.example/2008/11/answer/', title: null, authorName: null, authorUrl: null, publishedAt: null, excerptHtml: '' };
const ping: PingFacts = { protocol: 'pingback', sourceUrl: 'http://Kuhn.example/2008/11/answer/', targetUrl: 'http://sachar.example/2008/11/post/' };

describe('pingRecord', () => {
  it('keys the record by the pinging page, whatever the protocol, and relates it to the target by URL', () => {
    const { draft, relations } = pingRecord(ping, verified);
    const byTrackback = pingRecord({ ...ping, protocol: 'trackback' }, verified);
    expect(draft).toMatchObject({ kind: 'pingback', identity: 'linkback:kuhn.example/2008/11/answer', urlKey: 'kuhn.example/2008/11/answer', url: ping.sourceUrl, guid: null });
    expect(byTrackback.draft.identity).toBe(draft.identity);
    expect(relations).toEqual({
      kind: 'pingback',
      sourceKey: 'kuhn.example/2008/11/answer',
      sourceUrl: ping.sourceUrl,
      relations: [{ type: 'linkback', target: { kind: 'url', key: 'sachar.example/2008/11/post' }, toUrl: ping.targetUrl }],
      isRoundup: false,
    });
  });

  it('relates the record to a known entry by id when the target names one', () => {
    const { relations } = pingRecord({ ...ping, targetEntryId: 7 }, verified);
    expect(relations.relations).toEqual([{ type: 'linkback', target: { kind: 'entry', id: 7 }, toUrl: ping.targetUrl }]);
  });

  it("prefers what the verified page says to what a trackback said of itself, and falls back to it", () => {
    const said = { ...ping, protocol: 'trackback' as const, title: 'Said title', excerpt: 'said excerpt', blogName: 'Said blog' };
    expect(pingRecord(said, verified).draft).toMatchObject({ title: 'Said title', authorName: 'Said blog', excerpt: 'said excerpt', contentHtml: '' });
    const page = { ...verified, title: 'Page title', authorName: 'Kuhn', authorUrl: 'http://kuhn.example/', publishedAt: '2008-11-02T00:00:00.000Z', excerptHtml: '<p>[…] the <b>page</b> says […]</p>' };
    expect(pingRecord(said, page).draft).toMatchObject({
      title: 'Page title', authorName: 'Kuhn', authorUrl: 'http://kuhn.example/', publishedAt: '2008-11-02T00:00:00.000Z', contentHtml: page.excerptHtml, excerpt: '[…] the page says […]',
    });
  });

  it('hashes the content, so a changed page makes a changed record', () => {
    const before = pingRecord(ping, verified).draft.contentHash;
    expect(pingRecord(ping, verified).draft.contentHash).toBe(before);
    expect(pingRecord(ping, { ...verified, excerptHtml: '<p>edited</p>' }).draft.contentHash).not.toBe(before);
  });
});
