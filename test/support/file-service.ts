// A service on a SQLite file in a temporary folder, as npm start runs it (pages and feeds read
// through its read-only connection), and the posts the tests of its kept pages store.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FeedItem } from '../../src/reader/types.ts';
import { createService, type Service } from '../../src/service.ts';
import { testConfig } from './app.ts';

/** Starts a service on a fresh SQLite file; close() stops it and removes the folder. */
export async function fileService(overrides: Record<string, unknown> = {}): Promise<Service & { close(): Promise<void> }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'palaver-file-service-'));
  const silent = { info: () => {}, warn: () => {}, error: () => {} };
  try {
    const service = await createService(testConfig({ ...overrides, databasePath: path.join(dir, 'palaver.db') }), { log: silent });
    return {
      ...service,
      close: async () => {
        await service.stop();
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

export const postedAt = '2008-11-12T10:00:00.000Z';

/** Post n of sachar.example, as its feed would hand it over. */
export function sacharPost(n: number): FeedItem {
  const url = `https://sachar.example/p${n}/`;
  return {
    guid: `p${n}`, url, title: `Beitrag ${n}`, authorName: null, authorUrl: null, contentHtml: `<p>Beitrag ${n}</p>`, summaryHtml: null,
    publishedAt: postedAt, updatedAt: null, commentsPageUrl: null, commentFeeds: [], commentCount: null, inReplyTo: [], trackbackPingUrl: null, baseUrl: url, lang: null,
  };
}
