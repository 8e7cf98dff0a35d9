// The worker thread that reads ping source pages (parse, find the link, microformats), so a
// huge or pathological page costs a thread with its own time and memory limits, never the
// event loop that answers requests. It only reads; source-page-pool.ts runs and limits it.
import { parentPort } from 'node:worker_threads';
import { readSourcePage, type SourcePage } from './verify-source.ts';

parentPort!.on('message', (job: { id: number; page: SourcePage }) => {
  let result;
  try {
    result = readSourcePage(job.page);
  } catch (err) {
    result = { status: 'error' as const, message: `the source page could not be read: ${err instanceof Error ? err.message : String(err)}` };
  }
  parentPort!.postMessage({ id: job.id, result });
});
// One small page first: the time limit then measures reading a page, not compiling the parsers.
readSourcePage({
  body: Buffer.from('<!DOCTYPE html><title>t</title><div class="h-entry"><p class="e-content"><a href="http://warm.example/">w</a></p></div>'),
  contentType: 'text/html',
  url: 'http://source.example/',
  target: 'http://warm.example/',
  protocol: 'webmention',
});
parentPort!.postMessage({ ready: true });
