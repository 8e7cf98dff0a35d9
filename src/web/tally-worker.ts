// The thread that adds up a blog's or the registry's rows for pages (tally-thread.ts runs and
// limits it): a read-only connection of its own to the SQLite file, one read at a time.
import { parentPort, workerData } from 'node:worker_threads';
import { openReader } from '../db/open.ts';
import { talliesOn, type TallyAnswer, type TallyJob } from './tally-thread.ts';

const tallies = talliesOn(openReader((workerData as { file: string }).file));
const answer = (a: TallyAnswer) => parentPort!.postMessage(a);

function read(job: TallyJob): Promise<unknown[]> {
  switch (job.read) {
    case 'suggested-sites':
      return tallies.suggestedSites(job.page);
    case 'comment-gaps':
      return tallies.commentGaps(job.blogId);
    case 'unfollowed-sites-of':
      return tallies.unfollowedSitesOf(job.conversationId, job.limit).then((found) => [found]);
    case 'conversation-activity':
      return tallies.conversationActivity(job.conversationIds).then((found) => [found]);
    case 'entry-counts':
      return tallies.entryCounts(job.blogIds).then((found) => [found]);
  }
}

parentPort!.on('message', (job: TallyJob) => {
  const rows = read(job);
  rows.then(
    (found) => answer({ id: job.id, rows: found }),
    (err: unknown) => answer({ id: job.id, error: err instanceof Error ? err.message : String(err) }),
  );
});
answer({ ready: true });
