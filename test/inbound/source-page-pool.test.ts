import { afterEach, describe, expect, it } from 'vitest';
import { createSourcePagePool, type SourcePagePool } from '../../src/inbound/source-page-pool.ts';
import { readSourcePage } from '../../src/inbound/verify-source.ts';

const target = 'http://target.example/post/';
const page = (html: string) => ({ body: Buffer.from(html), contentType: 'text/html; charset=utf-8', url: 'http://source.example/p/', target, protocol: 'webmention' as const });
// Many small h-entries, each linking the target: what froze the event loop for 30 s in one piece.
const entries = (n: number) => `<!DOCTYPE html><title>Flood</title><body>${'<div class="h-entry"><p class="p-name e-content">Entry <a class="u-in-reply-to" href="http://target.example/post/">here</a></p></div>'.repeat(n)}</body>`;

let pool: SourcePagePool | null = null;
afterEach(async () => {
  await pool?.close();
  pool = null;
});

describe('createSourcePagePool', () => {
  it('reads a page in a worker thread as readSourcePage does in this one', async () => {
    pool = createSourcePagePool({ timeoutMs: 10_000, memoryMb: 128, workers: 1 });
    const html = '<html><head><title>Answer</title></head><body><article class="h-entry"><h1 class="p-name">Answer</h1><div class="e-content"><p>I disagree with <a href="http://target.example/post/">this post</a>.</p></div></article></body></html>';
    expect(await pool.read(page(html))).toEqual(readSourcePage(page(html)));
    expect((await pool.read(page(html))).status).toBe('verified');
  });

  it('stops a page that takes longer than the time limit, names the limit, and reads the next page with a new worker', async () => {
    pool = createSourcePagePool({ timeoutMs: 150, memoryMb: 256, workers: 1 });
    const slow = await pool.read(page(entries(20_000)));
    expect(slow).toEqual({ status: 'error', permanent: true, message: "reading the source page took longer than 0.15 s, the time limit for a ping's source" });
    expect((await pool.read(page(entries(1)))).status).toBe('verified');
  });

  it('stops a page that needs more memory than the limit and names the limit', async () => {
    // 48 MB leaves room for the worker to start under a loaded machine (16 MB sometimes ran out
    // while loading the reader itself) and is still far below what 150,000 entries need.
    pool = createSourcePagePool({ timeoutMs: 60_000, memoryMb: 48, workers: 1 });
    const result = await pool.read(page(entries(150_000)));
    expect(result).toEqual({ status: 'error', permanent: true, message: "reading the source page needed more than 48 MB, the memory limit for a ping's source" });
  });

  it('answers every waiting page once it closes', async () => {
    pool = createSourcePagePool({ timeoutMs: 60_000, memoryMb: 128, workers: 1 });
    const pending = [pool.read(page(entries(1))), pool.read(page(entries(1)))];
    await pool.close();
    for (const r of await Promise.all(pending)) expect(['verified', 'error']).toContain(r.status);
  });
});

describe('readSourcePage', () => {
  it('refuses a page with more elements than the limit, naming the limit', () => {
    expect(readSourcePage({ ...page(entries(1000)), maxElements: 2000 })).toEqual({
      status: 'error',
      permanent: true,
      message: "the source page builds more than 2,000 elements, the limit for a ping's source",
    });
    expect(readSourcePage({ ...page(entries(10)), maxElements: 2000 }).status).toBe('verified');
  });

  it('counts the elements the parser builds, which can be far more than the tags written', () => {
    // 100 formatting elements left open when their block ends are built again for every
    // paragraph after it: about 1,100 tags build over 100,000 elements.
    const open = Array.from({ length: 100 }, (_, i) => `<b id="b${i}">`).join('');
    const rebuilt = page(`<div>${open}</div>${'<p>x</p>'.repeat(1000)}<a href="${target}">t</a>`);
    expect(readSourcePage({ ...rebuilt, maxElements: 2000 })).toEqual({
      status: 'error',
      permanent: true,
      message: "the source page builds more than 2,000 elements, the limit for a ping's source",
    });
    const deep = page(`<a href="${target}">t</a>${'<div/>'.repeat(5000)}`);
    expect(readSourcePage({ ...deep, maxElements: 20_000 })).toEqual({
      status: 'error',
      permanent: true,
      message: "the source page nests elements more than 512 levels deep, the limit for a ping's source",
    });
  });
});
