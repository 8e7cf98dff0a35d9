import { describe, expect, it } from 'vitest';
import { preferredCommentFeed } from '../../src/poller/refresh.ts';
import { draftEntry } from '../../src/reader/entry-draft.ts';
import { rankConversation, recognisePingComment, relationsOf } from '../../src/threading/relations.ts';

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
    expect(r.relations).toContainEqual({ type: 'comment-of', target: 'url:x.example/2008/11/a', toUrl: 'http://x.example/2008/11/a/' });
  });

  it('puts a comment on its post when WordPress links it on a comment page (page_comments on)', () => {
    const r = relationsOf(comment('http://x.example/2008/11/a/comment-page-3/#comment-7'), { via: 'comment-feed', post: null, inReplyTo: [] });
    expect(r.relations).toContainEqual({ type: 'comment-of', target: 'url:x.example/2008/11/a', toUrl: 'http://x.example/2008/11/a/' });
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

describe('rankConversation', () => {
  it('ranks a debate between blogs above a one-blog thread of the same age', () => {
    const at = '2026-03-01T12:00:00Z';
    expect(rankConversation(at, 3, 5)).toBeGreaterThan(rankConversation(at, 1, 5));
  });
  it('lets a fresh one-blog thread outrank a debate that ended a week ago', () => {
    expect(rankConversation('2026-03-08T12:00:00Z', 1, 2)).toBeGreaterThan(rankConversation('2026-03-01T12:00:00Z', 3, 6));
  });
});
