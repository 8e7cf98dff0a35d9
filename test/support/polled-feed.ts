// One blog's post feed served by a fixture server and registered in a fresh test database, with
// the fetcher a poll uses: what the poll and ingest tests of a single feed start from.
import { startFixtureServer, type FixtureServer } from '../../src/demo/fixture-server.ts';
import type { OpenedDatabase } from '../../src/db/open.ts';
import type { Source } from '../../src/domain/models.ts';
import type { RefreshSettings } from '../../src/poller/refresh-types.ts';
import { createFetcher, type Fetcher, type FetcherOptions } from '../../src/reader/fetcher.ts';
import { insertBlog } from '../../src/store/blogs.ts';
import { insertSource } from '../../src/store/sources.ts';
import { createTestDatabase } from './db.ts';

/** The schedule the single-feed tests poll with: a feed fails three times before it is disabled. */
export const testRefreshSettings: RefreshSettings = { pollIntervalSeconds: 1800, maxIntervalSeconds: 86400, maxBackoffSeconds: 86400, disableAfterFailures: 3, commentFeedMaxQuietDays: 60 };

/** A fetcher for fixture servers on loopback, with short timeouts and a 1 MiB body limit. */
export function createTestFetcher(options: Partial<FetcherOptions> = {}): Fetcher {
  return createFetcher({ userAgent: 'Palaver-test', timeoutMs: 3000, connectTimeoutMs: 1000, headersTimeoutMs: 2000, maxBodyBytes: 1 << 20, maxRedirects: 5, perHostConcurrency: 2, allowPrivateNetworks: true, ...options });
}

export interface PolledFeed {
  database: OpenedDatabase;
  fetcher: Fetcher;
  /** The blog's server; its post feed is at `/feed/` (answering 404 until the test sets it). */
  server: FixtureServer;
  /** The post feed's source, due at `at`. */
  source: Source;
  close(): Promise<void>;
}

/** Starts the fixture server, the database and the fetcher, and registers the blog and its feed at `at`. */
export async function startPolledFeed(at: Date): Promise<PolledFeed> {
  const database = await createTestDatabase();
  const fetcher = createTestFetcher();
  const server = await startFixtureServer();
  const blog = await insertBlog(database.db, { homeUrl: server.origin, urlKey: 'x', title: null, description: null, pingbackEndpoint: null, webmentionEndpoint: null, rsdUrl: null, trackbackPingUrl: null, discoveryNotes: [] }, at.toISOString());
  const source = await insertSource(database.db, { blogId: blog.id, kind: 'feed', url: `${server.origin}/feed/`, nextCheckAt: at.toISOString() }, at.toISOString());
  return {
    database,
    fetcher,
    server,
    source,
    async close() {
      await fetcher.close();
      await server.close();
      await database.close();
    },
  };
}
