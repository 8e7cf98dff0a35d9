// A moderator's decisions about a blog registered by a stranger: approving it has its feeds read
// again in full, so everything it posted while it waited threads and shows; rejecting it stops
// its polling. Nothing here knows about HTTP.
import type { Db } from '../db/open.ts';
import { updateBlogApproval } from '../store/blogs.ts';
import { disableSourcesOfBlog, rereadSourcesOfBlog } from '../store/sources.ts';

/** Approves a blog: it shows from its next poll on, which is due at once. */
export async function approveBlog(db: Db, blogId: number, now: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await updateBlogApproval(trx, blogId, 'approved', now);
    await rereadSourcesOfBlog(trx, blogId, now);
  });
}

/** Rejects a blog: it is no longer polled, and registering it again does not restart it. */
export async function rejectBlog(db: Db, blogId: number, now: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await updateBlogApproval(trx, blogId, 'rejected', now);
    await disableSourcesOfBlog(trx, blogId, 'rejected by a moderator', now);
  });
}
