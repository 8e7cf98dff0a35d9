// The worker thread that decodes and parses large feed bodies for read-feed.ts, which runs and
// limits it: it only reads, one body at a time.
import { parentPort } from 'node:worker_threads';
import { readFeedHere, type FeedReadAnswer } from './read-feed.ts';
import { FeedParseError } from './types.ts';

parentPort!.on('message', (job: { id: number; body: Uint8Array; contentType: string | null; url: string }) => {
  const answer = (a: FeedReadAnswer) => parentPort!.postMessage(a);
  readFeedHere(Buffer.from(job.body.buffer, job.body.byteOffset, job.body.byteLength), job.contentType, job.url).then(
    (feed) => answer({ id: job.id, feed }),
    (err: unknown) =>
      answer(err instanceof FeedParseError ? { id: job.id, parseError: { code: err.code, message: err.message } } : { id: job.id, crash: err instanceof Error ? err.message : String(err) }),
  );
});
