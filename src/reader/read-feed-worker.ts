// The worker thread behind read-feed.ts's reader, which runs and limits it: it decodes and
// parses feed bodies, hashes and drafts feed items, reads post and comment pages and imported
// OPML lists, one job at a time, and touches nothing else.
import { parentPort } from 'node:worker_threads';
import { draftAndReadBody } from './entry-draft.ts';
import { readItemsHere } from './read-items.ts';
import { readFeedHere, type FeedReadAnswer, type ReadingJob } from './read-feed.ts';
import { FeedParseError } from './types.ts';

async function answer(job: ReadingJob): Promise<FeedReadAnswer> {
  if ('opml' in job) {
    const { OpmlError, parseOpml } = await import('../feeds/opml.ts');
    try {
      return { id: job.id, opml: parseOpml(job.opml) };
    } catch (err) {
      if (err instanceof OpmlError) return { id: job.id, opmlRefused: err.reason };
      throw err;
    }
  }
  if ('page' in job) {
    const { page } = job;
    // Loaded with the first page: a thread that reads only feeds never pays for parse5.
    const [{ MarkupLimitError }, { CommentPageError, parseCommentList }, { readPage }] = await Promise.all([import('./bounded-markup.ts'), import('./comment-page.ts'), import('./discover.ts')]);
    try {
      if (page.read === 'findings') return { id: job.id, findings: readPage(page.html, page.url, page.headers) };
      return { id: job.id, comments: parseCommentList(page.html, page.url, page.limits) };
    } catch (err) {
      if (err instanceof MarkupLimitError) return { id: job.id, refused: { limit: err.limit, message: err.message } };
      if (err instanceof CommentPageError) return { id: job.id, refused: { limit: null, message: err.message } };
      throw err;
    }
  }
  if ('draft' in job) {
    const at = new Date(job.draft.at);
    return { id: job.id, drafts: job.draft.items.map((item) => draftAndReadBody(item, job.draft.kind, at)) };
  }
  const { body, items } = job.read;
  const bytes = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (!items) return { id: job.id, feed: await readFeedHere(bytes, job.read.contentType, job.read.url) };
  const read = await readItemsHere(bytes, job.read.contentType, job.read.url, { ...items, at: new Date(items.at) });
  return { id: job.id, feed: read.feed, itemHashes: read.itemHashes, digests: read.digests, ...(read.drafts ? { drafts: read.drafts } : {}) };
}

parentPort!.on('message', (job: ReadingJob) => {
  answer(job).then(
    (a) => parentPort!.postMessage(a),
    (err: unknown) =>
      parentPort!.postMessage(
        err instanceof FeedParseError ? { id: job.id, parseError: { code: err.code, message: err.message } } : { id: job.id, crash: err instanceof Error ? err.message : String(err) },
      ),
  );
});
