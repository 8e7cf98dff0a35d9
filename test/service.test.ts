import { describe, expect, it } from 'vitest';
import { createService } from '../src/service.ts';
import { testConfig } from './support/app.ts';

describe('createService', () => {
  it('wires the app and the workers on a migrated database without listening or starting a worker', async () => {
    const service = await createService(testConfig(), { log: { info: () => {}, warn: () => {}, error: () => {} } });
    try {
      expect(service.app.server.listening).toBe(false);
      const health = await service.app.inject('/health');
      expect(health.statusCode).toBe(200);
      expect(health.json()).toMatchObject({ status: 'ok', database: 'ok', blogs: 0 });
      // WebSub is on by default: feeds name the hub, and the hub endpoint answers.
      const feed = await service.app.inject('/feed.atom');
      expect(feed.headers.link).toContain(`<${service.config.publicUrl}/websub>; rel="hub"`);
      expect((await service.app.inject({ method: 'POST', url: '/websub', payload: 'hub.mode=nonsense', headers: { 'content-type': 'application/x-www-form-urlencoded' } })).statusCode).toBe(400);
      expect(await service.pingVerifier.runOnce()).toEqual({ accepted: 0, rejected: 0, held: 0, gone: 0, retry: 0 });
    } finally {
      await service.stop();
    }
    // stop() closes the database; a second stop is the same stop.
    await expect(service.database.db.selectFrom('blogs').selectAll().execute()).rejects.toThrow();
    await service.stop();
  });

  it('leaves WebSub out when the settings turn it off', async () => {
    const service = await createService(testConfig({ websub: { ...testConfig().websub, enabled: false } }), { log: { info: () => {}, warn: () => {}, error: () => {} } });
    try {
      expect((await service.app.inject('/feed.atom')).headers.link).not.toContain('rel="hub"');
      expect((await service.app.inject({ method: 'POST', url: '/websub', payload: 'hub.mode=subscribe', headers: { 'content-type': 'application/x-www-form-urlencoded' } })).statusCode).toBe(404);
    } finally {
      await service.stop();
    }
  });
});
