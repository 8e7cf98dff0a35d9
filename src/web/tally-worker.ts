// The thread that adds up a blog's or the registry's rows for pages (tally-thread.ts runs and
// limits it): a read-only connection of its own to the SQLite file, one read at a time.
import { parentPort, workerData } from 'node:worker_threads';
import { openReader } from '../db/open.ts';
import { talliesOn, type TallyAnswer, type TallyJob } from './tally-thread.ts';

const tallies = talliesOn(openReader((workerData as { file: string }).file));
const answer = (a: TallyAnswer) => parentPort!.postMessage(a);

parentPort!.on('message', (job: TallyJob) => {
  const rows: Promise<unknown[]> =
    job.read === 'suggested-sites'
      ? tallies.suggestedSites(job.page)
      : job.read === 'comment-gaps'
        ? tallies.commentGaps(job.blogId)
        : job.read === 'unfollowed-sites-of'
          ? tallies.unfollowedSitesOf(job.conversationId, job.limit).then((found) => [found])
          : tallies.conversationActivity(job.conversationIds).then((found) => [found]);
  rows.then(
    (found) => answer({ id: job.id, rows: found }),
    (err: unknown) => answer({ id: job.id, error: err instanceof Error ? err.message : String(err) }),
  );
});
answer({ ready: true });
