// The registry's suggested sites (/blogs), ranked at most once a minute for each page of them and
// again as soon as any blog is registered or changes: a ranking adds up every mention of a site
// stored (0.5-0.6 s of the tally thread with 50,000 links), and /blogs is the registry's front
// page. Requests that come while a page is being ranked wait for that ranking, not for their own.
import type { Db } from '../db/open.ts';
import type { UnfollowedSite } from '../domain/models.ts';
import { findBlogsChangedAt } from '../store/blogs.ts';
import type { Tallies } from './tally-thread.ts';

const maxAgeMs = 60_000;
const maxPages = 50;

/** Keeps recent rankings of suggested sites, per page and per state of the blogs. */
export function createSuggestedSites(db: Db, tallies: Pick<Tallies, 'suggestedSites'>, now: () => Date) {
  const kept = new Map<string, { at: number; sites: Promise<UnfollowedSite[]> }>();
  return async function suggestedSites(page: { limit: number; offset: number }): Promise<UnfollowedSite[]> {
    // A site registered since is no longer unfollowed: the blogs' newest change is part of the key.
    const key = `${(await findBlogsChangedAt(db)) ?? ''}|${page.limit}|${page.offset}`;
    const at = now().getTime();
    const hit = kept.get(key);
    if (hit && at - hit.at < maxAgeMs && hit.at <= at) return hit.sites;
    const sites = tallies.suggestedSites(page);
    kept.delete(key);
    kept.set(key, { at, sites });
    // A ranking that failed (the thread busy, a timeout) is asked again by the next request.
    sites.catch(() => {
      if (kept.get(key)?.sites === sites) kept.delete(key);
    });
    while (kept.size > maxPages) kept.delete(kept.keys().next().value!);
    return sites;
  };
}
