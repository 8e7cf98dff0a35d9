// A blog's comment gaps (the "may be missing" list of /blogs/:id and /api/blogs/:id), kept between
// views while their version holds (findCommentGapsVersion), a minute at most: counting them
// reads every commented post of the blog and its comments (0.26 s of the tally thread at 110,000
// entries), and a burst of visitors to one big blog filled the thread. Requests that come while a
// blog is being counted wait for that count, not for their own.
import type { Db } from '../db/open.ts';
import type { CommentGap } from '../domain/models.ts';
import { findCommentGapsVersion } from '../store/comment-gaps.ts';
import { createRecentReads } from './recent-reads.ts';
import type { Tallies } from './tally-thread.ts';

/** Keeps recent counts of blogs' comment gaps, per version of each blog, for the 200 blogs viewed last. */
export function createCommentGaps(db: Db, tallies: Pick<Tallies, 'commentGaps'>, now: () => Date) {
  // The version misses what the completion step alone finds and pings verified after their listing was read: a minute bounds how late they show.
  const recent = createRecentReads<CommentGap[]>({ maxAgeMs: 60_000, max: 200, now });
  return async function commentGaps(blogId: number): Promise<CommentGap[]> {
    // The version before the count: a count started after it is at least as new as it says.
    const version = await findCommentGapsVersion(db, blogId);
    return recent(version, () => tallies.commentGaps(blogId));
  };
}
