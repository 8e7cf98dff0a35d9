// A post's own page read for its TrackBack URL and comment feed: what it finds, and nothing
// (not an error) when the page cannot be read.
import { afterAll, describe, expect, it } from 'vitest';
import { readPostPage } from '../../src/reader/post-page.ts';
import { createFeedReader } from '../../src/reader/read-feed.ts';
import type { Fetch, FetchResponse } from '../../src/reader/types.ts';

function serving(body: string): Fetch {
  return (async (request) => {
    const response: FetchResponse = { requestedUrl: request.url, url: request.url, status: 200, headers: { 'content-type': 'text/html; charset=utf-8' }, body: Buffer.from(body), redirects: [], notModified: false };
    return response;
  }) as Fetch;
}

const head = `<link rel="alternate" type="application/rss+xml" title="Kommentare zu Idee" href="/2008/11/idee/feed/">
  <!-- <rdf:Description trackback:ping="http://blog.example/mt-tb.cgi/42" /> -->`;

describe('readPostPage', () => {
  it("finds the TrackBack URL and the post's comment feed", async () => {
    expect(await readPostPage(serving(head), 'http://blog.example/2008/11/idee/')).toEqual({
      trackbackPingUrl: 'http://blog.example/mt-tb.cgi/42',
      commentFeedUrl: 'http://blog.example/2008/11/idee/feed/',
    });
  });

  it('finds nothing on a page whose tree passes the limits of reading a page', async () => {
    expect(await readPostPage(serving(`${head}${'<div/>'.repeat(20_000)}`), 'http://blog.example/2008/11/idee/')).toBeNull();
  });

  describe('in a reading thread', () => {
    const reader = createFeedReader({ timeoutMs: 20_000, memoryMb: 256, idleMs: 1000 });
    afterAll(() => reader.close());

    it('finds the same, and nothing on a page past the limits or past the thread’s time', async () => {
      const url = 'http://blog.example/2008/11/idee/';
      expect(await readPostPage(serving(head), url, reader)).toEqual(await readPostPage(serving(head), url));
      expect(await readPostPage(serving(`${head}${'<div/>'.repeat(20_000)}`), url, reader)).toBeNull();
      const hurried = createFeedReader({ timeoutMs: 1, memoryMb: 256, idleMs: 1000 });
      try {
        expect(await readPostPage(serving(`${head}${'<p>x</p>'.repeat(20_000)}`), url, hurried)).toBeNull();
      } finally {
        await hurried.close();
      }
    });
  });
});
