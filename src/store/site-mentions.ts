// store: the sites Palaver does not follow that joined debates anyway: verified pings from their
// pages, and links from posts of followed blogs to their pages. Read from what ingest and
// verification stored; nothing here (or anywhere for it) fetches a site.
import { sql, type Expression, type SqlBool } from 'kysely';
import type { Db } from '../db/open.ts';
import type { UnfollowedSite } from '../domain/models.ts';

// A ping's site as url keys name it: source_host is the URL's host, lower-cased.
const pingSite = sql<string>`case when pings.source_host like 'www.%' then substr(pings.source_host, 5) else pings.source_host end`;

/** A site with a registered blog on it (whatever its approval) counts as followed. */
function unfollowed(site: Expression<string | null>): Expression<SqlBool> {
  return sql<SqlBool>`not exists (select 1 from blogs where blogs.site = ${site})`;
}

// Of one conversation, its mentions are read from its entries: SQLite keeps the order of a CROSS
// JOIN (PostgreSQL plans it as any join). Joined the other way, SQLite read every accepted ping
// of every debate through the index of statuses (50,000: 212 ms against 0.8 ms a page), and every
// link to a site that thousands of posts link to (Wikipedia, 20,000: 48-89 ms against 0.8 ms).

// Links from posts of approved blogs to pages Palaver has no blog for; comments' links are their
// commenters', not the blog's. Of every conversation, or of one.
function linkMentions(db: Db, conversationId?: number) {
  const from =
    conversationId === undefined
      ? db.selectFrom('edges').innerJoin('entries', 'entries.id', 'edges.from_entry_id').where('entries.conversation_id', 'is not', null)
      : db.selectFrom('entries').crossJoin('edges').whereRef('edges.from_entry_id', '=', 'entries.id').where('entries.conversation_id', '=', conversationId);
  return from
    .innerJoin('blogs', 'blogs.id', 'entries.blog_id')
    .where('edges.type', '=', 'links-to')
    .where('edges.to_site', 'is not', null)
    .where('entries.kind', '=', 'post')
    .where('entries.same_as_id', 'is', null)
    .where('blogs.approval', '=', 'approved')
    .where(unfollowed(sql.ref('edges.to_site')));
}

// Pings that passed verification (the source was fetched and links to its target) and became an
// entry. Of every conversation, or of one.
function pingMentions(db: Db, conversationId?: number) {
  const from =
    conversationId === undefined
      ? db.selectFrom('pings').innerJoin('entries', 'entries.id', 'pings.entry_id').where('entries.conversation_id', 'is not', null)
      : db.selectFrom('entries').crossJoin('pings').whereRef('pings.entry_id', '=', 'entries.id').where('entries.conversation_id', '=', conversationId);
  return from.where('pings.status', '=', 'accepted').where(unfollowed(pingSite));
}

interface MentionRow {
  site: string;
  url: string;
  at: string;
  blogId: number | null;
  conversationId: number;
  isPing: boolean;
  title: string | null;
  name: string | null;
}

async function readMentions(db: Db, where: { conversationId?: number; sites?: string[] }): Promise<MentionRow[]> {
  let links = linkMentions(db, where.conversationId).select([
    'edges.to_site as site',
    'edges.to_url as url',
    'entries.sort_at as at',
    'entries.blog_id as blog_id',
    'entries.conversation_id as conversation_id',
  ]);
  let pings = pingMentions(db, where.conversationId).select([
    pingSite.as('site'),
    'pings.source_url as url',
    sql<string>`coalesce(pings.verified_at, pings.updated_at)`.as('at'),
    'entries.conversation_id as conversation_id',
    // The title the ping sent, else the one verification read from the page.
    sql<string | null>`coalesce(pings.title, entries.title)`.as('title'),
    'pings.blog_name as blog_name',
  ]);
  if (where.sites) {
    // Of one conversation, each of its links is checked for the sites: in the index of sites,
    // SQLite sought every link to a site again for each of its entries.
    const site = where.conversationId !== undefined ? sql<string>`coalesce(edges.to_site, '')` : sql.ref<string>('edges.to_site');
    links = links.where(site, 'in', where.sites);
    pings = pings.where(pingSite, 'in', where.sites);
  }
  const out: MentionRow[] = [];
  for (const r of await links.execute()) {
    if (r.site && r.url) out.push({ site: r.site, url: r.url, at: r.at, blogId: r.blog_id, conversationId: r.conversation_id!, isPing: false, title: null, name: null });
  }
  for (const r of await pings.execute()) out.push({ site: r.site, url: r.url, at: r.at, blogId: null, conversationId: r.conversation_id!, isPing: true, title: r.title, name: r.blog_name });
  return out;
}

/** Sums mentions up per site, with each site's newest page. */
function summarise(rows: MentionRow[]): Map<string, UnfollowedSite> {
  const sites = new Map<string, UnfollowedSite & { blogs: Set<number>; debates: Set<number> }>();
  for (const r of rows) {
    let s = sites.get(r.site);
    if (!s) {
      s = { site: r.site, pingCount: 0, linkCount: 0, linkingBlogCount: 0, debateCount: 0, newestUrl: r.url, newestAt: r.at, newestTitle: r.title, name: r.name, blogs: new Set(), debates: new Set() };
      sites.set(r.site, s);
    }
    if (r.isPing) s.pingCount += 1;
    else s.linkCount += 1;
    if (r.blogId !== null) s.blogs.add(r.blogId);
    s.debates.add(r.conversationId);
    if (r.at > s.newestAt || (r.at === s.newestAt && r.isPing)) Object.assign(s, { newestUrl: r.url, newestAt: r.at, newestTitle: r.title ?? s.newestTitle });
    s.name ??= r.name;
  }
  const out = new Map<string, UnfollowedSite>();
  for (const [site, { blogs, debates, ...rest }] of sites) out.set(site, { ...rest, linkingBlogCount: blogs.size, debateCount: debates.size });
  return out;
}

/**
 * Lists the first `limit` unfollowed sites that pinged a conversation's entries or that its
 * followed posts link to, ranked as `ranking` says, and how many there are: summed per site in
 * SQL, the mentions of only the sites listed read into the page. For a debate of 20,000 links to
 * 5,000 sites that is 53–74 ms, against 62–93 ms summing all of them here.
 */
export async function listUnfollowedSitesOf(db: Db, conversationId: number, limit: number): Promise<{ sites: UnfollowedSite[]; total: number }> {
  // The number of sites counted over the same grouping, in the same statement.
  const ranked = await ranking(siteTotals(db, conversationId))
    .select(sql<number | string>`count(*) over ()`.as('total'))
    .limit(limit)
    .execute();
  const total = Number(ranked[0]?.total ?? 0);
  const sites = ranked.map((r) => r.site).filter((s): s is string => s !== null);
  if (sites.length === 0) return { sites: [], total };
  const details = summarise(await readMentions(db, { conversationId, sites }));
  return { sites: sites.map((s) => details.get(s)).filter((s): s is UnfollowedSite => s !== undefined), total };
}

// The mentions summed per site in SQL (of one conversation, or of every one), so ranking and
// paging never hold them all.
function siteTotals(db: Db, conversationId?: number) {
  const links = linkMentions(db, conversationId).select([
    'edges.to_site as site',
    'entries.conversation_id as conversation_id',
    'entries.blog_id as link_blog',
    sql<number>`0`.as('is_ping'),
    'entries.sort_at as at',
  ]);
  const pings = pingMentions(db, conversationId).select([
    pingSite.as('site'),
    'entries.conversation_id as conversation_id',
    sql<number | null>`null`.as('link_blog'),
    sql<number>`1`.as('is_ping'),
    sql<string>`coalesce(pings.verified_at, pings.updated_at)`.as('at'),
  ]);
  return db
    .selectFrom(links.unionAll(pings).as('m'))
    .select((eb) => [
      'm.site',
      eb.fn.count<number>('m.conversation_id').distinct().as('debates'),
      eb.fn.count<number>('m.link_blog').distinct().as('linking_blogs'),
      eb.fn.sum<number>('m.is_ping').as('pings'),
      eb.fn.max('m.at').as('newest'),
    ])
    .groupBy('m.site');
}

// Ranks summed sites as /blogs does: debates joined, then followed blogs pointing at them, pings, the newest mention, the site's name.
function ranking(totals: ReturnType<typeof siteTotals>) {
  return totals.orderBy('debates', 'desc').orderBy('linking_blogs', 'desc').orderBy('pings', 'desc').orderBy('newest', 'desc').orderBy('m.site');
}

/** Lists one page of the unfollowed sites across all conversations, ranked as `ranking` says. */
export async function listSuggestedSites(db: Db, page: { limit: number; offset: number }): Promise<UnfollowedSite[]> {
  const ranked = await ranking(siteTotals(db))
    .limit(page.limit)
    .offset(page.offset)
    .execute();
  const sites = ranked.map((r) => r.site).filter((s): s is string => s !== null);
  if (sites.length === 0) return [];
  const details = summarise(await readMentions(db, { sites }));
  return sites.map((s) => details.get(s)).filter((s): s is UnfollowedSite => s !== undefined);
}

/** A site that qualifies for an automatic follow, with the page discovery starts from. */
export interface AutoFollowCandidate extends UnfollowedSite {
  /** Its newest verified ping's source, else its newest linked page. */
  startUrl: string;
}

/**
 * Lists sites that qualify for an automatic follow: linked from posts of at least `minLinks`
 * followed blogs or the source of a verified ping; never a blocked host, never a site decided
 * before (followed, undone, or failed or being tried until its retry time).
 */
export async function listAutoFollowCandidates(db: Db, options: { minLinks: number; limit: number; now: string }): Promise<AutoFollowCandidate[]> {
  if (options.limit <= 0) return [];
  const rows = await siteTotals(db)
    // A blocked host, with or without www. (ping_hosts names hosts as senders' URLs do).
    .where(({ not, exists, selectFrom, ref }) =>
      not(exists(selectFrom('ping_hosts').select('host').where('verdict', '=', 'blocked').where((eb) => eb.or([eb('host', '=', ref('m.site')), eb('host', '=', sql<string>`'www.' || ${ref('m.site')}`)])))),
    )
    .where(({ not, exists, selectFrom, ref }) =>
      not(
        exists(
          selectFrom('auto_follows')
            .select('id')
            .where('auto_follows.site', '=', ref('m.site'))
            // Followed or undone for good; failed or being tried until its retry time.
            .where((eb) => eb.or([eb('auto_follows.status', 'not in', ['failed', 'trying']), eb('auto_follows.retry_at', 'is', null), eb('auto_follows.retry_at', '>', options.now)])),
        ),
      ),
    )
    .having((eb) => eb.or([eb(eb.fn.count('m.link_blog').distinct(), '>=', options.minLinks), eb(eb.fn.sum('m.is_ping'), '>=', 1)]))
    .orderBy('pings', 'desc')
    .orderBy('linking_blogs', 'desc')
    .orderBy('newest', 'desc')
    .orderBy('m.site')
    .limit(options.limit)
    .execute();
  const out: AutoFollowCandidate[] = [];
  for (const r of rows) {
    const site = r.site;
    if (!site) continue;
    const mentions = await readMentions(db, { sites: [site] });
    const summary = summarise(mentions).get(site);
    if (!summary) continue;
    const newestPing = mentions.filter((m) => m.isPing).sort((a, b) => (a.at < b.at ? 1 : -1))[0];
    out.push({ ...summary, startUrl: newestPing?.url ?? summary.newestUrl });
  }
  return out;
}
