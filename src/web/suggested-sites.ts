// The registry's suggested sites (/blogs), ranked at most once a minute for each page of them and
// again as soon as any blog is registered or changes: a ranking adds up every mention of a site
// stored (0.5-0.6 s of the tally thread with 50,000 links), and /blogs is the registry's front
// page. Requests that come while a page is being ranked wait for that ranking, not for their own.
import type { Db } from '../db/open.ts';
import type { UnfollowedSite } from '../domain/models.ts';
import { findBlogsChangedAt } from '../store/blogs.ts';
import { createRecentReads } from './recent-reads.ts';
import type { Tallies } from './tally-thread.ts';

/** Keeps recent rankings of suggested sites, per page and per state of the blogs, for the 50 pages asked last. */
export function createSuggestedSites(db: Db, tallies: Pick<Tallies, 'suggestedSites'>, now: () => Date) {
  const recent = createRecentReads<UnfollowedSite[]>({ maxAgeMs: 60_000, max: 50, now });
  return async function suggestedSites(page: { limit: number; offset: number }): Promise<UnfollowedSite[]> {
    // A site registered since is no longer unfollowed: the blogs' newest change is part of the key.
    const key = `${(await findBlogsChangedAt(db)) ?? ''}|${page.limit}|${page.offset}`;
    return recent(key, () => tallies.suggestedSites(page));
  };
}
