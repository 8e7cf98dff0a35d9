import { describe, expect, it } from 'vitest';
import { preferredCommentFeed } from '../../src/ingest/feed-items.ts';
import type { EntryDraft } from '../../src/domain/models.ts';
import { urlKey } from '../../src/domain/url-key.ts';
import { draftAndReadBody, draftEntry } from '../../src/reader/entry-draft.ts';
import type { FeedItem } from '../../src/reader/types.ts';
import { linkbackRelations, recognisePingComment, relationsOf } from '../../src/threading/relations.ts';

describe('recognisePingComment', () => {
  const post = 'http://planetsab.example/2008/11/exkurs/';
  it.each([
    ['[&#8230;] Social Media Camp hat sich noch nicht so viel getan [&#8230;]', 'pingback'],
    ['<p>[…] ein Exkurs […]</p>', 'pingback'],
    ['[...] plain dots [...]', 'pingback'],
    ['<strong>Viel Gerede</strong>\n\nDie deutsche Blogosphäre diskutiert…', 'trackback'],
  ])('recognises %j as a %s', (content, kind) => {
    expect(recognisePingComment({ contentHtml: content, authorUrl: 'http://freitag.example/gerede/', url: `${post}#comment-1191` })).toEqual({
      kind,
      sourceUrl: 'http://freitag.example/gerede/',
    });
  });

  it('keeps an ordinary comment a comment, even one starting with a quote in brackets', () => {
    expect(recognisePingComment({ contentHtml: '<p>Gute Idee! [Zitat] …</p>', authorUrl: 'http://markus.example.net/', url: `${post}#comment-1` })).toBeNull();
  });

  it('needs the pinging page: a ping without an author URL stays a comment', () => {
    expect(recognisePingComment({ contentHtml: '[…] excerpt […]', authorUrl: null, url: `${post}#comment-2` })).toBeNull();
  });
});

describe('relationsOf', () => {
  const comment = (url: string) =>
    draftEntry(
      { guid: null, url, title: null, authorName: 'Leserin', authorUrl: null, contentHtml: '<p>Ja.</p>', summaryHtml: null, publishedAt: null, updatedAt: null, commentsPageUrl: null, commentFeeds: [], commentCount: null, inReplyTo: [], trackbackPingUrl: null, baseUrl: url, lang: null },
      'comment',
    );

  it('puts a comment of the site comment feed on the post its permalink names', () => {
    const r = relationsOf(comment('http://x.example/2008/11/a/#comment-7'), { via: 'comment-feed', post: null, inReplyTo: [] });
    expect(r.relations).toContainEqual({ type: 'comment-of', target: { kind: 'url', key: 'x.example/2008/11/a' }, toUrl: 'http://x.example/2008/11/a/' });
  });

  it('puts a comment on its post when WordPress links it on a comment page (page_comments on)', () => {
    const r = relationsOf(comment('http://x.example/2008/11/a/comment-page-3/#comment-7'), { via: 'comment-feed', post: null, inReplyTo: [] });
    expect(r.relations).toContainEqual({ type: 'comment-of', target: { kind: 'url', key: 'x.example/2008/11/a' }, toUrl: 'http://x.example/2008/11/a/' });
  });
});

describe('preferredCommentFeed', () => {
  it("takes WordPress's Atom comment feed, which names each reply's parent", () => {
    expect(preferredCommentFeed({ url: 'http://x.example/2008/11/a/', commentFeedUrl: 'http://x.example/2008/11/a/feed/' })).toBe('http://x.example/2008/11/a/feed/atom/');
  });
  it('keeps any other comment feed as it is', () => {
    const blogger = 'http://x.blogspot.com/feeds/123/comments/default';
    expect(preferredCommentFeed({ url: 'http://x.blogspot.com/2008/11/a.html', commentFeedUrl: blogger })).toBe(blogger);
  });
});

describe('relationsOf', () => {
  const draft = (patch: Partial<EntryDraft>): EntryDraft => ({
    kind: 'comment', identity: 'x', guid: null, url: null, urlKey: null, title: null, authorName: null, authorUrl: null, contentHtml: null, excerpt: null,
    lang: null, publishedAt: null, updatedAt: null, commentCount: null, commentFeedUrl: null, commentsPageUrl: null, trackbackPingUrl: null, contentHash: 'h', ...patch,
  });

  it("names a comment's post by the guid its comment feed gave, its parent by thr:in-reply-to, its links by URL", () => {
    const url = 'http://planetsab.example/2008/11/exkurs/#comment-7';
    const r = relationsOf(draft({ url, urlKey: urlKey(url), contentHtml: '<p>Siehe <a href="http://sachar.example/idee/">Sachar</a></p>' }), {
      via: 'comment-feed',
      post: { guid: 'http://planetsab.example/?p=41', url: 'http://planetsab.example/2008/11/exkurs/' },
      inReplyTo: [{ ref: 'http://planetsab.example/2008/11/exkurs/#comment-5', href: 'http://planetsab.example/2008/11/exkurs/#comment-5' }],
    });
    expect(r.relations).toEqual([
      { type: 'comment-of', target: { kind: 'ref', guid: 'http://planetsab.example/?p=41' }, toUrl: 'http://planetsab.example/2008/11/exkurs/' },
      { type: 'reply-to', target: { kind: 'ref', guid: 'http://planetsab.example/2008/11/exkurs/#comment-5' }, toUrl: 'http://planetsab.example/2008/11/exkurs/#comment-5' },
      { type: 'links-to', target: { kind: 'url', key: 'sachar.example/idee' }, toUrl: 'http://sachar.example/idee/' },
    ]);
    expect(r.isRoundup).toBe(false);
  });

  it('calls a body with more than four threadable links a roundup', () => {
    const links = [1, 2, 3, 4, 5].map((n) => `<a href="http://blog${n}.example/post/">${n}</a>`).join(' ');
    const r = relationsOf(draft({ kind: 'post', url: 'http://links.example/week/', urlKey: 'links.example/week', contentHtml: `<p>${links}</p>` }), { via: 'feed', post: null, inReplyTo: [] });
    expect(r.relations).toHaveLength(5);
    expect(r.isRoundup).toBe(true);
  });
});

describe('relationsOf with a body a reading thread read', () => {
  it('gives what reading the body here gives, relative links and a ping shown as a comment included', () => {
    const at = new Date('2026-03-01T12:00:00Z');
    const item = (patch: Partial<FeedItem>): FeedItem => ({
      guid: null, url: 'http://planetsab.example/2008/11/exkurs/', title: 'Exkurs', authorName: 'Sab', authorUrl: null, summaryHtml: null,
      contentHtml: '<p>Siehe <a href="/2008/11/eins/">eins</a> und <a href="http://sachar.example/idee/">Sachar</a></p>',
      publishedAt: '2008-11-10T09:00:00.000Z', updatedAt: null, commentsPageUrl: null, commentFeeds: [], commentCount: null, inReplyTo: [], trackbackPingUrl: null, baseUrl: 'http://planetsab.example/', lang: 'de', ...patch,
    });
    const cases: [FeedItem, 'post' | 'comment'][] = [
      [item({}), 'post'],
      [item({ url: null }), 'post'],
      [item({ url: 'http://planetsab.example/2008/11/exkurs/#comment-3', authorUrl: 'http://sachar.example/idee/', contentHtml: '<p>[&#8230;] Sab schreibt […]</p>' }), 'comment'],
    ];
    for (const [it, kind] of cases) {
      const { draft, body } = draftAndReadBody(it, kind, at);
      const context = { via: 'feed' as const, post: null, inReplyTo: [] };
      expect(relationsOf(draft, context, body)).toEqual(relationsOf(draft, context));
    }
    expect(relationsOf(draftAndReadBody(cases[0]![0], 'post', at).draft, { via: 'feed', post: null, inReplyTo: [] }).relations.map((r) => r.toUrl)).toEqual([
      'http://planetsab.example/2008/11/eins/',
      'http://sachar.example/idee/',
    ]);
  });
});

describe('linkbackRelations', () => {
  it('names the target by its entry when Palaver knows it, else by its URL', () => {
    expect(linkbackRelations('http://palaver.example/e/4', 4)).toEqual([{ type: 'linkback', target: { kind: 'entry', id: 4 }, toUrl: 'http://palaver.example/e/4' }]);
    expect(linkbackRelations('http://planetsab.example/2008/11/exkurs/')).toEqual([
      { type: 'linkback', target: { kind: 'url', key: 'planetsab.example/2008/11/exkurs' }, toUrl: 'http://planetsab.example/2008/11/exkurs/' },
    ]);
  });
});
