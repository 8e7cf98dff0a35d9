// The public listings of a target's accepted pings, getPingbacks and TrackBack's `?__mode=rss`:
// neither protocol pages, so both give the newest maxListedPings, oldest first as before.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OpenedDatabase } from '../../src/db/open.ts';
import { urlKey } from '../../src/domain/url-key.ts';
import { recordEntry } from '../../src/ingest/record-entry.ts';
import { listPingbacks } from '../../src/inbound/pingback-receiver.ts';
import { renderTrackbackListing } from '../../src/inbound/trackback-receiver.ts';
import { draftEntry } from '../../src/reader/entry-draft.ts';
import { insertBlog } from '../../src/store/blogs.ts';
import { maxListedPings } from '../../src/store/pings.ts';
import { relationsOf } from '../../src/threading/relations.ts';
import { createTestDatabase } from '../support/db.ts';

const publicUrl = 'http://palaver.example';
const target = 'http://planetsab.example/2008/11/exkurs/';
let database: OpenedDatabase;
let entryId: number;

beforeEach(async () => {
  database = await createTestDatabase();
  const at = '2026-03-01T12:00:00.000Z';
  const blog = await insertBlog(database.db, { homeUrl: 'http://planetsab.example/', urlKey: 'planetsab.example', title: 'planetsab', description: null, pingbackEndpoint: null, webmentionEndpoint: null, rsdUrl: null, trackbackPingUrl: null, discoveryNotes: [] }, at);
  const draft = draftEntry({ guid: target, url: target, title: 'Exkurs', authorName: null, authorUrl: null, contentHtml: '<p>x</p>', summaryHtml: null, publishedAt: '2008-11-14T21:30:00.000Z', updatedAt: null, commentsPageUrl: null, commentFeeds: [], commentCount: null, inReplyTo: [], trackbackPingUrl: null, baseUrl: target, lang: 'de' }, 'post');
  entryId = (await recordEntry(database.db, { blogId: blog.id, draft, via: 'feed', relations: relationsOf(draft, { via: 'feed', post: null, inReplyTo: [] }) }, at)).id;
});
afterEach(async () => {
  await database.close();
});

/** Stores accepted pings of the target from http://s<n>.example/, ping n received n minutes after the first. */
async function storeAcceptedPings(numbers: number[], protocol: 'trackback' | 'pingback'): Promise<void> {
  await database.db.transaction().execute(async (trx) => {
    for (let first = 0; first < numbers.length; first += 200) {
      const rows = numbers.slice(first, first + 200).map((n) => {
        const at = new Date(Date.UTC(2026, 2, 1) + n * 60_000).toISOString();
        const source = `http://s${n}.example/`;
        return {
          protocol,
          received_via: 'endpoint' as const,
          source_url: source,
          source_key: urlKey(source)!,
          source_host: `s${n}.example`,
          target_url: target,
          target_key: urlKey(target)!,
          target_entry_id: entryId,
          title: `Post ${n}`,
          status: 'accepted' as const,
          attempts: 1,
          created_at: at,
          updated_at: at,
          verified_at: at,
        };
      });
      await trx.insertInto('pings').values(rows).execute();
    }
  });
}

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);
const sources = (numbers: number[]) => numbers.map((n) => `http://s${n}.example/`);

describe('the listings of accepted pings', () => {
  it(`give the newest ${maxListedPings} of a target, oldest first`, async () => {
    // More trackbacks than a listing gives, then a few pingbacks newer than all of them.
    const trackbacks = range(0, maxListedPings + 20);
    const pingbacks = range(maxListedPings + 20, maxListedPings + 25);
    await storeAcceptedPings(trackbacks, 'trackback');
    await storeAcceptedPings(pingbacks, 'pingback');

    // getPingbacks lists every protocol: the five pingbacks and the newest trackbacks before them.
    const listed = await listPingbacks({ db: database.db, publicUrl }, [target]);
    expect(listed).toEqual({ ok: true, value: sources(range(25, maxListedPings + 25)) });

    // The TrackBack listing lists trackbacks only: the newest of them, however many pingbacks are newer.
    const rss = await renderTrackbackListing(database.db, publicUrl, entryId);
    const links = [...rss!.matchAll(/<item>\n<title>[^<]*<\/title>\n<link>([^<]*)<\/link>/g)].map((m) => m[1]);
    expect(links).toEqual(sources(range(20, maxListedPings + 20)));
  });
});
