// Naming entries on the pages as the feeds title them: a comment by the post it is on, a ping
// by what it linked to, never the title a blog gave a comment.
import type { FeedEntry } from '../../src/domain/models.ts';
import { describe, expect, it } from 'vitest';
import { composeItemTitle } from '../../src/feeds/from-entries.ts';

import { findAbout, nameEntry } from '../../src/views/entry-names.ts';
import { messagesFor } from '../../src/views/i18n.ts';

const en = messagesFor('en');
const de = messagesFor('de');
const blog = { title: 'Sachar’s Blog', homeUrl: 'http://sachar.example/' };
const post = { kind: 'post', title: 'Idee: ein Social Media Camp', authorName: 'Sachar' };

describe('nameEntry', () => {
  it('names a comment by its author and post, not by the title WordPress gave it', () => {
    const comment = { id: 2, kind: 'comment', title: 'Von: Martin', authorName: 'Martin', blog };
    expect(nameEntry(comment, post, en)).toBe("Martin on 'Idee: ein Social Media Camp'");
    expect(nameEntry(comment, post, de)).toBe('Martin zu „Idee: ein Social Media Camp“');
    expect(nameEntry({ ...comment, title: 'Comment on Idee by Martin' }, post, en)).toBe("Martin on 'Idee: ein Social Media Camp'");
  });

  it('names a comment as the feed titles its item (English)', () => {
    const feedEntry = { kind: 'comment', authorName: 'Martin', title: 'Von: Martin', post: { id: 1, kind: 'post', title: post.title, url: null, authorName: 'Sachar' }, parent: null } as unknown as FeedEntry;
    expect(nameEntry({ id: 2, kind: 'comment', title: 'Von: Martin', authorName: 'Martin', blog }, post, en)).toBe(composeItemTitle(feedEntry));
    const ping = { kind: 'pingback', authorName: 'planetsab', title: null, url: null, blog: null, parent: { id: 1, kind: 'post', title: post.title, url: null, authorName: 'Sachar' }, targetUrl: null } as unknown as FeedEntry;
    expect(nameEntry({ id: 3, kind: 'pingback', title: null, authorName: 'planetsab', blog: null }, post, en)).toBe(composeItemTitle(ping));
  });

  it('falls back to the comment it answers, then to the author alone', () => {
    expect(nameEntry({ id: 4, kind: 'comment', title: null, authorName: 'Katrin R.', blog }, { kind: 'comment', title: 'Von: Jens', authorName: 'Jens Best' }, en)).toBe('Katrin R. on a comment by Jens Best');
    expect(nameEntry({ id: 4, kind: 'comment', title: 'Von: Katrin', authorName: 'Katrin R.', blog }, null, de)).toBe('Kommentar von Katrin R.');
    expect(nameEntry({ id: 4, kind: 'comment', title: null, authorName: null, blog }, null, en)).toBe('Comment by Someone');
  });

  it('names a post by its title, else the start of its text', () => {
    expect(nameEntry({ id: 1, kind: 'post', title: 'Idee', authorName: 'Sachar', blog }, null, en)).toBe('Idee');
    expect(nameEntry({ id: 1, kind: 'post', title: null, excerpt: 'Ein Text ohne Titel', authorName: 'Sachar', blog }, null, en)).toBe('Ein Text ohne Titel');
  });
});

describe('findAbout', () => {
  it('walks a threaded reply up to its post, and survives a cycle', () => {
    const entries = [
      { id: 1, kind: 'post', inReplyToId: null },
      { id: 2, kind: 'comment', inReplyToId: 1 },
      { id: 3, kind: 'comment', inReplyToId: 2 },
      { id: 4, kind: 'comment', inReplyToId: 5 },
      { id: 5, kind: 'comment', inReplyToId: 4 },
    ];
    const byId = new Map(entries.map((e) => [e.id, e]));
    expect(findAbout(entries[2]!, byId)?.id).toBe(1);
    expect(findAbout(entries[1]!, byId)?.id).toBe(1);
    expect(findAbout(entries[3]!, byId)?.id).toBe(5);
    expect(findAbout(entries[0]!, byId)).toBeNull();
  });
});
