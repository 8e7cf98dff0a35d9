// The registry's suggested sites, ranked at most once a minute for each page: again after a
// minute, again when a blog is registered, one ranking for requests that come together, and
// again after a ranking that failed.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OpenedDatabase } from '../../src/db/open.ts';
import type { UnfollowedSite } from '../../src/domain/models.ts';
import { createSuggestedSites } from '../../src/web/suggested-sites.ts';
import { createTestDatabase } from '../support/db.ts';

let database: OpenedDatabase;
beforeEach(async () => {
  database = await createTestDatabase();
});
afterEach(async () => {
  await database.close();
});

const site = (name: string): UnfollowedSite => ({ site: name, pingCount: 0, linkCount: 1, linkingBlogCount: 1, debateCount: 1, newestUrl: `http://${name}/`, newestAt: '2026-01-01T00:00:00.000Z', newestTitle: null, name: null });

describe('createSuggestedSites', () => {
  it('ranks a page once a minute, again when a blog is registered, once for requests that come together', async () => {
    let clock = Date.parse('2026-03-01T12:00:00.000Z');
    const asked: { limit: number; offset: number }[] = [];
    let failNext = false;
    const tallies = {
      suggestedSites: async (page: { limit: number; offset: number }) => {
        asked.push(page);
        if (failNext) {
          failNext = false;
          throw new Error('the tally thread is busy');
        }
        return [site(`s${asked.length}.example`)];
      },
    };
    const suggested = createSuggestedSites(database.db, tallies, () => new Date(clock));
    const first = { limit: 21, offset: 0 };

    expect(await suggested(first)).toEqual([site('s1.example')]);
    clock += 59_000;
    expect(await suggested(first)).toEqual([site('s1.example')]);
    expect(asked).toHaveLength(1);
    // Another page is its own ranking.
    expect(await suggested({ limit: 21, offset: 20 })).toEqual([site('s2.example')]);

    // A minute on, the page is ranked again; requests that come together share that ranking.
    clock += 2_000;
    const together = await Promise.all([suggested(first), suggested(first), suggested(first)]);
    expect(together).toEqual([[site('s3.example')], [site('s3.example')], [site('s3.example')]]);
    expect(asked).toHaveLength(3);

    // A blog registered: a site it is on may no longer be unfollowed.
    await database.db.insertInto('blogs').values({ home_url: 'http://s3.example/', url_key: 's3.example', site: 's3.example', title: 'S3', created_at: '2026-03-01T12:01:30.000Z', updated_at: '2026-03-01T12:01:30.000Z' }).execute();
    expect(await suggested(first)).toEqual([site('s4.example')]);

    // A ranking that failed is not kept.
    failNext = true;
    clock += 61_000;
    await expect(suggested(first)).rejects.toThrow('busy');
    expect(await suggested(first)).toEqual([site('s6.example')]);
    expect(asked).toHaveLength(6);
  });
});
