// A service on a SQLite file in a temporary folder, as npm start runs it (pages and feeds read
// through its read-only connection).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
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
