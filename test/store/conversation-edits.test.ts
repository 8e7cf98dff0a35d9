// A conversation's counts when an entry in it is edited: an edit that leaves the entry's place in
// the counts (its kind, blog, author, date) moves its post's gap and the root's title without
// recounting the debate; any other edit recounts. Either way the counts are a recount's.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OpenedDatabase } from '../../src/db/open.ts';
import type { Source } from '../../src/domain/models.ts';
import type { Channel } from '../../src/domain/vocabulary.ts';
import type { FeedItem } from '../../src/reader/types.ts';
import { draftEntry } from '../../src/reader/entry-draft.ts';
import { ingestFeedItems } from '../../src/ingest/feed-items.ts';
import { recordEntry } from '../../src/ingest/record-entry.ts';
import { pingRecord } from '../../src/threading/ping-record.ts';
import { relationsOf } from '../../src/threading/relations.ts';
import { insertBlog } from '../../src/store/blogs.ts';
import { insertSource } from '../../src/store/sources.ts';
import { at, blogosphere, feedItem, ingest, random } from '../support/blogosphere.ts';
import { createTestDatabase, expectCountsMatchRecount } from '../support/db.ts';
import { recordStatements } from '../support/statements.ts';

// A recount counts the distinct blogs and authors of every entry of the debate.
const recounts = (sql: string[]) => sql.filter((s) => /count\(distinct "e"\./i.test(s)).length;

describe('countEditedEntry', () => {
  it('keeps the counts a recount gives through random edits of posts and comments, in parts of feeds and alone', async () => {
    for (const seed of [11, 12, 13, 14]) {
      // Pingbacks among the comments: records of the posts that sent them, before or after those posts.
      const blogs = blogosphere(seed, 5, 5, { pingbacks: true });
      const database = await createTestDatabase();
      try {
        const sources = await ingest(database, blogs, seed, 1 + (seed % 3));
        await expectCountsMatchRecount(database);
        const next = random(seed * 7);
        const pick = <T,>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)]!;
        const otherPost = () => `http://${pick(blogs).name}.example/${Math.floor(next() * 5)}/`;
        let minute = 2000;
        let countedAlone = 0;
        let edits = 0;
        for (let round = 0; round < 3; round++) {
          for (const blog of blogs) {
            const { feed, comments } = sources.get(blog.name)!;
            // Every edit a blog makes: new text, a new title, a link more or none, another author,
            // another date, another comment count, and a new post among them.
            const edit = (it: FeedItem): FeedItem => {
              const n = (minute += 1);
              switch (pick(['text', 'text', 'title', 'link', 'unlink', 'author', 'date', 'count', 'count'] as const)) {
                case 'text':
                  return { ...it, contentHtml: `${it.contentHtml} <p>Nachtrag ${n}</p>` };
                case 'title':
                  return { ...it, title: `${it.title ?? 'Ohne'} (${n})` };
                case 'link':
                  return { ...it, contentHtml: `${it.contentHtml} <a href="${otherPost()}">auch</a>` };
                case 'unlink':
                  return { ...it, contentHtml: `<p>Ohne Links ${n}</p>` };
                case 'author':
                  return { ...it, authorName: pick(['Anna', 'Ben', 'Gustav']), contentHtml: `${it.contentHtml} <p>${n}</p>` };
                case 'date':
                  return { ...it, publishedAt: at(n), contentHtml: `${it.contentHtml} <p>${n}</p>` };
                case 'count':
                  return { ...it, commentCount: Math.floor(next() * 8), contentHtml: `${it.contentHtml} <p>${n}</p>` };
              }
            };
            const editSome = (items: FeedItem[]) => items.map((it) => (next() < 0.5 ? edit(it) : it));
            blog.posts = editSome(blog.posts);
            blog.comments = editSome(blog.comments);
            const fresh = feedItem(`http://${blog.name}.example/neu-${round}/`, { title: `Neu ${round}`, authorName: 'Emil', publishedAt: at((minute += 1)), contentHtml: `<p><a href="${otherPost()}">dazu</a></p>` });
            const parts = (source: Source, items: FeedItem[]) => {
              const size = 1 + Math.floor(next() * 4);
              return Array.from({ length: Math.ceil(items.length / size) }, (_, i) => ({ source, items: items.slice(i * size, (i + 1) * size) }));
            };
            for (const part of [...parts(feed, [fresh, ...blog.posts]), ...parts(comments, blog.comments)]) {
              const { result, sql } = await recordStatements(() => ingestFeedItems(database.db, part.source, { items: part.items, title: null }, at((minute += 1))));
              edits += result.updated;
              if (result.updated > 0 && recounts(sql) === 0) countedAlone += 1;
            }
          }
          await expectCountsMatchRecount(database);
        }
        // The random edits went both ways: some parts were counted from their edited entries alone.
        expect(edits, `seed ${seed}`).toBeGreaterThan(80);
        expect(countedAlone, `seed ${seed}`).toBeGreaterThan(30);
      } finally {
        await database.close();
      }
    }
  });

  describe('in one debate', () => {
    let database: OpenedDatabase;
    let feeds: { a: Source; aComments: Source; b: Source };
    const idee = (fields: Partial<FeedItem> = {}) =>
      feedItem('http://a.example/idee/', { title: 'Die Idee', authorName: 'Anna', publishedAt: at(1), commentCount: 4, contentHtml: '<p>Idee</p>', ...fields });
    const kommentar = (fields: Partial<FeedItem> = {}) =>
      feedItem('http://a.example/idee/#comment-1', { authorName: 'Ben', publishedAt: at(2), contentHtml: '<p>Gut.</p>', inReplyTo: [{ ref: 'http://a.example/idee/', href: 'http://a.example/idee/' }], ...fields });
    const antwort = (fields: Partial<FeedItem> = {}) =>
      feedItem('http://b.example/antwort/', { title: 'Antwort', authorName: 'Cem', publishedAt: at(3), contentHtml: '<p><a href="http://a.example/idee/">Idee</a></p>', ...fields });
    const conversation = async () => database.db.selectFrom('conversations').selectAll().where('merged_into_id', 'is', null).executeTakeFirstOrThrow();

    beforeEach(async () => {
      database = await createTestDatabase();
      const blog = (name: string) =>
        insertBlog(database.db, { homeUrl: `http://${name}.example/`, urlKey: `${name}.example`, title: name, description: null, pingbackEndpoint: null, webmentionEndpoint: null, rsdUrl: null, trackbackPingUrl: null, discoveryNotes: [] }, at(0));
      const source = (blogId: number, kind: 'feed' | 'site-comments', url: string) => insertSource(database.db, { blogId, kind, url, nextCheckAt: at(0) }, at(0));
      const [a, b] = [await blog('a'), await blog('b')];
      feeds = { a: await source(a.id, 'feed', 'http://a.example/feed/'), aComments: await source(a.id, 'site-comments', 'http://a.example/comments/feed/'), b: await source(b.id, 'feed', 'http://b.example/feed/') };
      await ingestFeedItems(database.db, feeds.a, { items: [idee()], title: null }, at(10));
      await ingestFeedItems(database.db, feeds.aComments, { items: [kommentar()], title: null }, at(11));
      await ingestFeedItems(database.db, feeds.b, { items: [antwort()], title: null }, at(12));
    });
    afterEach(() => database.close());

    const stored = (source: Source, item: FeedItem, minute: number) => recordStatements(() => ingestFeedItems(database.db, source, { items: [item], title: null }, at(minute)));

    it("gives the conversation its root's new title, without a recount", async () => {
      expect(await conversation()).toMatchObject({ title: 'Die Idee', entry_count: 3, missing_count: 3 });
      const { result, sql } = await stored(feeds.a, idee({ title: 'Die bessere Idee', contentHtml: '<p>Idee, besser.</p>' }), 20);
      expect(result.updated).toBe(1);
      expect(recounts(sql)).toBe(0);
      expect(await conversation()).toMatchObject({ title: 'Die bessere Idee', entry_count: 3, updated_at: at(20) });
      await expectCountsMatchRecount(database);
    });

    it("moves the gap by the edited post's new count, and leaves the title to the root", async () => {
      const { sql } = await stored(feeds.b, antwort({ title: 'Antwort, ergänzt', commentCount: 6, contentHtml: '<p><a href="http://a.example/idee/">Idee</a> und mehr</p>' }), 20);
      expect(recounts(sql)).toBe(0);
      expect(await conversation()).toMatchObject({ title: 'Die Idee', missing_count: 3 + 6 });
      const fell = await stored(feeds.a, idee({ commentCount: 0, contentHtml: '<p>Idee, gekürzt.</p>' }), 21);
      expect(recounts(fell.sql)).toBe(0);
      expect((await conversation()).missing_count).toBe(6);
      await expectCountsMatchRecount(database);
    });

    it("counts a comment's new text from the comment alone", async () => {
      const { sql } = await stored(feeds.aComments, kommentar({ contentHtml: '<p>Gut, sehr gut.</p>' }), 20);
      expect(recounts(sql)).toBe(0);
      expect((await conversation()).updated_at).toBe(at(20));
      await expectCountsMatchRecount(database);
    });

    it('recounts an edit that changes the author, the date or the kind of entry', async () => {
      const author = await stored(feeds.aComments, kommentar({ authorName: 'Anna', contentHtml: '<p>Gut (Anna).</p>' }), 20);
      expect(recounts(author.sql)).toBe(1);
      expect((await conversation()).author_count).toBe(2);
      const date = await stored(feeds.a, idee({ publishedAt: at(5), contentHtml: '<p>Idee, später.</p>' }), 21);
      expect(recounts(date.sql)).toBe(1);
      expect((await conversation()).first_activity_at).toBe(at(2));
      await expectCountsMatchRecount(database);
    });

    it('recounts an edit that a waiting comment finds as its post', async () => {
      // A comment on the post's new address, in the debate already by a link to the post.
      const wartet = feedItem('http://a.example/idee-2/#comment-9', { authorName: 'Dora', publishedAt: at(4), contentHtml: '<p><a href="http://a.example/idee/">vorher</a></p>', inReplyTo: [{ ref: 'http://a.example/idee-2/', href: 'http://a.example/idee-2/' }] });
      await stored(feeds.aComments, wartet, 20);
      expect(await conversation()).toMatchObject({ entry_count: 4, missing_count: 3 });
      // The post moves to that address (the same guid): the comment is one more of its comments.
      const moved = feedItem('http://a.example/idee-2/', { guid: 'http://a.example/idee/', title: 'Die Idee', authorName: 'Anna', publishedAt: at(1), commentCount: 4, contentHtml: '<p>Idee, umgezogen.</p>' });
      const { result, sql } = await stored(feeds.a, moved, 21);
      expect(result.updated).toBe(1);
      expect(recounts(sql)).toBe(1);
      expect((await conversation()).missing_count).toBe(2);
      await expectCountsMatchRecount(database);
    });

    // A verified ping from `source` to the debate's first post, as the ping endpoints record it.
    const ping = (protocol: 'pingback' | 'webmention', via: Channel, source = 'http://c.example/gerede/', minute = 20) => {
      const { draft, relations } = pingRecord(
        { protocol, sourceUrl: source, targetUrl: 'http://a.example/idee/' },
        { url: source, title: 'Gerede', authorName: 'Fritz', authorUrl: null, publishedAt: at(5), excerptHtml: '<p>Bei <a href="http://a.example/idee/">Anna</a></p>' },
      );
      return recordStatements(() => database.db.transaction().execute((trx) => recordEntry(trx, { blogId: null, draft, via, relations, targetUrl: 'http://a.example/idee/' }, at(minute))));
    };

    it("counts a ping's record that came again by another protocol from the record alone", async () => {
      await ping('pingback', 'pingback');
      // A ping received (not listed by the blog) is none of the comments the post reports.
      expect(await conversation()).toMatchObject({ entry_count: 4, linkback_count: 1, missing_count: 3 });
      // The same page sends a webmention too: one record, now with both channels.
      const again = await ping('webmention', 'webmention', undefined, 21);
      expect(recounts(again.sql)).toBe(0);
      expect(await conversation()).toMatchObject({ entry_count: 4, linkback_count: 1, missing_count: 3, updated_at: at(21) });
      const channels = await database.db.selectFrom('entry_channels').select('via').where('entry_id', '=', again.result.id).orderBy('via').execute();
      expect(channels.map((c) => c.via)).toEqual(['pingback', 'webmention']);
      await expectCountsMatchRecount(database);
    });

    it('marks the conversation changed for a channel that counts nothing, without a recount', async () => {
      // The same comment, unchanged, found in another feed of its blog.
      const draft = draftEntry(kommentar(), 'comment');
      const relations = relationsOf(draft, { via: 'feed', post: null, inReplyTo: kommentar().inReplyTo });
      const seen = await recordStatements(() => database.db.transaction().execute((trx) => recordEntry(trx, { blogId: 1, draft, via: 'feed', relations }, at(20))));
      expect(seen.result.outcome).toBe('unchanged');
      expect(recounts(seen.sql)).toBe(0);
      expect((await conversation()).updated_at).toBe(at(20));
      await expectCountsMatchRecount(database);
    });

    it("recounts a ping's channel that makes a post a linkback, and one the blog's listing names", async () => {
      // The answering post, recorded again as the source of a webmention: it arrived as a linkback too.
      const post = draftEntry(antwort(), 'post');
      const relations = relationsOf(post, { via: 'webmention', post: null, inReplyTo: [] });
      const mention = await recordStatements(() => database.db.transaction().execute((trx) => recordEntry(trx, { blogId: 2, draft: post, via: 'webmention', relations }, at(20))));
      expect(recounts(mention.sql)).toBe(1);
      expect((await conversation()).linkback_count).toBe(1);
      await ping('pingback', 'pingback', 'http://c.example/gerede/', 21);
      // The blog lists that ping: one of the comments its post reports.
      const listed = await ping('pingback', 'listing', 'http://c.example/gerede/', 22);
      expect(recounts(listed.sql)).toBe(1);
      expect(await conversation()).toMatchObject({ linkback_count: 2, missing_count: 2 });
      await expectCountsMatchRecount(database);
    });

    it("counts a pingback in a blog's comment feed, and the same ping received, from the records alone", async () => {
      expect(await conversation()).toMatchObject({ entry_count: 3, linkback_count: 0, missing_count: 3 });
      // WordPress shows the answer's pingback as a comment of the post it answers: a record of the answer.
      const pingback = feedItem('http://a.example/idee/#comment-2', {
        title: 'Von: b » Antwort', authorName: 'b » Antwort', authorUrl: 'http://b.example/antwort/', publishedAt: at(4),
        contentHtml: '<p>[&#8230;] Idee [&#8230;]</p>', inReplyTo: [{ ref: 'http://a.example/idee/', href: 'http://a.example/idee/' }],
      });
      const { sql } = await stored(feeds.aComments, pingback, 20);
      expect(recounts(sql)).toBe(0);
      // The answer arrived as a linkback; the post knows one more of the comments it reports.
      expect(await conversation()).toMatchObject({ entry_count: 3, linkback_count: 1, missing_count: 2, updated_at: at(20) });
      await expectCountsMatchRecount(database);
      // The same ping, received: one more record of the answer, which changes no count.
      const received = await ping('pingback', 'pingback', 'http://b.example/antwort/', 21);
      expect(recounts(received.sql)).toBe(0);
      expect(await conversation()).toMatchObject({ entry_count: 3, linkback_count: 1, missing_count: 2, updated_at: at(21) });
      await expectCountsMatchRecount(database);
      // The blog lists it: still that one comment of the post.
      await ping('pingback', 'listing', 'http://b.example/antwort/', 22);
      expect(await conversation()).toMatchObject({ linkback_count: 1, missing_count: 2 });
      await expectCountsMatchRecount(database);
    });

    it("counts a ping the blog listed before its comment feed showed it once among the post's comments", async () => {
      const listed = await ping('pingback', 'listing', 'http://b.example/antwort/', 20);
      expect(recounts(listed.sql)).toBe(0);
      expect(await conversation()).toMatchObject({ linkback_count: 1, missing_count: 2 });
      const pingback = feedItem('http://a.example/idee/#comment-2', {
        title: 'Von: b » Antwort', authorName: 'b » Antwort', authorUrl: 'http://b.example/antwort/', publishedAt: at(4),
        contentHtml: '<p>[&#8230;] Idee [&#8230;]</p>', inReplyTo: [{ ref: 'http://a.example/idee/', href: 'http://a.example/idee/' }],
      });
      const { sql } = await stored(feeds.aComments, pingback, 21);
      expect(recounts(sql)).toBe(0);
      expect(await conversation()).toMatchObject({ linkback_count: 1, missing_count: 2 });
      await expectCountsMatchRecount(database);
    });

    it('counts a post that arrives after the pingback it sent, the pingback leaving the counts', async () => {
      const early = (slug: string, minute: number) =>
        feedItem(`http://a.example/idee/#comment-${slug}`, {
          title: `Von: b » ${slug}`, authorName: `b » ${slug}`, authorUrl: `http://b.example/${slug}/`, publishedAt: at(minute),
          contentHtml: '<p>[&#8230;] Idee [&#8230;]</p>', inReplyTo: [{ ref: 'http://a.example/idee/', href: 'http://a.example/idee/' }],
        });
      const later = (slug: string, minute: number) => feedItem(`http://b.example/${slug}/`, { title: slug, authorName: 'Cem', publishedAt: at(minute), contentHtml: '<p><a href="http://a.example/idee/">Idee</a></p>' });
      // Shown on its own first: an entry of the debate, a linkback, with its own author.
      await stored(feeds.aComments, early('spaeter', 2), 20);
      expect(await conversation()).toMatchObject({ entry_count: 4, post_count: 2, linkback_count: 1, author_count: 4 });
      const arrived = await stored(feeds.b, later('spaeter', 2), 21);
      expect(recounts(arrived.sql)).toBe(0);
      // The post in its place: a post that came as a linkback; the pingback's author is gone.
      expect(await conversation()).toMatchObject({ entry_count: 4, post_count: 3, linkback_count: 1, author_count: 3, updated_at: at(21) });
      await expectCountsMatchRecount(database);
      // A pingback that is the debate's last activity: the post that sent it recounts.
      await stored(feeds.aComments, early('zuletzt', 9), 22);
      const last = await stored(feeds.b, later('zuletzt', 9), 23);
      expect(recounts(last.sql)).toBe(1);
      await expectCountsMatchRecount(database);
    });

    it('holds the edited counts with a new entry of the same part', async () => {
      const neu = feedItem('http://a.example/neu/', { title: 'Neu', authorName: 'Dora', publishedAt: at(4), contentHtml: '<p><a href="http://a.example/idee/">dort</a></p>' });
      const { result, sql } = await recordStatements(() =>
        ingestFeedItems(database.db, feeds.a, { items: [neu, idee({ title: 'Die Idee, neu', commentCount: 5, contentHtml: '<p>Idee, neu.</p>' })], title: null }, at(20)),
      );
      expect(result).toMatchObject({ inserted: 1, updated: 1 });
      expect(recounts(sql)).toBe(0);
      expect(await conversation()).toMatchObject({ title: 'Die Idee, neu', entry_count: 4, author_count: 4, missing_count: 4 });
      await expectCountsMatchRecount(database);
    });
  });
});
