// Following blogs nobody registered (registry.autoFollow): a site that enough followed blogs link
// to, or that sent a verified ping, is registered by the ordinary registration (which only keeps
// it when discovery finds a feed), at most autoFollowPerDay attempts a day, never a blocked host,
// each decision kept with its reason so /blogs can show it and the operator can undo it.
import type { Db } from '../db/open.ts';
import type { ServiceLog } from '../domain/vocabulary.ts';
import type { Fetch } from '../reader/types.ts';
import { autoFollowReason, claimAutoFollowCandidates, findAutoFollow, markAutoFollowUndone, recordAutoFollow } from '../store/auto-follows.ts';
import { rejectBlog } from './approve-blog.ts';
import { registerBlog, RegistrationError } from './register-blog.ts';

export interface AutoFollowSettings {
  enabled: boolean;
  minLinks: number;
  perDay: number;
}

export interface AutoFollowDeps {
  db: Db;
  fetch: Fetch;
  now?: () => Date;
  log?: ServiceLog;
}

// A site where discovery found no blog is asked again after this long, not before.
const retryAfterMs = 7 * 86_400_000;
const dayMs = 86_400_000;
// A claimed site not decided within this long (its process died) is tried again.
const claimLeaseMs = 3_600_000;

/** What one pass did: sites followed, and sites where discovery found no blog. */
export interface AutoFollowPass {
  followed: { site: string; blogId: number }[];
  failed: { site: string; error: string }[];
}

/** Follows the sites that qualify now, within the day's limit. Does nothing while autoFollow is off. */
export async function followQualifyingSites(deps: AutoFollowDeps, settings: AutoFollowSettings): Promise<AutoFollowPass> {
  const pass: AutoFollowPass = { followed: [], failed: [] };
  if (!settings.enabled || settings.perDay <= 0) return pass;
  const clock = deps.now ?? (() => new Date());
  const now = clock();
  const candidates = await claimAutoFollowCandidates(deps.db, {
    minLinks: settings.minLinks,
    perDay: settings.perDay,
    since: new Date(now.getTime() - dayMs).toISOString(),
    now: now.toISOString(),
    leaseUntil: new Date(now.getTime() + claimLeaseMs).toISOString(),
  });
  for (const c of candidates) {
    const decision = { site: c.site, url: c.startUrl, reason: autoFollowReason(c), linkingBlogCount: c.linkingBlogCount, pingCount: c.pingCount };
    const at = clock().toISOString();
    try {
      const { blog } = await registerBlog({ db: deps.db, fetch: deps.fetch, now: clock }, c.startUrl, { approval: 'approved' });
      await recordAutoFollow(deps.db, { ...decision, outcome: { status: 'followed', blogId: blog.id } }, at);
      pass.followed.push({ site: c.site, blogId: blog.id });
      deps.log?.info({ site: c.site, blogId: blog.id, reason: decision.reason }, 'followed a blog automatically');
    } catch (err) {
      if (!(err instanceof RegistrationError)) throw err;
      await recordAutoFollow(deps.db, { ...decision, outcome: { status: 'failed', error: err.message, retryAt: new Date(now.getTime() + retryAfterMs).toISOString() } }, at);
      pass.failed.push({ site: c.site, error: err.message });
    }
  }
  return pass;
}

/** Undoes an automatic follow: the blog is no longer polled or shown, and the site is never followed automatically again. */
export async function undoAutoFollow(db: Db, id: number, now: string): Promise<boolean> {
  const follow = await findAutoFollow(db, id);
  if (!follow || follow.status !== 'followed') return false;
  if (follow.blog) await rejectBlog(db, follow.blog.id, now);
  await markAutoFollowUndone(db, id, now);
  return true;
}
