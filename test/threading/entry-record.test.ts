import { describe, expect, it } from 'vitest';
import type { RelationDraft } from '../../src/domain/edges.ts';
import type { EntryDraft } from '../../src/domain/models.ts';
import { contentHashOf } from '../../src/reader/entry-draft.ts';
import { contentTextOf, decideEntry, isAlreadyThreaded, replacedChannel, staleLinkEdges } from '../../src/threading/entry-record.ts';
import type { EntryRelations } from '../../src/threading/relations.ts';

const post = 'http://planetsab.example/2008/11/exkurs/';
const freitag = 'http://freitag.example/gerede/';

function draft(patch: Partial<EntryDraft> = {}): EntryDraft {
  const base: Omit<EntryDraft, 'contentHash'> = {
    kind: 'comment', identity: `guid:${post}#comment-1191`, guid: `${post}#comment-1191`, url: `${post}#comment-1191`, urlKey: 'planetsab.example/2008/11/exkurs#comment-1191',
    title: 'Von: Freitag', authorName: 'Freitag', authorUrl: null, contentHtml: '<p>[…] <a href="http://x.example/a/">Camp</a> […]</p>', excerpt: '[…] Camp […]',
    lang: 'de', publishedAt: '2008-11-14T09:00:00.000Z', updatedAt: null, commentCount: null, commentFeedUrl: null, commentsPageUrl: null, trackbackPingUrl: null,
  };
  const merged = { ...base, ...patch };
  return { ...merged, contentHash: patch.contentHash ?? contentHashOf(merged) };
}

const commentOf: RelationDraft = { type: 'comment-of', target: { kind: 'url', key: 'planetsab.example/2008/11/exkurs' }, toUrl: post };
const linksTo: RelationDraft = { type: 'links-to', target: { kind: 'url', key: 'x.example/a' }, toUrl: 'http://x.example/a/' };

function relations(patch: Partial<EntryRelations> = {}): EntryRelations {
  return { kind: 'comment', sourceKey: null, sourceUrl: null, relations: [commentOf, linksTo], isRoundup: false, ...patch };
}

describe('decideEntry', () => {
  it('takes the search text read with the links when it is of the body stored, else reads the body', () => {
    const d = draft();
    expect(decideEntry(d, relations({ bodyText: { html: d.contentHtml!, text: 'read with the links' } }), undefined).contentText).toBe('read with the links');
    expect(decideEntry(d, relations({ bodyText: { html: '<p>another body</p>', text: 'another body' } }), undefined).contentText).toBe('[…] Camp […]');
    expect(decideEntry(d, relations(), undefined).contentText).toBe('[…] Camp […]');
  });

  it('stores the kind threading recognised, without touching the hash (the kind is not part of it)', () => {
    const d = draft({ authorUrl: freitag });
    const decision = decideEntry(d, relations({ kind: 'pingback', sourceKey: 'freitag.example/gerede', sourceUrl: freitag }), undefined);
    expect(decision.draft.kind).toBe('pingback');
    expect(decision.draft.contentHash).toBe(d.contentHash);
    expect(decision.sourceKey).toBe('freitag.example/gerede');
    expect(decision.replacesChannel).toBe('comment-feed');
  });

  it('keeps what the richer feed said about a ping when the poorer one (no author URL) brings the comment again', () => {
    const poor = draft();
    const decision = decideEntry(poor, relations(), { kind: 'pingback', sourceKey: 'freitag.example/gerede', authorUrl: freitag });
    expect(decision.draft).toMatchObject({ kind: 'pingback', authorUrl: freitag });
    expect(decision.draft.contentHash).toBe(contentHashOf({ ...poor, kind: 'pingback', authorUrl: freitag }));
    expect(decision.draft.contentHash).not.toBe(poor.contentHash);
    expect(decision.sourceKey).toBe('freitag.example/gerede');
    // The excerpt's links are the pinging page's, not the entry's own; it is one node with that page.
    expect(decision.relations).toEqual([commentOf, { type: 'same-as', target: { kind: 'url', key: 'freitag.example/gerede' }, toUrl: freitag }]);
    expect(decision.replacesChannel).toBe('comment-feed');
  });

  it.each([
    ['the arrival names its own author URL', { authorUrl: 'http://markus.example/' }, relations(), { kind: 'pingback' as const, sourceKey: 'freitag.example/gerede', authorUrl: freitag }],
    ['the prior record was a plain comment', {}, relations(), { kind: 'comment' as const, sourceKey: null, authorUrl: null }],
    ['there is no prior record', {}, relations(), undefined],
  ])('leaves the arrival as it is when %s', (_name, patch, rel, prior) => {
    const d = draft(patch);
    const decision = decideEntry(d, rel, prior);
    expect(decision.draft).toEqual({ ...d, kind: 'comment' });
    expect(decision.relations).toEqual([commentOf, linksTo]);
    expect(decision.sourceKey).toBeNull();
    expect(decision.replacesChannel).toBeNull();
  });

  it('derives the search text from the stored draft', () => {
    expect(decideEntry(draft(), relations(), undefined).contentText).toBe('[…] Camp […]');
  });

  it('passes the roundup verdict of the relations through', () => {
    expect(decideEntry(draft(), relations({ isRoundup: true }), undefined).isRoundup).toBe(true);
  });
});

describe('contentTextOf', () => {
  it('indexes words, not markup', () => {
    expect(contentTextOf({ contentHtml: '<p>Social <b>Media</b></p><p>Camp &amp; mehr</p>', excerpt: 'ignored' })).toBe('Social Media Camp & mehr');
  });
  it('falls back to the excerpt without content, and to nothing for content without words', () => {
    expect(contentTextOf({ contentHtml: null, excerpt: 'Auszug' })).toBe('Auszug');
    expect(contentTextOf({ contentHtml: '<img src="x.png">', excerpt: 'Auszug' })).toBeNull();
  });
});

describe('replacedChannel', () => {
  it('drops the comment feed for pings shown as comments, nothing otherwise', () => {
    expect(replacedChannel('pingback')).toBe('comment-feed');
    expect(replacedChannel('trackback')).toBe('comment-feed');
    expect(replacedChannel('webmention')).toBeNull();
    expect(replacedChannel('comment')).toBeNull();
    expect(replacedChannel('post')).toBeNull();
  });
});

describe('isAlreadyThreaded', () => {
  it('stops only a repeated arrival of a threaded entry of the same kind', () => {
    expect(isAlreadyThreaded('unchanged', { conversationId: 3, kind: 'comment' }, 'comment')).toBe(true);
    expect(isAlreadyThreaded('updated', { conversationId: 3, kind: 'comment' }, 'comment')).toBe(false);
    expect(isAlreadyThreaded('unchanged', { conversationId: null, kind: 'comment' }, 'comment')).toBe(false);
    expect(isAlreadyThreaded('unchanged', { conversationId: 3, kind: 'comment' }, 'pingback')).toBe(false);
  });
});

describe('staleLinkEdges', () => {
  it('lists only the body links an edit took out', () => {
    const existing = [
      { id: 1, type: 'comment-of', target: 'url:planetsab.example/2008/11/exkurs' },
      { id: 2, type: 'links-to', target: 'url:x.example/a' },
      { id: 3, type: 'links-to', target: 'url:x.example/removed' },
      { id: 4, type: 'reply-to', target: 'ref:gone' },
    ];
    expect(staleLinkEdges(existing, [commentOf, linksTo]).map((e) => e.id)).toEqual([3]);
  });
});
